//! A page of rows as one row: a list query wrapped so the database returns
//! its rows as one JSON array.
//!
//! Why: sqlx's SQLite driver runs each connection on its own thread and
//! hands every row to the caller separately — a thread wake-up per row. On
//! the event list (31 rows) that was most of the cost: 1,650 requests a
//! second against 5,900 for the same page with no rows. One JSON row costs
//! one hand-off whatever the page size. Used for the busiest lists only.

use crate::{Backend, Result, StoreError};

/// Wraps `inner` (a SELECT whose column names are `fields`) so it returns
/// one text column: a JSON array of objects, ordered by `order` (written
/// over `x.`, the inner query's alias).
pub(crate) fn wrap(backend: Backend, fields: &[&str], inner: &str, order: &str) -> String {
    let pairs = fields
        .iter()
        .map(|f| format!("'{f}', x.{f}"))
        .collect::<Vec<_>>()
        .join(", ");
    match backend {
        Backend::Sqlite => {
            format!(
                "SELECT json_group_array(json_object({pairs}) ORDER BY {order}) FROM ({inner}) x"
            )
        }
        Backend::Postgres => format!(
            "SELECT CAST(COALESCE(json_agg(json_build_object({pairs}) ORDER BY {order}), '[]') AS TEXT) FROM ({inner}) x"
        ),
    }
}

/// The rows of a wrapped query's result.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(json: &str) -> Result<Vec<T>> {
    serde_json::from_str(json).map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))
}
