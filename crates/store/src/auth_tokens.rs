//! One-time links sent by e-mail: address verification and password reset.

use crate::{Result, StoreError, Tx, now};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
        }
    }

    /// How long a link stays valid: a day to verify, an hour to reset.
    pub fn lifetime_secs(self) -> i64 {
        match self {
            Self::VerifyEmail => 24 * 3600,
            Self::ResetPassword => 3600,
        }
    }
}

pub(crate) async fn insert(
    tx: &mut Tx,
    person_id: i64,
    purpose: TokenPurpose,
    token_hash: &str,
) -> Result<()> {
    let t = now();
    sqlx::query(
        "INSERT INTO auth_tokens (token_hash, person_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(person_id)
    .bind(purpose.as_str())
    .bind(t)
    .bind(t + purpose.lifetime_secs())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Uses a link once: `NotFound` if unknown or used, `Expired` if too old.
pub(crate) async fn consume(tx: &mut Tx, purpose: TokenPurpose, token_hash: &str) -> Result<i64> {
    let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT person_id, expires_at, used_at FROM auth_tokens WHERE token_hash = $1 AND purpose = $2",
    )
    .bind(token_hash)
    .bind(purpose.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let (person_id, expires_at, used_at) = row.ok_or(StoreError::NotFound)?;
    if used_at.is_some() {
        return Err(StoreError::NotFound);
    }
    if expires_at < now() {
        return Err(StoreError::Expired);
    }
    sqlx::query("UPDATE auth_tokens SET used_at = $1 WHERE token_hash = $2")
        .bind(now())
        .bind(token_hash)
        .execute(&mut **tx)
        .await?;
    Ok(person_id)
}

impl crate::Store {
    /// Test and support helper: moves a link's expiry (e.g. to prove expired links fail).
    pub async fn expire_links_of(&self, person_id: i64) -> Result<()> {
        sqlx::query("UPDATE auth_tokens SET expires_at = $1 WHERE person_id = $2")
            .bind(now() - 1)
            .bind(person_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
