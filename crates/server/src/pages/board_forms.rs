//! Forms that change the board: posting and editing a challenge (with
//! similar ones suggested while typing), moving it along its lifecycle,
//! "we have this too", questions and answers, follows, attachments, and
//! the coordinators' merge and split. Who may: municipal staff for their
//! own municipality, coordinators for their partnership (see
//! `kizuna_domain::access`); the store checks again.

use super::board::{BoardLabels, challenge_page};
use super::forms::FormErrors;
use super::layout::PageCtx;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kizuna_domain::challenge::{
    ChallengeInput, DX_CATEGORIES, NewChallenge, NewEndorsement, Status,
};
use kizuna_store::StoreError;
use kizuna_store::partnerships::{Partnership, Party, Pillar};

#[derive(Template)]
#[template(path = "challenge_form.html")]
struct FormPage {
    c: PageCtx,
    p: Partnership,
    challenge_id: Option<i64>,
    input: ChallengeInput,
    organisation_id: i64,
    organisations: Vec<Party>,
    pillars: Vec<Pillar>,
    report: Option<i64>,
    errors: FormErrors,
}

impl BoardLabels for FormPage {
    fn c(&self) -> &PageCtx {
        &self.c
    }
}

impl FormPage {
    fn categories(&self) -> &'static [&'static str] {
        &DX_CATEGORIES
    }
    fn other_pillars(&self) -> Vec<&Pillar> {
        self.pillars.iter().filter(|p| p.key != "dx").collect()
    }
    fn field_class(&self, field: &str) -> &'static str {
        if self.errors.has(field) {
            "field field-error"
        } else {
            "field"
        }
    }
    fn checked(&self, v: &str) -> &'static str {
        if matches!(v, "1" | "on" | "true") {
            " checked"
        } else {
            ""
        }
    }
}

/// The municipalities (and schools, and the prefecture) the viewer may post
/// for: their own as staff; every local party for coordinators.
async fn organisations(st: &AppState, ctx: &Ctx, p: &Partnership) -> Result<Vec<Party>, AppError> {
    Ok(st
        .store
        .parties(p.id)
        .await?
        .into_iter()
        .filter(|o| matches!(o.kind.as_str(), "municipality" | "school" | "prefecture"))
        .filter(|o| ctx.viewer.can_post_challenge(p.id, o.organisation_id))
        .collect())
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    st: &AppState,
    ctx: &Ctx,
    p: Partnership,
    challenge_id: Option<i64>,
    input: ChallengeInput,
    organisation_id: i64,
    report: Option<i64>,
    errors: FormErrors,
) -> Result<Response, AppError> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        c: PageCtx::new(ctx),
        organisations: organisations(st, ctx, &p).await?,
        pillars: st.store.pillars(p.id).await?,
        p,
        challenge_id,
        input,
        organisation_id,
        report,
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

