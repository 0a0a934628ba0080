//! Events for everyone: the list and calendar with filters, an event's page
//! with registration, my events with their QR codes, calendar feeds.
//! Organisers' pages are in `event_admin`.

use super::forms::FormErrors;
use super::layout::PageCtx;
use crate::AppState;
use crate::api::events::filter;
use crate::auth::Ctx;
use crate::error::AppError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kizuna_domain::event::{EventKind, jst_parts};
use kizuna_store::events::Event;
use kizuna_store::municipalities::{Municipality, REGIONS};
use kizuna_store::registrations::{MyRegistration, Registration};
use kizuna_store::{StoreError, tokens};

/// Events per page of the list.
pub const PER_PAGE: i64 = 30;

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    region: String,
    /// `YYYY-MM`
    #[serde(default)]
    month: String,
    /// `calendar` for the month grid.
    #[serde(default)]
    view: String,
    #[serde(default)]
    page: i64,
}

/// One day of the month grid.
pub struct Day {
    pub day: i64,
    pub events: Vec<Event>,
}

/// The list of events, rendered once per list the store hands out.
#[derive(Template)]
#[template(path = "event_rows.html")]
struct EventRows<'a> {
    c: PageCtx,
    events: &'a [Event],
}

#[derive(Template)]
#[template(path = "events.html")]
struct ListPage {
    c: PageCtx,
    rows_html: std::sync::Arc<String>,
    q: ListQuery,
    municipalities: std::sync::Arc<Vec<Municipality>>,
    errors: FormErrors,
    /// The month grid: weeks of seven cells (None outside the month).
    weeks: Vec<Vec<Option<Day>>>,
    month_label: String,
    prev_month: String,
    next_month: String,
    has_next: bool,
}

impl ListPage {
    fn kinds(&self) -> &'static [EventKind] {
        &EventKind::ALL
    }
    fn regions(&self) -> &'static [&'static str] {
        &REGIONS
    }
    fn calendar(&self) -> bool {
        self.q.view == "calendar"
    }
    fn weekdays(&self) -> [&'static str; 7] {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    }
    /// The list or the calendar with the same filters and month.
    fn view_link(&self, view: &str) -> String {
        let q = serde_urlencoded::to_string([
            ("kind", self.q.kind.as_str()),
            ("municipality", self.q.municipality.as_str()),
            ("region", self.q.region.as_str()),
            ("month", self.q.month.as_str()),
            ("view", view),
        ])
        .unwrap_or_default();
        format!("/events?{q}")
    }
    /// The query string of the current filters, for links that keep them.
    fn filters(&self) -> String {
        serde_urlencoded::to_string([
            ("kind", self.q.kind.as_str()),
            ("municipality", self.q.municipality.as_str()),
            ("region", self.q.region.as_str()),
            ("view", self.q.view.as_str()),
        ])
        .unwrap_or_default()
    }
}

/// The month in view: the one asked for, else this month (Japan time).
fn month_of(q: &str) -> (i64, i64) {
    q.split_once('-')
        .and_then(|(y, m)| Some((y.parse().ok()?, m.parse().ok()?)))
        .filter(|(y, m): &(i64, i64)| (2000..=2100).contains(y) && (1..=12).contains(m))
        .unwrap_or_else(|| {
            let (y, m, ..) = jst_parts(kizuna_store::now());
            (y, m)
        })
}

