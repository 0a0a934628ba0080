//! Importing a roster into a partnership's PR corps: all rows or none,
//! idempotent (people are matched by e-mail), in batches so that 100,000
//! rows take seconds. A dry run does everything and then rolls back.

use crate::{Backend, Result, Store, Tx, audit, now};
use kizuna_domain::roster::{RosterRow, RowError};
use std::collections::{HashMap, HashSet};

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub rows: usize,
    pub new_people: usize,
    pub new_fans: usize,
    pub updated_fans: usize,
}

/// Rows per statement. Each batch travels as one JSON parameter (see
/// `json_rows::table`); batches keep a statement's text and memory bounded.
const BATCH: usize = 10_000;

impl Store {
    /// Imports `rows`. Returns the row errors instead (and stores nothing)
    /// when any row names an organisation that is not a party or repeats an
    /// e-mail already given above it.
    pub async fn import_roster(
        &self,
        actor: Option<i64>,
        partnership_id: i64,
        rows: &[RosterRow],
        dry_run: bool,
    ) -> Result<std::result::Result<ImportSummary, Vec<RowError>>> {
        let mut tx = self.begin_write().await?;
        let orgs: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
            "SELECT o.name, o.id FROM organisations o JOIN partnership_parties pp ON pp.organisation_id = o.id
             WHERE pp.partnership_id = $1",
        )
        .bind(partnership_id)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        let mut errors = Vec::new();
        let mut seen = HashSet::new();
        for r in rows {
            if !seen.insert(r.email.as_str()) {
                errors.push(RowError {
                    line: r.line,
                    field: "email",
                    code: "duplicate_in_file",
                });
            }
            if let Some(o) = &r.organisation
                && !orgs.contains_key(o)
            {
                errors.push(RowError {
                    line: r.line,
                    field: "organisation",
                    code: "organisation_not_in_partnership",
                });
            }
        }
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let t = now();
        let backend = self.backend();
        let people = ensure_people(&mut tx, backend, rows, t).await?;
        let all_people: Vec<i64> = people.ids.values().copied().collect();
        let existing = fans_of(&mut tx, backend, partnership_id, &all_people).await?;
        let (new_rows, old_rows): (Vec<&RosterRow>, Vec<&RosterRow>) = rows
            .iter()
            .partition(|r| !existing.contains_key(&people.ids[r.email.as_str()]));
        let summary = ImportSummary {
            rows: rows.len(),
            new_people: people.new,
            new_fans: new_rows.len(),
            updated_fans: old_rows.len(),
        };
        // The write lock is held, so every fan inserted below has a larger id.
        let last_fan_before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM fans")
            .fetch_one(&mut *tx)
            .await?;
        // A fan's columns as one JSON array, in the order of FAN_COLUMNS.
        let fields = |r: &RosterRow| -> Vec<serde_json::Value> {
            let text = search_text(r);
            let grams = kizuna_domain::fan::search_grams(&text);
            vec![
                people.ids[r.email.as_str()].into(),
                r.display_name.as_str().into(),
                r.full_name.as_str().into(),
                r.full_name_kana.as_str().into(),
                r.organisation.as_ref().map(|o| orgs[o]).into(),
                r.department.as_deref().into(),
                r.home_region.as_deref().into(),
                text.into(),
                grams.into(),
            ]
        };
        use crate::json_rows::JsonType::{Int, Text};
        // person, display name, name, kana, organisation, department, region, search text, grams
        const FAN_COLUMNS: [crate::json_rows::JsonType; 9] =
            [Int, Text, Text, Text, Int, Text, Text, Text, Text];
        let insert = format!(
            "INSERT INTO fans (person_id, partnership_id, display_name, full_name, full_name_kana, organisation_id,
                 department, home_region, joined_at, updated_at, search_text, search_grams)
             SELECT c0, $1, c1, c2, c3, c4, c5, c6, $2, $2, c7, c8 FROM ({}) j",
            crate::json_rows::table(backend, 3, &FAN_COLUMNS)
        );
        for chunk in new_rows.chunks(BATCH) {
            let data: Vec<_> = chunk.iter().map(|r| fields(r)).collect();
            sqlx::query(sqlx::AssertSqlSafe(insert.as_str()))
                .bind(partnership_id)
                .bind(t)
                .bind(crate::json_rows::param(&data))
                .execute(&mut *tx)
                .await?;
        }
        // Existing fans are matched by id (c0) instead of person.
        let update = format!(
            "UPDATE fans SET display_name = j.c1, full_name = j.c2, full_name_kana = j.c3, organisation_id = j.c4,
                 department = j.c5, home_region = j.c6, updated_at = $1, search_text = j.c7, search_grams = j.c8
             FROM ({}) j WHERE fans.id = j.c0",
            crate::json_rows::table(backend, 2, &FAN_COLUMNS)
        );
        for chunk in old_rows.chunks(BATCH) {
            let data: Vec<_> = chunk
                .iter()
                .map(|r| {
                    let mut row = fields(r);
                    row[0] = existing[&people.ids[r.email.as_str()]].into();
                    row
                })
                .collect();
            sqlx::query(sqlx::AssertSqlSafe(update.as_str()))
                .bind(t)
                .bind(crate::json_rows::param(&data))
                .execute(&mut *tx)
                .await?;
        }
        if backend == Backend::Sqlite {
            // New fans into the search index in one statement (see the
            // migration 0005_fan_search_index: no insert trigger).
            sqlx::query(
                "INSERT INTO fan_search (rowid, search_grams)
                 SELECT id, search_grams FROM fans WHERE id > $1 AND search_grams <> ''",
            )
            .bind(last_fan_before)
            .execute(&mut *tx)
            .await?;
        }
        let fan_ids = fans_of(&mut tx, backend, partnership_id, &all_people).await?;
        let new_fan_ids: Vec<i64> = new_rows
            .iter()
            .map(|r| fan_ids[&people.ids[r.email.as_str()]])
            .collect();
        let new_people: Vec<i64> = new_rows
            .iter()
            .map(|r| people.ids[r.email.as_str()])
            .collect();
        new_fan_defaults(
            &mut tx,
            backend,
            partnership_id,
            &new_fan_ids,
            &new_people,
            t,
        )
        .await?;
        replace_tags(&mut tx, backend, rows, &people.ids, &fan_ids).await?;
        audit::record(
            &mut tx,
            actor,
            "roster.import",
            "partnership",
            Some(partnership_id),
            Some(&format!("{} rows", rows.len())),
        )
        .await?;
        if dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(Ok(summary))
    }
}