fn form_errors(ctx: &Ctx, e: StoreError, field: &str) -> Result<FormErrors, AppError> {
    match e {
        StoreError::Invalid(v) => Ok(FormErrors::from_validation(ctx.tr, &v)),
        StoreError::Conflict(code) => Ok(FormErrors::one(ctx.tr, field, code)),
        other => Err(other.into()),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct NewQuery {
    /// An on-site report to turn into a challenge.
    #[serde(default)]
    report: Option<i64>,
}

/// `GET /partnerships/{id}/board/new` — municipal staff and coordinators.
pub async fn new(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    ctx.require_user()?;
    let p = st.store.partnership(&ctx.viewer, id).await?;
    if !ctx.viewer.can_post_challenges_in(id) {
        return Err(AppError::Forbidden);
    }
    let mut input = ChallengeInput {
        visibility: "public".into(),
        ..Default::default()
    };
    let mut organisation_id = 0;
    if let Some(rid) = q.report {
        let report = st
            .store
            .triage_reports(&ctx.viewer, id, "")
            .await?
            .into_iter()
            .find(|(r, _)| r.id == rid)
            .ok_or(AppError::NotFound)?
            .0;
        input.description = report.description.unwrap_or_default();
        input.category = "other_dx".into();
        organisation_id = report.organisation_id;
    }
    form_page(
        &st,
        &ctx,
        p,
        None,
        input,
        organisation_id,
        q.report,
        FormErrors::default(),
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct ChallengeForm {
    #[serde(flatten)]
    input: ChallengeInput,
    #[serde(default)]
    organisation_id: String,
    /// "1" to publish now; otherwise a draft.
    #[serde(default)]
    publish: String,
    #[serde(default)]
    report: Option<i64>,
}

/// `POST /partnerships/{id}/board`
pub async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ChallengeForm>,
) -> Result<Response, AppError> {
    let me = ctx.person_id()?;
    let p = st.store.partnership(&ctx.viewer, id).await?;
    let org: i64 = f.organisation_id.trim().parse().unwrap_or(0);
    let refuse = |errors| {
        form_page(
            &st,
            &ctx,
            p.clone(),
            None,
            f.input.clone(),
            org,
            f.report,
            errors,
        )
    };
    if !ctx.viewer.can_post_challenge(id, org) {
        return refuse(FormErrors::one(
            ctx.tr,
            "organisation_id",
            "not_your_municipality",
        ))
        .await;
    }
    let c = match NewChallenge::parse(&f.input) {
        Ok(c) => c,
        Err(e) => return refuse(FormErrors::from_validation(ctx.tr, &e)).await,
    };
    let publish = f.publish == "1";
    let done = match f.report {
        Some(r) => st.store.challenge_from_report(&ctx.viewer, r, &c).await,
        None => st.store.post_challenge(me, id, org, &c, publish).await,
    };
    match done {
        Ok(cid) => {
            let notice = if publish || f.report.is_some() {
                "challenge-posted"
            } else {
                "challenge-drafted"
            };
            Ok(Redirect::to(&format!("/challenges/{cid}?notice={notice}")).into_response())
        }
        Err(e) => refuse(form_errors(&ctx, e, "organisation_id")?).await,
    }
}

fn input_of(c: &kizuna_store::board::Challenge) -> ChallengeInput {
    let flag = |b: i64| if b == 1 { "1" } else { "" }.to_string();
    ChallengeInput {
        title: c.title.clone(),
        description: c.description.clone(),
        category: c.category.clone(),
        current_process: c.current_process.clone().unwrap_or_default(),
        pain: c.pain.clone().unwrap_or_default(),
        burden_hours: c.burden_hours.to_string(),
        desired_outcome: c.desired_outcome.clone().unwrap_or_default(),
        lgwan: flag(c.lgwan),
        budget: c.budget.clone().unwrap_or_default(),
        timing: c.timing.clone().unwrap_or_default(),
        visibility: c.visibility.clone(),
        hide_author: flag(c.hide_author),
    }
}

/// `GET /challenges/{id}/edit` — its municipality's staff and coordinators.
pub async fn edit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    ctx.require_user()?;
    let c = st.store.challenge(&ctx.viewer, id).await?;
    kizuna_store::board::mover(&ctx.viewer, &c).map_err(|_| AppError::Forbidden)?;
    let p = st.store.partnership(&ctx.viewer, c.partnership_id).await?;
    form_page(
        &st,
        &ctx,
        p,
        Some(id),
        input_of(&c),
        c.organisation_id,
        None,
        FormErrors::default(),
    )
    .await
}

/// `POST /challenges/{id}/edit`
pub async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ChallengeForm>,
) -> Result<Response, AppError> {
    let me = ctx.person_id()?;
    let c = st.store.challenge(&ctx.viewer, id).await?;
    kizuna_store::board::mover(&ctx.viewer, &c).map_err(|_| AppError::Forbidden)?;
    let p = st.store.partnership(&ctx.viewer, c.partnership_id).await?;
    let refuse = |errors| {
        form_page(
            &st,
            &ctx,
            p.clone(),
            Some(id),
            f.input.clone(),
            c.organisation_id,
            None,
            errors,
        )
    };
    let new = match NewChallenge::parse(&f.input) {
        Ok(n) => n,
        Err(e) => return refuse(FormErrors::from_validation(ctx.tr, &e)).await,
    };
    match st.store.update_challenge(me, id, &new).await {
        Ok(()) => Ok(Redirect::to(&format!("/challenges/{id}?notice=saved")).into_response()),
        Err(e) => refuse(form_errors(&ctx, e, "title")?).await,
    }
}

/// The challenge page again with the refusal shown by the form that caused it.
async fn refused(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    field: &str,
    e: StoreError,
) -> Result<Response, AppError> {
    let errors = form_errors(ctx, e, field)?;
    let page = challenge_page(st, ctx, id, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
}

fn done(id: i64, notice: &str) -> Result<Response, AppError> {
    Ok(Redirect::to(&format!("/challenges/{id}?notice={notice}")).into_response())
}

#[derive(serde::Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
}

/// `POST /challenges/{id}/status` — its municipality's staff and coordinators,
/// each for the moves the lifecycle gives them.
pub async fn move_status(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> Result<Response, AppError> {
    ctx.require_user()?;
    let to = match Status::parse(&f.to) {
        Ok(s) => s,
        Err(e) => return refused(&st, &ctx, id, "status", e.into()).await,
    };
    match st
        .store
        .move_challenge(&ctx.viewer, id, to, &f.reason)
        .await
    {
        Ok(()) => done(id, "challenge-moved"),
        Err(e) => refused(&st, &ctx, id, "status", e).await,
    }
}

#[derive(serde::Deserialize)]
pub struct EndorseForm {
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    burden_hours: String,
    #[serde(default)]
    note: String,
}

/// `POST /challenges/{id}/endorsements` — staff of another municipality.
pub async fn endorse(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<EndorseForm>,
) -> Result<Response, AppError> {
    ctx.require_user()?;
    let e = match NewEndorsement::parse(&f.burden_hours, &f.note) {
        Ok(e) => e,
        Err(e) => return refused(&st, &ctx, id, "burden_hours", e.into()).await,
    };
    let org: i64 = f.organisation_id.trim().parse().unwrap_or(0);
    let target = st
        .store
        .challenge(&ctx.viewer, id)
        .await?
        .merged_into
        .unwrap_or(id);
    match st.store.endorse_challenge(&ctx.viewer, id, org, &e).await {
        Ok(_) => done(target, "challenge-endorsed"),
        Err(e) => refused(&st, &ctx, id, "endorse", e).await,
    }
}

/// `POST /endorsements/{id}/withdrawal` — the municipality that gave it.
pub async fn withdraw_endorsement(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<BackTo>,
) -> Result<Response, AppError> {
    ctx.require_user()?;
    st.store.withdraw_endorsement(&ctx.viewer, id).await?;
    done(f.challenge, "saved")
}

#[derive(serde::Deserialize)]
pub struct BackTo {
    challenge: i64,
}

#[derive(serde::Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    body: String,
}

/// `POST /challenges/{id}/comments` — municipal staff and coordinators.
pub async fn comment(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CommentForm>,
) -> Result<Response, AppError> {
    ctx.require_user()?;
    match st.store.add_comment(&ctx.viewer, id, &f.body).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/challenges/{id}?notice=comment-added#discussion"))
                .into_response(),
        ),
        Err(StoreError::NotFound) => Err(AppError::Forbidden),
        Err(e) => refused(&st, &ctx, id, "body", e).await,
    }
}

