//! What can go wrong in the store, in words the server can act on.

use kizuna_domain::ValidationError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or state rule; the code is stable (e.g. `email_taken`).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// A link or token that is past its time.
    #[error("expired")]
    Expired,
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Maps a unique-constraint violation to a conflict with `code`.
    pub(crate) fn unique_as(code: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
        move |e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(code),
            _ => StoreError::Database(e),
        }
    }
}

/// `NotFound` when a statement that targets one row changed none.
pub(crate) fn found(rows_affected: u64) -> Result<(), StoreError> {
    if rows_affected == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// The row, or `NotFound`.
pub(crate) fn some<T>(row: Option<T>) -> Result<T, StoreError> {
    row.ok_or(StoreError::NotFound)
}
