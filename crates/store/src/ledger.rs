//! The support ledger: one entry per act of support, owned by a fan.
//! Entries can be edited or withdrawn by their owner for the partnership's
//! edit period; coordinators flag or reject implausible ones with a reason.

use crate::{Result, Store, StoreError, audit, now};
use kizuna_domain::ValidationError;
use kizuna_domain::badges::Counted;
use kizuna_domain::ledger::{EntryKind, NewEntry};
use sha2::Digest;
use std::sync::Arc;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub id: i64,
    pub fan_id: i64,
    pub kind: String,
    pub occurred_on: String,
    pub municipality_code: Option<String>,
    pub municipality_name: Option<String>,
    pub amount_yen: Option<i64>,
    pub channel: Option<String>,
    pub products: Option<String>,
    pub url: Option<String>,
    pub platform: Option<String>,
    pub audience: Option<i64>,
    pub minutes: Option<i64>,
    pub note: Option<String>,
    pub evidence_url: Option<String>,
    pub photo_id: Option<i64>,
    pub status: String,
    pub status_reason: Option<String>,
    pub points: i64,
    pub created_at: i64,
}

/// Filters for a fan's ledger.
#[derive(Debug, Clone, Default)]
pub struct LedgerFilter {
    pub kind: Option<String>,
    pub municipality_code: Option<String>,
    /// A page of at most this many entries (`None`: all of them).
    pub limit: Option<i64>,
    pub offset: i64,
}

/// Entries that count for points, badges and figures.
pub const COUNTED: &str = "('active', 'flagged')";

/// The names of the columns of [`SELECT`], for JSON lists.
const ENTRY_FIELDS: [&str; 20] = [
    "id",
    "fan_id",
    "kind",
    "occurred_on",
    "municipality_code",
    "municipality_name",
    "amount_yen",
    "channel",
    "products",
    "url",
    "platform",
    "audience",
    "minutes",
    "note",
    "evidence_url",
    "photo_id",
    "status",
    "status_reason",
    "points",
    "created_at",
];

const SELECT: &str = "SELECT e.id, e.fan_id, e.kind, e.occurred_on, e.municipality_code, m.name AS municipality_name,
    e.amount_yen, e.channel, e.products, e.url, e.platform, e.audience, e.minutes, e.note, e.evidence_url,
    e.photo_id, e.status, e.status_reason, e.points, e.created_at
    FROM ledger_entries e LEFT JOIN municipalities m ON m.code = e.municipality_code";

pub(crate) fn fk_as_unknown_municipality(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            ValidationError::new("municipality_code", "unknown_municipality").into()
        }
        _ => StoreError::Database(e),
    }
}

impl Store {
    /// Points an entry of `kind` earns in the partnership.
    pub async fn points_for(&self, partnership_id: i64, kind: EntryKind) -> Result<i64> {
        points_with(self.pool(), partnership_id, kind).await
    }

