//! All of Kizuna's SQL. One [`Store`] over sqlx's Any driver runs the same
//! portable SQL on SQLite (embedded) and PostgreSQL (scale-out); the few
//! statements that must differ switch on [`Backend`].
#![forbid(unsafe_code)]

pub mod api_tokens;
pub mod audit;
pub mod auth_tokens;
pub mod board;
pub mod board_files;
pub mod board_index;
pub mod board_social;
pub mod collective;
mod connect;
pub mod demo;
mod error;
pub mod event_extras;
pub mod events;
pub mod fan_figures;
pub mod fans;
pub mod files;
mod group_commit;
mod json_rows;
pub mod ledger;
pub mod login_attempts;
pub mod memberships;
pub mod municipalities;
pub mod open311;
pub mod organisations;
pub mod outbox;
pub mod partnerships;
pub mod people;
pub mod personal_data;
pub mod recent;
pub mod registrations;
pub mod roles;
pub mod roster;
pub mod seed;
pub mod sessions;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod tokens;

pub use connect::Backend;
pub use error::StoreError;

use sqlx::AnyPool;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// The database: a pool and which backend it speaks.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    /// Where write transactions run: one connection on SQLite (see `connect`).
    write_pool: AnyPool,
    backend: Backend,
    municipality_cache: municipalities::MunicipalityCache,
    summaries: ledger::SummaryCache,
    board_index: board_index::SharedIndex,
    board_pages: board::PageCache,
    /// Registrations' writes on SQLite (see `group_commit`).
    registration_writes: group_commit::GroupCommit,
    /// Event lists read in the last moment (see `recent`).
    event_lists: recent::Recent<Vec<events::Event>>,
}

impl Store {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write transaction. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so read-then-write transactions never fail with
    /// SQLITE_BUSY half-way; PostgreSQL uses row locks and needs nothing more.
    pub async fn begin_write(&self) -> Result<Tx> {
        Ok(match self.backend {
            Backend::Sqlite => self.write_pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Answers whether the database takes queries (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.write_pool.close().await;
    }
}

/// Now, as stored: Unix seconds, UTC.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
