//! Organisers' pages: create and edit events, cancel them, the participant
//! list with approval and exports, and the check-in page for phones.
//! Allowed: the partnership's coordinators and administrators, and
//! municipal staff for their own organisation's events.

use super::forms::FormErrors;
use super::layout::PageCtx;
use crate::AppState;
use crate::api::events::organised;
use crate::auth::Ctx;
use crate::error::AppError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use kizuna_domain::event::{EventInput, EventKind, EventVisibility, NewEvent, jst_input_value};
use kizuna_store::StoreError;
use kizuna_store::event_extras::{Attendance, Feedback};
use kizuna_store::events::{Event, Question};
use kizuna_store::municipalities::Municipality;
use kizuna_store::partnerships::{Partnership, Party};
use kizuna_store::registrations::{CheckIn, Participant};

#[derive(Template)]
#[template(path = "event_form.html")]
struct FormPage {
    c: PageCtx,
    p: Partnership,
    event_id: Option<i64>,
    input: EventInput,
    errors: FormErrors,
    organisers: Vec<Party>,
    municipalities: std::sync::Arc<Vec<Municipality>>,
    pillars: Vec<kizuna_store::partnerships::Pillar>,
    questions: Vec<Question>,
    question_errors: FormErrors,
}

impl FormPage {
    fn kinds(&self) -> &'static [EventKind] {
        &EventKind::ALL
    }
    fn visibilities(&self) -> &'static [EventVisibility] {
        &EventVisibility::ALL
    }
    fn field_class(&self, field: &str) -> &'static str {
        if self.errors.has(field) {
            "field field-error"
        } else {
            "field"
        }
    }
}

/// The organisations the viewer may name as organiser: every party and
/// municipality for coordinators; their own organisation for municipal staff.
async fn organisers(st: &AppState, ctx: &Ctx, p: &Partnership) -> Result<Vec<Party>, AppError> {
    let mut all = st.store.parties(p.id).await?;
    for m in st.store.municipalities().await?.iter() {
        if !all.iter().any(|x| x.organisation_id == m.organisation_id) {
            all.push(Party {
                organisation_id: m.organisation_id,
                name: m.name.clone(),
                name_en: Some(m.romaji.clone()),
                kind: "municipality".into(),
            });
        }
    }
    Ok(all
        .into_iter()
        .filter(|o| ctx.viewer.can_organise_event(p.id, o.organisation_id))
        .collect())
}

async fn form(
    st: &AppState,
    ctx: &Ctx,
    p: Partnership,
    event_id: Option<i64>,
    input: EventInput,
    errors: FormErrors,
) -> Result<FormPage, AppError> {
    Ok(FormPage {
        c: PageCtx::new(ctx),
        organisers: organisers(st, ctx, &p).await?,
        municipalities: st.store.municipalities().await?,
        pillars: st.store.pillars(p.id).await?,
        questions: match event_id {
            Some(id) => st.store.questions(id).await?,
            None => Vec::new(),
        },
        question_errors: FormErrors::default(),
        p,
        event_id,
        input,
        errors,
    })
}

async fn form_page(
    st: &AppState,
    ctx: &Ctx,
    p: Partnership,
    event_id: Option<i64>,
    input: EventInput,
    errors: FormErrors,
) -> Result<String, AppError> {
    Ok(form(st, ctx, p, event_id, input, errors).await?.render()?)
}

/// `GET /partnerships/{id}/events/new`
pub async fn new(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    ctx.require_user()?;
    let p = st.store.partnership(&ctx.viewer, id).await?;
    if !ctx.viewer.can_organise_events_in(id) {
        return Err(AppError::Forbidden);
    }
    let input = EventInput {
        visibility: "partnership".into(),
        offer_hours: "24".into(),
        ..Default::default()
    };
    Ok(Html(
        form_page(&st, &ctx, p, None, input, FormErrors::default()).await?,
    ))
}

/// A store refusal as a form error; other errors pass on.
fn form_error(ctx: &Ctx, e: StoreError) -> Result<FormErrors, AppError> {
    match e {
        StoreError::Invalid(v) => Ok(FormErrors::from_validation(ctx.tr, &v)),
        StoreError::Conflict(code) => Ok(FormErrors::one(ctx.tr, "capacity", code)),
        other => Err(other.into()),
    }
}

/// Checkboxes arrive only when ticked.
fn with_checkbox(mut input: EventInput, pairs: &[(String, String)]) -> EventInput {
    input.needs_approval = pairs.iter().any(|(k, v)| k == "needs_approval" && v == "1");
    input
}