/// `GET /events` — anyone; the list holds what the viewer may see.
pub async fn index(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(mut q): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let calendar = q.view == "calendar";
    let (y, m) = month_of(&q.month);
    if calendar {
        q.month = format!("{y:04}-{m:02}");
    }
    let per_page = if calendar { 500 } else { PER_PAGE + 1 };
    let mut errors = FormErrors::default();
    let f = match filter(
        Some(q.kind.clone()),
        Some(q.municipality.clone()),
        Some(q.region.clone()),
        Some(&q.month),
        None,
        q.page,
        per_page,
    ) {
        Ok(f) => f,
        Err(AppError::Invalid(e)) => {
            errors = FormErrors::from_validation(ctx.tr, &e);
            q.month.clear();
            filter(None, None, None, None, None, 0, per_page)?
        }
        Err(e) => return Err(e),
    };
    let all = st.store.events(&ctx.viewer, &f).await?;
    let has_next = !calendar && all.len() as i64 > PER_PAGE;
    let (weeks, rows_html) = if calendar {
        (month_grid(y, m, &all), Default::default())
    } else {
        (Vec::new(), list_html(&st, &ctx, &f, &all)?)
    };
    let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let page = ListPage {
        month_label: match ctx.tr.0 {
            kizuna_domain::Locale::Ja => format!("{y}年{m}月"),
            kizuna_domain::Locale::En => format!("{y}-{m:02}"),
        },
        prev_month: format!("{py:04}-{pm:02}"),
        next_month: format!("{ny:04}-{nm:02}"),
        c: PageCtx::new(&ctx),
        rows_html,
        q,
        municipalities: st.store.municipalities().await?,
        errors,
        weeks,
        has_next,
    };
    Ok(Html(page.render()?))
}

/// The list's HTML: rendered again only when the store hands out a new
/// list for these filters (its lists stand for a moment, see `recent`).
fn list_html(
    st: &AppState,
    ctx: &Ctx,
    f: &kizuna_store::events::EventFilter,
    all: &std::sync::Arc<Vec<Event>>,
) -> Result<std::sync::Arc<String>, AppError> {
    let key = format!(
        "{}|{}",
        ctx.tr.code(),
        kizuna_store::events::list_key(&ctx.viewer, f)
    );
    st.rendered
        .event_rows
        .get_or_render(key, all, std::sync::Arc::ptr_eq, || {
            Ok(EventRows {
                c: PageCtx::bare(ctx.tr),
                events: &all[..all.len().min(PER_PAGE as usize)],
            }
            .render()?)
        })
}

/// Weeks (Monday first, as calendars in Japan are often printed Sunday
/// first — we follow ISO for both languages) with the events of each day.
fn month_grid(y: i64, m: i64, events: &[Event]) -> Vec<Vec<Option<Day>>> {
    let first = kizuna_domain::event::days_from_civil(y, m, 1);
    // 1970-01-01 was a Thursday: Monday = 0.
    let offset = (first + 3).rem_euclid(7);
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let days = kizuna_domain::event::days_from_civil(ny, nm, 1) - first;
    let mut cells: Vec<Option<Day>> = (0..offset).map(|_| None).collect();
    for d in 1..=days {
        let day_events = events
            .iter()
            .filter(|e| {
                let (ey, em, ed, ..) = jst_parts(e.starts_at);
                (ey, em, ed) == (y, m, d)
            })
            .cloned()
            .collect();
        cells.push(Some(Day {
            day: d,
            events: day_events,
        }));
    }
    while !cells.len().is_multiple_of(7) {
        cells.push(None);
    }
    let mut weeks = Vec::new();
    let mut it = cells.into_iter().peekable();
    while it.peek().is_some() {
        weeks.push(it.by_ref().take(7).collect());
    }
    weeks
}

#[derive(Template)]
#[template(path = "event.html")]
struct EventPage {
    c: PageCtx,
    e: Event,
    mine: Option<Registration>,
    qr: String,
    can_organise: bool,
    signed_in: bool,
    open: bool,
    errors: FormErrors,
    overlaps: Vec<kizuna_store::registrations::Overlap>,
    feedback_given: bool,
    started: bool,
    questions: Vec<kizuna_store::events::Question>,
    shifts: Vec<Event>,
    series: Vec<Event>,
    parent: Option<Event>,
}

impl EventPage {
    fn confirmed(&self) -> bool {
        self.mine.as_ref().is_some_and(|r| r.status == "confirmed")
    }
    fn ratings(&self) -> [i64; 5] {
        [1, 2, 3, 4, 5]
    }
    fn status_label(&self, s: &str) -> std::borrow::Cow<'static, str> {
        self.c.label("registration-status", s)
    }
}

