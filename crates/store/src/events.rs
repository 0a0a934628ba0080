//! Events and who may see them. Registrations, the waitlist and check-in
//! live in `registrations`.

use crate::error::some;
use crate::{Backend, Result, Store, StoreError, Tx, audit, now};
use kizuna_domain::Viewer;
use kizuna_domain::event::NewEvent;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct Event {
    pub id: i64,
    pub partnership_id: i64,
    pub organiser_id: i64,
    pub organiser_name: String,
    pub series_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub kind: String,
    pub title: String,
    pub title_en: Option<String>,
    pub description: String,
    pub description_en: Option<String>,
    pub pillar_key: Option<String>,
    pub municipality_code: Option<String>,
    pub municipality_name: Option<String>,
    pub region: Option<String>,
    pub venue: Option<String>,
    pub address: Option<String>,
    pub online_url: Option<String>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub capacity: Option<i64>,
    pub seats_taken: i64,
    pub registration_opens_at: Option<i64>,
    pub registration_closes_at: Option<i64>,
    pub needs_approval: i64,
    pub visibility: String,
    pub offer_hours: i64,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Event {
    /// Places left; `None` when there is no limit.
    pub fn places_left(&self) -> Option<i64> {
        self.capacity.map(|c| (c - self.seats_taken).max(0))
    }

    /// When registration closes: its own time, else the start.
    pub fn closes_at(&self) -> i64 {
        self.registration_closes_at.unwrap_or(self.starts_at)
    }

    /// Whether registration is open at `t`.
    pub fn is_open_at(&self, t: i64) -> bool {
        self.status == "scheduled"
            && self.registration_opens_at.is_none_or(|o| t >= o)
            && t < self.closes_at()
    }
}

pub(crate) const EVENT_COLUMNS: &str = "e.id, e.partnership_id, e.organiser_id, o.name AS organiser_name, e.series_id,
    e.parent_id, e.kind, e.title, e.title_en, e.description, e.description_en, e.pillar_key, e.municipality_code,
    m.name AS municipality_name, m.region, e.venue, e.address, e.online_url, e.starts_at, e.ends_at, e.capacity,
    e.seats_taken, e.registration_opens_at, e.registration_closes_at, e.needs_approval, e.visibility, e.offer_hours,
    e.status, e.created_at, e.updated_at";

/// The names of [`EVENT_COLUMNS`], for JSON lists.
const EVENT_FIELDS: [&str; 30] = [
    "id",
    "partnership_id",
    "organiser_id",
    "organiser_name",
    "series_id",
    "parent_id",
    "kind",
    "title",
    "title_en",
    "description",
    "description_en",
    "pillar_key",
    "municipality_code",
    "municipality_name",
    "region",
    "venue",
    "address",
    "online_url",
    "starts_at",
    "ends_at",
    "capacity",
    "seats_taken",
    "registration_opens_at",
    "registration_closes_at",
    "needs_approval",
    "visibility",
    "offer_hours",
    "status",
    "created_at",
    "updated_at",
];

pub(crate) const EVENT_FROM: &str = "FROM events e JOIN organisations o ON o.id = e.organiser_id
    LEFT JOIN municipalities m ON m.code = e.municipality_code";

/// Who sees an event: everyone for public ones; people with a role in the
/// partnership for partnership ones; members of the organiser for
/// organisation ones; instance administrators always. Binds $1 = person id
/// (0 for visitors), $2 = 1 for an instance administrator.
pub(crate) const VISIBLE_EVENT: &str = "(e.visibility = 'public' OR $2 = 1
    OR (e.visibility = 'partnership' AND EXISTS (SELECT 1 FROM role_assignments r
        WHERE r.partnership_id = e.partnership_id AND r.person_id = $1))
    OR (e.visibility = 'organisation' AND EXISTS (SELECT 1 FROM memberships mb
        WHERE mb.organisation_id = e.organiser_id AND mb.person_id = $1)))";