#[derive(serde::Deserialize)]
pub struct FollowForm {
    #[serde(default)]
    on: String,
    /// Where to go back to (a path of ours).
    #[serde(default)]
    next: String,
}

/// `POST /challenges/{id}/follow` — signed-in people who may see it.
pub async fn follow(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<FollowForm>,
) -> Result<Response, AppError> {
    ctx.require_user()?;
    let on = f.on == "1";
    st.store.follow_challenge(&ctx.viewer, id, on).await?;
    done(id, if on { "followed" } else { "unfollowed" })
}

/// `POST /organisations/{id}/follow` — signed-in people: every challenge of
/// a municipality.
pub async fn follow_organisation(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<FollowForm>,
) -> Result<Response, AppError> {
    let me = ctx.person_id()?;
    st.store.organisation(&ctx.viewer, id).await?;
    let on = f.on == "1";
    st.store.follow_organisation(me, id, on).await?;
    // Only our own paths: never an open redirect.
    let next = if f.next.starts_with('/') && !f.next.starts_with("//") {
        f.next.as_str()
    } else {
        "/board"
    };
    let sep = if next.contains('?') { '&' } else { '?' };
    let notice = if on { "followed" } else { "unfollowed" };
    Ok(Redirect::to(&format!("{next}{sep}notice={notice}")).into_response())
}

