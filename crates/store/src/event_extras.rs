//! Around events: personal calendar feeds, feedback after the event and
//! attendance figures for organisers.

use crate::{Result, Store, StoreError, now};

/// Attendance of one event, for its organisers.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Attendance {
    /// Confirmed registrations (people, guests not included).
    pub confirmed: i64,
    /// Places taken, guests included.
    pub seats_taken: i64,
    pub waitlisted: i64,
    pub pending: i64,
    pub checked_in: i64,
    /// Confirmed but not checked in, once the event has ended.
    pub no_shows: i64,
    pub cancelled: i64,
    pub feedback_count: i64,
    /// Average rating × 10 (e.g. 43 for 4.3), when there is feedback.
    pub rating_x10: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Feedback {
    pub rating: i64,
    pub comment: Option<String>,
    pub created_at: i64,
}

impl Store {
    /// A new personal calendar feed for the person; the secret goes into
    /// the feed's URL and only its hash is kept.
    pub async fn create_calendar_feed(&self, person_id: i64, token_hash: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO calendar_feeds (person_id, token_hash, created_at) VALUES ($1, $2, $3)",
        )
        .bind(person_id)
        .bind(token_hash)
        .bind(now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Ends every calendar feed of the person (their URLs stop working).
    pub async fn revoke_calendar_feeds(&self, person_id: i64) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM calendar_feeds WHERE person_id = $1")
                .bind(person_id)
                .execute(self.pool())
                .await?
                .rows_affected(),
        )
    }

    pub async fn calendar_feed_count(&self, person_id: i64) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM calendar_feeds WHERE person_id = $1")
                .bind(person_id)
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// The person behind a feed URL.
    pub async fn calendar_feed_person(&self, token_hash: &str) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT person_id FROM calendar_feeds WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Feedback on an event the person attended or was confirmed for, once
    /// it has started. One per registration; a second is refused.
    pub async fn give_feedback(
        &self,
        person_id: i64,
        registration_id: i64,
        rating: i64,
        comment: Option<&str>,
    ) -> Result<()> {
        if !(1..=5).contains(&rating) {
            return Err(kizuna_domain::ValidationError::new("rating", "unknown_choice").into());
        }
        let comment = kizuna_domain::error::optional_text("comment", comment.unwrap_or(""), 2000)?;
        let row: Option<(i64, String, i64)> = sqlx::query_as(
            "SELECT r.event_id, r.status, e.starts_at FROM registrations r JOIN events e ON e.id = r.event_id
             WHERE r.id = $1 AND r.person_id = $2",
        )
        .bind(registration_id)
        .bind(person_id)
        .fetch_optional(self.pool())
        .await?;
        let (event_id, status, starts_at) = row.ok_or(StoreError::NotFound)?;
        if status != "confirmed" || starts_at > now() {
            return Err(StoreError::Conflict("feedback_not_open"));
        }
        sqlx::query(
            "INSERT INTO event_feedback (registration_id, event_id, rating, comment, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(registration_id)
        .bind(event_id)
        .bind(rating)
        .bind(comment)
        .bind(now())
        .execute(self.pool())
        .await
        .map_err(StoreError::unique_as("feedback_given"))?;
        Ok(())
    }

    pub async fn feedback_of(&self, registration_id: i64) -> Result<Option<Feedback>> {
        Ok(sqlx::query_as(
            "SELECT rating, comment, created_at FROM event_feedback WHERE registration_id = $1",
        )
        .bind(registration_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Every comment left on an event, newest first (organisers; anonymous).
    pub async fn event_feedback(&self, event_id: i64) -> Result<Vec<Feedback>> {
        Ok(sqlx::query_as(
            "SELECT rating, comment, created_at FROM event_feedback WHERE event_id = $1 ORDER BY created_at DESC",
        )
        .bind(event_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn attendance(&self, event_id: i64) -> Result<Attendance> {
        let (seats_taken, ends_at): (i64, i64) =
            sqlx::query_as("SELECT seats_taken, ends_at FROM events WHERE id = $1")
                .bind(event_id)
                .fetch_optional(self.pool())
                .await?
                .ok_or(StoreError::NotFound)?;
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT status, COUNT(*), CAST(SUM(CASE WHEN checked_in_at IS NULL THEN 0 ELSE 1 END) AS BIGINT)
             FROM registrations WHERE event_id = $1 GROUP BY status",
        )
        .bind(event_id)
        .fetch_all(self.pool())
        .await?;
        let count = |s: &str| rows.iter().find(|r| r.0 == s).map_or(0, |r| r.1);
        let checked_in: i64 = rows.iter().map(|r| r.2).sum();
        let (feedback_count, rating_sum): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), CAST(SUM(rating) AS BIGINT) FROM event_feedback WHERE event_id = $1",
        )
        .bind(event_id)
        .fetch_one(self.pool())
        .await?;
        let confirmed = count("confirmed");
        Ok(Attendance {
            confirmed,
            seats_taken,
            waitlisted: count("waitlisted"),
            pending: count("pending"),
            checked_in,
            no_shows: if now() >= ends_at {
                confirmed - checked_in
            } else {
                0
            },
            cancelled: count("cancelled"),
            feedback_count,
            rating_x10: rating_sum
                .filter(|_| feedback_count > 0)
                .map(|s| (s * 10 + feedback_count / 2) / feedback_count),
        })
    }
}
