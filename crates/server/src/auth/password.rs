//! Password hashing with argon2id, off the async threads (a hash takes tens
//! of milliseconds of CPU).

use crate::error::AppError;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("hash: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(format!("hash task: {e}")))?
}

/// True when `password` matches `stored`. A malformed stored hash is a mismatch.
pub async fn verify(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so a wrong
/// address takes as long as a wrong password (no account probing by timing).
pub async fn dummy_verify(password: String) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = match DUMMY.get() {
        Some(h) => h.clone(),
        None => {
            let h = hash("not-a-real-password".into()).await.unwrap_or_default();
            DUMMY.get_or_init(|| h).clone()
        }
    };
    verify(password, stored).await;
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let h = super::hash("red cow peach castle".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify("red cow peach castle".into(), h.clone()).await);
        assert!(!super::verify("red cow peach castlE".into(), h).await);
    }
}