/// Renders an event's page; `errors` and `overlaps` come from a form post.
pub async fn event_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
    overlaps: Vec<kizuna_store::registrations::Overlap>,
) -> Result<String, AppError> {
    let e = st.store.event(&ctx.viewer, id).await?;
    let mine = match ctx.viewer.person_id {
        Some(p) => st.store.registration_for(p, id).await?,
        None => None,
    };
    let qr = match &mine {
        Some(r) if r.status == "confirmed" => crate::qr::svg(
            &check_in_link(st, id, &r.code),
            200,
            &ctx.tr.t("registration-qr-label"),
        ),
        _ => String::new(),
    };
    let feedback_given = match &mine {
        Some(r) => st.store.feedback_of(r.id).await?.is_some(),
        None => false,
    };
    let series = match e.series_id {
        Some(s) => st.store.series_events(s).await?,
        None => Vec::new(),
    };
    let parent = match e.parent_id {
        Some(p) => Some(st.store.event(&ctx.viewer, p).await?),
        None => None,
    };
    let t = kizuna_store::now();
    let page = EventPage {
        c: PageCtx::new(ctx),
        can_organise: ctx
            .viewer
            .can_organise_event(e.partnership_id, e.organiser_id),
        signed_in: ctx.user.is_some(),
        open: e.is_open_at(t),
        started: e.starts_at <= t,
        e,
        mine,
        qr,
        errors,
        overlaps,
        feedback_given,
        questions: st.store.questions(id).await?,
        shifts: st.store.shifts(id).await?,
        series,
        parent,
    };
    Ok(page.render()?)
}

/// The link a registration's QR code holds: the event's check-in page with
/// the code filled in (staff open it with any camera).
pub fn check_in_link(st: &AppState, event_id: i64, code: &str) -> String {
    format!(
        "{}/events/{event_id}/check-in?code={code}",
        st.config.public_url.trim_end_matches('/')
    )
}

/// `GET /events/{id}` — whoever may see the event.
pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    Ok(Html(
        event_page(&st, &ctx, id, FormErrors::default(), Vec::new()).await?,
    ))
}

/// Turns a refusal into a form error on the event's page; other errors pass.
async fn refused(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    field: &str,
    e: StoreError,
) -> Result<Response, AppError> {
    let errors = match e {
        StoreError::Conflict(code) => FormErrors::one(ctx.tr, field, code),
        StoreError::Invalid(v) => FormErrors::from_validation(ctx.tr, &v),
        other => return Err(other.into()),
    };
    let html = event_page(st, ctx, id, errors, Vec::new()).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

/// `POST /events/{id}/registrations` — signed-in people who may see the event.
pub async fn register(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    ctx.require_user()?;
    let guests_input = pairs
        .iter()
        .find(|(k, _)| k == "guests")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let guests = match kizuna_domain::event::whole_number("guests", guests_input, 0, 10) {
        Ok(g) => g.unwrap_or(0),
        Err(e) => return refused(&st, &ctx, id, "guests", e.into()).await,
    };
    // Answers arrive as q<question id>.
    let answers: std::collections::HashMap<i64, String> = pairs
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix('q')?.parse().ok()?, v.clone())))
        .collect();
    let done = st
        .store
        .register_with(&ctx.viewer, id, guests, &answers, &st.event_mails())
        .await;
    match done {
        Ok(done) if done.overlaps.is_empty() => Ok(Redirect::to(&format!(
            "/events/{id}?notice=registration-{}",
            done.registration.status
        ))
        .into_response()),
        // Registered, with a warning about the overlap shown on the page.
        Ok(done) => Ok(Html(
            event_page(&st, &ctx, id, FormErrors::default(), done.overlaps).await?,
        )
        .into_response()),
        Err(e) => refused(&st, &ctx, id, "guests", e).await,
    }
}

