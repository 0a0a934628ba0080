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

/// The type of a value read from a JSON parameter (PostgreSQL wants it said).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonType {
    Int,
    Text,
}

/// Values passed the other way: many rows as one bound JSON text.
///
/// Why: through sqlx's Any driver every bound value costs microseconds, so a
/// multi-row `VALUES` list of 100,000 rows × 9 columns spent seconds only in
/// binding. A JSON array costs one bind, and the database splits it.
///
/// `$param` holds a JSON array of arrays; the result is a subquery with the
/// columns `c0, c1, …` typed by `cols`.
pub(crate) fn table(backend: Backend, param: usize, cols: &[JsonType]) -> String {
    let columns = cols
        .iter()
        .enumerate()
        .map(|(i, t)| match (backend, t) {
            (Backend::Sqlite, _) => format!("value ->> {i} AS c{i}"),
            (Backend::Postgres, JsonType::Text) => format!("v ->> {i} AS c{i}"),
            (Backend::Postgres, JsonType::Int) => format!("CAST(v ->> {i} AS BIGINT) AS c{i}"),
        })
        .collect::<Vec<_>>()
        .join(", ");
    match backend {
        Backend::Sqlite => format!("SELECT {columns} FROM json_each(${param})"),
        Backend::Postgres => {
            format!("SELECT {columns} FROM json_array_elements(CAST(${param} AS JSON)) AS e(v)")
        }
    }
}

/// `$param` holds a JSON array of scalars; the result is a subquery with one
/// column, `v`, typed by `ty`.
pub(crate) fn list(backend: Backend, param: usize, ty: JsonType) -> String {
    match (backend, ty) {
        (Backend::Sqlite, _) => format!("SELECT value AS v FROM json_each(${param})"),
        (Backend::Postgres, JsonType::Text) => {
            format!("SELECT value AS v FROM json_array_elements_text(CAST(${param} AS JSON))")
        }
        (Backend::Postgres, JsonType::Int) => format!(
            "SELECT CAST(value AS BIGINT) AS v FROM json_array_elements_text(CAST(${param} AS JSON))"
        ),
    }
}

/// The JSON text of values to bind as one parameter.
pub(crate) fn param<T: serde::Serialize + ?Sized>(values: &T) -> String {
    // Serialising plain numbers, strings and tuples of them cannot fail.
    serde_json::to_string(values).unwrap_or_else(|_| "[]".into())
}
