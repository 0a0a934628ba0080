//! Files attached to a challenge (a form, a screenshot of the current
//! system, a spreadsheet of the workload). They belong to the challenge,
//! not to whoever uploaded them. The server decides what a file is and how
//! big it may be; the store keeps it and says who may read it.

use crate::board::{Step, record};
use crate::error::some;
use crate::{Result, Store, StoreError, now};
use kizuna_domain::Viewer;

/// At most this many files per challenge.
pub const MAX_ATTACHMENTS: i64 = 10;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Attachment {
    pub id: i64,
    pub challenge_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: i64,
}

impl Store {
    /// Attaches a file (its municipality's staff and coordinators).
    pub async fn add_attachment(
        &self,
        viewer: &Viewer,
        challenge_id: i64,
        name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<i64> {
        let c = self.challenge(viewer, challenge_id).await?;
        crate::board::mover(viewer, &c)?;
        let actor = viewer.person_id.ok_or(StoreError::NotFound)?;
        let mut tx = self.begin_write().await?;
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM challenge_attachments WHERE challenge_id = $1",
        )
        .bind(challenge_id)
        .fetch_one(&mut *tx)
        .await?;
        if count >= MAX_ATTACHMENTS {
            return Err(StoreError::Conflict("too_many_attachments"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO challenge_attachments (challenge_id, name, content_type, size, bytes, uploaded_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(challenge_id)
        .bind(name)
        .bind(content_type)
        .bind(bytes.len() as i64)
        .bind(bytes)
        .bind(actor)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            challenge_id,
            Some(actor),
            Step::new("attached").other(id).reason(name),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A challenge's files (without their bytes).
    pub async fn attachments(&self, viewer: &Viewer, challenge_id: i64) -> Result<Vec<Attachment>> {
        self.challenge(viewer, challenge_id).await?;
        self.attachments_of(challenge_id).await
    }

    /// The files of a challenge the caller has already read for its viewer.
    pub async fn attachments_of(&self, challenge_id: i64) -> Result<Vec<Attachment>> {
        Ok(sqlx::query_as(
            "SELECT id, challenge_id, name, content_type, size, created_at FROM challenge_attachments
             WHERE challenge_id = $1 ORDER BY id",
        )
        .bind(challenge_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// A file with its bytes, if the viewer may see its challenge.
    pub async fn attachment(&self, viewer: &Viewer, id: i64) -> Result<(Attachment, Vec<u8>)> {
        let (challenge_id, bytes): (i64, Vec<u8>) = some(
            sqlx::query_as("SELECT challenge_id, bytes FROM challenge_attachments WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )?;
        let meta = self
            .attachments(viewer, challenge_id)
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or(StoreError::NotFound)?;
        Ok((meta, bytes))
    }

    /// Removes a file (its municipality's staff and coordinators).
    pub async fn delete_attachment(&self, viewer: &Viewer, id: i64) -> Result<()> {
        let (meta, _) = self.attachment(viewer, id).await?;
        let c = self.challenge(viewer, meta.challenge_id).await?;
        crate::board::mover(viewer, &c)?;
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM challenge_attachments WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            meta.challenge_id,
            viewer.person_id,
            Step::new("detached").other(id).reason(&meta.name),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