/// The registration's event, for redirects after acting on it.
async fn owned(st: &AppState, ctx: &Ctx, id: i64) -> Result<(i64, Registration), AppError> {
    let me = ctx.person_id()?;
    let r = st.store.my_registration(me, id).await?;
    Ok((me, r))
}

/// `POST /registrations/{id}/cancellation` — the registration's owner.
pub async fn cancel(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (me, r) = owned(&st, &ctx, id).await?;
    match st
        .store
        .cancel_registration(me, id, &st.event_mails())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/events/{}?notice=registration-cancelled",
            r.event_id
        ))
        .into_response()),
        Err(e) => refused(&st, &ctx, r.event_id, "registration", e).await,
    }
}

/// `POST /registrations/{id}/acceptance` — the owner of an offered place.
pub async fn accept(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (me, r) = owned(&st, &ctx, id).await?;
    match st.store.accept_offer(me, id, &st.event_mails()).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/events/{}?notice=registration-confirmed",
            r.event_id
        ))
        .into_response()),
        Err(e) => refused(&st, &ctx, r.event_id, "registration", e).await,
    }
}

/// `POST /registrations/{id}/declination` — the owner of an offered place.
pub async fn decline(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (me, r) = owned(&st, &ctx, id).await?;
    match st.store.decline_offer(me, id, &st.event_mails()).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/events/{}?notice=registration-declined",
            r.event_id
        ))
        .into_response()),
        Err(e) => refused(&st, &ctx, r.event_id, "registration", e).await,
    }
}

#[derive(serde::Deserialize)]
pub struct TransferForm {
    #[serde(default)]
    email: String,
}

/// `POST /registrations/{id}/transfer` — the owner hands it to a colleague.
pub async fn transfer(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TransferForm>,
) -> Result<Response, AppError> {
    let (me, r) = owned(&st, &ctx, id).await?;
    let email = match kizuna_domain::Email::parse(&f.email) {
        Ok(e) => e,
        Err(e) => return refused(&st, &ctx, r.event_id, "email", e.into()).await,
    };
    let Some(to) = st.store.person_by_email(email.as_str()).await? else {
        return refused(
            &st,
            &ctx,
            r.event_id,
            "email",
            StoreError::Conflict("unknown_person"),
        )
        .await;
    };
    let to = st.store.signed_in(to.id).await?.viewer;
    match st
        .store
        .transfer_registration(me, id, &to, &st.event_mails())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/events/{}?notice=registration-transferred",
            r.event_id
        ))
        .into_response()),
        Err(e) => refused(&st, &ctx, r.event_id, "email", e).await,
    }
}

#[derive(serde::Deserialize)]
pub struct FeedbackForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

/// `POST /registrations/{id}/feedback` — a confirmed participant, after the start.
pub async fn feedback(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<FeedbackForm>,
) -> Result<Response, AppError> {
    let (me, r) = owned(&st, &ctx, id).await?;
    let rating = f.rating.trim().parse::<i64>().unwrap_or(0);
    match st
        .store
        .give_feedback(me, id, rating, Some(&f.comment))
        .await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/events/{}?notice=feedback-thanks", r.event_id)).into_response(),
        ),
        Err(e) => refused(&st, &ctx, r.event_id, "rating", e).await,
    }
}

#[derive(Template)]
#[template(path = "my_events.html")]
struct MyEventsPage {
    c: PageCtx,
    rows: Vec<(MyRegistration, String)>,
    feeds: i64,
    new_feed: Option<String>,
}

impl MyEventsPage {
    fn status_label(&self, s: &str) -> std::borrow::Cow<'static, str> {
        self.c.label("registration-status", s)
    }
}

