//! `/api/v1` for the PR corps: fans, ledger entries, badges, challenges and
//! figures — with the same permission rules as the pages (the side rule
//! included: the government side never gets a fan who did not opt in).

use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::pages::fan_access::{Access, coordinator_side, fan_for, today_jst};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kizuna_domain::badges;
use kizuna_domain::ledger::{EntryInput, NewEntry};
use kizuna_store::ledger::LedgerFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct Fan {
    pub id: i64,
    pub partnership_id: i64,
    pub display_name: String,
    pub full_name: String,
    pub full_name_kana: String,
    pub organisation_id: Option<i64>,
    pub organisation_name: Option<String>,
    pub department: Option<String>,
    pub home_region: Option<String>,
    pub named_to_government: bool,
    pub on_leaderboard: bool,
    pub points: i64,
    /// Badge keys earned, e.g. `first_visit`.
    pub badges: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Entry {
    pub id: i64,
    pub fan_id: i64,
    /// visit, purchase, post, talk, attendance, donation, in_kind, volunteer_hours, pro_bono_hours
    pub kind: String,
    /// `YYYY-MM-DD`
    pub occurred_on: String,
    pub municipality_code: Option<String>,
    pub amount_yen: Option<i64>,
    pub channel: Option<String>,
    pub products: Option<String>,
    pub url: Option<String>,
    pub platform: Option<String>,
    pub audience: Option<i64>,
    pub note: Option<String>,
    pub evidence_url: Option<String>,
    pub has_photo: bool,
    /// active, flagged, rejected or withdrawn
    pub status: String,
    pub status_reason: Option<String>,
    pub points: i64,
}

impl From<kizuna_store::ledger::Entry> for Entry {
    fn from(e: kizuna_store::ledger::Entry) -> Self {
        Self {
            id: e.id,
            fan_id: e.fan_id,
            kind: e.kind,
            occurred_on: e.occurred_on,
            municipality_code: e.municipality_code,
            amount_yen: e.amount_yen,
            channel: e.channel,
            products: e.products,
            url: e.url,
            platform: e.platform,
            audience: e.audience,
            note: e.note,
            evidence_url: e.evidence_url,
            has_photo: e.photo_id.is_some(),
            status: e.status,
            status_reason: e.status_reason,
            points: e.points,
        }
    }
}

async fn fan_dto(st: &AppState, f: kizuna_store::fans::Fan) -> Result<Fan, AppError> {
    let summary = st.store.ledger_summary(f.id, f.ledger_rev).await?;
    Ok(Fan {
        points: summary.points,
        badges: badges::earned_from(&summary.facts)
            .iter()
            .map(|b| b.as_str().to_string())
            .collect(),
        id: f.id,
        partnership_id: f.partnership_id,
        display_name: f.display_name,
        full_name: f.full_name,
        full_name_kana: f.full_name_kana,
        organisation_id: f.organisation_id,
        organisation_name: f.organisation_name,
        department: f.department,
        home_region: f.home_region,
        named_to_government: f.named_to_government == 1,
        on_leaderboard: f.on_leaderboard == 1,
    })
}

/// The caller's fan records, one per partnership they joined.
#[utoipa::path(get, path = "/api/v1/me/fans", tag = "fans", security(("bearer" = [])), responses((status = 200, body = Vec<Fan>)))]
pub async fn mine(State(st): State<AppState>, ctx: Ctx) -> Result<Json<Vec<Fan>>, AppError> {
    let mut out = Vec::new();
    for f in st.store.fans_of_person(ctx.person_id()?).await? {
        out.push(fan_dto(&st, f).await?);
    }
    Ok(Json(out))
}

/// One fan, for the fan and for coordinators allowed to see them.
#[utoipa::path(get, path = "/api/v1/fans/{id}", tag = "fans", security(("bearer" = [])),
    responses((status = 200, body = Fan), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn get_one(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<Fan>, AppError> {
    let (fan, _) = fan_for(&st, &ctx, id).await?;
    Ok(Json(fan_dto(&st, fan).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct LedgerParams {
    /// Only entries of this kind.
    kind: Option<String>,
    /// Only entries in this municipality (6-digit code).
    municipality: Option<String>,
    /// Zero-based page of 200 entries, newest first.
    page: Option<i64>,
}

/// A fan's ledger, newest first.
#[utoipa::path(get, path = "/api/v1/fans/{id}/entries", tag = "fans", params(LedgerParams), security(("bearer" = [])),
    responses((status = 200, body = Vec<Entry>), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn entries(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<LedgerParams>,
) -> Result<Json<Vec<Entry>>, AppError> {
    fan_for(&st, &ctx, id).await?;
    let page = q.page.unwrap_or(0).max(0);
    let filter = LedgerFilter {
        kind: q.kind,
        municipality_code: q.municipality,
        limit: Some(200),
        offset: page * 200,
    };
    Ok(Json(
        st.store
            .ledger(id, &filter)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Records an entry in the caller's own ledger (photos go through the page).
#[utoipa::path(post, path = "/api/v1/fans/{id}/entries", tag = "fans", security(("bearer" = [])),
    request_body(content = Object, description = "kind, occurred_on (YYYY-MM-DD) and the fields of that kind: municipality_code, amount_yen, channel, products, url, platform, audience, note, evidence_url — all as strings"),
    responses((status = 201, body = Entry), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<EntryInput>,
) -> Result<(StatusCode, Json<Entry>), AppError> {
    let (_, access) = fan_for(&st, &ctx, id).await?;
    if !matches!(access, Access::Owner) {
        return Err(AppError::Forbidden);
    }
    let entry = NewEntry::parse(&input, &today_jst())?;
    let entry_id = st.store.add_entry(id, &entry).await?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.entry(entry_id).await?.into()),
    ))
}

/// Withdraws one of the caller's entries (within the edit period).
#[utoipa::path(delete, path = "/api/v1/entries/{id}", tag = "fans", security(("bearer" = [])),
    responses((status = 204), (status = 409, body = super::Problem, content_type = "application/problem+json")))]
pub async fn withdraw(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    let entry = st.store.entry(id).await?;
    let (_, access) = fan_for(&st, &ctx, entry.fan_id).await?;
    if !matches!(access, Access::Owner) {
        return Err(AppError::Forbidden);
    }
    st.store.withdraw_entry(entry.fan_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct FanRow {
    pub id: i64,
    pub display_name: Option<String>,
    pub full_name: Option<String>,
    pub full_name_kana: Option<String>,
    pub organisation_name: Option<String>,
    pub department: Option<String>,
    pub points: i64,
    pub entries: i64,
}

#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// Search over name, furigana, department, organisation, skill and tags.
    q: Option<String>,
    /// Zero-based page of 50.
    page: Option<i64>,
}

/// The PR corps members a coordinator may see (the government side: only
/// fans who agreed to be named).
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/fans", tag = "fans", params(ListParams), security(("bearer" = [])),
    responses((status = 200, body = Vec<FanRow>), (status = 403, body = super::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ListParams>,
) -> Result<Json<Vec<FanRow>>, AppError> {
    let side = coordinator_side(&st, &ctx, id).await?;
    let page = q.page.unwrap_or(0).max(0);
    let rows = st
        .store
        .fan_list(id, side, q.q.as_deref().unwrap_or(""), 50, page * 50)
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| FanRow {
                id: r.id,
                display_name: r.display_name,
                full_name: r.full_name,
                full_name_kana: r.full_name_kana,
                organisation_name: r.organisation_name,
                department: r.department,
                points: r.points,
                entries: r.entries,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Count {
    pub key: String,
    pub count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Figures {
    pub registered: i64,
    /// Fans with a counted entry in the last 90 days.
    pub active: i64,
    pub municipalities_reached: i64,
    pub by_kind: Vec<Count>,
    /// Keyed by municipality code.
    pub by_municipality: Vec<Count>,
    pub by_organisation: Vec<Count>,
    /// Keyed by `YYYY-MM`.
    pub by_month: Vec<Count>,
}

/// Aggregate figures of the PR corps (coordinators of either side).
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/figures", tag = "fans", security(("bearer" = [])),
    responses((status = 200, body = Figures), (status = 403, body = super::Problem, content_type = "application/problem+json")))]
pub async fn figures(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<Figures>, AppError> {
    coordinator_side(&st, &ctx, id).await?;
    let f = st.store.fan_figures(id).await?;
    let counts = |v: Vec<(String, i64)>| {
        v.into_iter()
            .map(|(key, count)| Count { key, count })
            .collect()
    };
    Ok(Json(Figures {
        registered: f.registered,
        active: f.active,
        municipalities_reached: f.municipalities_reached,
        by_kind: counts(f.by_kind),
        by_municipality: f
            .by_municipality
            .into_iter()
            .map(|(key, _, count)| Count { key, count })
            .collect(),
        by_organisation: counts(f.by_organisation),
        by_month: counts(f.by_month),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Challenge {
    pub id: i64,
    pub title: String,
    pub kind: Option<String>,
    pub goal: i64,
    pub progress: i64,
    pub starts_on: String,
    pub deadline: String,
}

/// Collective challenges of a partnership the caller may see.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/challenges", tag = "fans",
    responses((status = 200, body = Vec<Challenge>), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn challenges(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Challenge>>, AppError> {
    st.store.partnership(&ctx.viewer, id).await?;
    let list = st.store.challenges(id, None).await?;
    Ok(Json(
        list.into_iter()
            .map(|c| Challenge {
                id: c.id,
                title: c.title,
                kind: c.kind,
                goal: c.goal,
                progress: c.progress,
                starts_on: c.starts_on,
                deadline: c.deadline,
            })
            .collect(),
    ))
}
