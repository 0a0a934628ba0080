//! Uploaded files, kept in the database so every server process can read
//! them (rosters awaiting confirmation, photos).

use crate::{Result, Store, StoreError, now};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredFile {
    pub id: i64,
    pub owner_id: Option<i64>,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Store {
    pub async fn save_file(&self, owner_id: i64, content_type: &str, bytes: &[u8]) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO files (owner_id, content_type, bytes, sha256, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(owner_id)
        .bind(content_type)
        .bind(bytes.to_vec())
        .bind(hex::encode(Sha256::digest(bytes)))
        .bind(now())
        .fetch_one(self.pool())
        .await?)
    }

    /// A file, only for its owner (`NotFound` otherwise).
    pub async fn owned_file(&self, id: i64, owner_id: i64) -> Result<StoredFile> {
        sqlx::query_as(
            "SELECT id, owner_id, content_type, bytes FROM files WHERE id = $1 AND owner_id = $2",
        )
        .bind(id)
        .bind(owner_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)
    }

    pub async fn file(&self, id: i64) -> Result<StoredFile> {
        sqlx::query_as("SELECT id, owner_id, content_type, bytes FROM files WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn delete_file(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM files WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