async fn my_events_page(
    st: &AppState,
    ctx: &Ctx,
    new_feed: Option<String>,
) -> Result<String, AppError> {
    let me = ctx.person_id()?;
    let label = ctx.tr.t("registration-qr-label");
    let rows = st
        .store
        .my_registrations(me, true)
        .await?
        .into_iter()
        .map(|r| {
            let qr = if r.status == "confirmed" {
                crate::qr::svg(&check_in_link(st, r.event_id, &r.code), 160, &label)
            } else {
                String::new()
            };
            (r, qr)
        })
        .collect();
    let page = MyEventsPage {
        c: PageCtx::new(ctx),
        rows,
        feeds: st.store.calendar_feed_count(me).await?,
        new_feed,
    };
    Ok(page.render()?)
}

/// `GET /me/events` — signed-in people: their upcoming events and QR codes.
pub async fn mine(State(st): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    Ok(Html(my_events_page(&st, &ctx, None).await?))
}

/// `POST /me/calendar` — a new secret calendar URL, shown once.
pub async fn create_feed(State(st): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let me = ctx.person_id()?;
    let secret = tokens::new_secret("");
    st.store
        .create_calendar_feed(me, &tokens::hash(&secret))
        .await?;
    let url = format!(
        "{}/calendar/{secret}.ics",
        st.config.public_url.trim_end_matches('/')
    );
    Ok(Html(my_events_page(&st, &ctx, Some(url)).await?))
}

/// `POST /me/calendar/revocation` — every calendar URL of mine stops working.
pub async fn revoke_feeds(State(st): State<AppState>, ctx: Ctx) -> Result<Redirect, AppError> {
    st.store.revoke_calendar_feeds(ctx.person_id()?).await?;
    Ok(Redirect::to("/me/events?notice=calendar-revoked"))
}

fn ics_response(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response()
}

fn host(st: &AppState) -> String {
    st.event_mails().host().to_string()
}

/// `GET /calendar/{token}.ics` — anyone holding the secret URL: the events
/// its owner is registered for (calendar apps cannot sign in).
pub async fn feed(
    State(st): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let secret = file.strip_suffix(".ics").unwrap_or(&file);
    let person = st
        .store
        .calendar_feed_person(&tokens::hash(secret))
        .await?
        .ok_or(AppError::NotFound)?;
    let base = st.config.public_url.trim_end_matches('/').to_string();
    let regs: Vec<MyRegistration> = st
        .store
        .my_registrations(person, false)
        .await?
        .into_iter()
        .filter(|r| {
            matches!(
                r.status.as_str(),
                "confirmed" | "offered" | "waitlisted" | "pending"
            )
        })
        .collect();
    let entries: Vec<crate::calendar::Entry<'_>> = regs
        .iter()
        .map(|r| crate::calendar::Entry {
            id: r.event_id,
            title: &r.title,
            description: "",
            venue: r.venue.as_deref(),
            address: r.address.as_deref(),
            online_url: r.online_url.as_deref(),
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            cancelled: r.event_status == "cancelled",
            sequence: 0,
            url: format!("{base}/events/{}", r.event_id),
        })
        .collect();
    Ok(ics_response(crate::calendar::ics(
        "Kizuna",
        &host(&st),
        &entries,
    )))
}

/// `GET /partnerships/{id}/calendar.ics` — anyone: the partnership's public events.
pub async fn partnership_feed(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let visitor = kizuna_domain::Viewer::visitor();
    let p = st.store.partnership(&visitor, id).await?;
    let f = kizuna_store::events::EventFilter {
        partnership_id: Some(id),
        from: Some(kizuna_store::now() - 90 * 86_400),
        limit: 500,
        ..Default::default()
    };
    let events = st.store.events(&visitor, &f).await?;
    let base = st.config.public_url.trim_end_matches('/').to_string();
    let entries: Vec<crate::calendar::Entry<'_>> = events
        .iter()
        .map(|e| crate::calendar::Entry::of(e, format!("{base}/events/{}", e.id)))
        .collect();
    Ok(ics_response(crate::calendar::ics(
        &p.name,
        &host(&st),
        &entries,
    )))
}
