//! The e-mail outbox: mail is queued in the same transaction as the change
//! that causes it, then delivered by a job that claims rows with a lease, so
//! several server processes never send the same mail twice at once.

use crate::{Backend, Result, Store, Tx, now};

/// An e-mail as subject, plain text and HTML.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Mail {
    pub to_addr: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// An iCalendar file sent as `invite.ics` (event mails).
    pub calendar: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueuedMail {
    pub id: i64,
    pub to_addr: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub calendar: Option<String>,
    pub attempts: i64,
}

/// How long a claim lasts before another worker may retry the mail.
pub const LEASE_SECS: i64 = 120;
/// After this many failures a mail stays unsent and is left for an operator.
pub const MAX_ATTEMPTS: i64 = 8;

pub(crate) async fn enqueue(tx: &mut Tx, mail: &Mail) -> Result<()> {
    let t = now();
    sqlx::query(
        "INSERT INTO outbox (to_addr, subject, text_body, html_body, calendar, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&mail.to_addr)
    .bind(&mail.subject)
    .bind(&mail.text_body)
    .bind(&mail.html_body)
    .bind(mail.calendar.as_deref())
    .bind(t)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Claims up to `limit` due mails for this worker. PostgreSQL skips rows
    /// another worker has locked; SQLite's write lock serialises claimers.
    pub async fn claim_mail(&self, limit: i64) -> Result<Vec<QueuedMail>> {
        let sql = match self.backend() {
            Backend::Postgres => CLAIM_PG,
            Backend::Sqlite => CLAIM_SQLITE,
        };
        let mut tx = self.begin_write().await?;
        let t = now();
        let rows = sqlx::query_as(sql)
            .bind(t + LEASE_SECS)
            .bind(t)
            .bind(MAX_ATTEMPTS)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(rows)
    }

    pub async fn mark_mail_sent(&self, id: i64) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET sent_at = $1, locked_until = NULL, last_error = NULL WHERE id = $2",
        )
        .bind(now())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records a failed delivery and backs off exponentially (1, 2, 4 … minutes).
    pub async fn mark_mail_failed(&self, id: i64, attempts: i64, error: &str) -> Result<()> {
        let backoff = 60 * (1_i64 << attempts.clamp(0, 10));
        sqlx::query(
            "UPDATE outbox SET attempts = $1, last_error = $2, next_attempt_at = $3, locked_until = NULL WHERE id = $4",
        )
        .bind(attempts + 1)
        .bind(error)
        .bind(now() + backoff)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Mail queued for one address, newest first (my page, support, tests).
    pub async fn mail_to(&self, to_addr: &str) -> Result<Vec<Mail>> {
        Ok(sqlx::query_as(
            "SELECT to_addr, subject, text_body, html_body, calendar FROM outbox WHERE to_addr = $1 ORDER BY id DESC",
        )
        .bind(to_addr)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn unsent_mail_count(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
                .fetch_one(self.pool())
                .await?,
        )
    }
}

const CLAIM_SQLITE: &str = "UPDATE outbox SET locked_until = $1
    WHERE id IN (SELECT id FROM outbox
                 WHERE sent_at IS NULL AND next_attempt_at <= $2 AND attempts < $3
                   AND (locked_until IS NULL OR locked_until < $2)
                 ORDER BY id LIMIT $4)
    RETURNING id, to_addr, subject, text_body, html_body, calendar, attempts";

const CLAIM_PG: &str = "UPDATE outbox SET locked_until = $1
    WHERE id IN (SELECT id FROM outbox
                 WHERE sent_at IS NULL AND next_attempt_at <= $2 AND attempts < $3
                   AND (locked_until IS NULL OR locked_until < $2)
                 ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)
    RETURNING id, to_addr, subject, text_body, html_body, calendar, attempts";
