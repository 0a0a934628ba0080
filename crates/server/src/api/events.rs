//! Events and registrations in the API, with the rules of the pages: events
//! are listed as far as the caller may see them; people register and cancel
//! for themselves; organisers manage their events, participants and check-in.

use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kizuna_domain::event::{EventInput, NewEvent};
use kizuna_store::events::EventFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An event. Times are Unix seconds (UTC); show them in Asia/Tokyo.
#[derive(Serialize, ToSchema)]
pub struct Event {
    id: i64,
    partnership_id: i64,
    organiser_id: i64,
    organiser_name: String,
    /// dialogue, tour, workation, fair, volunteer, inquiry, other
    kind: String,
    title: String,
    title_en: Option<String>,
    description: String,
    description_en: Option<String>,
    pillar_key: Option<String>,
    municipality_code: Option<String>,
    municipality_name: Option<String>,
    region: Option<String>,
    venue: Option<String>,
    address: Option<String>,
    online_url: Option<String>,
    starts_at: i64,
    ends_at: i64,
    /// `null`: no limit.
    capacity: Option<i64>,
    /// Places left; `null` when there is no limit.
    places_left: Option<i64>,
    registration_opens_at: Option<i64>,
    registration_closes_at: i64,
    registration_open: bool,
    needs_approval: bool,
    /// public, partnership, organisation
    visibility: String,
    offer_hours: i64,
    /// scheduled, cancelled
    status: String,
}

impl From<kizuna_store::events::Event> for Event {
    fn from(e: kizuna_store::events::Event) -> Self {
        Self {
            places_left: e.places_left(),
            registration_closes_at: e.closes_at(),
            registration_open: e.is_open_at(kizuna_store::now()),
            needs_approval: e.needs_approval == 1,
            id: e.id,
            partnership_id: e.partnership_id,
            organiser_id: e.organiser_id,
            organiser_name: e.organiser_name,
            kind: e.kind,
            title: e.title,
            title_en: e.title_en,
            description: e.description,
            description_en: e.description_en,
            pillar_key: e.pillar_key,
            municipality_code: e.municipality_code,
            municipality_name: e.municipality_name,
            region: e.region,
            venue: e.venue,
            address: e.address,
            online_url: e.online_url,
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            capacity: e.capacity,
            registration_opens_at: e.registration_opens_at,
            visibility: e.visibility,
            offer_hours: e.offer_hours,
            status: e.status,
        }
    }
}

/// A registration. `status`: confirmed, waitlisted, offered (a freed place,
/// held until `offer_expires_at`), pending (awaiting approval), cancelled,
/// declined, expired, rejected.
#[derive(Serialize, ToSchema)]
pub struct Registration {
    id: i64,
    event_id: i64,
    status: String,
    guests: i64,
    /// The check-in code (also in the QR code).
    code: String,
    offer_expires_at: Option<i64>,
    checked_in_at: Option<i64>,
    created_at: i64,
    /// The caller's other events at overlapping times (a warning only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    overlapping_events: Vec<i64>,
}