fn parse_form(pairs: &[(String, String)]) -> EventInput {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    with_checkbox(
        EventInput {
            kind: get("kind"),
            title: get("title"),
            title_en: get("title_en"),
            description: get("description"),
            description_en: get("description_en"),
            organiser_id: get("organiser_id"),
            pillar_key: get("pillar_key"),
            municipality_code: get("municipality_code"),
            venue: get("venue"),
            address: get("address"),
            online_url: get("online_url"),
            starts_at: get("starts_at"),
            ends_at: get("ends_at"),
            capacity: get("capacity"),
            registration_opens_at: get("registration_opens_at"),
            registration_closes_at: get("registration_closes_at"),
            needs_approval: false,
            visibility: get("visibility"),
            offer_hours: get("offer_hours"),
        },
        pairs,
    )
}

/// `POST /partnerships/{id}/events`
pub async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let me = ctx.person_id()?;
    let p = st.store.partnership(&ctx.viewer, id).await?;
    if !ctx.viewer.can_organise_events_in(id) {
        return Err(AppError::Forbidden);
    }
    let input = parse_form(&pairs);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let repeat = kizuna_store::events::Repeat::parse(get("repeat"));
    let result = match NewEvent::parse(&input) {
        Ok(e) if !ctx.viewer.can_organise_event(id, e.organiser_id) => {
            Err(kizuna_domain::ValidationError::new("organiser_id", "organiser_not_a_party").into())
        }
        Ok(e) => match repeat {
            None => st.store.create_event(me, id, &e).await,
            Some(every) => {
                match kizuna_domain::event::whole_number("repeat_count", get("repeat_count"), 2, 26)
                {
                    Ok(count) => st
                        .store
                        .create_event_series(me, id, &e, every, count.unwrap_or(2))
                        .await
                        .map(|ids| ids[0]),
                    Err(v) => Err(v.into()),
                }
            }
        },
        Err(v) => Err(v.into()),
    };
    match result {
        Ok(event) => Ok(Redirect::to(&format!("/events/{event}?notice=saved")).into_response()),
        Err(e) => {
            let errors = form_error(&ctx, e)?;
            let html = form_page(&st, &ctx, p, None, input, errors).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

fn input_of(e: &Event) -> EventInput {
    EventInput {
        kind: e.kind.clone(),
        title: e.title.clone(),
        title_en: e.title_en.clone().unwrap_or_default(),
        description: e.description.clone(),
        description_en: e.description_en.clone().unwrap_or_default(),
        organiser_id: e.organiser_id.to_string(),
        pillar_key: e.pillar_key.clone().unwrap_or_default(),
        municipality_code: e.municipality_code.clone().unwrap_or_default(),
        venue: e.venue.clone().unwrap_or_default(),
        address: e.address.clone().unwrap_or_default(),
        online_url: e.online_url.clone().unwrap_or_default(),
        starts_at: jst_input_value(e.starts_at),
        ends_at: jst_input_value(e.ends_at),
        capacity: e.capacity.map(|c| c.to_string()).unwrap_or_default(),
        registration_opens_at: e
            .registration_opens_at
            .map(jst_input_value)
            .unwrap_or_default(),
        registration_closes_at: e
            .registration_closes_at
            .map(jst_input_value)
            .unwrap_or_default(),
        needs_approval: e.needs_approval == 1,
        visibility: e.visibility.clone(),
        offer_hours: e.offer_hours.to_string(),
    }
}

/// `GET /events/{id}/edit`
pub async fn edit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    let e = organised(&st, &ctx, id).await?;
    let p = st.store.partnership(&ctx.viewer, e.partnership_id).await?;
    Ok(Html(
        form_page(&st, &ctx, p, Some(id), input_of(&e), FormErrors::default()).await?,
    ))
}

/// `POST /events/{id}/edit`
pub async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let me = ctx.person_id()?;
    let current = organised(&st, &ctx, id).await?;
    let input = parse_form(&pairs);
    let result = match NewEvent::parse(&input) {
        Ok(e)
            if !ctx
                .viewer
                .can_organise_event(current.partnership_id, e.organiser_id) =>
        {
            Err(kizuna_domain::ValidationError::new("organiser_id", "organiser_not_a_party").into())
        }
        Ok(e) => st.store.update_event(me, id, &e, &st.event_mails()).await,
        Err(v) => Err(v.into()),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/events/{id}?notice=saved")).into_response()),
        Err(e) => {
            let errors = form_error(&ctx, e)?;
            let p = st
                .store
                .partnership(&ctx.viewer, current.partnership_id)
                .await?;
            let html = form_page(&st, &ctx, p, Some(id), input, errors).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

#[derive(serde::Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    reason: String,
}

/// `POST /events/{id}/cancellation` — everyone registered is told.
pub async fn cancel(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CancelForm>,
) -> Result<Redirect, AppError> {
    let me = ctx.person_id()?;
    organised(&st, &ctx, id).await?;
    let reason = Some(f.reason.trim()).filter(|r| !r.is_empty());
    st.store
        .cancel_event(me, id, reason, &st.event_mails())
        .await?;
    Ok(Redirect::to(&format!(
        "/events/{id}?notice=event-cancelled"
    )))
}

#[derive(Template)]
#[template(path = "event_participants.html")]
struct ParticipantsPage {
    c: PageCtx,
    e: Event,
    rows: Vec<Participant>,
    attendance: Attendance,
    feedback: Vec<Feedback>,
    questions: Vec<Question>,
}

impl ParticipantsPage {
    fn status_label(&self, s: &str) -> std::borrow::Cow<'static, str> {
        self.c.label("registration-status", s)
    }
    fn rating(&self) -> String {
        self.attendance
            .rating_x10
            .map(|r| format!("{}.{}", r / 10, r % 10))
            .unwrap_or_else(|| "—".into())
    }
}

/// `GET /events/{id}/participants`
pub async fn participants(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    let e = organised(&st, &ctx, id).await?;
    let page = ParticipantsPage {
        c: PageCtx::new(&ctx),
        rows: st.store.participants(id).await?,
        attendance: st.store.attendance(id).await?,
        feedback: st.store.event_feedback(id).await?,
        questions: st.store.questions(id).await?,
        e,
    };
    Ok(Html(page.render()?))
}

#[derive(serde::Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
}