/// `POST /challenges/{id}/attachments` (multipart `file`) — its
/// municipality's staff and coordinators.
pub async fn attach(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Result<Response, AppError> {
    ctx.require_user()?;
    let mut file: Option<(String, Vec<u8>)> = None;
    let too_large = || {
        StoreError::Invalid(kizuna_domain::ValidationError::new(
            "file",
            "attachment_too_large",
        ))
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return refused(&st, &ctx, id, "file", too_large()).await,
        };
        if field.name() == Some("file") {
            let name = crate::attachments::clean_name(field.file_name().unwrap_or("file"));
            match field.bytes().await {
                Ok(b) => file = Some((name, b.to_vec())),
                Err(_) => return refused(&st, &ctx, id, "file", too_large()).await,
            }
        }
    }
    let Some((name, bytes)) = file else {
        return refused(
            &st,
            &ctx,
            id,
            "file",
            StoreError::Invalid(kizuna_domain::ValidationError::new(
                "file",
                "attachment_empty",
            )),
        )
        .await;
    };
    let (clean, kind) = match crate::attachments::accept(&name, &bytes) {
        Ok(x) => x,
        Err(code) => {
            return refused(
                &st,
                &ctx,
                id,
                "file",
                StoreError::Invalid(kizuna_domain::ValidationError::new("file", code)),
            )
            .await;
        }
    };
    match st
        .store
        .add_attachment(&ctx.viewer, id, &name, kind, &clean)
        .await
    {
        Ok(_) => done(id, "attachment-added"),
        Err(StoreError::NotFound) => Err(AppError::Forbidden),
        Err(e) => refused(&st, &ctx, id, "file", e).await,
    }
}

/// `GET /attachments/{id}` — whoever may see the challenge. Sent as a
/// download, so no file is ever shown as a page of ours.
pub async fn attachment(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (meta, bytes) = st.store.attachment(&ctx.viewer, id).await?;
    Ok(crate::exports::download(
        bytes,
        &meta.content_type,
        meta.name,
    ))
}

/// `POST /attachments/{id}/delete` — its municipality's staff and coordinators.
pub async fn delete_attachment(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<BackTo>,
) -> Result<Response, AppError> {
    ctx.require_user()?;
    match st.store.delete_attachment(&ctx.viewer, id).await {
        Ok(()) => done(f.challenge, "saved"),
        Err(StoreError::NotFound) => Err(AppError::Forbidden),
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    into: String,
    #[serde(default)]
    reason: String,
}

/// `POST /challenges/{id}/merge` — coordinators: this one is a duplicate of `into`.
pub async fn merge(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<MergeForm>,
) -> Result<Response, AppError> {
    ctx.require_user()?;
    let into: i64 = f.into.trim().trim_start_matches('#').parse().unwrap_or(0);
    match st
        .store
        .merge_challenges(&ctx.viewer, id, into, &f.reason)
        .await
    {
        Ok(()) => done(into, "challenge-merged"),
        Err(StoreError::NotFound)
            if into != 0 && st.store.challenge(&ctx.viewer, into).await.is_ok() =>
        {
            Err(AppError::Forbidden)
        }
        Err(StoreError::NotFound) => {
            refused(
                &st,
                &ctx,
                id,
                "into",
                StoreError::Invalid(kizuna_domain::ValidationError::new(
                    "into",
                    "unknown_challenge",
                )),
            )
            .await
        }
        Err(e) => refused(&st, &ctx, id, "into", e).await,
    }
}

#[derive(serde::Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// `POST /challenges/{id}/split` — coordinators: undo a merge.
pub async fn split(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, AppError> {
    ctx.require_user()?;
    match st.store.split_challenge(&ctx.viewer, id, &f.reason).await {
        Ok(()) => done(id, "challenge-split"),
        Err(StoreError::NotFound) => Err(AppError::Forbidden),
        Err(e) => refused(&st, &ctx, id, "split", e).await,
    }
}