/// The key of an event list: the viewer (what they may see) and the filters.
pub fn list_key(viewer: &Viewer, f: &EventFilter) -> String {
    let (pid, admin) = viewer_binds(viewer);
    format!(
        "{pid}|{admin}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{}|{}",
        f.partnership_id,
        f.kind,
        f.municipality_code,
        f.region,
        f.from,
        f.until,
        f.include_past,
        f.limit,
        f.offset
    )
}

pub(crate) fn viewer_binds(v: &Viewer) -> (i64, i64) {
    (v.person_id.unwrap_or(0), i64::from(v.is_instance_admin))
}

/// Filters of the event list; empty fields filter nothing.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub partnership_id: Option<i64>,
    pub kind: Option<String>,
    pub municipality_code: Option<String>,
    pub region: Option<String>,
    /// Events overlapping this span (Unix seconds), e.g. a month in Japan time.
    pub from: Option<i64>,
    pub until: Option<i64>,
    /// Past events too (by default only those not yet ended).
    pub include_past: bool,
    pub limit: i64,
    pub offset: i64,
}

impl Store {
    /// Creates an event. The organiser must be a party to the partnership.
    pub async fn create_event(&self, actor: i64, partnership_id: i64, e: &NewEvent) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        check_organiser(&mut tx, partnership_id, e.organiser_id).await?;
        let id = insert_event(&mut tx, actor, partnership_id, e, None, None).await?;
        tx.commit().await?;
        self.event_lists.changed();
        Ok(id)
    }

    /// A repeating event: `count` occurrences (2–26) of `e`, every `every`,
    /// each an event of its own in one series (registration is per date).
    pub async fn create_event_series(
        &self,
        actor: i64,
        partnership_id: i64,
        e: &NewEvent,
        every: Repeat,
        count: i64,
    ) -> Result<Vec<i64>> {
        if !(2..=26).contains(&count) {
            return Err(kizuna_domain::ValidationError::new("repeat_count", "too_large").into());
        }
        let mut tx = self.begin_write().await?;
        check_organiser(&mut tx, partnership_id, e.organiser_id).await?;
        let series: i64 = sqlx::query_scalar(
            "INSERT INTO event_series (partnership_id, title, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(partnership_id)
        .bind(&e.title)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        let mut ids = Vec::new();
        for n in 0..count {
            let shift = |t: i64| every.shift(t, n);
            let occurrence = NewEvent {
                starts_at: shift(e.starts_at),
                ends_at: shift(e.ends_at),
                registration_opens_at: e.registration_opens_at.map(shift),
                registration_closes_at: e.registration_closes_at.map(shift),
                ..e.clone()
            };
            ids.push(
                insert_event(
                    &mut tx,
                    actor,
                    partnership_id,
                    &occurrence,
                    Some(series),
                    None,
                )
                .await?,
            );
        }
        tx.commit().await?;
        self.event_lists.changed();
        Ok(ids)
    }

    /// A shift or slot within an event: its own times and places, the rest
    /// (kind, organiser, venue, who may see it) as the event's.
    pub async fn add_shift(
        &self,
        actor: i64,
        parent_id: i64,
        title: &str,
        starts_at: i64,
        ends_at: i64,
        capacity: Option<i64>,
    ) -> Result<i64> {
        let sql = format!("SELECT {EVENT_COLUMNS} {EVENT_FROM} WHERE e.id = $1");
        let parent: Event = some(
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(parent_id)
                .fetch_optional(self.pool())
                .await?,
        )?;
        if parent.parent_id.is_some() {
            return Err(StoreError::Conflict("shift_of_a_shift"));
        }
        if ends_at <= starts_at {
            return Err(kizuna_domain::ValidationError::new("ends_at", "end_before_start").into());
        }
        let input = kizuna_domain::event::EventInput {
            kind: parent.kind.clone(),
            title: title.to_string(),
            description: parent.description.clone(),
            organiser_id: parent.organiser_id.to_string(),
            pillar_key: parent.pillar_key.clone().unwrap_or_default(),
            municipality_code: parent.municipality_code.clone().unwrap_or_default(),
            venue: parent.venue.clone().unwrap_or_default(),
            address: parent.address.clone().unwrap_or_default(),
            online_url: parent.online_url.clone().unwrap_or_default(),
            starts_at: kizuna_domain::event::jst_input_value(starts_at),
            ends_at: kizuna_domain::event::jst_input_value(ends_at),
            capacity: capacity.map(|c| c.to_string()).unwrap_or_default(),
            registration_opens_at: parent
                .registration_opens_at
                .map(kizuna_domain::event::jst_input_value)
                .unwrap_or_default(),
            needs_approval: parent.needs_approval == 1,
            visibility: parent.visibility.clone(),
            offer_hours: parent.offer_hours.to_string(),
            ..Default::default()
        };
        let shift = NewEvent::parse(&input)?;
        let mut tx = self.begin_write().await?;
        let id = insert_event(
            &mut tx,
            actor,
            parent.partnership_id,
            &shift,
            parent.series_id,
            Some(parent_id),
        )
        .await?;
        tx.commit().await?;
        self.event_lists.changed();
        Ok(id)
    }

    /// The shifts of an event, in time order.
    pub async fn shifts(&self, parent_id: i64) -> Result<Vec<Event>> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} {EVENT_FROM} WHERE e.parent_id = $1 ORDER BY e.starts_at, e.id"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(parent_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// The other dates of a repeating event, in time order.
    pub async fn series_events(&self, series_id: i64) -> Result<Vec<Event>> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} {EVENT_FROM} WHERE e.series_id = $1 AND e.parent_id IS NULL ORDER BY e.starts_at, e.id"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(series_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// An event as the viewer may see it; `NotFound` otherwise.
    pub async fn event(&self, viewer: &Viewer, id: i64) -> Result<Event> {
        let (pid, admin) = viewer_binds(viewer);
        let sql =
            format!("SELECT {EVENT_COLUMNS} {EVENT_FROM} WHERE {VISIBLE_EVENT} AND e.id = $3");
        some(
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(pid)
                .bind(admin)
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Events the viewer may see, soonest first. A list read in the last
    /// moment is served again (see `recent`): the list page is the busiest.
    pub async fn events(&self, viewer: &Viewer, f: &EventFilter) -> Result<Arc<Vec<Event>>> {
        let key = list_key(viewer, f);
        if let Some(list) = self.event_lists.get(&key) {
            return Ok(list);
        }
        let generation = self.event_lists.generation();
        let list = Arc::new(self.read_events(viewer, f).await?);
        self.event_lists
            .put(key, generation, list.clone(), list.len());
        Ok(list)
    }

    async fn read_events(&self, viewer: &Viewer, f: &EventFilter) -> Result<Vec<Event>> {
        let (pid, admin) = viewer_binds(viewer);
        let t = now();
        let inner = format!(
            "SELECT {EVENT_COLUMNS} {EVENT_FROM} WHERE {VISIBLE_EVENT}
               AND ($3 = 0 OR e.partnership_id = $3)
               AND ($4 = '' OR e.kind = $4)
               AND ($5 = '' OR e.municipality_code = $5)
               AND ($6 = '' OR m.region = $6)
               AND e.ends_at > $7 AND e.starts_at < $8 AND e.parent_id IS NULL
             ORDER BY e.starts_at, e.id LIMIT $9 OFFSET $10"
        );
        let from = match (f.from, f.include_past) {
            (Some(from), _) => from,
            (None, true) => i64::MIN,
            (None, false) => t,
        };
        // One JSON row instead of a row per event (see `json_rows`).
        let sql =
            crate::json_rows::wrap(self.backend(), &EVENT_FIELDS, &inner, "x.starts_at, x.id");
        let json: String = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(pid)
            .bind(admin)
            .bind(f.partnership_id.unwrap_or(0))
            .bind(f.kind.clone().unwrap_or_default())
            .bind(f.municipality_code.clone().unwrap_or_default())
            .bind(f.region.clone().unwrap_or_default())
            .bind(from)
            .bind(f.until.unwrap_or(i64::MAX))
            .bind(f.limit.clamp(1, 500))
            .bind(f.offset.max(0))
            .fetch_one(self.pool())
            .await?;
        crate::json_rows::parse(&json)
    }

    /// Changes an event's details. Lowering the capacity below the places
    /// already taken is refused; raising it offers the new places to the
    /// waitlist (see `registrations::fill_from_waitlist`).
    pub async fn update_event(
        &self,
        actor: i64,
        id: i64,
        e: &NewEvent,
        mail: &dyn crate::registrations::EventMail,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (partnership_id, seats_taken): (i64, i64) = lock_event(&mut tx, self.backend(), id)
            .await
            .map(|ev| (ev.partnership_id, ev.seats_taken))?;
        check_organiser(&mut tx, partnership_id, e.organiser_id).await?;
        // What registrants were told, to tell them again if it changes.
        let before: (i64, i64, Option<String>, Option<String>, Option<String>) = sqlx::query_as(
            "SELECT starts_at, ends_at, venue, address, online_url FROM events WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if e.capacity.is_some_and(|c| c < seats_taken) {
            return Err(StoreError::Conflict("capacity_below_confirmed"));
        }
        let query = sqlx::query(
            "UPDATE events SET organiser_id = $1, kind = $2, title = $3, title_en = $4, description = $5,
                 description_en = $6, pillar_key = $7, municipality_code = $8, venue = $9, address = $10,
                 online_url = $11, starts_at = $12, ends_at = $13, capacity = $14, registration_opens_at = $15,
                 registration_closes_at = $16, needs_approval = $17, visibility = $18, offer_hours = $19, updated_at = $20
             WHERE id = $21",
        );
        bind_fields(query, e)
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(crate::ledger::fk_as_unknown_municipality)?;
        crate::registrations::fill_from_waitlist(&mut tx, id, mail).await?;
        let after = (
            e.starts_at,
            e.ends_at,
            e.venue.clone(),
            e.address.clone(),
            e.online_url.clone(),
        );
        if before != after {
            notify_all(
                &mut tx,
                id,
                crate::registrations::NoticeKind::EventChanged,
                mail,
            )
            .await?;
        }
        audit::record(
            &mut tx,
            Some(actor),
            "event.update",
            "event",
            Some(id),
            Some(&e.title),
        )
        .await?;
        tx.commit().await?;
        self.event_lists.changed();
        Ok(())
    }
}

impl Store {
    /// Cancels an event: everyone still registered is told, and nobody can
    /// register any more. Registrations keep their status for the record.
    pub async fn cancel_event(
        &self,
        actor: i64,
        id: i64,
        reason: Option<&str>,
        mail: &dyn crate::registrations::EventMail,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let ev = lock_event(&mut tx, self.backend(), id).await?;
        if ev.status == "cancelled" {
            return Err(StoreError::Conflict("event_cancelled"));
        }
        sqlx::query("UPDATE events SET status = 'cancelled', updated_at = $1 WHERE id = $2")
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        notify_all(
            &mut tx,
            id,
            crate::registrations::NoticeKind::EventCancelled,
            mail,
        )
        .await?;
        audit::record(
            &mut tx,
            Some(actor),
            "event.cancel",
            "event",
            Some(id),
            reason,
        )
        .await?;
        tx.commit().await?;
        self.event_lists.changed();
        Ok(())
    }
}

/// Tells everyone with an active registration.
async fn notify_all(
    tx: &mut Tx,
    event_id: i64,
    kind: crate::registrations::NoticeKind,
    mail: &dyn crate::registrations::EventMail,
) -> Result<()> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM registrations WHERE event_id = $1
           AND status IN ('confirmed', 'waitlisted', 'offered', 'pending') ORDER BY id",
    )
    .bind(event_id)
    .fetch_all(&mut **tx)
    .await?;
    for id in ids {
        let r = crate::registrations::registration_in(tx, id).await?;
        crate::registrations::notify(tx, mail, kind, &r).await?;
    }
    Ok(())
}

