//! Personal access tokens for API clients: shown once, stored hashed, revocable.

use crate::error::found;
use crate::sessions::SignedIn;
use crate::{Result, Store, audit, now};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl Store {
    /// Stores a new token's hash; `prefix` (the first characters) lets people
    /// recognise it later without the secret.
    pub async fn create_api_token(
        &self,
        person_id: i64,
        name: &str,
        token_hash: &str,
        prefix: &str,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (person_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5)
             RETURNING id",
        )
        .bind(person_id)
        .bind(name)
        .bind(token_hash)
        .bind(prefix)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            Some(person_id),
            "api_token.create",
            "api_token",
            Some(id),
            Some(name),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn api_tokens(&self, person_id: i64) -> Result<Vec<ApiToken>> {
        Ok(sqlx::query_as(
            "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens
             WHERE person_id = $1 ORDER BY id DESC",
        )
        .bind(person_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Revokes one of the person's own tokens; another's token is `NotFound`.
    pub async fn revoke_api_token(&self, person_id: i64, token_id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND person_id = $3 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(token_id)
        .bind(person_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        found(n)?;
        audit::record(
            &mut tx,
            Some(person_id),
            "api_token.revoke",
            "api_token",
            Some(token_id),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The person behind a live token. Records use at most once a minute, so
    /// reads through the API do not each become a write.
    pub async fn api_token_person(&self, token_hash: &str) -> Result<Option<SignedIn>> {
        let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, person_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        let Some((id, person_id, last_used)) = row else {
            return Ok(None);
        };
        let t = now();
        if last_used.is_none_or(|u| u < t - 60) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(t)
                .bind(id)
                .execute(self.pool())
                .await?;
        }
        self.signed_in(person_id).await.map(Some)
    }
}