struct People {
    ids: HashMap<String, i64>,
    new: usize,
}

/// Finds everyone by e-mail and creates the missing accounts (without a
/// password: the person sets one through "forgot password", which also
/// verifies the address).
async fn ensure_people(
    tx: &mut Tx,
    backend: Backend,
    rows: &[RosterRow],
    t: i64,
) -> Result<People> {
    let emails: Vec<&str> = rows.iter().map(|r| r.email.as_str()).collect();
    let mut ids = people_by_email(tx, backend, &emails).await?;
    let missing: Vec<&RosterRow> = rows
        .iter()
        .filter(|r| !ids.contains_key(r.email.as_str()))
        .collect();
    use crate::json_rows::JsonType::Text;
    // No password ("!" never verifies), Japanese, created now.
    let sql = format!(
        "INSERT INTO people (email, password_hash, display_name, name_kana, locale, created_at, updated_at)
         SELECT c0, '!', c1, c2, 'ja', $1, $1 FROM ({}) j",
        crate::json_rows::table(backend, 2, &[Text, Text, Text])
    );
    for chunk in missing.chunks(BATCH) {
        let data: Vec<(&str, &str, &str)> = chunk
            .iter()
            .map(|r| {
                (
                    r.email.as_str(),
                    r.full_name.as_str(),
                    r.full_name_kana.as_str(),
                )
            })
            .collect();
        sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(t)
            .bind(crate::json_rows::param(&data))
            .execute(&mut **tx)
            .await?;
    }
    let created: Vec<&str> = missing.iter().map(|r| r.email.as_str()).collect();
    ids.extend(people_by_email(tx, backend, &created).await?);
    Ok(People {
        ids,
        new: missing.len(),
    })
}

/// e-mail → person id for those of `emails` who have an account.
async fn people_by_email(
    tx: &mut Tx,
    backend: Backend,
    emails: &[&str],
) -> Result<HashMap<String, i64>> {
    let inner = format!(
        "SELECT email AS k, id FROM people WHERE email IN ({})",
        crate::json_rows::list(backend, 1, crate::json_rows::JsonType::Text)
    );
    ids_by(tx, backend, &inner, None, emails).await
}

/// person id → fan id for those of `people` in the partnership's PR corps.
async fn fans_of(
    tx: &mut Tx,
    backend: Backend,
    partnership_id: i64,
    people: &[i64],
) -> Result<HashMap<i64, i64>> {
    let inner = format!(
        "SELECT person_id AS k, id FROM fans WHERE partnership_id = $1 AND person_id IN ({})",
        crate::json_rows::list(backend, 2, crate::json_rows::JsonType::Int)
    );
    ids_by(tx, backend, &inner, Some(partnership_id), people).await
}

