//! Coordinators' view of the PR corps: the member list (with search and
//! paging), the review queue, the figures, points per kind, PR goods.

use super::fan_access::{Access, coordinator_side, fan_for};
use super::forms::FormErrors;
use super::layout::PageCtx;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use kizuna_domain::ledger::{EntryKind, NewChallenge};
use kizuna_store::fan_figures::{FanFigures, FanRow, ReviewRow, Side};
use kizuna_store::partnerships::Partnership;
use std::collections::HashMap;

pub const PAGE_SIZE: i64 = 50;

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: i64,
}

#[derive(Template)]
#[template(path = "corps_fans.html")]
struct FansPage {
    c: PageCtx,
    p: Partnership,
    government_side: bool,
    rows: Vec<FanRow>,
    q: String,
    page: i64,
    has_next: bool,
}

/// `GET /partnerships/{id}/fans`
pub async fn fans(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let side = coordinator_side(&st, &ctx, id).await?;
    let p = st.store.partnership(&ctx.viewer, id).await?;
    let page = q.page.max(0);
    let mut rows = st
        .store
        .fan_list(id, side, &q.q, PAGE_SIZE + 1, page * PAGE_SIZE)
        .await?;
    let has_next = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let page = FansPage {
        c: PageCtx::new(&ctx),
        p,
        government_side: side == Side::Government,
        rows,
        q: q.q,
        page,
        has_next,
    };
    Ok(Html(page.render()?))
}

#[derive(serde::Deserialize, Default)]
pub struct ReviewQuery {
    #[serde(default)]
    status: String,
}

#[derive(Template)]
#[template(path = "corps_entries.html")]
struct EntriesPage {
    c: PageCtx,
    p: Partnership,
    rows: Vec<ReviewRow>,
    status: String,
}

/// `GET /partnerships/{id}/entries` — the review queue.
pub async fn entries(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ReviewQuery>,
) -> Result<Html<String>, AppError> {
    let side = coordinator_side(&st, &ctx, id).await?;
    let p = st.store.partnership(&ctx.viewer, id).await?;
    let status = match q.status.as_str() {
        "active" | "flagged" | "rejected" | "withdrawn" => q.status.clone(),
        _ => String::new(),
    };
    let rows = st.store.entries_for_review(id, side, &status, 200).await?;
    Ok(Html(
        EntriesPage {
            c: PageCtx::new(&ctx),
            p,
            rows,
            status,
        }
        .render()?,
    ))
}

#[derive(Template)]
#[template(path = "corps_figures.html")]
struct FiguresPage {
    c: PageCtx,
    p: Partnership,
    f: FanFigures,
    map_svg: String,
    legend: [(&'static str, &'static str); 5],
    attribution: &'static str,
    points: Vec<(EntryKind, i64)>,
    challenges: Vec<kizuna_store::collective::Challenge>,
    errors: FormErrors,
}

impl FiguresPage {
    fn kinds(&self) -> &'static [EntryKind] {
        &EntryKind::ALL
    }
}

/// `GET /partnerships/{id}/figures` — aggregates only, for either side.
pub async fn figures(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    Ok(Html(
        figures_page(&st, &ctx, id, FormErrors::default()).await?,
    ))
}

async fn figures_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
) -> Result<String, AppError> {
    coordinator_side(st, ctx, id).await?;
    let p = st.store.partnership(&ctx.viewer, id).await?;
    let f = st.store.fan_figures(id).await?;
    let counts: HashMap<String, i64> = f
        .by_municipality
        .iter()
        .map(|(c, _, n)| (c.clone(), *n))
        .collect();
    let mut points = Vec::new();
    for kind in EntryKind::ALL {
        points.push((kind, st.store.points_for(id, kind).await?));
    }
    let page = FiguresPage {
        c: PageCtx::new(ctx),
        map_svg: crate::map::svg(
            &counts,
            &ctx.tr.t("figures-map-label"),
            &ctx.tr.t("unit-entries"),
        ),
        legend: crate::map::legend(),
        attribution: kizuna_store::seed::MAP_ATTRIBUTION,
        points,
        challenges: st.store.challenges(id, None).await?,
        errors,
        p,
        f,
    };
    Ok(page.render()?)
}

