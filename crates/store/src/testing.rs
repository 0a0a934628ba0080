//! Test support: every test gets a database of its own, a temporary SQLite
//! file or a fresh PostgreSQL database on the server named by
//! `KIZUNA_TEST_POSTGRES_URL` (CI sets it; see .ci/run).

use crate::Store;
use sqlx::Connection;

pub const POSTGRES_ENV: &str = "KIZUNA_TEST_POSTGRES_URL";

pub struct TestDb {
    pub url: String,
    file: Option<std::path::PathBuf>,
}

impl TestDb {
    /// A new SQLite file in the temporary directory, removed on drop.
    pub fn sqlite() -> Self {
        let name = format!(
            "kizuna-test-{}.db",
            crate::tokens::new_secret("")[..16].to_owned()
        );
        let path = std::env::temp_dir().join(name);
        Self {
            url: format!("sqlite://{}", path.display()),
            file: Some(path),
        }
    }

    /// A new, empty PostgreSQL database. Panics when the server is not
    /// configured: the callers are compiled only when it is (cfg `kizuna_pg`).
    pub async fn postgres() -> Self {
        let base = std::env::var(POSTGRES_ENV).unwrap_or_else(|_| {
            panic!("{POSTGRES_ENV} is not set: the PostgreSQL half of the tests needs it")
        });
        let name = format!("kizuna_t_{}", &crate::tokens::new_secret("")[..16]);
        let mut conn = sqlx::postgres::PgConnection::connect(&base)
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {POSTGRES_ENV}: {e}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("CREATE DATABASE (the test role needs CREATEDB)");
        let _ = conn.close().await;
        let (prefix, query) = match base.split_once('?') {
            Some((p, q)) => (p.to_string(), format!("?{q}")),
            None => (base.clone(), String::new()),
        };
        let server = prefix
            .rsplit_once('/')
            .map(|(s, _)| s.to_string())
            .unwrap_or(prefix);
        Self {
            url: format!("{server}/{name}{query}"),
            file: None,
        }
    }

    pub async fn open(&self) -> Store {
        Store::open(&self.url, 8).await.expect("open test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(f) = &self.file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", f.display()));
            }
        }
    }
}

/// Moves an entry's creation time back by `days` (to test the edit period).
pub async fn backdate_entry(store: &Store, entry_id: i64, days: i64) {
    sqlx::query("UPDATE ledger_entries SET created_at = created_at - $1 WHERE id = $2")
        .bind(days * 86_400)
        .bind(entry_id)
        .execute(store.pool())
        .await
        .expect("backdate entry");
}
