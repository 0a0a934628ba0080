//! The audit log: who changed what, and when. Written in the same
//! transaction as the change, so the log and the data never disagree.

use crate::{Result, Store, Tx, now};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<i64>,
    pub detail: Option<String>,
    pub logged_at: i64,
}

pub async fn record(
    tx: &mut Tx,
    actor_id: Option<i64>,
    action: &str,
    subject_type: &str,
    subject_id: Option<i64>,
    detail: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (actor_id, action, subject_type, subject_id, detail, logged_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(actor_id)
    .bind(action)
    .bind(subject_type)
    .bind(subject_id)
    .bind(detail)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The newest entries first (instance administrators only; the server checks).
    pub async fn recent_audit(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        Ok(sqlx::query_as(
            "SELECT a.id, a.actor_id, p.display_name AS actor_name, a.action, a.subject_type,
                    a.subject_id, a.detail, a.logged_at
             FROM audit_log a LEFT JOIN people p ON p.id = a.actor_id
             ORDER BY a.id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }
}