    /// Sets the points for a kind of entry (coordinators). Existing entries keep theirs.
    pub async fn set_points(
        &self,
        actor: i64,
        partnership_id: i64,
        kind: EntryKind,
        points: i64,
    ) -> Result<()> {
        if !(0..=1000).contains(&points) {
            return Err(ValidationError::new("points", "too_large").into());
        }
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO point_rules (partnership_id, kind, points) VALUES ($1, $2, $3)
             ON CONFLICT (partnership_id, kind) DO UPDATE SET points = excluded.points",
        )
        .bind(partnership_id)
        .bind(kind.as_str())
        .bind(points)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            Some(actor),
            "points.set",
            "partnership",
            Some(partnership_id),
            Some(kind.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records an entry in the fan's ledger.
    pub async fn add_entry(&self, fan_id: i64, e: &NewEntry) -> Result<i64> {
        self.add_entry_with_photo(fan_id, e, None).await
    }

    /// Records an entry with an optional photo `(bytes, content type)` — the
    /// caller has checked and cleaned it — in one transaction.
    pub async fn add_entry_with_photo(
        &self,
        fan_id: i64,
        e: &NewEntry,
        photo: Option<(&[u8], &str)>,
    ) -> Result<i64> {
        let fan = self.fan(fan_id).await?;
        let points = self.points_for(fan.partnership_id, e.kind).await?;
        let mut tx = self.begin_write().await?;
        let t = now();
        let photo_id: Option<i64> = match photo {
            Some((bytes, content_type)) => Some(
                sqlx::query_scalar(
                    "INSERT INTO files (owner_id, content_type, bytes, sha256, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(fan.person_id)
                .bind(content_type)
                .bind(bytes.to_vec())
                .bind(hex::encode(sha2::Sha256::digest(bytes)))
                .bind(t)
                .fetch_one(&mut *tx)
                .await?,
            ),
            None => None,
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO ledger_entries (fan_id, partnership_id, kind, occurred_on, municipality_code, amount_yen, channel,
                 products, url, platform, audience, note, evidence_url, points, photo_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id",
        )
        .bind(fan_id)
        .bind(fan.partnership_id)
        .bind(e.kind.as_str())
        .bind(&e.occurred_on)
        .bind(e.municipality_code.as_ref().map(|c| c.as_str().to_string()))
        .bind(e.amount_yen)
        .bind(e.channel.as_deref())
        .bind(e.products.as_deref())
        .bind(e.url.as_deref())
        .bind(e.platform.as_deref())
        .bind(e.audience)
        .bind(e.note.as_deref())
        .bind(e.evidence_url.as_deref())
        .bind(points)
        .bind(photo_id)
        .bind(t)
        .fetch_one(&mut *tx)
        .await
        .map_err(fk_as_unknown_municipality)?;
        ledger_changed(&mut tx, fan_id).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The fan's entries, newest first, optionally filtered.
    pub async fn ledger(&self, fan_id: i64, f: &LedgerFilter) -> Result<Vec<Entry>> {
        let inner = format!(
            "{SELECT} WHERE e.fan_id = $1 AND ($2 = '' OR e.kind = $2) AND ($3 = '' OR e.municipality_code = $3)
             ORDER BY e.occurred_on DESC, e.id DESC LIMIT $4 OFFSET $5"
        );
        // One JSON row instead of a row per entry (see `json_rows`).
        let sql = crate::json_rows::wrap(
            self.backend(),
            &ENTRY_FIELDS,
            &inner,
            "x.occurred_on DESC, x.id DESC",
        );
        let json: String = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(fan_id)
            .bind(f.kind.as_deref().unwrap_or(""))
            .bind(f.municipality_code.as_deref().unwrap_or(""))
            .bind(f.limit.unwrap_or(i64::MAX))
            .bind(f.offset.max(0))
            .fetch_one(self.pool())
            .await?;
        crate::json_rows::parse(&json)
    }

    /// How many entries the fan has (all statuses), for paging.
    pub async fn ledger_count(&self, fan_id: i64) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM ledger_entries WHERE fan_id = $1")
                .bind(fan_id)
                .fetch_one(self.pool())
                .await?,
        )
    }

    pub async fn entry(&self, entry_id: i64) -> Result<Entry> {
        let sql = format!("{SELECT} WHERE e.id = $1");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(entry_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The owner's change, allowed within the partnership's edit period and
    /// while the entry is not rejected or withdrawn.
    pub async fn update_entry(&self, fan_id: i64, entry_id: i64, e: &NewEntry) -> Result<()> {
        // A changed kind earns that kind's points, as a new entry would.
        let points = self
            .points_for(self.fan(fan_id).await?.partnership_id, e.kind)
            .await?;
        let mut tx = self.begin_write().await?;
        check_editable(&mut tx, fan_id, entry_id).await?;
        sqlx::query(
            "UPDATE ledger_entries SET kind = $1, occurred_on = $2, municipality_code = $3, amount_yen = $4, channel = $5,
                 products = $6, url = $7, platform = $8, audience = $9, note = $10, evidence_url = $11, updated_at = $12,
                 points = CASE WHEN kind = $1 THEN points ELSE $14 END
             WHERE id = $13",
        )
        .bind(e.kind.as_str())
        .bind(&e.occurred_on)
        .bind(e.municipality_code.as_ref().map(|c| c.as_str().to_string()))
        .bind(e.amount_yen)
        .bind(e.channel.as_deref())
        .bind(e.products.as_deref())
        .bind(e.url.as_deref())
        .bind(e.platform.as_deref())
        .bind(e.audience)
        .bind(e.note.as_deref())
        .bind(e.evidence_url.as_deref())
        .bind(now())
        .bind(entry_id)
        .bind(points)
        .execute(&mut *tx)
        .await
        .map_err(fk_as_unknown_municipality)?;
        ledger_changed(&mut tx, fan_id).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn withdraw_entry(&self, fan_id: i64, entry_id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        check_editable(&mut tx, fan_id, entry_id).await?;
        sqlx::query(
            "UPDATE ledger_entries SET status = 'withdrawn', updated_at = $1 WHERE id = $2",
        )
        .bind(now())
        .bind(entry_id)
        .execute(&mut *tx)
        .await?;
        ledger_changed(&mut tx, fan_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A coordinator's review: `flagged` (still counted, under review),
    /// `rejected` (not counted; the reason is shown to the fan) or `active`.
    pub async fn review_entry(
        &self,
        actor: i64,
        entry_id: i64,
        status: &str,
        reason: Option<&str>,
    ) -> Result<i64> {
        if !matches!(status, "active" | "flagged" | "rejected") {
            return Err(ValidationError::new("status", "unknown_choice").into());
        }
        if status == "rejected" && reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(ValidationError::new("reason", "rejection_reason_required").into());
        }
        let mut tx = self.begin_write().await?;
        let (partnership, fan_id): (i64, i64) = sqlx::query_as(
            "UPDATE ledger_entries SET status = $1, status_reason = $2, updated_at = $3
             WHERE id = $4 AND status <> 'withdrawn' RETURNING partnership_id, fan_id",
        )
        .bind(status)
        .bind(reason.map(str::trim).filter(|r| !r.is_empty()))
        .bind(now())
        .bind(entry_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        audit::record(
            &mut tx,
            Some(actor),
            &format!("ledger.{status}"),
            "ledger_entry",
            Some(entry_id),
            reason,
        )
        .await?;
        ledger_changed(&mut tx, fan_id).await?;
        tx.commit().await?;
        Ok(partnership)
    }

    /// Total points of the fan's counted entries.
    pub async fn fan_points(&self, fan_id: i64) -> Result<i64> {
        let sql = format!(
            "SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM ledger_entries WHERE fan_id = $1 AND status IN {COUNTED}"
        );
        Ok(sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
            .bind(fan_id)
            .fetch_one(self.pool())
            .await?)
    }

    /// What the badge rules need: kind, date, municipality and its region.
    pub async fn counted_for_badges(
        &self,
        fan_id: i64,
    ) -> Result<Vec<(String, String, Option<String>, Option<String>)>> {
        let sql = format!(
            "SELECT e.kind, e.occurred_on, e.municipality_code, m.region FROM ledger_entries e
             LEFT JOIN municipalities m ON m.code = e.municipality_code
             WHERE e.fan_id = $1 AND e.status IN {COUNTED}"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(fan_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// What the badge rules need, aggregated by the database (a few small
    /// queries instead of reading every entry).
    pub async fn badge_facts(&self, fan_id: i64) -> Result<kizuna_domain::badges::Facts> {
        let by_kind: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT kind, COUNT(*) FROM ledger_entries WHERE fan_id = $1 AND status IN {COUNTED} GROUP BY kind"
        )))
        .bind(fan_id)
        .fetch_all(self.pool())
        .await?;
        let (municipalities, regions): (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(DISTINCT e.municipality_code), COUNT(DISTINCT m.region) FROM ledger_entries e
             LEFT JOIN municipalities m ON m.code = e.municipality_code
             WHERE e.fan_id = $1 AND e.kind = 'visit' AND e.status IN {COUNTED}"
        )))
        .bind(fan_id)
        .fetch_one(self.pool())
        .await?;
        let months: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT SUBSTR(occurred_on, 1, 7) FROM ledger_entries WHERE fan_id = $1 AND status IN {COUNTED}"
        )))
        .bind(fan_id)
        .fetch_all(self.pool())
        .await?;
        let count = |k: &str| {
            by_kind
                .iter()
                .find(|(kind, _)| kind == k)
                .map(|(_, n)| *n as usize)
                .unwrap_or(0)
        };
        Ok(kizuna_domain::badges::Facts {
            visits: count("visit"),
            municipalities_visited: municipalities as usize,
            regions_visited: regions as usize,
            months,
            purchases: count("purchase"),
            posts: count("post"),
        })
    }

    /// Everything derived from the fan's whole ledger that their page shows,
    /// for the ledger as of revision `rev` or later (pass `Fan::ledger_rev`
    /// just read). Computed once per revision and process: a page view then
    /// costs no aggregate queries, and any write — in any process — raises the
    /// revision in its own transaction, so a summary is never older than `rev`.
    pub async fn ledger_summary(&self, fan_id: i64, rev: i64) -> Result<Arc<LedgerSummary>> {
        if let Some(hit) = self.summaries.get(fan_id).filter(|s| s.rev >= rev) {
            return Ok(hit);
        }
        let summary = Arc::new(LedgerSummary {
            rev,
            facts: self.badge_facts(fan_id).await?,
            municipality_counts: self.fan_municipality_counts(fan_id).await?,
            points: self.fan_points(fan_id).await?,
            entries: self.ledger_count(fan_id).await?,
        });
        self.summaries.put(fan_id, summary.clone());
        Ok(summary)
    }

    /// Counted entries per municipality, for the fan's map.
    pub async fn fan_municipality_counts(&self, fan_id: i64) -> Result<Vec<(String, i64)>> {
        let sql = format!(
            "SELECT municipality_code, COUNT(*) FROM ledger_entries
             WHERE fan_id = $1 AND municipality_code IS NOT NULL AND status IN {COUNTED}
             GROUP BY municipality_code"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(fan_id)
            .fetch_all(self.pool())
            .await?)
    }
}

/// Borrowed view for the domain's badge rules.
pub fn as_counted(rows: &[(String, String, Option<String>, Option<String>)]) -> Vec<Counted<'_>> {
    rows.iter()
        .map(|(k, d, c, r)| Counted {
            kind: k,
            occurred_on: d,
            municipality_code: c.as_deref(),
            region: r.as_deref(),
        })
        .collect()
}

