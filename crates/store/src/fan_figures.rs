//! Figures about a partnership's fans and their support, and the member
//! list for coordinators — scoped by which side the coordinator is on.

use crate::ledger::COUNTED;
use crate::{Backend, Result, Store, now};

/// The names of [`FanRow`]'s columns, for the JSON list.
const FAN_ROW_FIELDS: [&str; 9] = [
    "id",
    "display_name",
    "full_name",
    "full_name_kana",
    "organisation_name",
    "department",
    "named_to_government",
    "points",
    "entries",
];

/// Above this many index candidates, member search on SQLite walks the list
/// in kana order instead (see `fan_list`).
const INDEX_CANDIDATES_MAX: i64 = 20_000;

/// Registered and active fans, entries by kind, municipality, organisation
/// and month. Aggregates only: safe for either side.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FanFigures {
    pub registered: i64,
    /// Fans with a counted entry in the last 90 days.
    pub active: i64,
    pub by_kind: Vec<(String, i64)>,
    pub by_municipality: Vec<(String, String, i64)>,
    pub by_organisation: Vec<(String, i64)>,
    pub by_month: Vec<(String, i64)>,
    pub municipalities_reached: i64,
}

/// One row of the coordinators' member list. `name` is `None` where the
/// viewer may see only figures about that fan.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct FanRow {
    pub id: i64,
    pub display_name: Option<String>,
    pub full_name: Option<String>,
    pub full_name_kana: Option<String>,
    pub organisation_name: Option<String>,
    pub department: Option<String>,
    pub named_to_government: i64,
    pub points: i64,
    pub entries: i64,
}

/// Which side of the partnership a coordinator speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The company side and instance administrators: may see every fan's name.
    Company,
    /// The prefecture and municipalities: names only of fans who opted in.
    Government,
}

/// A recent entry in the coordinators' review queue.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ReviewRow {
    pub id: i64,
    pub fan_id: i64,
    /// `None` where the viewer may not see who the fan is.
    pub fan_name: Option<String>,
    pub kind: String,
    pub occurred_on: String,
    pub municipality_name: Option<String>,
    pub amount_yen: Option<i64>,
    pub url: Option<String>,
    pub audience: Option<i64>,
    pub note: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
}