#[derive(serde::Deserialize)]
pub struct ChallengeForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    goal: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    deadline: String,
}

/// `POST /partnerships/{id}/challenges`
pub async fn create_challenge(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ChallengeForm>,
) -> Result<Response, AppError> {
    coordinator_side(&st, &ctx, id).await?;
    match NewChallenge::parse(&f.title, &f.kind, &f.goal, &f.starts_on, &f.deadline) {
        Ok(c) => {
            st.store.create_challenge(ctx.person_id()?, id, &c).await?;
            Ok(Redirect::to(&format!("/partnerships/{id}/figures?notice=saved")).into_response())
        }
        Err(e) => {
            let html = figures_page(&st, &ctx, id, FormErrors::from_validation(ctx.tr, &e)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

/// `POST /partnerships/{id}/challenges/{challenge}/delete`
pub async fn delete_challenge(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, challenge)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    coordinator_side(&st, &ctx, id).await?;
    st.store
        .delete_challenge(ctx.person_id()?, id, challenge)
        .await?;
    Ok(Redirect::to(&format!("/partnerships/{id}/figures?notice=saved")).into_response())
}

/// `POST /partnerships/{id}/points` — `<kind>=<points>` for each kind.
pub async fn set_points(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    coordinator_side(&st, &ctx, id).await?;
    let me = ctx.person_id()?;
    for (k, v) in pairs {
        let Ok(kind) = EntryKind::parse(&k) else {
            continue;
        };
        let points: i64 = v
            .trim()
            .parse()
            .map_err(|_| kizuna_domain::ValidationError::new("points", "not_a_number"))?;
        st.store.set_points(me, id, kind, points).await?;
    }
    Ok(Redirect::to(&format!("/partnerships/{id}/figures?notice=saved")).into_response())
}

#[derive(serde::Deserialize)]
pub struct GoodsForm {
    #[serde(default)]
    recipient: String,
    #[serde(default)]
    postal_code: String,
    #[serde(default)]
    address: String,
}

/// `POST /fans/{id}/goods` — the fan asks for PR goods to be posted.
pub async fn request_goods(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<GoodsForm>,
) -> Result<Response, AppError> {
    let (_, access) = fan_for(&st, &ctx, id).await?;
    if !matches!(access, Access::Owner) {
        return Err(AppError::Forbidden);
    }
    st.store
        .request_goods(id, &f.recipient, &f.postal_code, &f.address)
        .await?;
    Ok(Redirect::to(&format!("/fans/{id}?notice=goods-requested")).into_response())
}

/// `POST /goods/{id}/sent` — a coordinator of the fan's partnership.
pub async fn goods_sent(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((fan_id, request_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (fan, access) = fan_for(&st, &ctx, fan_id).await?;
    if !matches!(access, Access::Coordinator(_)) {
        return Err(AppError::Forbidden);
    }
    if !st
        .store
        .goods_requests(fan_id)
        .await?
        .iter()
        .any(|g| g.id == request_id)
    {
        return Err(AppError::NotFound);
    }
    st.store
        .mark_goods_sent(ctx.person_id()?, request_id)
        .await?;
    Ok(Redirect::to(&format!("/fans/{}?notice=saved", fan.id)).into_response())
}

/// `POST /fans/{id}/goods/{request}/erasure` — the fan erases the address once sent.
pub async fn erase_goods(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((fan_id, request_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (_, access) = fan_for(&st, &ctx, fan_id).await?;
    if !matches!(access, Access::Owner) {
        return Err(AppError::Forbidden);
    }
    st.store.erase_goods_address(fan_id, request_id).await?;
    Ok(Redirect::to(&format!("/fans/{fan_id}?notice=saved")).into_response())
}
