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

/// Rows per multi-row statement: well under both backends' parameter limits.
const BATCH: usize = 500;

/// One value of a row tuple: a parameter shared by every row (bound once,
/// numbered from 1) or the row's own next parameter. Binding constants once
/// matters: through sqlx's Any driver each bound value costs ~5 µs.
#[derive(Clone, Copy)]
enum Slot {
    Shared(usize),
    Own,
}

/// `(…), (…)` for `rows` tuples shaped by `template`, after `shared` shared parameters.
fn tuples(rows: usize, shared: usize, template: &[Slot]) -> String {
    let own = template.iter().filter(|s| matches!(s, Slot::Own)).count();
    (0..rows)
        .map(|r| {
            let mut next = shared + r * own;
            let cells: Vec<String> = template
                .iter()
                .map(|slot| match slot {
                    Slot::Shared(k) => format!("${k}"),
                    Slot::Own => {
                        next += 1;
                        format!("${next}")
                    }
                })
                .collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, $2, …), ($k, …)` for `rows` tuples of `width` parameters.
fn placeholders(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| {
            format!(
                "({})",
                (1..=width)
                    .map(|c| format!("${}", r * width + c))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

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
        let people = ensure_people(&mut tx, rows, t).await?;
        let existing = existing_fans(&mut tx, partnership_id, &people).await?;
        let mut summary = ImportSummary {
            rows: rows.len(),
            new_people: people.new,
            ..Default::default()
        };
        let (new_rows, old_rows): (Vec<&RosterRow>, Vec<&RosterRow>) = rows
            .iter()
            .partition(|r| !existing.contains_key(&people.ids[r.email.as_str()]));
        summary.new_fans = new_rows.len();
        summary.updated_fans = old_rows.len();
        let mut fan_ids = existing.clone();
        // The write lock is held, so every fan inserted below has a larger id.
        let last_fan_before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM fans")
            .fetch_one(&mut *tx)
            .await?;
        for chunk in new_rows.chunks(BATCH) {
            let sql = format!(
                "INSERT INTO fans (person_id, partnership_id, display_name, full_name, full_name_kana, organisation_id,
                     department, home_region, joined_at, updated_at, search_text, search_grams) VALUES {} RETURNING id, person_id",
                tuples(chunk.len(), 2, &{
                    use Slot::*;
                    [Own, Shared(1), Own, Own, Own, Own, Own, Own, Shared(2), Shared(2), Own, Own]
                })
            );
            let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql))
                .bind(partnership_id)
                .bind(t);
            for r in chunk {
                q = q
                    .bind(people.ids[r.email.as_str()])
                    .bind(&r.display_name)
                    .bind(&r.full_name)
                    .bind(&r.full_name_kana)
                    .bind(r.organisation.as_ref().map(|o| orgs[o]))
                    .bind(r.department.as_deref())
                    .bind(r.home_region.as_deref());
                let text = search_text(r);
                let grams = kizuna_domain::fan::search_grams(&text);
                q = q.bind(text).bind(grams);
            }
            for (fan, person) in q.fetch_all(&mut *tx).await? {
                fan_ids.insert(person, fan);
            }
        }
        for r in &old_rows {
            sqlx::query(
                "UPDATE fans SET display_name = $1, full_name = $2, full_name_kana = $3, organisation_id = $4,
                     department = $5, home_region = $6, updated_at = $7, search_text = $9, search_grams = $10 WHERE id = $8",
            )
            .bind(&r.display_name)
            .bind(&r.full_name)
            .bind(&r.full_name_kana)
            .bind(r.organisation.as_ref().map(|o| orgs[o]))
            .bind(r.department.as_deref())
            .bind(r.home_region.as_deref())
            .bind(t)
            .bind(existing[&people.ids[r.email.as_str()]])
            .bind(search_text(r))
            .bind(kizuna_domain::fan::search_grams(&search_text(r)))
            .execute(&mut *tx)
            .await?;
        }
        if self.backend() == Backend::Sqlite {
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
        let new_fan_ids: Vec<i64> = new_rows
            .iter()
            .map(|r| fan_ids[&people.ids[r.email.as_str()]])
            .collect();
        new_fan_defaults(
            &mut tx,
            partnership_id,
            &new_fan_ids,
            &new_rows
                .iter()
                .map(|r| people.ids[r.email.as_str()])
                .collect::<Vec<_>>(),
            t,
        )
        .await?;
        replace_tags(&mut tx, rows, &people.ids, &fan_ids).await?;
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
async fn ensure_people(tx: &mut Tx, rows: &[RosterRow], t: i64) -> Result<People> {
    let mut ids = HashMap::new();
    for chunk in rows.chunks(BATCH) {
        let sql = format!(
            "SELECT email, id FROM people WHERE email IN ({})",
            (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut q = sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            q = q.bind(r.email.as_str());
        }
        ids.extend(q.fetch_all(&mut **tx).await?);
    }
    let missing: Vec<&RosterRow> = rows
        .iter()
        .filter(|r| !ids.contains_key(r.email.as_str()))
        .collect();
    for chunk in missing.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO people (email, password_hash, display_name, name_kana, locale, created_at, updated_at)
             VALUES {} RETURNING email, id",
            tuples(chunk.len(), 3, &{
                use Slot::*;
                [Own, Shared(1), Own, Own, Shared(2), Shared(3), Shared(3)]
            })
        );
        // No password ("!" never verifies), Japanese, created now.
        let mut q = sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql))
            .bind("!")
            .bind("ja")
            .bind(t);
        for r in chunk {
            q = q
                .bind(r.email.as_str())
                .bind(&r.full_name)
                .bind(&r.full_name_kana);
        }
        ids.extend(q.fetch_all(&mut **tx).await?);
    }
    Ok(People {
        ids,
        new: missing.len(),
    })
}

/// person id → fan id for those already in the partnership's PR corps.
async fn existing_fans(
    tx: &mut Tx,
    partnership_id: i64,
    people: &People,
) -> Result<HashMap<i64, i64>> {
    let person_ids: Vec<i64> = people.ids.values().copied().collect();
    let mut out = HashMap::new();
    for chunk in person_ids.chunks(BATCH) {
        let sql = format!(
            "SELECT person_id, id FROM fans WHERE partnership_id = $1 AND person_id IN ({})",
            (2..chunk.len() + 2)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql)).bind(partnership_id);
        for p in chunk {
            q = q.bind(*p);
        }
        out.extend(q.fetch_all(&mut **tx).await?);
    }
    Ok(out)
}

/// New fans start with every consent withheld (recorded) and as members.
async fn new_fan_defaults(
    tx: &mut Tx,
    partnership_id: i64,
    fans: &[i64],
    persons: &[i64],
    t: i64,
) -> Result<()> {
    // Three rows per fan (one per purpose, all withheld), one bound value per fan.
    for chunk in fans.chunks(BATCH) {
        let values: Vec<String> = (0..chunk.len())
            .map(|r| {
                let f = 6 + r;
                format!("(${f}, $3, $1, $2), (${f}, $4, $1, $2), (${f}, $5, $1, $2)")
            })
            .collect();
        let sql = format!(
            "INSERT INTO fan_consents (fan_id, purpose, granted, changed_at) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(0_i64)
            .bind(t)
            .bind("named_to_government")
            .bind("on_leaderboard")
            .bind("contact");
        for f in chunk {
            q = q.bind(*f);
        }
        q.execute(&mut **tx).await?;
    }
    for chunk in persons.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO role_assignments (person_id, partnership_id, role, organisation_key, created_at) VALUES {}
             ON CONFLICT DO NOTHING",
            tuples(chunk.len(), 4, &{
                use Slot::*;
                [Own, Shared(1), Shared(2), Shared(3), Shared(4)]
            })
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(partnership_id)
            .bind("member")
            .bind(0_i64)
            .bind(t);
        for p in chunk {
            q = q.bind(*p);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn replace_tags(
    tx: &mut Tx,
    rows: &[RosterRow],
    people: &HashMap<String, i64>,
    fans: &HashMap<i64, i64>,
) -> Result<()> {
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
    for chunk in fan_ids.chunks(BATCH) {
        let sql = format!(
            "DELETE FROM fan_tags WHERE fan_id IN ({})",
            (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for f in chunk {
            q = q.bind(*f);
        }
        q.execute(&mut **tx).await?;
    }
    for chunk in tagged.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO fan_tags (fan_id, tag) VALUES {}",
            placeholders(chunk.len(), 2)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (f, t) in chunk {
            q = q.bind(*f).bind(*t);
        }
        q.execute(&mut **tx).await?;
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
