//! Sign-in attempts, counted in the database so the limit holds across
//! every server process (an in-memory counter would not).

use crate::{Result, Store, now};

/// Failures allowed in the window before sign-in is paused.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_IP: i64 = 20;
pub const WINDOW_SECS: i64 = 15 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    Open,
    AccountLocked,
    AddressLocked,
}

impl Store {
    pub async fn record_login_attempt(&self, email: &str, ip: &str, succeeded: bool) -> Result<()> {
        sqlx::query("INSERT INTO login_attempts (email, ip, attempted_at, succeeded) VALUES ($1, $2, $3, $4)")
            .bind(email)
            .bind(ip)
            .bind(now())
            .bind(i64::from(succeeded))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Whether another attempt may be made now for this account and address.
    pub async fn login_throttle(&self, email: &str, ip: &str) -> Result<Throttle> {
        let since = now() - WINDOW_SECS;
        let by_account: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND attempted_at > $2 AND succeeded = 0",
        )
        .bind(email)
        .bind(since)
        .fetch_one(self.pool())
        .await?;
        if by_account >= MAX_FAILURES_PER_ACCOUNT {
            return Ok(Throttle::AccountLocked);
        }
        let by_ip: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_attempts WHERE ip = $1 AND attempted_at > $2 AND succeeded = 0",
        )
        .bind(ip)
        .bind(since)
        .fetch_one(self.pool())
        .await?;
        Ok(if by_ip >= MAX_FAILURES_PER_IP {
            Throttle::AddressLocked
        } else {
            Throttle::Open
        })
    }
}