/// `POST /registrations/{id}/decision` — approve or reject a pending registration.
pub async fn decide(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Result<Redirect, AppError> {
    let me = ctx.person_id()?;
    let event_id = st
        .store
        .registration_event(id)
        .await?
        .ok_or(AppError::NotFound)?;
    organised(&st, &ctx, event_id).await?;
    st.store
        .decide_registration(me, id, f.decision == "approve", &st.event_mails())
        .await?;
    Ok(Redirect::to(&format!(
        "/events/{event_id}/participants?notice=saved"
    )))
}

fn participant_table(
    ctx: &Ctx,
    rows: &[Participant],
    questions: &[Question],
) -> (Vec<String>, Vec<Vec<String>>) {
    let tr = ctx.tr;
    let mut header: Vec<String> = [
        "col-name",
        "field-email",
        "registration-status-label",
        "registration-guests",
        "registration-checked-in",
        "registration-queued-at",
    ]
    .iter()
    .map(|k| tr.t(k))
    .collect();
    header.extend(questions.iter().map(|q| q.label.clone()));
    let body = rows
        .iter()
        .map(|p| {
            let mut row = vec![
                p.display_name.clone(),
                p.email.clone(),
                tr.t(&format!("registration-status-{}", p.status)),
                p.guests.to_string(),
                p.checked_in_at.map(|t| tr.datetime(t)).unwrap_or_default(),
                tr.datetime(p.queued_at),
            ];
            row.extend(questions.iter().map(|q| p.answer(q.id)));
            row
        })
        .collect();
    (header, body)
}

/// The participant table of an event the viewer organises.
async fn exported(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<(Vec<String>, Vec<Vec<String>>), AppError> {
    organised(st, ctx, id).await?;
    let rows = st.store.participants(id).await?;
    let questions = st.store.questions(id).await?;
    Ok(participant_table(ctx, &rows, &questions))
}

/// `GET /events/{id}/participants.csv`
pub async fn export_csv(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (header, body) = exported(&st, &ctx, id).await?;
    Ok(crate::exports::download(
        crate::exports::table_csv(&header, &body),
        "text/csv; charset=utf-8",
        format!("kizuna-event-{id}-participants.csv"),
    ))
}

/// `GET /events/{id}/participants.xlsx`
pub async fn export_xlsx(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (header, body) = exported(&st, &ctx, id).await?;
    let bytes = crate::exports::table_xlsx(&ctx.tr.t("event-participants"), &header, &body, &[3])
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::exports::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("kizuna-event-{id}-participants.xlsx"),
    ))
}

#[derive(Template)]
#[template(path = "event_checkin.html")]
struct CheckInPage {
    c: PageCtx,
    e: Event,
    code: String,
    result: Option<CheckIn>,
    errors: FormErrors,
    attendance: Attendance,
}

#[derive(serde::Deserialize, Default)]
pub struct CodeQuery {
    #[serde(default)]
    code: String,
}