/// Runs `inner` (columns `k`, `id`; `$1` binds `scope` if there is one,
/// the next parameter a JSON list of `keys`) in batches; answers key → id,
/// one JSON row a batch.
async fn ids_by<Q, K>(
    tx: &mut Tx,
    backend: Backend,
    inner: &str,
    scope: Option<i64>,
    keys: &[Q],
) -> Result<HashMap<K, i64>>
where
    Q: serde::Serialize,
    K: serde::de::DeserializeOwned + std::hash::Hash + Eq,
{
    #[derive(serde::Deserialize)]
    struct Found<K> {
        k: K,
        id: i64,
    }
    let sql = crate::json_rows::wrap(backend, &["k", "id"], inner, "x.id");
    let mut out = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(BATCH) {
        let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql.as_str()));
        if let Some(scope) = scope {
            q = q.bind(scope);
        }
        let json = q
            .bind(crate::json_rows::param(chunk))
            .fetch_one(&mut **tx)
            .await?;
        let found: Vec<Found<K>> = crate::json_rows::parse(&json)?;
        out.extend(found.into_iter().map(|f| (f.k, f.id)));
    }
    Ok(out)
}

/// New fans start with every consent withheld (recorded) and as members.
async fn new_fan_defaults(
    tx: &mut Tx,
    backend: Backend,
    partnership_id: i64,
    fans: &[i64],
    persons: &[i64],
    t: i64,
) -> Result<()> {
    use crate::json_rows::{JsonType::Int, list, param};
    // One row per fan and purpose, all withheld.
    let consents = format!(
        "INSERT INTO fan_consents (fan_id, purpose, granted, changed_at)
         SELECT f.v, p.purpose, 0, $1 FROM ({}) f CROSS JOIN (
             SELECT 'named_to_government' AS purpose UNION ALL SELECT 'on_leaderboard' UNION ALL SELECT 'contact'
         ) p ORDER BY f.v",
        list(backend, 2, Int)
    );
    for chunk in fans.chunks(BATCH) {
        sqlx::query(sqlx::AssertSqlSafe(consents.as_str()))
            .bind(t)
            .bind(param(chunk))
            .execute(&mut **tx)
            .await?;
    }
    // `WHERE true`: SQLite needs it to read ON CONFLICT after a SELECT.
    let members = format!(
        "INSERT INTO role_assignments (person_id, partnership_id, role, organisation_key, created_at)
         SELECT p.v, $1, 'member', 0, $2 FROM ({}) p WHERE true ON CONFLICT DO NOTHING",
        list(backend, 3, Int)
    );
    for chunk in persons.chunks(BATCH) {
        sqlx::query(sqlx::AssertSqlSafe(members.as_str()))
            .bind(partnership_id)
            .bind(t)
            .bind(param(chunk))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn replace_tags(
    tx: &mut Tx,
    backend: Backend,
    rows: &[RosterRow],
    people: &HashMap<String, i64>,
    fans: &HashMap<i64, i64>,
) -> Result<()> {
    use crate::json_rows::{
        JsonType::{Int, Text},
        list, param, table,
    };
    let tagged: Vec<(i64, &str)> = rows
        .iter()
        .flat_map(|r| {
            let fan = fans[&people[r.email.as_str()]];
            r.tags.iter().map(move |t| (fan, t.as_str()))
        })
        .collect();
    let fan_ids: Vec<i64> = rows
        .iter()
        .map(|r| fans[&people[r.email.as_str()]])
        .collect();
    let delete = format!(
        "DELETE FROM fan_tags WHERE fan_id IN ({})",
        list(backend, 1, Int)
    );
    for chunk in fan_ids.chunks(BATCH) {
        sqlx::query(sqlx::AssertSqlSafe(delete.as_str()))
            .bind(param(chunk))
            .execute(&mut **tx)
            .await?;
    }
    let insert = format!(
        "INSERT INTO fan_tags (fan_id, tag) SELECT c0, c1 FROM ({}) j",
        table(backend, 1, &[Int, Text])
    );
    for chunk in tagged.chunks(BATCH) {
        sqlx::query(sqlx::AssertSqlSafe(insert.as_str()))
            .bind(param(chunk))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// What member search looks in for an imported row (skills are not in rosters).
fn search_text(r: &RosterRow) -> String {
    let mut parts = vec![
        r.full_name.as_str(),
        r.full_name_kana.as_str(),
        r.display_name.as_str(),
    ];
    parts.push(r.department.as_deref().unwrap_or(""));
    parts.push(r.organisation.as_deref().unwrap_or(""));
    parts.extend(r.tags.iter().map(String::as_str));
    kizuna_domain::fan::search_text(&parts)
}
