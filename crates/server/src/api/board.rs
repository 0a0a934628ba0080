//! The challenge board in the API, with the rules of the pages: the board
//! lists what the caller may see; municipal staff post and move their own
//! municipality's challenges and join others' ("we have this too");
//! coordinators review, merge and split, and see clusters and on-site
//! reports.

use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kizuna_domain::challenge::{ChallengeInput, NewChallenge, NewEndorsement, Status};
use kizuna_store::board::BoardFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A line of the board.
#[derive(Serialize, ToSchema)]
pub struct ChallengeItem {
    id: i64,
    partnership_id: i64,
    organisation_id: i64,
    organisation_name: String,
    municipality_code: Option<String>,
    region: Option<String>,
    title: String,
    /// counter, documents, internal_sharing, disaster, welfare, tourism,
    /// education, infrastructure, other_dx, or pillar:<key>
    category: String,
    /// Hours a month, for the municipality that posted it.
    burden_hours: i64,
    /// draft, open, under_review, matched, in_progress, solved, rolled_out, closed, merged
    status: String,
    /// public, partnership
    visibility: String,
    /// Municipalities sharing it (itself included).
    shared_count: i64,
    /// Their burden together, hours a month.
    total_burden: i64,
    updated_at: i64,
}

impl From<kizuna_store::board::ChallengeRow> for ChallengeItem {
    fn from(r: kizuna_store::board::ChallengeRow) -> Self {
        Self {
            id: r.id,
            partnership_id: r.partnership_id,
            organisation_id: r.organisation_id,
            organisation_name: r.organisation_name,
            municipality_code: r.municipality_code,
            region: r.region,
            title: r.title,
            category: r.category,
            burden_hours: r.burden_hours,
            status: r.status,
            visibility: r.visibility,
            shared_count: r.shared_count,
            total_burden: r.total_burden,
            updated_at: r.updated_at,
        }
    }
}

/// A challenge in full.
#[derive(Serialize, ToSchema)]
pub struct Challenge {
    id: i64,
    partnership_id: i64,
    organisation_id: i64,
    organisation_name: String,
    municipality_code: Option<String>,
    region: Option<String>,
    /// `null` when not shown to the caller (the author asked the company
    /// side not to see it) or erased.
    author_name: Option<String>,
    title: String,
    description: String,
    category: String,
    current_process: Option<String>,
    pain: Option<String>,
    burden_hours: i64,
    desired_outcome: Option<String>,
    lgwan: bool,
    budget: Option<String>,
    timing: Option<String>,
    visibility: String,
    hide_author: bool,
    status: String,
    /// The challenge it was merged into.
    merged_into: Option<i64>,
    shared_count: i64,
    total_burden: i64,
    created_at: i64,
    updated_at: i64,
}