/// The columns of a question, as [`Question`] names them.
pub(crate) const QUESTION_FIELDS: [&str; 7] = [
    "id", "event_id", "position", "label", "kind", "choices", "required",
];

/// A question asked at registration.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct Question {
    pub id: i64,
    pub event_id: i64,
    pub position: i64,
    pub label: String,
    /// `text` or `choice`
    pub kind: String,
    /// One choice per line.
    pub choices: String,
    pub required: i64,
}

impl Question {
    pub fn choice_list(&self) -> Vec<&str> {
        self.choices.lines().filter(|c| !c.is_empty()).collect()
    }

    pub fn rule(&self) -> kizuna_domain::event::NewQuestion {
        kizuna_domain::event::NewQuestion {
            label: self.label.clone(),
            kind: self.kind.clone(),
            choices: self.choice_list().iter().map(|c| c.to_string()).collect(),
            required: self.required == 1,
        }
    }
}

impl Store {
    /// The event's registration questions, in order.
    pub async fn questions(&self, event_id: i64) -> Result<Vec<Question>> {
        let sql = format!(
            "SELECT {} FROM event_questions WHERE event_id = $1 ORDER BY position, id",
            QUESTION_FIELDS.join(", ")
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(event_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// Adds a question at the end.
    pub async fn add_question(
        &self,
        actor: i64,
        event_id: i64,
        q: &kizuna_domain::event::NewQuestion,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM event_questions WHERE event_id = $1")
                .bind(event_id)
                .fetch_one(&mut *tx)
                .await?;
        if count >= 10 {
            return Err(StoreError::Conflict("too_many_questions"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO event_questions (event_id, position, label, kind, choices, required)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(event_id)
        .bind(count + 1)
        .bind(&q.label)
        .bind(&q.kind)
        .bind(q.choices.join("\n"))
        .bind(i64::from(q.required))
        .fetch_one(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            Some(actor),
            "event.question.add",
            "event",
            Some(event_id),
            Some(&q.label),
        )
        .await?;
        tx.commit().await?;
        self.event_lists.changed();
        Ok(id)
    }

    /// Removes a question; answers already given stay with their registrations.
    pub async fn delete_question(&self, actor: i64, event_id: i64, question_id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM event_questions WHERE id = $1 AND event_id = $2")
            .bind(question_id)
            .bind(event_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        audit::record(
            &mut tx,
            Some(actor),
            "event.question.delete",
            "event",
            Some(event_id),
            None,
        )
        .await?;
        tx.commit().await?;
        self.event_lists.changed();
        Ok(())
    }
}

/// How a series repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    Weekly,
    Fortnightly,
    /// The same day of the month (occurrences on a day the month lacks are
    /// moved to its last day).
    Monthly,
}

impl Repeat {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "weekly" => Some(Self::Weekly),
            "fortnightly" => Some(Self::Fortnightly),
            "monthly" => Some(Self::Monthly),
            _ => None,
        }
    }

    /// `t` moved `n` repetitions on, in Japan time.
    pub fn shift(self, t: i64, n: i64) -> i64 {
        use kizuna_domain::event::{JST_OFFSET, days_from_civil, jst_parts};
        match self {
            Self::Weekly => t + n * 7 * 86_400,
            Self::Fortnightly => t + n * 14 * 86_400,
            Self::Monthly => {
                let (y, m, d, ..) = jst_parts(t);
                let seconds = (t + JST_OFFSET).rem_euclid(86_400);
                let months = y * 12 + (m - 1) + n;
                let (ny, nm) = (months.div_euclid(12), months.rem_euclid(12) + 1);
                let next = if nm == 12 {
                    days_from_civil(ny + 1, 1, 1)
                } else {
                    days_from_civil(ny, nm + 1, 1)
                };
                let last = next - days_from_civil(ny, nm, 1);
                (days_from_civil(ny, nm, 1) + d.min(last) - 1) * 86_400 + seconds - JST_OFFSET
            }
        }
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds an event's fields as $1…$19, in the order the insert and the
/// update both list them.
fn bind_fields<'q>(q: AnyQuery<'q>, e: &'q NewEvent) -> AnyQuery<'q> {
    q.bind(e.organiser_id)
        .bind(e.kind.as_str())
        .bind(&e.title)
        .bind(e.title_en.as_deref())
        .bind(&e.description)
        .bind(e.description_en.as_deref())
        .bind(e.pillar_key.as_deref())
        .bind(e.municipality_code.as_ref().map(|c| c.as_str().to_string()))
        .bind(e.venue.as_deref())
        .bind(e.address.as_deref())
        .bind(e.online_url.as_deref())
        .bind(e.starts_at)
        .bind(e.ends_at)
        .bind(e.capacity)
        .bind(e.registration_opens_at)
        .bind(e.registration_closes_at)
        .bind(i64::from(e.needs_approval))
        .bind(e.visibility.as_str())
        .bind(e.offer_hours)
}

/// Inserts an event (the caller checked the organiser and holds the write
/// transaction).
async fn insert_event(
    tx: &mut Tx,
    actor: i64,
    partnership_id: i64,
    e: &NewEvent,
    series_id: Option<i64>,
    parent_id: Option<i64>,
) -> Result<i64> {
    let t = now();
    let query = sqlx::query(
        "INSERT INTO events (organiser_id, kind, title, title_en, description, description_en, pillar_key,
             municipality_code, venue, address, online_url, starts_at, ends_at, capacity, registration_opens_at,
             registration_closes_at, needs_approval, visibility, offer_hours,
             partnership_id, created_by, created_at, updated_at, series_id, parent_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22, $23, $24)
         RETURNING id",
    );
    let row = bind_fields(query, e)
        .bind(partnership_id)
        .bind(actor)
        .bind(t)
        .bind(series_id)
        .bind(parent_id)
        .fetch_one(&mut **tx)
        .await
        .map_err(crate::ledger::fk_as_unknown_municipality)?;
    let id: i64 = sqlx::Row::try_get(&row, 0)?;
    audit::record(
        tx,
        Some(actor),
        "event.create",
        "event",
        Some(id),
        Some(&e.title),
    )
    .await?;
    Ok(id)
}

/// The few columns registration decisions need, read under a lock.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct LockedEvent {
    pub partnership_id: i64,
    pub capacity: Option<i64>,
    pub seats_taken: i64,
    pub status: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub registration_opens_at: Option<i64>,
    pub registration_closes_at: Option<i64>,
    pub needs_approval: i64,
}

/// Reads an event inside a write transaction, locking its row on PostgreSQL
/// (SQLite's `BEGIN IMMEDIATE` already holds the only write lock). Every
/// change to places goes through here, so decisions about one event are
/// taken one at a time on both databases.
pub(crate) async fn lock_event(tx: &mut Tx, backend: Backend, id: i64) -> Result<LockedEvent> {
    let lock = match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE",
    };
    let sql = format!(
        "SELECT partnership_id, capacity, seats_taken, status, starts_at, ends_at, registration_opens_at,
                registration_closes_at, needs_approval
         FROM events WHERE id = $1{lock}"
    );
    some(
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

async fn check_organiser(tx: &mut Tx, partnership_id: i64, organiser_id: i64) -> Result<()> {
    // A party to the partnership, or one of the municipalities (which take
    // part through the prefecture without signing themselves).
    let party: Option<i64> = sqlx::query_scalar(
        "SELECT o.id FROM organisations o WHERE o.id = $2 AND (o.kind = 'municipality'
             OR EXISTS (SELECT 1 FROM partnership_parties pp WHERE pp.partnership_id = $1 AND pp.organisation_id = o.id))",
    )
    .bind(partnership_id)
    .bind(organiser_id)
    .fetch_optional(&mut **tx)
    .await?;
    match party {
        Some(_) => Ok(()),
        None => {
            Err(kizuna_domain::ValidationError::new("organiser_id", "organiser_not_a_party").into())
        }
    }
}
