//! Registrations: places, the waitlist with expiring offers, approval,
//! transfer and check-in.
//!
//! Every decision about an event's places is taken inside one write
//! transaction that first locks the event (`events::lock_event`), so they
//! happen one at a time per event on SQLite and PostgreSQL alike; the
//! database's `CHECK (seats_taken <= capacity)` stands behind that. E-mails
//! are queued in the same transaction, so a person hears of exactly the
//! changes that were stored.

use crate::error::some;
use crate::events::{LockedEvent, lock_event};
use crate::outbox::{self, Mail};
use crate::{Result, Store, StoreError, Tx, audit, now};
use kizuna_domain::Viewer;
use kizuna_domain::event::{CODE_ALPHABET, CODE_LEN, RegistrationStatus as S};
use rand::Rng;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Registration {
    pub id: i64,
    pub event_id: i64,
    pub person_id: i64,
    pub status: String,
    pub guests: i64,
    pub seats: i64,
    pub code: String,
    pub answers: String,
    pub queued_at: i64,
    pub offer_expires_at: Option<i64>,
    pub checked_in_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Registration {
    pub fn status(&self) -> S {
        S::parse(&self.status).unwrap_or(S::Cancelled)
    }
}

/// The columns of a registration, as `RETURNING` lists them (no alias).
const RETURNING: &str = "id, event_id, person_id, status, guests, seats, code, answers, queued_at,
    offer_expires_at, checked_in_at, created_at, updated_at";

const COLUMNS: &str =
    "r.id, r.event_id, r.person_id, r.status, r.guests, r.seats, r.code, r.answers, r.queued_at,
    r.offer_expires_at, r.checked_in_at, r.created_at, r.updated_at";

/// Why someone gets an e-mail about a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Confirmed,
    Waitlisted,
    Pending,
    /// A place was freed: accept before the offer expires.
    Offered,
    /// The offer ran out; the place went to the next person.
    OfferExpired,
    Cancelled,
    Rejected,
    /// The day before the event.
    Reminder,
    /// The organiser changed the time or place.
    EventChanged,
    /// The organiser cancelled the event.
    EventCancelled,
}

/// What an e-mail about a registration needs to say.
#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: NoticeKind,
    pub to_addr: String,
    pub display_name: String,
    pub locale: String,
    pub event_id: i64,
    pub event_title: String,
    pub event_title_en: Option<String>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub venue: Option<String>,
    pub address: Option<String>,
    pub online_url: Option<String>,
    pub registration: Registration,
}

/// Writes the e-mails registrations cause (the server does, with its
/// translations and calendar attachments). `None` sends nothing.
pub trait EventMail: Send + Sync {
    fn mail(&self, notice: &Notice) -> Option<Mail>;
}

/// Sends nothing: for tools and benchmarks that register in bulk.
pub struct NoMail;

impl EventMail for NoMail {
    fn mail(&self, _: &Notice) -> Option<Mail> {
        None
    }
}

/// The outcome of registering: the registration and any of the person's
/// other events at overlapping times (a warning, not a refusal).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Registered {
    pub registration: Registration,
    pub overlaps: Vec<Overlap>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct Overlap {
    pub event_id: i64,
    pub title: String,
    pub starts_at: i64,
    pub ends_at: i64,
}

/// Most guests one person may bring.
pub const MAX_GUESTS: i64 = 10;

/// A registration with its event and person, for organisers' lists.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Participant {
    pub registration_id: i64,
    pub person_id: i64,
    pub display_name: String,
    pub email: String,
    pub status: String,
    pub guests: i64,
    pub queued_at: i64,
    pub checked_in_at: Option<i64>,
    /// JSON object: question id → answer.
    pub answers: String,
}

/// One of a person's registrations with what they need of its event.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct MyRegistration {
    pub id: i64,
    pub event_id: i64,
    pub status: String,
    pub guests: i64,
    pub code: String,
    pub offer_expires_at: Option<i64>,
    pub checked_in_at: Option<i64>,
    pub created_at: i64,
    pub title: String,
    pub title_en: Option<String>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub venue: Option<String>,
    pub address: Option<String>,
    pub online_url: Option<String>,
    pub event_status: String,
}