impl From<kizuna_store::board::Challenge> for Challenge {
    fn from(c: kizuna_store::board::Challenge) -> Self {
        Self {
            id: c.id,
            partnership_id: c.partnership_id,
            organisation_id: c.organisation_id,
            organisation_name: c.organisation_name,
            municipality_code: c.municipality_code,
            region: c.region,
            author_name: c.author_name,
            title: c.title,
            description: c.description,
            category: c.category,
            current_process: c.current_process,
            pain: c.pain,
            burden_hours: c.burden_hours,
            desired_outcome: c.desired_outcome,
            lgwan: c.lgwan == 1,
            budget: c.budget,
            timing: c.timing,
            visibility: c.visibility,
            hide_author: c.hide_author == 1,
            status: c.status,
            merged_into: c.merged_into,
            shared_count: c.shared_count,
            total_burden: c.total_burden,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A municipality sharing a challenge. A negative id stands for the owner
/// of a challenge merged into this one.
#[derive(Serialize, ToSchema)]
pub struct Endorsement {
    id: i64,
    challenge_id: i64,
    organisation_id: i64,
    organisation_name: String,
    burden_hours: i64,
    note: Option<String>,
    created_at: i64,
}

/// One move of the audit trail.
#[derive(Serialize, ToSchema)]
pub struct HistoryEntry {
    /// created, moved, edited, merged_into, merged_from, split, split_from,
    /// endorsed, endorsement_withdrawn, report_attached, attached, detached
    action: String,
    actor_name: Option<String>,
    from_status: Option<String>,
    to_status: Option<String>,
    other_id: Option<i64>,
    reason: Option<String>,
    at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Comment {
    id: i64,
    person_name: Option<String>,
    organisation_name: Option<String>,
    body: String,
    created_at: i64,
}

/// A challenge with who shares it and its history.
#[derive(Serialize, ToSchema)]
pub struct ChallengeDetail {
    challenge: Challenge,
    endorsements: Vec<Endorsement>,
    history: Vec<HistoryEntry>,
}

/// What a challenge is written with.
#[derive(Deserialize, ToSchema)]
pub struct ChallengeBody {
    /// The partnership; when creating only.
    #[serde(default)]
    partnership_id: i64,
    /// The municipality (or school) it is for; when creating only.
    #[serde(default)]
    organisation_id: i64,
    title: String,
    description: String,
    category: String,
    #[serde(default)]
    current_process: Option<String>,
    #[serde(default)]
    pain: Option<String>,
    /// Staff hours a month, 0–5000.
    burden_hours: i64,
    #[serde(default)]
    desired_outcome: Option<String>,
    #[serde(default)]
    lgwan: bool,
    #[serde(default)]
    budget: Option<String>,
    #[serde(default)]
    timing: Option<String>,
    /// public (default) or partnership
    #[serde(default)]
    visibility: Option<String>,
    #[serde(default)]
    hide_author: bool,
    /// Publish at once (default) or keep as a draft.
    #[serde(default = "yes")]
    publish: bool,
}

fn yes() -> bool {
    true
}

impl ChallengeBody {
    fn parse(&self) -> Result<NewChallenge, AppError> {
        let flag = |b: bool| if b { "1" } else { "" }.to_string();
        let text = |o: &Option<String>| o.clone().unwrap_or_default();
        Ok(NewChallenge::parse(&ChallengeInput {
            title: self.title.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            current_process: text(&self.current_process),
            pain: text(&self.pain),
            burden_hours: self.burden_hours.to_string(),
            desired_outcome: text(&self.desired_outcome),
            lgwan: flag(self.lgwan),
            budget: text(&self.budget),
            timing: text(&self.timing),
            visibility: text(&self.visibility),
            hide_author: flag(self.hide_author),
        })?)
    }
}

#[derive(Deserialize, IntoParams, Default)]
pub struct BoardParams {
    /// Search words (best match first).
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    partnership_id: Option<i64>,
    /// A municipality's 6-digit code.
    #[serde(default)]
    municipality: Option<String>,
    /// One of the seven regions, e.g. 会津.
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    category: Option<String>,
    /// One status; by default all on the board but closed.
    #[serde(default)]
    status: Option<String>,
    /// 1–200 (default 50).
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    offset: Option<i64>,
}

/// The board: challenges the caller may see.
#[utoipa::path(get, path = "/api/v1/challenges", tag = "challenges", params(BoardParams),
    responses((status = 200, body = Vec<ChallengeItem>), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(p): Query<BoardParams>,
) -> Result<Json<Vec<ChallengeItem>>, AppError> {
    let organisation_id = match p.municipality.as_deref().filter(|m| !m.is_empty()) {
        Some(code) => Some(st.store.organisation_id_by_code(code).await?.ok_or(
            AppError::Invalid(kizuna_domain::ValidationError::new(
                "municipality",
                "unknown_municipality",
            )),
        )?),
        None => None,
    };
    if let Some(s) = p.status.as_deref().filter(|s| !s.is_empty()) {
        Status::parse(s)?;
    }
    let f = BoardFilter {
        partnership_id: p.partnership_id,
        organisation_id,
        region: p.region,
        category: p.category,
        status: p.status,
        query: p.q,
        limit: p.limit.unwrap_or(50).clamp(1, 200),
        offset: p.offset.unwrap_or(0).max(0),
    };
    Ok(Json(
        st.store
            .board(&ctx.viewer, &f)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

async fn detail(st: &AppState, ctx: &Ctx, id: i64) -> Result<ChallengeDetail, AppError> {
    let c = st.store.challenge(&ctx.viewer, id).await?;
    Ok(ChallengeDetail {
        endorsements: st
            .store
            .endorsements_of(&c)
            .await?
            .into_iter()
            .map(|e| Endorsement {
                id: e.id,
                challenge_id: e.challenge_id,
                organisation_id: e.organisation_id,
                organisation_name: e.organisation_name,
                burden_hours: e.burden_hours,
                note: e.note,
                created_at: e.created_at,
            })
            .collect(),
        history: st
            .store
            .history_of(&c)
            .await?
            .into_iter()
            .map(|h| HistoryEntry {
                action: h.action,
                actor_name: h.actor_name,
                from_status: h.from_status,
                to_status: h.to_status,
                other_id: h.other_id,
                reason: h.reason,
                at: h.at,
            })
            .collect(),
        challenge: c.into(),
    })
}

/// A challenge with who shares it and its history.
#[utoipa::path(get, path = "/api/v1/challenges/{id}", tag = "challenges",
    responses((status = 200, body = ChallengeDetail), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn get_one(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<ChallengeDetail>, AppError> {
    Ok(Json(detail(&st, &ctx, id).await?))
}

/// Posts a challenge (municipal staff for their own municipality;
/// coordinators on a municipality's behalf).
#[utoipa::path(post, path = "/api/v1/challenges", tag = "challenges", security(("bearer" = [])),
    request_body = ChallengeBody,
    responses((status = 201, body = ChallengeDetail), (status = 403, body = super::Problem, content_type = "application/problem+json"),
        (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(body): Json<ChallengeBody>,
) -> Result<(StatusCode, Json<ChallengeDetail>), AppError> {
    let me = ctx.person_id()?;
    let partnership_id = body.partnership_id;
    st.store.partnership(&ctx.viewer, partnership_id).await?;
    let c = body.parse()?;
    if !ctx
        .viewer
        .can_post_challenge(partnership_id, body.organisation_id)
    {
        return Err(AppError::Forbidden);
    }
    let id = st
        .store
        .post_challenge(me, partnership_id, body.organisation_id, &c, body.publish)
        .await?;
    Ok((StatusCode::CREATED, Json(detail(&st, &ctx, id).await?)))
}

/// Replaces a challenge's text (its municipality's staff and coordinators).
#[utoipa::path(put, path = "/api/v1/challenges/{id}", tag = "challenges", security(("bearer" = [])),
    request_body = ChallengeBody,
    responses((status = 200, body = ChallengeDetail), (status = 403, body = super::Problem, content_type = "application/problem+json"),
        (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(body): Json<ChallengeBody>,
) -> Result<Json<ChallengeDetail>, AppError> {
    let me = ctx.person_id()?;
    let current = st.store.challenge(&ctx.viewer, id).await?;
    kizuna_store::board::mover(&ctx.viewer, &current).map_err(|_| AppError::Forbidden)?;
    st.store.update_challenge(me, id, &body.parse()?).await?;
    Ok(Json(detail(&st, &ctx, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct MoveBody {
    /// The status to move to.
    to: String,
    /// Why (required but for publishing a draft); kept in the history.
    #[serde(default)]
    reason: String,
}

/// Moves a challenge along its lifecycle.
#[utoipa::path(post, path = "/api/v1/challenges/{id}/status", tag = "challenges", security(("bearer" = [])),
    request_body = MoveBody,
    responses((status = 200, body = ChallengeDetail), (status = 404, body = super::Problem, content_type = "application/problem+json"),
        (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn move_status(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(body): Json<MoveBody>,
) -> Result<Json<ChallengeDetail>, AppError> {
    ctx.require_user()?;
    let to = Status::parse(&body.to)?;
    st.store
        .move_challenge(&ctx.viewer, id, to, &body.reason)
        .await?;
    Ok(Json(detail(&st, &ctx, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct EndorseBody {
    /// The caller's municipality.
    organisation_id: i64,
    /// Its burden, hours a month.
    burden_hours: i64,
    #[serde(default)]
    note: String,
}

/// "We have this too": the caller's municipality shares the challenge.
#[utoipa::path(post, path = "/api/v1/challenges/{id}/endorsements", tag = "challenges", security(("bearer" = [])),
    request_body = EndorseBody,
    responses((status = 201, body = ChallengeDetail), (status = 409, body = super::Problem, content_type = "application/problem+json"),
        (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn endorse(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(body): Json<EndorseBody>,
) -> Result<(StatusCode, Json<ChallengeDetail>), AppError> {
    ctx.require_user()?;
    let e = NewEndorsement::parse(&body.burden_hours.to_string(), &body.note)?;
    st.store
        .endorse_challenge(&ctx.viewer, id, body.organisation_id, &e)
        .await?;
    let target = st
        .store
        .challenge(&ctx.viewer, id)
        .await?
        .merged_into
        .unwrap_or(id);
    Ok((StatusCode::CREATED, Json(detail(&st, &ctx, target).await?)))
}

/// Withdraws a "we have this too" (the municipality that gave it).
#[utoipa::path(delete, path = "/api/v1/endorsements/{id}", tag = "challenges", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn withdraw(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    ctx.require_user()?;
    st.store.withdraw_endorsement(&ctx.viewer, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The discussion of a challenge.
#[utoipa::path(get, path = "/api/v1/challenges/{id}/comments", tag = "challenges",
    responses((status = 200, body = Vec<Comment>)))]
pub async fn comments(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Comment>>, AppError> {
    Ok(Json(
        st.store
            .comments(&ctx.viewer, id)
            .await?
            .into_iter()
            .map(|k| Comment {
                id: k.id,
                person_name: k.person_name,
                organisation_name: k.organisation_name,
                body: k.body,
                created_at: k.created_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct CommentBody {
    body: String,
}

/// Asks or answers (municipal staff and coordinators of the partnership).
#[utoipa::path(post, path = "/api/v1/challenges/{id}/comments", tag = "challenges", security(("bearer" = [])),
    request_body = CommentBody,
    responses((status = 201, body = Vec<Comment>), (status = 403, body = super::Problem, content_type = "application/problem+json")))]
pub async fn comment(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(body): Json<CommentBody>,
) -> Result<(StatusCode, Json<Vec<Comment>>), AppError> {
    ctx.require_user()?;
    let c = st.store.challenge(&ctx.viewer, id).await?;
    if !ctx.viewer.can_discuss_challenges(c.partnership_id) {
        return Err(AppError::Forbidden);
    }
    st.store.add_comment(&ctx.viewer, id, &body.body).await?;
    let Json(all) = comments(State(st), ctx, Path(id)).await?;
    Ok((StatusCode::CREATED, Json(all)))
}

#[derive(Deserialize, IntoParams)]
pub struct SimilarParams {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    /// A challenge to leave out (the one being edited).
    #[serde(default)]
    except: Option<i64>,
}

/// A suggestion while drafting: an existing challenge and how alike it is.
#[derive(Serialize, ToSchema)]
pub struct SimilarChallenge {
    /// Cosine similarity of character n-grams, 0–1.
    score: f32,
    challenge: ChallengeItem,
}

/// Challenges like a draft (title and description), best first, at most 5.
#[utoipa::path(get, path = "/api/v1/challenges/similar", tag = "challenges", params(SimilarParams),
    responses((status = 200, body = Vec<SimilarChallenge>)))]
pub async fn similar(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(p): Query<SimilarParams>,
) -> Result<Json<Vec<SimilarChallenge>>, AppError> {
    let text = kizuna_domain::challenge::similarity_text(&p.title, &[&p.description]);
    let hits = st
        .store
        .similar_challenges(&ctx.viewer, &text, p.except, 5)
        .await?;
    let rows = st
        .store
        .challenge_rows(&ctx.viewer, &hits.iter().map(|h| h.id).collect::<Vec<_>>())
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| SimilarChallenge {
                score: hits.iter().find(|h| h.id == r.id).map_or(0.0, |h| h.score),
                challenge: r.into(),
            })
            .collect(),
    ))
}

/// Groups of alike challenges across municipalities (coordinators).
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/challenge-clusters", tag = "challenges", security(("bearer" = [])),
    responses((status = 200, body = Vec<Vec<ChallengeItem>>), (status = 403, body = super::Problem, content_type = "application/problem+json")))]
pub async fn clusters(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Vec<ChallengeItem>>>, AppError> {
    ctx.require_user()?;
    if !ctx.viewer.can_coordinate(id) {
        return Err(AppError::Forbidden);
    }
    let mut out = Vec::new();
    for ids in st.store.challenge_clusters(id).await? {
        out.push(
            st.store
                .challenge_rows(&ctx.viewer, &ids)
                .await?
                .into_iter()
                .map(Into::into)
                .collect(),
        );
    }
    Ok(Json(out))
}

#[derive(Deserialize, ToSchema)]
pub struct MergeBody {
    /// The challenge this one duplicates.
    into: i64,
    reason: String,
}

/// Merges a duplicate into another challenge (coordinators).
#[utoipa::path(post, path = "/api/v1/challenges/{id}/merge", tag = "challenges", security(("bearer" = [])),
    request_body = MergeBody,
    responses((status = 200, body = ChallengeDetail), (status = 409, body = super::Problem, content_type = "application/problem+json")))]
pub async fn merge(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(body): Json<MergeBody>,
) -> Result<Json<ChallengeDetail>, AppError> {
    ctx.require_user()?;
    st.store
        .merge_challenges(&ctx.viewer, id, body.into, &body.reason)
        .await?;
    Ok(Json(detail(&st, &ctx, body.into).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct SplitBody {
    reason: String,
}

/// Splits a merged challenge off again (coordinators).
#[utoipa::path(post, path = "/api/v1/challenges/{id}/split", tag = "challenges", security(("bearer" = [])),
    request_body = SplitBody,
    responses((status = 200, body = ChallengeDetail), (status = 409, body = super::Problem, content_type = "application/problem+json")))]
pub async fn split(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(body): Json<SplitBody>,
) -> Result<Json<ChallengeDetail>, AppError> {
    ctx.require_user()?;
    st.store
        .split_challenge(&ctx.viewer, id, &body.reason)
        .await?;
    Ok(Json(detail(&st, &ctx, id).await?))
}

/// Challenges the caller and their municipality posted, drafts included.
#[utoipa::path(get, path = "/api/v1/me/challenges", tag = "challenges", security(("bearer" = [])),
    responses((status = 200, body = Vec<ChallengeItem>), (status = 401, body = super::Problem, content_type = "application/problem+json")))]
pub async fn mine(
    State(st): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<ChallengeItem>>, AppError> {
    ctx.require_user()?;
    Ok(Json(
        st.store
            .my_challenges(&ctx.viewer)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// An on-site report, with the reporter's contact (coordinators only).
#[derive(Serialize, ToSchema)]
pub struct SiteReport {
    id: i64,
    jurisdiction_id: String,
    organisation_name: String,
    service_code: String,
    description: Option<String>,
    lat: Option<f64>,
    long: Option<f64>,
    address: Option<String>,
    /// open, closed
    status: String,
    status_notes: Option<String>,
    challenge_id: Option<i64>,
    contact_email: Option<String>,
    contact_name: Option<String>,
    requested_at: i64,
}

#[derive(Deserialize, IntoParams)]
pub struct ReportParams {
    /// open or closed; both by default.
    #[serde(default)]
    status: String,
}

/// On-site reports that arrived through Open311 (coordinators).
#[utoipa::path(get, path = "/api/v1/partnerships/{id}/site-reports", tag = "challenges", security(("bearer" = [])), params(ReportParams),
    responses((status = 200, body = Vec<SiteReport>), (status = 403, body = super::Problem, content_type = "application/problem+json")))]
pub async fn site_reports(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(p): Query<ReportParams>,
) -> Result<Json<Vec<SiteReport>>, AppError> {
    ctx.require_user()?;
    if !ctx.viewer.can_coordinate(id) {
        return Err(AppError::Forbidden);
    }
    Ok(Json(
        st.store
            .triage_reports(&ctx.viewer, id, &p.status)
            .await?
            .into_iter()
            .map(|(r, c)| SiteReport {
                id: r.id,
                jurisdiction_id: r.jurisdiction_id,
                organisation_name: r.organisation_name,
                service_code: r.service_code,
                description: r.description,
                lat: r.lat,
                long: r.lon,
                address: r.address,
                status: r.status,
                status_notes: r.status_notes,
                challenge_id: r.challenge_id,
                contact_email: c.contact_email,
                contact_name: c.contact_name,
                requested_at: r.requested_at,
            })
            .collect(),
    ))
}