async fn check_in_page(
    st: &AppState,
    ctx: &Ctx,
    e: Event,
    code: String,
    result: Option<CheckIn>,
    errors: FormErrors,
) -> Result<String, AppError> {
    let page = CheckInPage {
        c: PageCtx::new(ctx),
        attendance: st.store.attendance(e.id).await?,
        e,
        code,
        result,
        errors,
    };
    Ok(page.render()?)
}

/// `GET /events/{id}/check-in` — the staff page (a scanned QR code opens it
/// with the code filled in).
pub async fn check_in_form(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<CodeQuery>,
) -> Result<Html<String>, AppError> {
    let e = organised(&st, &ctx, id).await?;
    let code = kizuna_domain::event::normalise_code(&q.code);
    Ok(Html(
        check_in_page(&st, &ctx, e, code, None, FormErrors::default()).await?,
    ))
}

/// `POST /events/{id}/check-in`
pub async fn check_in(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CodeQuery>,
) -> Result<Response, AppError> {
    let me = ctx.person_id()?;
    let e = organised(&st, &ctx, id).await?;
    match st.store.check_in(me, id, &f.code).await {
        Ok(done) => Ok(Html(
            check_in_page(
                &st,
                &ctx,
                e,
                String::new(),
                Some(done),
                FormErrors::default(),
            )
            .await?,
        )
        .into_response()),
        Err(StoreError::Conflict(code)) => {
            let errors = FormErrors::one(ctx.tr, "code", code);
            let html = check_in_page(&st, &ctx, e, f.code, None, errors).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct QuestionForm {
    #[serde(default)]
    label: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    choices: String,
    #[serde(default)]
    required: String,
}

/// `POST /events/{id}/questions` — adds a registration question.
pub async fn add_question(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<QuestionForm>,
) -> Result<Response, AppError> {
    let me = ctx.person_id()?;
    let e = organised(&st, &ctx, id).await?;
    let result = match kizuna_domain::event::NewQuestion::parse(
        &f.label,
        &f.kind,
        &f.choices,
        f.required == "1",
    ) {
        Ok(q) => st.store.add_question(me, id, &q).await.map(|_| ()),
        Err(v) => Err(v.into()),
    };
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/events/{id}/edit?notice=saved#questions")).into_response())
        }
        Err(err) => {
            let errors = form_error(&ctx, err)?;
            let p = st.store.partnership(&ctx.viewer, e.partnership_id).await?;
            let mut page =
                form(&st, &ctx, p, Some(id), input_of(&e), FormErrors::default()).await?;
            page.question_errors = errors;
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                Html(page.render()?),
            )
                .into_response())
        }
    }
}

/// `POST /events/{id}/questions/{question}/delete`
pub async fn delete_question(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, question)): Path<(i64, i64)>,
) -> Result<Redirect, AppError> {
    let me = ctx.person_id()?;
    organised(&st, &ctx, id).await?;
    st.store.delete_question(me, id, question).await?;
    Ok(Redirect::to(&format!(
        "/events/{id}/edit?notice=saved#questions"
    )))
}

#[derive(serde::Deserialize)]
pub struct ShiftForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default)]
    capacity: String,
}

/// `POST /events/{id}/shifts` — a shift or slot within the event.
pub async fn add_shift(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ShiftForm>,
) -> Result<Response, AppError> {
    use kizuna_domain::event::{jst_datetime, whole_number};
    let me = ctx.person_id()?;
    organised(&st, &ctx, id).await?;
    let parsed = (|| {
        let title = kizuna_domain::error::required_text("title", &f.title, 120)?;
        let starts = jst_datetime("starts_at", &f.starts_at)?
            .ok_or(kizuna_domain::ValidationError::new("starts_at", "required"))?;
        let ends = jst_datetime("ends_at", &f.ends_at)?
            .ok_or(kizuna_domain::ValidationError::new("ends_at", "required"))?;
        let capacity = whole_number(
            "capacity",
            &f.capacity,
            1,
            kizuna_domain::event::MAX_CAPACITY,
        )?;
        Ok::<_, kizuna_domain::ValidationError>((title, starts, ends, capacity))
    })();
    let result = match parsed {
        Ok((title, starts, ends, capacity)) => {
            st.store
                .add_shift(me, id, &title, starts, ends, capacity)
                .await
        }
        Err(v) => Err(v.into()),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/events/{id}?notice=saved#shifts")).into_response()),
        Err(StoreError::Invalid(v)) => {
            let errors = FormErrors::from_validation(ctx.tr, &v);
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                Html(super::events::event_page(&st, &ctx, id, errors, Vec::new()).await?),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}