impl Store {
    /// The newest entries of a partnership for review, names masked for the
    /// government side where the fan did not opt in.
    pub async fn entries_for_review(
        &self,
        partnership_id: i64,
        side: Side,
        status: &str,
        limit: i64,
    ) -> Result<Vec<ReviewRow>> {
        Ok(sqlx::query_as(
            "SELECT e.id, e.fan_id, CASE WHEN $2 = 0 OR f.named_to_government = 1 THEN f.full_name END AS fan_name,
                    e.kind, e.occurred_on, m.name AS municipality_name, e.amount_yen, e.url, e.audience, e.note,
                    e.status, e.status_reason
             FROM ledger_entries e JOIN fans f ON f.id = e.fan_id
             LEFT JOIN municipalities m ON m.code = e.municipality_code
             WHERE e.partnership_id = $1 AND ($3 = '' OR e.status = $3)
             ORDER BY e.id DESC LIMIT $4",
        )
        .bind(partnership_id)
        .bind(i64::from(side == Side::Government))
        .bind(status)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn fan_figures(&self, partnership_id: i64) -> Result<FanFigures> {
        let pool = self.pool();
        let registered: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM fans WHERE partnership_id = $1")
                .bind(partnership_id)
                .fetch_one(pool)
                .await?;
        let since = time::OffsetDateTime::from_unix_timestamp(now() + 9 * 3600 - 90 * 86_400)
            .map(|t| format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()))
            .unwrap_or_default();
        let active: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(DISTINCT fan_id) FROM ledger_entries WHERE partnership_id = $1 AND occurred_on >= $2 AND status IN {COUNTED}"
        )))
        .bind(partnership_id).bind(&since).fetch_one(pool).await?;
        let by_kind = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT kind, COUNT(*) FROM ledger_entries WHERE partnership_id = $1 AND status IN {COUNTED} GROUP BY kind ORDER BY kind"
        )))
        .bind(partnership_id).fetch_all(pool).await?;
        let by_municipality: Vec<(String, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT m.code, m.name, COUNT(*) FROM ledger_entries e JOIN municipalities m ON m.code = e.municipality_code
             WHERE e.partnership_id = $1 AND e.status IN {COUNTED} GROUP BY m.code, m.name ORDER BY COUNT(*) DESC, m.code"
        )))
        .bind(partnership_id).fetch_all(pool).await?;
        let by_organisation = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COALESCE(o.name, '—'), COUNT(*) FROM ledger_entries e JOIN fans f ON f.id = e.fan_id
             LEFT JOIN organisations o ON o.id = f.organisation_id
             WHERE e.partnership_id = $1 AND e.status IN {COUNTED} GROUP BY o.name ORDER BY COUNT(*) DESC"
        )))
        .bind(partnership_id).fetch_all(pool).await?;
        let by_month = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT SUBSTR(occurred_on, 1, 7), COUNT(*) FROM ledger_entries WHERE partnership_id = $1 AND status IN {COUNTED}
             GROUP BY SUBSTR(occurred_on, 1, 7) ORDER BY SUBSTR(occurred_on, 1, 7)"
        )))
        .bind(partnership_id).fetch_all(pool).await?;
        Ok(FanFigures {
            registered,
            active,
            by_kind,
            municipalities_reached: by_municipality.len() as i64,
            by_municipality,
            by_organisation,
            by_month,
        })
    }

    /// The member list for a coordinator, with search over name, furigana,
    /// department, organisation and skill. For the government side, fans who
    /// did not opt in are left out entirely (they appear only in figures).
    pub async fn fan_list(
        &self,
        partnership_id: i64,
        side: Side,
        query: &str,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<FanRow>> {
        // Up to three words, each of which must appear; absent words match all.
        let words = kizuna_domain::fan::search_terms(query);
        let mut grams: Vec<String> = words
            .iter()
            .flat_map(|w| kizuna_domain::fan::term_grams(w))
            .collect();
        grams.sort();
        grams.dedup();
        let mut terms: Vec<String> = words.iter().map(|t| format!("%{t}%")).collect();
        terms.resize(3, "%".to_string());
        // The index narrows the search to the fans holding every character
        // pair of the words; the LIKEs then check the words themselves.
        // On SQLite the index is used when it leaves few candidates: when
        // many fans match, walking the list in kana order fills a page
        // sooner than sorting every match. PostgreSQL's planner weighs the
        // same choice from its statistics.
        let index = match self.backend() {
            _ if grams.is_empty() => None,
            Backend::Sqlite => {
                // A one-character word begins a term (see `search_grams`).
                let expr = grams
                    .iter()
                    .map(|g| {
                        let star = if g.chars().count() == 1 { "*" } else { "" };
                        format!("\"{}\"{star}", g.replace('"', "\"\""))
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                let candidates: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM (SELECT rowid FROM fan_search WHERE fan_search MATCH $1 LIMIT $2)",
                )
                .bind(&expr)
                .bind(INDEX_CANDIDATES_MAX + 1)
                .fetch_one(self.pool())
                .await?;
                (candidates <= INDEX_CANDIDATES_MAX).then_some((
                    "AND f.id IN (SELECT rowid FROM fan_search WHERE fan_search MATCH $7)",
                    expr,
                ))
            }
            // An array holds whole terms only, so one-character words are
            // left to the text comparison.
            Backend::Postgres => {
                let whole: Vec<&str> = grams
                    .iter()
                    .filter(|g| g.chars().count() > 1)
                    .map(String::as_str)
                    .collect();
                (!whole.is_empty()).then(|| {
                    (
                        "AND string_to_array(f.search_grams, ' ') @> string_to_array($7, ' ')",
                        whole.join(" "),
                    )
                })
            }
        };
        // A literal condition, so SQLite can use the partial index of named fans.
        let named = if side == Side::Government {
            "AND f.named_to_government = 1"
        } else {
            ""
        };
        let matching = index.as_ref().map_or("", |(sql, _)| sql);
        // The page is chosen first, so points and counts are computed for
        // its rows only, not for every fan that matches.
        let sql = format!(
            "SELECT x.id, x.display_name, x.full_name, x.full_name_kana, x.organisation_name, x.department, x.named_to_government,
                    CAST(COALESCE((SELECT SUM(points) FROM ledger_entries e WHERE e.fan_id = x.id AND e.status IN {COUNTED}), 0) AS BIGINT) AS points,
                    (SELECT COUNT(*) FROM ledger_entries e WHERE e.fan_id = x.id AND e.status IN {COUNTED}) AS entries
             FROM (SELECT f.id, f.display_name, f.full_name, f.full_name_kana, o.name AS organisation_name, f.department,
                          f.named_to_government
                   FROM fans f LEFT JOIN organisations o ON o.id = f.organisation_id
                   WHERE f.partnership_id = $1 {named} {matching}
                     AND f.search_text LIKE $2 AND f.search_text LIKE $3 AND f.search_text LIKE $4
                   ORDER BY f.full_name_kana, f.id LIMIT $5 OFFSET $6) x
             ORDER BY x.full_name_kana, x.id"
        );
        // One JSON row instead of a row per fan (see `json_rows`).
        let sql = crate::json_rows::wrap(
            self.backend(),
            &FAN_ROW_FIELDS,
            &sql,
            "x.full_name_kana, x.id",
        );
        let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql))
            .bind(partnership_id)
            .bind(&terms[0])
            .bind(&terms[1])
            .bind(&terms[2])
            .bind(limit)
            .bind(offset);
        if let Some((_, value)) = &index {
            q = q.bind(value);
        }
        crate::json_rows::parse(&q.fetch_one(self.pool()).await?)
    }

    /// The side a coordinator speaks for: local-government side when they
    /// belong to the prefecture or a municipality and to no company of the
    /// partnership; instance administrators count as the company side's operator.
    pub async fn side_of(
        &self,
        person_id: i64,
        is_instance_admin: bool,
        partnership_id: i64,
    ) -> Result<Side> {
        if is_instance_admin {
            return Ok(Side::Company);
        }
        let kinds: Vec<String> = sqlx::query_scalar(
            "SELECT o.kind FROM memberships m JOIN organisations o ON o.id = m.organisation_id
             JOIN partnership_parties pp ON pp.organisation_id = o.id AND pp.partnership_id = $2
             WHERE m.person_id = $1",
        )
        .bind(person_id)
        .bind(partnership_id)
        .fetch_all(self.pool())
        .await?;
        Ok(if kinds.iter().any(|k| k == "company") {
            Side::Company
        } else {
            Side::Government
        })
    }
}

