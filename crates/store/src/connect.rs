//! Opening the database: URL → backend, connection settings, migrations, seed.

use crate::{Result, Store};
use sqlx::any::AnyPoolOptions;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Backend {
    pub fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

impl Store {
    /// Connects without migrating (for commands that must not change the schema).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)
            .ok_or(crate::StoreError::Conflict("unsupported_database_url"))?;
        let url = match backend {
            // Create the file on first start.
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_string(),
        };
        let options = |max: u32| AnyPoolOptions::new().max_connections(max);
        let pool = Self::configure(options(max_connections), backend)
            .connect(&url)
            .await?;
        // SQLite has one writer at a time. Write transactions queue for one
        // dedicated connection here, in order, instead of many connections
        // racing for the file lock and sleeping in SQLite's busy handler
        // (which cost registrations half their throughput under load).
        // Other processes on the same file still wait through busy_timeout.
        let write_pool = match backend {
            Backend::Sqlite => Self::configure(options(1), backend).connect(&url).await?,
            Backend::Postgres => pool.clone(),
        };
        Ok(Self {
            pool,
            write_pool,
            backend,
            municipality_cache: Default::default(),
            summaries: Default::default(),
            board_index: Default::default(),
            board_pages: Default::default(),
            registration_writes: Default::default(),
            event_lists: Default::default(),
        })
    }

    fn configure(options: AnyPoolOptions, backend: Backend) -> AnyPoolOptions {
        options
            .acquire_timeout(Duration::from_secs(10))
            // A ping before every query is one more hand-off to SQLite's
            // connection thread (a third of a page's cost under load) and
            // guards against nothing for a file; a PostgreSQL connection can
            // be dropped by the network or a restart, so it keeps the check.
            .test_before_acquire(backend == Backend::Postgres)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the writer; FULL makes an
                        // acknowledged commit survive power loss (consent, money).
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = FULL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 10000",
                            // 64 MiB of page cache per connection: large imports
                            // otherwise spill to the WAL page by page.
                            "PRAGMA cache_size = -65536",
                            "PRAGMA temp_store = MEMORY",
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
    }

    /// Connects, brings the schema up to date and loads the seed data
    /// (the prefecture and its 59 municipalities) if it is missing.
    pub async fn open(url: &str, max_connections: u32) -> Result<Self> {
        let store = Self::connect(url, max_connections).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        crate::seed::load_municipalities(self).await?;
        crate::fans::backfill_search_grams(self).await
    }
}