impl Participant {
    /// The answer to question `id`, or empty.
    pub fn answer(&self, id: i64) -> String {
        serde_json::from_str::<serde_json::Value>(&self.answers)
            .ok()
            .and_then(|v| v.get(id.to_string())?.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// A check-in: who, and whether they had already been checked in.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CheckIn {
    pub registration: Registration,
    pub display_name: String,
    pub already: bool,
}

impl Store {
    /// Registers `viewer` (with `guests`) for an event they may see: a place
    /// if one is free and nobody is waiting; otherwise the waitlist; or
    /// pending when the organiser approves registrations.
    pub async fn register(
        &self,
        viewer: &Viewer,
        event_id: i64,
        guests: i64,
        mail: &dyn EventMail,
    ) -> Result<Registered> {
        self.register_with(viewer, event_id, guests, &Default::default(), mail)
            .await
    }

    /// [`Store::register`] with answers to the event's questions
    /// (question id → answer); required ones must be answered.
    pub async fn register_with(
        &self,
        viewer: &Viewer,
        event_id: i64,
        guests: i64,
        answers: &std::collections::HashMap<i64, String>,
        mail: &dyn EventMail,
    ) -> Result<Registered> {
        let person_id = viewer.person_id.ok_or(StoreError::NotFound)?;
        // Visibility first: an event the viewer cannot see does not exist.
        let event = self.event(viewer, event_id).await?;
        if !(0..=MAX_GUESTS).contains(&guests) {
            return Err(kizuna_domain::ValidationError::new("guests", "too_large").into());
        }
        // Read before taking the write lock, in one query: who is
        // registering (for the mail), whether they already are, the event's
        // questions and the person's other events at the same time (a
        // warning). A concurrent duplicate is caught by the unique key; the
        // lock is held for as few statements as possible (they decide the
        // throughput on SQLite).
        let before = self
            .before_registering(event_id, person_id, (event.starts_at, event.ends_at))
            .await?;
        if before
            .status
            .as_deref()
            .is_some_and(|s| S::parse(s).is_some_and(S::is_active))
        {
            return Err(StoreError::Conflict("already_registered"));
        }
        let mut given = serde_json::Map::new();
        for q in crate::json_rows::parse::<crate::events::Question>(&before.questions)? {
            if let Some(a) = q.rule().answer(answers.get(&q.id).map(String::as_str))? {
                given.insert(q.id.to_string(), serde_json::Value::String(a));
            }
        }
        let ask = Ask {
            event_id,
            person_id,
            guests,
            answers: serde_json::Value::Object(given).to_string(),
            again: before.status.is_some(),
            who: Recipient {
                email: before.email,
                display_name: before.display_name,
                locale: before.locale,
            },
            about: About {
                title: event.title.clone(),
                title_en: event.title_en.clone(),
                starts_at: event.starts_at,
                ends_at: event.ends_at,
                venue: event.venue.clone(),
                address: event.address.clone(),
                online_url: event.online_url.clone(),
            },
        };
        let backend = self.backend();
        let job = RegisterJob {
            backend,
            ask: &ask,
            mail,
        };
        let registration = match backend {
            // One writer: registrations that arrive together share a commit.
            crate::Backend::Sqlite => self.registration_writes.run(self, &job).await?,
            // Many writers: each registration waits only for its event's row.
            crate::Backend::Postgres => crate::group_commit::alone(self, &job).await?,
        };
        self.event_lists.changed();
        let overlaps = crate::json_rows::parse(&before.overlaps)?;
        Ok(Registered {
            registration,
            overlaps,
        })
    }

    /// The person cancels their own registration. Places it held go to the
    /// waitlist at once.
    pub async fn cancel_registration(
        &self,
        person_id: i64,
        registration_id: i64,
        mail: &dyn EventMail,
    ) -> Result<Registration> {
        let mut tx = self.begin_write().await?;
        let r = own_registration(&mut tx, self, person_id, registration_id).await?;
        if !r.status().is_active() {
            return Err(StoreError::Conflict("registration_not_active"));
        }
        if r.checked_in_at.is_some() {
            return Err(StoreError::Conflict("already_checked_in"));
        }
        leave(&mut tx, &r, S::Cancelled, Some(person_id), None).await?;
        fill_from_waitlist(&mut tx, r.event_id, mail).await?;
        let r = registration_in(&mut tx, r.id).await?;
        notify(&mut tx, mail, NoticeKind::Cancelled, &r).await?;
        tx.commit().await?;
        self.event_lists.changed();
        Ok(r)
    }

    /// Takes up an offered place before the offer expires.
    pub async fn accept_offer(
        &self,
        person_id: i64,
        registration_id: i64,
        mail: &dyn EventMail,
    ) -> Result<Registration> {
        let mut tx = self.begin_write().await?;
        let r = own_registration(&mut tx, self, person_id, registration_id).await?;
        if r.status() != S::Offered {
            return Err(StoreError::Conflict("no_open_offer"));
        }
        if r.offer_expires_at.is_some_and(|e| e <= now()) {
            // Past its time: the offer moves on now rather than at the next
            // job run, and the person is told it has gone.
            expire(&mut tx, &r, mail).await?;
            tx.commit().await?;
            self.event_lists.changed();
            return Err(StoreError::Conflict("offer_expired"));
        }
        set_status(&mut tx, r.id, S::Confirmed, r.seats, Some(person_id), None).await?;
        let r = registration_in(&mut tx, r.id).await?;
        notify(&mut tx, mail, NoticeKind::Confirmed, &r).await?;
        tx.commit().await?;
        self.event_lists.changed();
        Ok(r)
    }

    /// Turns an offered place down; it goes to the next person waiting.
    pub async fn decline_offer(
        &self,
        person_id: i64,
        registration_id: i64,
        mail: &dyn EventMail,
    ) -> Result<Registration> {
        let mut tx = self.begin_write().await?;
        let r = own_registration(&mut tx, self, person_id, registration_id).await?;
        if r.status() != S::Offered {
            return Err(StoreError::Conflict("no_open_offer"));
        }
        leave(&mut tx, &r, S::Declined, Some(person_id), None).await?;
        fill_from_waitlist(&mut tx, r.event_id, mail).await?;
        let r = registration_in(&mut tx, r.id).await?;
        tx.commit().await?;
        self.event_lists.changed();
        Ok(r)
    }

    /// Expires offers past their time and offers the places to the next
    /// people (run by the job loop). Returns how many offers expired.
    pub async fn expire_offers(&self, mail: &dyn EventMail) -> Result<usize> {
        let due: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, event_id FROM registrations WHERE status = 'offered' AND offer_expires_at <= $1 ORDER BY id LIMIT 500",
        )
        .bind(now())
        .fetch_all(self.pool())
        .await?;
        let mut expired = 0;
        for (id, event_id) in due {
            let mut tx = self.begin_write().await?;
            lock_event(&mut tx, self.backend(), event_id).await?;
            // Re-read under the lock: the person may have accepted meanwhile.
            let r = registration_in(&mut tx, id).await?;
            if r.status() == S::Offered && r.offer_expires_at.is_some_and(|e| e <= now()) {
                expire(&mut tx, &r, mail).await?;
                expired += 1;
            }
            tx.commit().await?;
            self.event_lists.changed();
        }
        Ok(expired)
    }

    /// The organiser approves (a place, or the waitlist when full) or
    /// rejects a pending registration.
    pub async fn decide_registration(
        &self,
        actor: i64,
        registration_id: i64,
        approve: bool,
        mail: &dyn EventMail,
    ) -> Result<Registration> {
        let mut tx = self.begin_write().await?;
        let r = registration_in(&mut tx, registration_id).await?;
        lock_event(&mut tx, self.backend(), r.event_id).await?;
        let r = registration_in(&mut tx, registration_id).await?;
        if r.status() != S::Pending {
            return Err(StoreError::Conflict("registration_not_pending"));
        }
        let (status, kind) = if approve {
            let need = 1 + r.guests;
            match seat_or_queue(&mut tx, r.event_id, need).await? {
                S::Confirmed => (S::Confirmed, NoticeKind::Confirmed),
                _ => (S::Waitlisted, NoticeKind::Waitlisted),
            }
        } else {
            (S::Rejected, NoticeKind::Rejected)
        };
        let seats = if status.holds_seats() {
            1 + r.guests
        } else {
            0
        };
        set_status(&mut tx, r.id, status, seats, Some(actor), None).await?;
        if status == S::Waitlisted {
            // Joins the queue now, behind those already waiting.
            sqlx::query("UPDATE registrations SET queued_at = $1 WHERE id = $2")
                .bind(now())
                .bind(r.id)
                .execute(&mut *tx)
                .await?;
        }
        let r = registration_in(&mut tx, r.id).await?;
        notify(&mut tx, mail, kind, &r).await?;
        audit::record(
            &mut tx,
            Some(actor),
            if approve {
                "registration.approve"
            } else {
                "registration.reject"
            },
            "registration",
            Some(r.id),
            None,
        )
        .await?;
        tx.commit().await?;
        self.event_lists.changed();
        Ok(r)
    }

    /// Hands a registration, with its place or waitlist position, to a
    /// colleague who may see the event and is not registered. The code
    /// changes, so the old QR code no longer checks anyone in.
    pub async fn transfer_registration(
        &self,
        person_id: i64,
        registration_id: i64,
        to: &Viewer,
        mail: &dyn EventMail,
    ) -> Result<Registration> {
        let to_id = to.person_id.ok_or(StoreError::NotFound)?;
        if to_id == person_id {
            return Err(StoreError::Conflict("transfer_to_self"));
        }
        let r = self.my_registration(person_id, registration_id).await?;
        // The colleague must be able to see the event.
        self.event(to, r.event_id)
            .await
            .map_err(|_| StoreError::Conflict("transfer_target_cannot_see_event"))?;
        let mut tx = self.begin_write().await?;
        lock_event(&mut tx, self.backend(), r.event_id).await?;
        let r = own_registration(&mut tx, self, person_id, registration_id).await?;
        if !r.status().is_active() || r.checked_in_at.is_some() {
            return Err(StoreError::Conflict("registration_not_active"));
        }
        let theirs: Option<String> = sqlx::query_scalar(
            "SELECT status FROM registrations WHERE event_id = $1 AND person_id = $2",
        )
        .bind(r.event_id)
        .bind(to_id)
        .fetch_optional(&mut *tx)
        .await?;
        match theirs.as_deref().and_then(S::parse) {
            Some(s) if s.is_active() => return Err(StoreError::Conflict("already_registered")),
            // An old, inactive registration of theirs makes way.
            Some(_) => {
                sqlx::query("DELETE FROM registrations WHERE event_id = $1 AND person_id = $2")
                    .bind(r.event_id)
                    .bind(to_id)
                    .execute(&mut *tx)
                    .await?;
            }
            None => {}
        }
        sqlx::query(
            "UPDATE registrations SET person_id = $1, code = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(to_id)
        .bind(new_code())
        .bind(now())
        .bind(r.id)
        .execute(&mut *tx)
        .await?;
        history(
            &mut tx,
            r.id,
            r.status(),
            Some(person_id),
            Some("transferred"),
        )
        .await?;
        let r = registration_in(&mut tx, r.id).await?;
        let kind = match r.status() {
            S::Confirmed => NoticeKind::Confirmed,
            S::Offered => NoticeKind::Offered,
            S::Pending => NoticeKind::Pending,
            _ => NoticeKind::Waitlisted,
        };
        notify(&mut tx, mail, kind, &r).await?;
        tx.commit().await?;
        self.event_lists.changed();
        Ok(r)
    }

    /// Marks attendance by the code in the QR code (or typed). Only a
    /// confirmed registration of this event checks in; a second scan says
    /// so and changes nothing. A fan of the partnership gets an attendance
    /// entry in their support ledger (volunteer hours for a volunteer shift).
    pub async fn check_in(&self, actor: i64, event_id: i64, code: &str) -> Result<CheckIn> {
        let code = kizuna_domain::event::normalise_code(code);
        let mut tx = self.begin_write().await?;
        let ev = lock_event(&mut tx, self.backend(), event_id).await?;
        let sql =
            format!("SELECT {COLUMNS} FROM registrations r WHERE r.event_id = $1 AND r.code = $2");
        let r: Registration = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(event_id)
            .bind(&code)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::Conflict("unknown_code"))?;
        let display_name: String =
            sqlx::query_scalar("SELECT display_name FROM people WHERE id = $1")
                .bind(r.person_id)
                .fetch_one(&mut *tx)
                .await?;
        if r.checked_in_at.is_some() {
            tx.rollback().await?;
            return Ok(CheckIn {
                registration: r,
                display_name,
                already: true,
            });
        }
        if r.status() != S::Confirmed {
            return Err(StoreError::Conflict("registration_not_confirmed"));
        }
        let t = now();
        sqlx::query("UPDATE registrations SET checked_in_at = $1, updated_at = $1 WHERE id = $2")
            .bind(t)
            .bind(r.id)
            .execute(&mut *tx)
            .await?;
        history(&mut tx, r.id, S::Confirmed, Some(actor), Some("checked_in")).await?;
        attendance_entry(&mut tx, &ev, event_id, r.person_id).await?;
        let r = registration_in(&mut tx, r.id).await?;
        tx.commit().await?;
        self.event_lists.changed();
        Ok(CheckIn {
            registration: r,
            display_name,
            already: false,
        })
    }

    /// Reminds everyone confirmed for events starting within the next day,
    /// once each (run by the job loop). Returns how many were reminded.
    pub async fn send_reminders(&self, mail: &dyn EventMail) -> Result<usize> {
        let t = now();
        let due: Vec<i64> = sqlx::query_scalar(
            "SELECT r.id FROM registrations r JOIN events e ON e.id = r.event_id
             WHERE r.status = 'confirmed' AND r.reminded_at IS NULL AND e.status = 'scheduled'
               AND e.starts_at > $1 AND e.starts_at <= $2
             ORDER BY r.id LIMIT 1000",
        )
        .bind(t)
        .bind(t + 86_400)
        .fetch_all(self.pool())
        .await?;
        for id in &due {
            let mut tx = self.begin_write().await?;
            let claimed = sqlx::query(
                "UPDATE registrations SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL",
            )
            .bind(t)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            // Another process got there first.
            if claimed.rows_affected() == 1 {
                let r = registration_in(&mut tx, *id).await?;
                notify(&mut tx, mail, NoticeKind::Reminder, &r).await?;
            }
            tx.commit().await?;
            self.event_lists.changed();
        }
        Ok(due.len())
    }

    /// A registration its owner may see; `NotFound` for anyone else.
    pub async fn my_registration(
        &self,
        person_id: i64,
        registration_id: i64,
    ) -> Result<Registration> {
        let sql =
            format!("SELECT {COLUMNS} FROM registrations r WHERE r.id = $1 AND r.person_id = $2");
        some(
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(registration_id)
                .bind(person_id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// The event a registration belongs to (for organisers' permission checks).
    pub async fn registration_event(&self, registration_id: i64) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT event_id FROM registrations WHERE id = $1")
                .bind(registration_id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// The person's registration for an event, if any.
    pub async fn registration_for(
        &self,
        person_id: i64,
        event_id: i64,
    ) -> Result<Option<Registration>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM registrations r WHERE r.event_id = $1 AND r.person_id = $2"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(event_id)
            .bind(person_id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// The person's registrations with their events, soonest first;
    /// `upcoming` leaves out events that have ended.
    pub async fn my_registrations(
        &self,
        person_id: i64,
        upcoming: bool,
    ) -> Result<Vec<MyRegistration>> {
        Ok(sqlx::query_as(
            "SELECT r.id, r.event_id, r.status, r.guests, r.code, r.offer_expires_at, r.checked_in_at,
                    r.created_at, e.title, e.title_en, e.starts_at, e.ends_at, e.venue, e.address, e.online_url,
                    e.status AS event_status
             FROM registrations r JOIN events e ON e.id = r.event_id
             WHERE r.person_id = $1 AND ($2 = 0 OR e.ends_at > $3)
             ORDER BY e.starts_at, r.id",
        )
        .bind(person_id)
        .bind(i64::from(upcoming))
        .bind(now())
        .fetch_all(self.pool())
        .await?)
    }

    /// Everyone registered for an event, waitlist in its order (organisers).
    pub async fn participants(&self, event_id: i64) -> Result<Vec<Participant>> {
        Ok(sqlx::query_as(
            "SELECT r.id AS registration_id, r.person_id, p.display_name, p.email, r.status, r.guests, r.queued_at, r.checked_in_at,
                    r.answers
             FROM registrations r JOIN people p ON p.id = r.person_id
             WHERE r.event_id = $1
             ORDER BY CASE r.status WHEN 'confirmed' THEN 0 WHEN 'offered' THEN 1 WHEN 'pending' THEN 2
                      WHEN 'waitlisted' THEN 3 ELSE 4 END, r.queued_at, r.id",
        )
        .bind(event_id)
        .fetch_all(self.pool())
        .await?)
    }
}

fn check_open(ev: &LockedEvent, t: i64) -> Result<()> {
    if ev.status != "scheduled" {
        return Err(StoreError::Conflict("event_cancelled"));
    }
    if ev.registration_opens_at.is_some_and(|o| t < o) {
        return Err(StoreError::Conflict("registration_not_open"));
    }
    if t >= ev.registration_closes_at.unwrap_or(ev.starts_at) {
        return Err(StoreError::Conflict("registration_closed"));
    }
    Ok(())
}

/// A place if `need` seats are free and nobody is waiting ahead; else the
/// waitlist — one conditional update, which takes the seats only if both hold.
async fn seat_or_queue(tx: &mut Tx, event_id: i64, need: i64) -> Result<S> {
    Ok(
        if take_seats(tx, event_id, need, Taking::NobodyWaiting).await? {
            S::Confirmed
        } else {
            S::Waitlisted
        },
    )
}

/// When places may be taken, besides fitting.
#[derive(Clone, Copy)]
enum Taking {
    /// A freed place offered to the first in line.
    Fits,
    /// Nobody may be waiting ahead (an approved registration).
    NobodyWaiting,
    /// A registration at `at`: open then, not approved one by one, and
    /// nobody waiting — the usual registration decided in one statement.
    Registering { at: i64 },
}

/// Takes `need` places if they fit and `when` holds — one conditional
/// update; answers whether it did.
async fn take_seats(tx: &mut Tx, event_id: i64, need: i64, when: Taking) -> Result<bool> {
    const WAITING: &str = "AND NOT EXISTS (SELECT 1 FROM registrations WHERE event_id = $2 AND status = 'waitlisted')";
    let extra = match when {
        Taking::Fits => String::new(),
        Taking::NobodyWaiting => WAITING.to_string(),
        Taking::Registering { .. } => format!(
            "{WAITING} AND status = 'scheduled' AND needs_approval = 0
               AND (registration_opens_at IS NULL OR registration_opens_at <= $3)
               AND $3 < COALESCE(registration_closes_at, starts_at)"
        ),
    };
    let sql = format!(
        "UPDATE events SET seats_taken = seats_taken + $1
         WHERE id = $2 AND (capacity IS NULL OR seats_taken + $1 <= capacity) {extra}"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(need)
        .bind(event_id);
    if let Taking::Registering { at } = when {
        q = q.bind(at);
    }
    Ok(q.execute(&mut **tx).await?.rows_affected() == 1)
}

/// Offers freed places to the people waiting, first come first served: the
/// first in line gets an offer if their party fits; a larger party is not
/// skipped for a smaller one behind it.
pub(crate) async fn fill_from_waitlist(
    tx: &mut Tx,
    event_id: i64,
    mail: &dyn EventMail,
) -> Result<()> {
    let offer_hours: i64 = sqlx::query_scalar("SELECT offer_hours FROM events WHERE id = $1")
        .bind(event_id)
        .fetch_one(&mut **tx)
        .await?;
    loop {
        let sql = format!(
            "SELECT {COLUMNS} FROM registrations r WHERE r.event_id = $1 AND r.status = 'waitlisted'
             ORDER BY r.queued_at, r.id LIMIT 1"
        );
        let next: Option<Registration> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(event_id)
            .fetch_optional(&mut **tx)
            .await?;
        let Some(r) = next else { return Ok(()) };
        let need = 1 + r.guests;
        if !take_seats(tx, event_id, need, Taking::Fits).await? {
            return Ok(());
        }
        set_status(tx, r.id, S::Offered, need, None, None).await?;
        sqlx::query("UPDATE registrations SET offer_expires_at = $1 WHERE id = $2")
            .bind(now() + offer_hours * 3600)
            .bind(r.id)
            .execute(&mut **tx)
            .await?;
        let r = registration_in(tx, r.id).await?;
        notify(tx, mail, NoticeKind::Offered, &r).await?;
    }
}

/// Ends a registration's part in the event, giving back its places.
async fn leave(
    tx: &mut Tx,
    r: &Registration,
    status: S,
    actor: Option<i64>,
    note: Option<&str>,
) -> Result<()> {
    if r.seats > 0 {
        sqlx::query("UPDATE events SET seats_taken = seats_taken - $1 WHERE id = $2")
            .bind(r.seats)
            .bind(r.event_id)
            .execute(&mut **tx)
            .await?;
    }
    set_status(tx, r.id, status, 0, actor, note).await
}

async fn expire(tx: &mut Tx, r: &Registration, mail: &dyn EventMail) -> Result<()> {
    leave(tx, r, S::Expired, None, Some("offer_expired")).await?;
    let expired = registration_in(tx, r.id).await?;
    notify(tx, mail, NoticeKind::OfferExpired, &expired).await?;
    fill_from_waitlist(tx, r.event_id, mail).await
}

async fn set_status(
    tx: &mut Tx,
    id: i64,
    status: S,
    seats: i64,
    actor: Option<i64>,
    note: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "UPDATE registrations SET status = $1, seats = $2, updated_at = $3,
             offer_expires_at = CASE WHEN $1 = 'offered' THEN offer_expires_at ELSE NULL END
         WHERE id = $4",
    )
    .bind(status.as_str())
    .bind(seats)
    .bind(now())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    history(tx, id, status, actor, note).await
}

pub(crate) async fn history(
    tx: &mut Tx,
    id: i64,
    status: S,
    actor: Option<i64>,
    note: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO registration_history (registration_id, status, actor_id, note, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(actor)
    .bind(note)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn registration_in(tx: &mut Tx, id: i64) -> Result<Registration> {
    let sql = format!("SELECT {COLUMNS} FROM registrations r WHERE r.id = $1");
    some(
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// The registration if it is the person's, after locking its event.
async fn own_registration(
    tx: &mut Tx,
    store: &Store,
    person_id: i64,
    id: i64,
) -> Result<Registration> {
    let r = registration_in(tx, id).await?;
    if r.person_id != person_id {
        return Err(StoreError::NotFound);
    }
    lock_event(tx, store.backend(), r.event_id).await?;
    // Read again under the lock: it may have changed while we waited.
    registration_in(tx, id).await
}

/// What a registration needs to know before taking the write lock.
#[derive(sqlx::FromRow)]
struct BeforeRegistering {
    email: String,
    display_name: String,
    locale: String,
    /// The person's registration for the event, if they ever had one.
    status: Option<String>,
    /// The event's questions as a JSON array.
    questions: String,
    /// The person's other events at overlapping times (a warning, not a
    /// refusal), as a JSON array.
    overlaps: String,
}

impl Store {
    async fn before_registering(
        &self,
        event_id: i64,
        person_id: i64,
        (starts_at, ends_at): (i64, i64),
    ) -> Result<BeforeRegistering> {
        use crate::events::QUESTION_FIELDS;
        let questions = crate::json_rows::wrap(
            self.backend(),
            &QUESTION_FIELDS,
            &format!(
                "SELECT {} FROM event_questions WHERE event_id = $1",
                QUESTION_FIELDS.join(", ")
            ),
            "x.position, x.id",
        );
        let overlaps = crate::json_rows::wrap(
            self.backend(),
            &["event_id", "title", "starts_at", "ends_at"],
            "SELECT e.id AS event_id, e.title, e.starts_at, e.ends_at FROM registrations o JOIN events e ON e.id = o.event_id
             WHERE o.person_id = $2 AND o.event_id <> $1 AND o.status IN ('confirmed', 'waitlisted', 'offered', 'pending')
               AND e.status = 'scheduled' AND e.starts_at < $4 AND e.ends_at > $3",
            "x.starts_at, x.event_id",
        );
        let sql = format!(
            "SELECT p.email, p.display_name, p.locale, r.status, ({questions}) AS questions, ({overlaps}) AS overlaps
             FROM people p LEFT JOIN registrations r ON r.event_id = $1 AND r.person_id = p.id
             WHERE p.id = $2"
        );
        some(
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(event_id)
                .bind(person_id)
                .bind(starts_at)
                .bind(ends_at)
                .fetch_optional(self.pool())
                .await?,
        )
    }
}

/// One registration, as asked and read before the write lock.
struct Ask {
    event_id: i64,
    person_id: i64,
    guests: i64,
    answers: String,
    /// The person registered before and cancelled: their row is reused.
    again: bool,
    who: Recipient,
    about: About,
}

struct RegisterJob<'x> {
    backend: crate::Backend,
    ask: &'x Ask,
    mail: &'x dyn EventMail,
}

impl crate::group_commit::Job for RegisterJob<'_> {
    type Output = Registration;
    fn run<'a>(
        &'a self,
        tx: &'a mut Tx,
    ) -> std::pin::Pin<
        Box<dyn Future<Output = crate::group_commit::JobResult<Registration>> + Send + 'a>,
    > {
        Box::pin(register_in(tx, self.backend, self.ask, self.mail))
    }
}

/// Decides and stores one registration inside a write transaction: a place
/// if one is free and nobody is waiting; otherwise the waitlist; or pending
/// when the organiser approves registrations. Refusals come before anything
/// is written (see `group_commit::JobResult`).
async fn register_in(
    tx: &mut Tx,
    backend: crate::Backend,
    ask: &Ask,
    mail: &dyn EventMail,
) -> crate::group_commit::JobResult<Registration> {
    let t = now();
    let need = 1 + ask.guests;
    // PostgreSQL: the event's row lock orders the decisions about it.
    // SQLite: the write lock already does, and the usual case — a free
    // place — needs no read first.
    let locked = match backend {
        crate::Backend::Postgres => match lock_event(tx, backend, ask.event_id).await {
            Ok(ev) => Some(ev),
            Err(e) => return Ok(Err(e)),
        },
        crate::Backend::Sqlite => None,
    };
    let took = take_seats(tx, ask.event_id, need, Taking::Registering { at: t }).await?;
    let status = if took {
        S::Confirmed
    } else {
        let ev = match locked {
            Some(ev) => ev,
            None => match lock_event(tx, backend, ask.event_id).await {
                Ok(ev) => ev,
                Err(e) => return Ok(Err(e)),
            },
        };
        if let Err(e) = check_open(&ev, t) {
            return Ok(Err(e));
        }
        if ev.capacity.is_some_and(|c| need > c) {
            return Ok(Err(StoreError::Conflict("party_larger_than_capacity")));
        }
        if ev.needs_approval == 1 {
            S::Pending
        } else {
            S::Waitlisted
        }
    };
    let seats = if status.holds_seats() { need } else { 0 };
    let sql = if ask.again {
        // Registering again after cancelling reuses the row, if it is
        // still inactive (nobody else changes a person's registration).
        format!(
            "UPDATE registrations SET status = $3, guests = $4, seats = $5, code = $6, queued_at = $7,
                 offer_expires_at = NULL, checked_in_at = NULL, updated_at = $7, answers = $8
             WHERE event_id = $1 AND person_id = $2
               AND status NOT IN ('confirmed', 'waitlisted', 'offered', 'pending')
             RETURNING {RETURNING}"
        )
    } else {
        format!(
            "INSERT INTO registrations (event_id, person_id, status, guests, seats, code, queued_at, created_at, updated_at, answers)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7, $8) RETURNING {RETURNING}"
        )
    };
    let stored: Result<Option<Registration>> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(ask.event_id)
        .bind(ask.person_id)
        .bind(status.as_str())
        .bind(ask.guests)
        .bind(seats)
        .bind(new_code())
        .bind(t)
        .bind(&ask.answers)
        .fetch_optional(&mut **tx)
        .await
        .map_err(StoreError::unique_as("already_registered"));
    let registration = match stored {
        Ok(Some(r)) => r,
        // A duplicate that raced past the check: a refusal if no place was
        // taken for it, else the places must be given back with the batch.
        Ok(None) if !took => return Ok(Err(StoreError::Conflict("already_registered"))),
        Err(e @ StoreError::Conflict(_)) if !took => return Ok(Err(e)),
        Ok(None) => return Err(StoreError::Conflict("already_registered")),
        Err(e) => return Err(e),
    };
    history(tx, registration.id, status, Some(ask.person_id), None).await?;
    let kind = match status {
        S::Confirmed => NoticeKind::Confirmed,
        S::Pending => NoticeKind::Pending,
        _ => NoticeKind::Waitlisted,
    };
    send(
        tx,
        mail,
        kind,
        ask.who.clone(),
        ask.about.clone(),
        &registration,
    )
    .await?;
    Ok(Ok(registration))
}

/// Who a notice goes to.
#[derive(Clone, sqlx::FromRow)]
struct Recipient {
    email: String,
    display_name: String,
    locale: String,
}

/// What a notice says of its event.
#[derive(Clone, sqlx::FromRow)]
struct About {
    title: String,
    title_en: Option<String>,
    starts_at: i64,
    ends_at: i64,
    venue: Option<String>,
    address: Option<String>,
    online_url: Option<String>,
}

pub(crate) async fn notify(
    tx: &mut Tx,
    mail: &dyn EventMail,
    kind: NoticeKind,
    r: &Registration,
) -> Result<()> {
    let who: Recipient =
        sqlx::query_as("SELECT email, display_name, locale FROM people WHERE id = $1")
            .bind(r.person_id)
            .fetch_one(&mut **tx)
            .await?;
    let about: About = sqlx::query_as(
        "SELECT title, title_en, starts_at, ends_at, venue, address, online_url FROM events WHERE id = $1",
    )
    .bind(r.event_id)
    .fetch_one(&mut **tx)
    .await?;
    send(tx, mail, kind, who, about, r).await
}

/// Queues the notice's mail, if the mailer writes one.
async fn send(
    tx: &mut Tx,
    mail: &dyn EventMail,
    kind: NoticeKind,
    who: Recipient,
    about: About,
    r: &Registration,
) -> Result<()> {
    let notice = Notice {
        kind,
        to_addr: who.email,
        display_name: who.display_name,
        locale: who.locale,
        event_id: r.event_id,
        event_title: about.title,
        event_title_en: about.title_en,
        starts_at: about.starts_at,
        ends_at: about.ends_at,
        venue: about.venue,
        address: about.address,
        online_url: about.online_url,
        registration: r.clone(),
    };
    if let Some(m) = mail.mail(&notice) {
        outbox::enqueue(tx, &m).await?;
    }
    Ok(())
}

/// Attendance in the support ledger of the person's fan profile in the
/// event's partnership, if they have one.
async fn attendance_entry(
    tx: &mut Tx,
    ev: &LockedEvent,
    event_id: i64,
    person_id: i64,
) -> Result<()> {
    let fan: Option<i64> =
        sqlx::query_scalar("SELECT id FROM fans WHERE person_id = $1 AND partnership_id = $2")
            .bind(person_id)
            .bind(ev.partnership_id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(fan_id) = fan else { return Ok(()) };
    let (kind, title, code): (String, String, Option<String>) =
        sqlx::query_as("SELECT kind, title, municipality_code FROM events WHERE id = $1")
            .bind(event_id)
            .fetch_one(&mut **tx)
            .await?;
    let (entry_kind, minutes) = if kind == "volunteer" {
        (
            kizuna_domain::ledger::EntryKind::VolunteerHours,
            Some((ev.ends_at - ev.starts_at) / 60),
        )
    } else {
        (kizuna_domain::ledger::EntryKind::Attendance, None)
    };
    let points = crate::ledger::points_with(&mut **tx, ev.partnership_id, entry_kind).await?;
    let (y, m, d, _, _) = kizuna_domain::event::jst_parts(ev.starts_at);
    let t = now();
    sqlx::query(
        "INSERT INTO ledger_entries (fan_id, partnership_id, kind, occurred_on, municipality_code, minutes, note, points,
             created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(fan_id)
    .bind(ev.partnership_id)
    .bind(entry_kind.as_str())
    .bind(format!("{y:04}-{m:02}-{d:02}"))
    .bind(code)
    .bind(minutes)
    .bind(title)
    .bind(points)
    .bind(t)
    .execute(&mut **tx)
    .await?;
    crate::ledger::ledger_changed(tx, fan_id).await
}

/// A fresh check-in code.
fn new_code() -> String {
    let mut rng = rand::rng();
    (0..CODE_LEN)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// Gives back every place the person holds and ends their active
/// registrations (before their account is erased): each event's waitlist
/// moves on as it would after a cancellation.
pub(crate) async fn withdraw_all(
    tx: &mut Tx,
    backend: crate::Backend,
    person_id: i64,
    mail: &dyn EventMail,
) -> Result<()> {
    let active: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, event_id FROM registrations WHERE person_id = $1
           AND status IN ('confirmed', 'waitlisted', 'offered', 'pending') ORDER BY id",
    )
    .bind(person_id)
    .fetch_all(&mut **tx)
    .await?;
    for (id, event_id) in active {
        lock_event(tx, backend, event_id).await?;
        let r = registration_in(tx, id).await?;
        leave(tx, &r, S::Cancelled, None, Some("account_erased")).await?;
        fill_from_waitlist(tx, event_id, mail).await?;
    }
    Ok(())
}
