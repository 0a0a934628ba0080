//! The coordinators' triage of the board: clusters of alike challenges
//! across municipalities (merge duplicates from here), challenges waiting
//! for review, on-site reports that arrived through Open311 (turn into or
//! attach to a challenge, or close), and the Open311 API keys.
//! Allowed: the partnership's coordinators and administrators.

use super::board::BoardLabels;
use super::forms::FormErrors;
use super::layout::PageCtx;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kizuna_store::StoreError;
use kizuna_store::board::{BoardFilter, ChallengeRow};
use kizuna_store::open311::{Contact, KeyRow, SiteReport};
use kizuna_store::partnerships::{Partnership, Party};

#[derive(Template)]
#[template(path = "board_triage.html")]
struct TriagePage {
    c: PageCtx,
    p: Partnership,
    clusters: Vec<Vec<ChallengeRow>>,
    waiting: Vec<ChallengeRow>,
    reports: Vec<(SiteReport, Contact)>,
    keys: Vec<KeyRow>,
    jurisdictions: Vec<Party>,
    /// A key just created, shown this once.
    new_key: Option<String>,
    errors: FormErrors,
    codes: std::collections::HashMap<i64, String>,
}

impl BoardLabels for TriagePage {
    fn c(&self) -> &PageCtx {
        &self.c
    }
}

impl TriagePage {
    fn service_name(&self, code: &str) -> String {
        kizuna_domain::open311::service(code).map_or(code.to_string(), |s| {
            if self.c.lang() == "en" {
                s.name_en
            } else {
                s.name
            }
            .to_string()
        })
    }
    fn code_of(&self, org: impl std::borrow::Borrow<i64>) -> String {
        self.codes.get(org.borrow()).cloned().unwrap_or_default()
    }
    fn cluster_heading(&self, count: usize) -> String {
        self.c
            .tr
            .args("cluster-heading", &[("count", count.to_string())])
    }
}

async fn coordinated(st: &AppState, ctx: &Ctx, id: i64) -> Result<Partnership, AppError> {
    ctx.require_user()?;
    let p = st.store.partnership(&ctx.viewer, id).await?;
    if !ctx.viewer.can_coordinate(id) {
        return Err(AppError::Forbidden);
    }
    Ok(p)
}

async fn triage_page(
    st: &AppState,
    ctx: &Ctx,
    p: Partnership,
    new_key: Option<String>,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let v = &ctx.viewer;
    let mut clusters = Vec::new();
    for ids in st
        .store
        .challenge_clusters(p.id)
        .await?
        .into_iter()
        .take(50)
    {
        clusters.push(st.store.challenge_rows(v, &ids).await?);
    }
    let waiting = st
        .store
        .board(
            v,
            &BoardFilter {
                partnership_id: Some(p.id),
                status: Some("open".into()),
                limit: 50,
                ..Default::default()
            },
        )
        .await?;
    let municipalities = st.store.municipalities().await?;
    let codes = municipalities
        .iter()
        .map(|m| (m.organisation_id, m.code.clone()))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = TriagePage {
        c: PageCtx::new(ctx),
        reports: st.store.triage_reports(v, p.id, "open").await?,
        keys: st.store.open311_keys(p.id).await?,
        jurisdictions: st
            .store
            .parties(p.id)
            .await?
            .into_iter()
            .filter(|o| o.kind == "municipality")
            .collect(),
        p,
        clusters,
        waiting,
        new_key,
        errors,
        codes,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /partnerships/{id}/board` — coordinators.
pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let p = coordinated(&st, &ctx, id).await?;
    triage_page(&st, &ctx, p, None, FormErrors::default()).await
}

#[derive(serde::Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    jurisdiction: String,
    #[serde(default)]
    label: String,
}

/// `POST /partnerships/{id}/open311-keys` — coordinators; the key is shown once.
pub async fn create_key(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<KeyForm>,
) -> Result<Response, AppError> {
    let p = coordinated(&st, &ctx, id).await?;
    let me = ctx.person_id()?;
    let code = match kizuna_domain::LocalGovCode::parse(&f.jurisdiction) {
        Ok(c) => c,
        Err(e) => {
            return triage_page(&st, &ctx, p, None, FormErrors::from_validation(ctx.tr, &e)).await;
        }
    };
    match st
        .store
        .create_open311_key(Some(me), id, &code, &f.label)
        .await
    {
        Ok((_, key)) => triage_page(&st, &ctx, p, Some(key), FormErrors::default()).await,
        Err(StoreError::Invalid(e)) => {
            triage_page(&st, &ctx, p, None, FormErrors::from_validation(ctx.tr, &e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /partnerships/{id}/open311-keys/{key}/revocation` — coordinators.
pub async fn revoke_key(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, key)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    coordinated(&st, &ctx, id).await?;
    st.store
        .revoke_open311_key(ctx.person_id()?, id, key)
        .await?;
    Ok(Redirect::to(&format!("/partnerships/{id}/board?notice=saved#open311")).into_response())
}

#[derive(serde::Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    notes: String,
    partnership: i64,
}

/// `POST /reports/{id}/attachment` — coordinators: the report belongs to a challenge.
pub async fn attach_report(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReportForm>,
) -> Result<Response, AppError> {
    let p = coordinated(&st, &ctx, f.partnership).await?;
    let challenge: i64 = f
        .challenge
        .trim()
        .trim_start_matches('#')
        .parse()
        .unwrap_or(0);
    match st.store.attach_report(&ctx.viewer, id, challenge).await {
        Ok(()) => Ok(
            Redirect::to(&format!("/challenges/{challenge}?notice=report-attached"))
                .into_response(),
        ),
        Err(StoreError::NotFound) => {
            triage_page(
                &st,
                &ctx,
                p,
                None,
                FormErrors::one(ctx.tr, "challenge", "unknown_challenge"),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /reports/{id}/closure` — coordinators: answered; the reporter's
/// contact details are erased.
pub async fn close_report(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReportForm>,
) -> Result<Response, AppError> {
    let p = coordinated(&st, &ctx, f.partnership).await?;
    match st.store.close_report(&ctx.viewer, id, &f.notes).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/partnerships/{}/board?notice=report-closed",
            p.id
        ))
        .into_response()),
        Err(StoreError::Invalid(e)) => {
            triage_page(&st, &ctx, p, None, FormErrors::from_validation(ctx.tr, &e)).await
        }
        Err(e) => Err(e.into()),
    }
}