impl From<kizuna_store::registrations::Registration> for Registration {
    fn from(r: kizuna_store::registrations::Registration) -> Self {
        Self {
            id: r.id,
            event_id: r.event_id,
            status: r.status,
            guests: r.guests,
            code: r.code,
            offer_expires_at: r.offer_expires_at,
            checked_in_at: r.checked_in_at,
            created_at: r.created_at,
            overlapping_events: Vec::new(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// Only this kind (dialogue, tour, workation, fair, volunteer, inquiry, other).
    kind: Option<String>,
    /// Only in this municipality (6-digit code).
    municipality: Option<String>,
    /// Only in this region (県北, 県中, 県南, 会津, 南会津, 相双, いわき).
    region: Option<String>,
    /// Only events in this month, `YYYY-MM` (Japan time); default: from now on.
    month: Option<String>,
    /// Only this partnership's events.
    partnership: Option<i64>,
    /// Zero-based page of 100 events, soonest first.
    page: Option<i64>,
}

pub const PAGE: i64 = 100;

/// Turns list parameters into a filter (shared with the pages).
pub fn filter(
    kind: Option<String>,
    municipality: Option<String>,
    region: Option<String>,
    month: Option<&str>,
    partnership: Option<i64>,
    page: i64,
    per_page: i64,
) -> Result<EventFilter, AppError> {
    let (from, until) = match month.filter(|m| !m.is_empty()) {
        Some(m) => {
            let (y, mo) = m
                .split_once('-')
                .and_then(|(y, mo)| Some((y.parse::<i64>().ok()?, mo.parse::<i64>().ok()?)))
                .filter(|(y, mo)| (2000..=2100).contains(y) && (1..=12).contains(mo))
                .ok_or(kizuna_domain::ValidationError::new(
                    "month",
                    "invalid_month",
                ))?;
            let start = kizuna_domain::event::jst_datetime("month", &format!("{y}-{mo}-01T00:00"))?;
            let (ny, nm) = if mo == 12 { (y + 1, 1) } else { (y, mo + 1) };
            let end = kizuna_domain::event::jst_datetime("month", &format!("{ny}-{nm}-01T00:00"))?;
            (start, end)
        }
        None => (None, None),
    };
    let nonempty = |s: Option<String>| s.filter(|v| !v.trim().is_empty());
    Ok(EventFilter {
        partnership_id: partnership,
        kind: nonempty(kind),
        municipality_code: nonempty(municipality),
        region: nonempty(region),
        from,
        until,
        include_past: false,
        limit: per_page,
        offset: page.max(0) * per_page,
    })
}

/// Events the caller may see (visitors see public ones), soonest first.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(ListParams),
    responses((status = 200, body = Vec<Event>), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListParams>,
) -> Result<Json<Vec<Event>>, AppError> {
    let f = filter(
        q.kind,
        q.municipality,
        q.region,
        q.month.as_deref(),
        q.partnership,
        q.page.unwrap_or(0),
        PAGE,
    )?;
    Ok(Json(
        st.store
            .events(&ctx.viewer, &f)
            .await?
            .iter()
            .cloned()
            .map(Into::into)
            .collect(),
    ))
}

/// A question asked at registration.
#[derive(Serialize, ToSchema)]
pub struct Question {
    id: i64,
    label: String,
    /// `text` or `choice`
    kind: String,
    choices: Vec<String>,
    required: bool,
}

/// One event, with its registration questions.
#[derive(Serialize, ToSchema)]
pub struct EventDetail {
    #[serde(flatten)]
    event: Event,
    questions: Vec<Question>,
}

/// One event, with the questions asked at registration.
#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events",
    responses((status = 200, body = EventDetail), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn get_one(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<EventDetail>, AppError> {
    let event = st.store.event(&ctx.viewer, id).await?.into();
    let questions = st
        .store
        .questions(id)
        .await?
        .into_iter()
        .map(|q| Question {
            choices: q.choice_list().iter().map(|c| c.to_string()).collect(),
            id: q.id,
            label: q.label,
            kind: q.kind,
            required: q.required == 1,
        })
        .collect();
    Ok(Json(EventDetail { event, questions }))
}

/// Creates an event of the partnership (its coordinators; municipal staff
/// for their own organisation).
#[utoipa::path(post, path = "/api/v1/partnerships/{id}/events", tag = "events", security(("bearer" = [])),
    request_body(content = Object, description = "kind, title, organiser_id, venue and/or online_url, starts_at and ends_at (YYYY-MM-DDTHH:MM, Japan time); optional: title_en, description, description_en, pillar_key, municipality_code, address, capacity, registration_opens_at, registration_closes_at, needs_approval (boolean), visibility (public, partnership, organisation), offer_hours"),
    responses((status = 201, body = Event), (status = 403, body = super::Problem, content_type = "application/problem+json"),
        (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(partnership_id): Path<i64>,
    Json(input): Json<EventInput>,
) -> Result<(StatusCode, Json<Event>), AppError> {
    let me = ctx.person_id()?;
    st.store.partnership(&ctx.viewer, partnership_id).await?;
    let e = NewEvent::parse(&input)?;
    if !ctx
        .viewer
        .can_organise_event(partnership_id, e.organiser_id)
    {
        return Err(AppError::Forbidden);
    }
    let id = st.store.create_event(me, partnership_id, &e).await?;
    Ok((
        StatusCode::CREATED,
        Json(st.store.event(&ctx.viewer, id).await?.into()),
    ))
}

/// Replaces an event's details (its organisers). Lowering the capacity below
/// the places taken is refused; registrants hear of a new time or place.
#[utoipa::path(put, path = "/api/v1/events/{id}", tag = "events", security(("bearer" = [])),
    request_body(content = Object, description = "as for creating"),
    responses((status = 200, body = Event), (status = 409, body = super::Problem, content_type = "application/problem+json"),
        (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<EventInput>,
) -> Result<Json<Event>, AppError> {
    let me = ctx.person_id()?;
    let current = organised(&st, &ctx, id).await?;
    let e = NewEvent::parse(&input)?;
    if !ctx
        .viewer
        .can_organise_event(current.partnership_id, e.organiser_id)
    {
        return Err(AppError::Forbidden);
    }
    st.store.update_event(me, id, &e, &st.event_mails()).await?;
    Ok(Json(st.store.event(&ctx.viewer, id).await?.into()))
}

/// The event, if the caller may organise it; `Forbidden` if they may only see it.
pub async fn organised(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<kizuna_store::events::Event, AppError> {
    ctx.require_user()?;
    let e = st.store.event(&ctx.viewer, id).await?;
    if !ctx
        .viewer
        .can_organise_event(e.partnership_id, e.organiser_id)
    {
        return Err(AppError::Forbidden);
    }
    Ok(e)
}

#[derive(Deserialize, ToSchema, Default)]
pub struct RegistrationInput {
    /// People coming along (0–10), counted against the places.
    #[serde(default)]
    guests: i64,
    /// Answers to the event's questions: question id → answer (for a
    /// choice question, one of its choices). Required questions must be answered.
    #[serde(default)]
    answers: std::collections::HashMap<String, String>,
}

/// Registers the caller. The answer says where they stand: `confirmed`,
/// `waitlisted` (the event is full) or `pending` (the organiser approves).
#[utoipa::path(post, path = "/api/v1/events/{id}/registrations", tag = "events", security(("bearer" = [])),
    request_body(content = RegistrationInput, description = "optional; {} registers the caller alone"),
    responses((status = 201, body = Registration),
        (status = 409, description = "registration_closed, registration_not_open, already_registered, event_cancelled, party_larger_than_capacity", body = super::Problem, content_type = "application/problem+json"),
        (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn register(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Option<Json<RegistrationInput>>,
) -> Result<(StatusCode, Json<Registration>), AppError> {
    ctx.require_user()?;
    let input = body.map(|Json(b)| b).unwrap_or_default();
    let answers = input
        .answers
        .iter()
        .filter_map(|(k, v)| Some((k.parse().ok()?, v.clone())))
        .collect();
    let done = st
        .store
        .register_with(&ctx.viewer, id, input.guests, &answers, &st.event_mails())
        .await?;
    let mut r: Registration = done.registration.into();
    r.overlapping_events = done.overlaps.iter().map(|o| o.event_id).collect();
    Ok((StatusCode::CREATED, Json(r)))
}

/// Cancels one of the caller's registrations; a freed place is offered to
/// the first person waiting.
#[utoipa::path(delete, path = "/api/v1/registrations/{id}", tag = "events", security(("bearer" = [])),
    responses((status = 200, body = Registration), (status = 404, body = super::Problem, content_type = "application/problem+json"),
        (status = 409, body = super::Problem, content_type = "application/problem+json")))]
pub async fn cancel(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<Registration>, AppError> {
    let me = ctx.person_id()?;
    Ok(Json(
        st.store
            .cancel_registration(me, id, &st.event_mails())
            .await?
            .into(),
    ))
}

/// Accepts an offered place before the offer expires.
#[utoipa::path(post, path = "/api/v1/registrations/{id}/acceptance", tag = "events", security(("bearer" = [])),
    responses((status = 200, body = Registration), (status = 409, description = "no_open_offer, offer_expired", body = super::Problem, content_type = "application/problem+json")))]
pub async fn accept(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<Registration>, AppError> {
    let me = ctx.person_id()?;
    Ok(Json(
        st.store
            .accept_offer(me, id, &st.event_mails())
            .await?
            .into(),
    ))
}

/// The caller's registrations, soonest event first.
#[utoipa::path(get, path = "/api/v1/me/registrations", tag = "events", security(("bearer" = [])),
    responses((status = 200, body = Vec<Registration>)))]
pub async fn mine(
    State(st): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<Registration>>, AppError> {
    let me = ctx.person_id()?;
    Ok(Json(
        st.store
            .my_registrations(me, false)
            .await?
            .into_iter()
            .map(|r| Registration {
                id: r.id,
                event_id: r.event_id,
                status: r.status,
                guests: r.guests,
                code: r.code,
                offer_expires_at: r.offer_expires_at,
                checked_in_at: r.checked_in_at,
                created_at: r.created_at,
                overlapping_events: Vec::new(),
            })
            .collect(),
    ))
}

/// A participant, for the event's organisers.
#[derive(Serialize, ToSchema)]
pub struct Participant {
    registration_id: i64,
    display_name: String,
    email: String,
    status: String,
    guests: i64,
    checked_in_at: Option<i64>,
}

/// Everyone registered, confirmed first and the waitlist in its order (organisers).
#[utoipa::path(get, path = "/api/v1/events/{id}/registrations", tag = "events", security(("bearer" = [])),
    responses((status = 200, body = Vec<Participant>), (status = 403, body = super::Problem, content_type = "application/problem+json")))]
pub async fn participants(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Participant>>, AppError> {
    organised(&st, &ctx, id).await?;
    Ok(Json(
        st.store
            .participants(id)
            .await?
            .into_iter()
            .map(|p| Participant {
                registration_id: p.registration_id,
                display_name: p.display_name,
                email: p.email,
                status: p.status,
                guests: p.guests,
                checked_in_at: p.checked_in_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct CheckInInput {
    /// The code from the QR code or as typed.
    code: String,
}

#[derive(Serialize, ToSchema)]
pub struct CheckIn {
    registration: Registration,
    display_name: String,
    /// The code had been scanned before; nothing changed.
    already_checked_in: bool,
}

/// Checks a participant in by their code (organisers).
#[utoipa::path(post, path = "/api/v1/events/{id}/check-ins", tag = "events", security(("bearer" = [])),
    request_body = CheckInInput,
    responses((status = 200, body = CheckIn), (status = 409, description = "unknown_code, registration_not_confirmed", body = super::Problem, content_type = "application/problem+json")))]
pub async fn check_in(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(input): Json<CheckInInput>,
) -> Result<Json<CheckIn>, AppError> {
    let me = ctx.person_id()?;
    organised(&st, &ctx, id).await?;
    let c = st.store.check_in(me, id, &input.code).await?;
    Ok(Json(CheckIn {
        registration: c.registration.into(),
        display_name: c.display_name,
        already_checked_in: c.already,
    }))
}