async fn check_editable(tx: &mut crate::Tx, fan_id: i64, entry_id: i64) -> Result<()> {
    let row: Option<(i64, String, i64)> = sqlx::query_as(
        "SELECT e.created_at, e.status, p.ledger_edit_days FROM ledger_entries e
         JOIN partnerships p ON p.id = e.partnership_id WHERE e.id = $1 AND e.fan_id = $2",
    )
    .bind(entry_id)
    .bind(fan_id)
    .fetch_optional(&mut **tx)
    .await?;
    let (created_at, status, days) = row.ok_or(StoreError::NotFound)?;
    if status == "rejected" || status == "withdrawn" {
        return Err(StoreError::Conflict("entry_closed"));
    }
    if created_at + days * 86_400 < now() {
        return Err(StoreError::Conflict("edit_window_closed"));
    }
    Ok(())
}

/// Raises the fan's ledger revision; every write to `ledger_entries` calls it
/// in its own transaction, so cached summaries keyed by the revision (see
/// [`Store::ledger_summary`]) can never outlive the data they came from.
pub(crate) async fn ledger_changed(tx: &mut crate::Tx, fan_id: i64) -> Result<()> {
    sqlx::query("UPDATE fans SET ledger_rev = ledger_rev + 1 WHERE id = $1")
        .bind(fan_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What a fan's page shows about the whole ledger (see [`Store::ledger_summary`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerSummary {
    /// The ledger revision the figures are at least as new as.
    pub rev: i64,
    pub facts: kizuna_domain::badges::Facts,
    /// Counted entries per municipality code, for the map.
    pub municipality_counts: Vec<(String, i64)>,
    pub points: i64,
    /// Entries in the ledger, whatever their status.
    pub entries: i64,
}

/// Summaries per fan in this process. Bounded: when full it starts afresh
/// (a summary is a few queries to rebuild).
#[derive(Debug, Default, Clone)]
pub(crate) struct SummaryCache(
    Arc<std::sync::Mutex<std::collections::HashMap<i64, Arc<LedgerSummary>>>>,
);

impl SummaryCache {
    const MAX: usize = 20_000;

    fn get(&self, fan_id: i64) -> Option<Arc<LedgerSummary>> {
        self.0.lock().ok()?.get(&fan_id).cloned()
    }

    fn put(&self, fan_id: i64, summary: Arc<LedgerSummary>) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= Self::MAX {
                map.clear();
            }
            // Keep the newer of two racing computations.
            let newer = map.get(&fan_id).is_none_or(|old| old.rev <= summary.rev);
            if newer {
                map.insert(fan_id, summary);
            }
        }
    }
}

/// Points an entry of `kind` earns in the partnership, read through `conn`
/// (the pool, or a transaction that is writing the entry).
pub(crate) async fn points_with<'c>(
    conn: impl sqlx::Executor<'c, Database = sqlx::Any>,
    partnership_id: i64,
    kind: EntryKind,
) -> Result<i64> {
    let custom: Option<i64> = sqlx::query_scalar(
        "SELECT points FROM point_rules WHERE partnership_id = $1 AND kind = $2",
    )
    .bind(partnership_id)
    .bind(kind.as_str())
    .fetch_optional(conn)
    .await?;
    Ok(custom.unwrap_or_else(|| kind.default_points()))
}