/// One fan in an export, with only what the exporting side may see.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ExportRow {
    /// Only for the company side.
    pub email: Option<String>,
    pub full_name: String,
    pub full_name_kana: String,
    pub display_name: String,
    pub organisation_name: Option<String>,
    pub department: Option<String>,
    pub home_region: Option<String>,
    pub named_to_government: i64,
    pub points: i64,
    pub entries: i64,
    pub joined_at: i64,
}

impl Store {
    /// Every fan the side may see, for CSV and Excel exports. The government
    /// side gets only fans who agreed to be named, and no e-mail addresses.
    pub async fn fan_export(&self, partnership_id: i64, side: Side) -> Result<Vec<ExportRow>> {
        let sql = format!(
            "SELECT CASE WHEN $2 = 0 THEN p.email END AS email, f.full_name, f.full_name_kana, f.display_name,
                    o.name AS organisation_name, f.department, f.home_region, f.named_to_government,
                    CAST(COALESCE((SELECT SUM(points) FROM ledger_entries e WHERE e.fan_id = f.id AND e.status IN {COUNTED}), 0) AS BIGINT) AS points,
                    (SELECT COUNT(*) FROM ledger_entries e WHERE e.fan_id = f.id AND e.status IN {COUNTED}) AS entries,
                    f.joined_at
             FROM fans f JOIN people p ON p.id = f.person_id LEFT JOIN organisations o ON o.id = f.organisation_id
             WHERE f.partnership_id = $1 AND ($2 = 0 OR f.named_to_government = 1)
             ORDER BY f.full_name_kana, f.id"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(partnership_id)
            .bind(i64::from(side == Side::Government))
            .fetch_all(self.pool())
            .await?)
    }
}
