//! Fans of a partnership (the PR corps): joining, the profile, consents with
//! their history, and PR-goods requests whose address is kept for that
//! purpose alone.

use crate::error::found;
use crate::{Result, Store, StoreError, Tx, audit, now};
use kizuna_domain::ValidationError;
use kizuna_domain::fan::{FanConsents, FanProfile};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Fan {
    pub id: i64,
    pub person_id: i64,
    pub partnership_id: i64,
    pub display_name: String,
    pub full_name: String,
    pub full_name_kana: String,
    pub organisation_id: Option<i64>,
    pub organisation_name: Option<String>,
    pub department: Option<String>,
    pub home_region: Option<String>,
    pub availability_hours: Option<i64>,
    pub named_to_government: i64,
    pub on_leaderboard: i64,
    pub joined_at: i64,
    /// Raised with every change to the fan's ledger (see `ledger_summary`).
    pub ledger_rev: i64,
}

/// A fan with everything on their profile.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FanDetail {
    pub fan: Fan,
    pub interests: Vec<String>,
    pub skills: Vec<(String, i64)>,
    pub tags: Vec<String>,
    pub languages: Vec<String>,
    pub contact: bool,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ConsentChange {
    pub purpose: String,
    pub granted: i64,
    pub changed_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct GoodsRequest {
    pub id: i64,
    pub recipient: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub requested_at: i64,
    pub sent_at: Option<i64>,
    pub erased_at: Option<i64>,
}

pub(crate) const FAN_COLUMNS: &str =
    "f.id, f.person_id, f.partnership_id, f.display_name, f.full_name,
    f.full_name_kana, f.organisation_id, o.name AS organisation_name, f.department, f.home_region,
    f.availability_hours, f.named_to_government, f.on_leaderboard, f.joined_at, f.ledger_rev";

const PURPOSES: [&str; 3] = ["named_to_government", "on_leaderboard", "contact"];

fn consent_values(c: &FanConsents) -> [bool; 3] {
    [c.named_to_government, c.on_leaderboard, c.contact]
}

impl Store {
    /// Joins a partnership's PR corps. The organisation (if any) must be a
    /// party to the partnership, and interests must be its pillars.
    pub async fn join_pr_corps(
        &self,
        person_id: i64,
        partnership_id: i64,
        p: &FanProfile,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        check_profile(&mut tx, partnership_id, p).await?;
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO fans (person_id, partnership_id, display_name, full_name, full_name_kana, organisation_id,
                 department, home_region, availability_hours, named_to_government, on_leaderboard, joined_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
        )
        .bind(person_id)
        .bind(partnership_id)
        .bind(&p.display_name)
        .bind(&p.full_name)
        .bind(&p.full_name_kana)
        .bind(p.organisation_id)
        .bind(p.department.as_deref())
        .bind(p.home_region.as_deref())
        .bind(p.availability_hours)
        .bind(i64::from(p.consents.named_to_government))
        .bind(i64::from(p.consents.on_leaderboard))
        .bind(t)
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::unique_as("already_a_fan"))?;
        replace_lists(&mut tx, id, p).await?;
        set_search_text(&mut tx, id, p).await?;
        for (purpose, granted) in PURPOSES.iter().zip(consent_values(&p.consents)) {
            record_consent(&mut tx, id, purpose, granted, t).await?;
        }
        // A fan is a member of the partnership.
        sqlx::query(
            "INSERT INTO role_assignments (person_id, partnership_id, role, organisation_id, organisation_key, created_at)
             VALUES ($1, $2, 'member', NULL, 0, $3) ON CONFLICT DO NOTHING",
        )
        .bind(person_id)
        .bind(partnership_id)
        .bind(t)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            Some(person_id),
            "fan.join",
            "partnership",
            Some(partnership_id),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Saves the fan's own changes; consent changes are added to the history.
    pub async fn update_fan(&self, fan_id: i64, p: &FanProfile) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (partnership_id, person_id): (i64, i64) =
            sqlx::query_as("SELECT partnership_id, person_id FROM fans WHERE id = $1")
                .bind(fan_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
        check_profile(&mut tx, partnership_id, p).await?;
        let before = current_consents(&mut tx, fan_id).await?;
        let t = now();
        sqlx::query(
            "UPDATE fans SET display_name = $1, full_name = $2, full_name_kana = $3, organisation_id = $4,
                 department = $5, home_region = $6, availability_hours = $7, named_to_government = $8,
                 on_leaderboard = $9, updated_at = $10 WHERE id = $11",
        )
        .bind(&p.display_name)
        .bind(&p.full_name)
        .bind(&p.full_name_kana)
        .bind(p.organisation_id)
        .bind(p.department.as_deref())
        .bind(p.home_region.as_deref())
        .bind(p.availability_hours)
        .bind(i64::from(p.consents.named_to_government))
        .bind(i64::from(p.consents.on_leaderboard))
        .bind(t)
        .bind(fan_id)
        .execute(&mut *tx)
        .await?;
        replace_lists(&mut tx, fan_id, p).await?;
        set_search_text(&mut tx, fan_id, p).await?;
        for ((purpose, granted), was) in PURPOSES
            .iter()
            .zip(consent_values(&p.consents))
            .zip(consent_values(&before))
        {
            if granted != was {
                record_consent(&mut tx, fan_id, purpose, granted, t).await?;
            }
        }
        audit::record(
            &mut tx,
            Some(person_id),
            "fan.update",
            "fan",
            Some(fan_id),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The person's fan record in a partnership, if they joined.
    pub async fn fan_of(&self, person_id: i64, partnership_id: i64) -> Result<Option<Fan>> {
        let sql = format!(
            "SELECT {FAN_COLUMNS} FROM fans f LEFT JOIN organisations o ON o.id = f.organisation_id
             WHERE f.person_id = $1 AND f.partnership_id = $2"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(person_id)
            .bind(partnership_id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Every partnership the person is a fan in.
    pub async fn fans_of_person(&self, person_id: i64) -> Result<Vec<Fan>> {
        let sql = format!(
            "SELECT {FAN_COLUMNS} FROM fans f LEFT JOIN organisations o ON o.id = f.organisation_id
             WHERE f.person_id = $1 ORDER BY f.id"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(person_id)
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn fan(&self, fan_id: i64) -> Result<Fan> {
        let sql = format!(
            "SELECT {FAN_COLUMNS} FROM fans f LEFT JOIN organisations o ON o.id = f.organisation_id WHERE f.id = $1"
        );
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(fan_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn fan_detail(&self, fan_id: i64) -> Result<FanDetail> {
        let fan = self.fan(fan_id).await?;
        let list = |sql: &'static str| async move {
            sqlx::query_scalar::<_, String>(sql)
                .bind(fan_id)
                .fetch_all(self.pool())
                .await
        };
        let skills: Vec<(String, i64)> =
            sqlx::query_as("SELECT skill, level FROM fan_skills WHERE fan_id = $1 ORDER BY skill")
                .bind(fan_id)
                .fetch_all(self.pool())
                .await?;
        let mut tx = self.pool().begin().await?;
        let contact = current_consents(&mut tx, fan_id).await?.contact;
        tx.commit().await?;
        Ok(FanDetail {
            interests: list(
                "SELECT pillar_key FROM fan_interests WHERE fan_id = $1 ORDER BY pillar_key",
            )
            .await?,
            tags: list("SELECT tag FROM fan_tags WHERE fan_id = $1 ORDER BY tag").await?,
            languages: list(
                "SELECT language FROM fan_languages WHERE fan_id = $1 ORDER BY language",
            )
            .await?,
            skills,
            contact,
            fan,
        })
    }

    /// Every consent change, newest first (shown to the fan).
    pub async fn consent_history(&self, fan_id: i64) -> Result<Vec<ConsentChange>> {
        Ok(sqlx::query_as("SELECT purpose, granted, changed_at FROM fan_consents WHERE fan_id = $1 ORDER BY id DESC")
            .bind(fan_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// Asks for PR goods (a badge) to be posted; the address serves this alone.
    pub async fn request_goods(
        &self,
        fan_id: i64,
        recipient: &str,
        postal_code: &str,
        address: &str,
    ) -> Result<i64> {
        let postal = kizuna_domain::fan::parse_postal_code(postal_code)?;
        let recipient = kizuna_domain::error::required_text("recipient", recipient, 100)?;
        let address = kizuna_domain::error::required_text("address", address, 300)?;
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO goods_requests (fan_id, recipient, postal_code, address, requested_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(fan_id)
        .bind(&recipient)
        .bind(&postal)
        .bind(&address)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        audit::record(&mut tx, None, "goods.request", "fan", Some(fan_id), None).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn goods_requests(&self, fan_id: i64) -> Result<Vec<GoodsRequest>> {
        Ok(sqlx::query_as(
            "SELECT id, recipient, postal_code, address, requested_at, sent_at, erased_at FROM goods_requests
             WHERE fan_id = $1 ORDER BY id DESC",
        )
        .bind(fan_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Marks a request sent (coordinators).
    pub async fn mark_goods_sent(&self, actor: i64, request_id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n =
            sqlx::query("UPDATE goods_requests SET sent_at = $1 WHERE id = $2 AND sent_at IS NULL")
                .bind(now())
                .bind(request_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        found(n)?;
        audit::record(
            &mut tx,
            Some(actor),
            "goods.sent",
            "goods_request",
            Some(request_id),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Erases the address of a request once it has been sent.
    pub async fn erase_goods_address(&self, fan_id: i64, request_id: i64) -> Result<()> {
        let sent: Option<Option<i64>> =
            sqlx::query_scalar("SELECT sent_at FROM goods_requests WHERE id = $1 AND fan_id = $2")
                .bind(request_id)
                .bind(fan_id)
                .fetch_optional(self.pool())
                .await?;
        match sent {
            None => Err(StoreError::NotFound),
            Some(None) => Err(StoreError::Conflict("goods_not_sent_yet")),
            Some(Some(_)) => {
                sqlx::query("UPDATE goods_requests SET recipient = NULL, postal_code = NULL, address = NULL, erased_at = $1 WHERE id = $2")
                    .bind(now())
                    .bind(request_id)
                    .execute(self.pool())
                    .await?;
                Ok(())
            }
        }
    }
}

async fn check_profile(tx: &mut Tx, partnership_id: i64, p: &FanProfile) -> Result<()> {
    if let Some(org) = p.organisation_id {
        let party: Option<i64> = sqlx::query_scalar(
            "SELECT organisation_id FROM partnership_parties WHERE partnership_id = $1 AND organisation_id = $2",
        )
        .bind(partnership_id)
        .bind(org)
        .fetch_optional(&mut **tx)
        .await?;
        if party.is_none() {
            return Err(
                ValidationError::new("organisation_id", "organisation_not_in_partnership").into(),
            );
        }
    }
    let pillars: Vec<String> =
        sqlx::query_scalar("SELECT key FROM pillars WHERE partnership_id = $1")
            .bind(partnership_id)
            .fetch_all(&mut **tx)
            .await?;
    if p.interests.iter().any(|i| !pillars.contains(i)) {
        return Err(ValidationError::new("interests", "unknown_pillar").into());
    }
    Ok(())
}

async fn replace_lists(tx: &mut Tx, fan_id: i64, p: &FanProfile) -> Result<()> {
    for table in ["fan_interests", "fan_skills", "fan_tags", "fan_languages"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE fan_id = $1"
        )))
        .bind(fan_id)
        .execute(&mut **tx)
        .await?;
    }
    for i in &p.interests {
        sqlx::query("INSERT INTO fan_interests (fan_id, pillar_key) VALUES ($1, $2)")
            .bind(fan_id)
            .bind(i)
            .execute(&mut **tx)
            .await?;
    }
    for (s, level) in &p.skills {
        sqlx::query("INSERT INTO fan_skills (fan_id, skill, level) VALUES ($1, $2, $3)")
            .bind(fan_id)
            .bind(s)
            .bind(level)
            .execute(&mut **tx)
            .await?;
    }
    for t in &p.tags {
        sqlx::query("INSERT INTO fan_tags (fan_id, tag) VALUES ($1, $2)")
            .bind(fan_id)
            .bind(t)
            .execute(&mut **tx)
            .await?;
    }
    for l in &p.languages {
        sqlx::query("INSERT INTO fan_languages (fan_id, language) VALUES ($1, $2)")
            .bind(fan_id)
            .bind(l)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn record_consent(
    tx: &mut Tx,
    fan_id: i64,
    purpose: &str,
    granted: bool,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO fan_consents (fan_id, purpose, granted, changed_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(fan_id)
    .bind(purpose)
    .bind(i64::from(granted))
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The newest state of each consent purpose.
async fn current_consents(tx: &mut Tx, fan_id: i64) -> Result<FanConsents> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT c.purpose, c.granted FROM fan_consents c
         WHERE c.fan_id = $1 AND c.id = (SELECT MAX(id) FROM fan_consents x WHERE x.fan_id = c.fan_id AND x.purpose = c.purpose)",
    )
    .bind(fan_id)
    .fetch_all(&mut **tx)
    .await?;
    let get = |p: &str| rows.iter().any(|(purpose, g)| purpose == p && *g == 1);
    Ok(FanConsents {
        named_to_government: get("named_to_government"),
        on_leaderboard: get("on_leaderboard"),
        contact: get("contact"),
    })
}

/// Stores the text member search looks in (see `kizuna_domain::fan::search_text`).
async fn set_search_text(tx: &mut Tx, fan_id: i64, p: &FanProfile) -> Result<()> {
    let org: Option<String> = match p.organisation_id {
        Some(id) => {
            sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?
        }
        None => None,
    };
    let skills: Vec<&str> = p.skills.iter().map(|(s, _)| s.as_str()).collect();
    let mut parts = vec![
        p.full_name.as_str(),
        p.full_name_kana.as_str(),
        p.display_name.as_str(),
    ];
    parts.push(p.department.as_deref().unwrap_or(""));
    parts.push(org.as_deref().unwrap_or(""));
    parts.extend(skills);
    parts.extend(p.tags.iter().map(String::as_str));
    let text = kizuna_domain::fan::search_text(&parts);
    sqlx::query("UPDATE fans SET search_text = $1, search_grams = $2 WHERE id = $3")
        .bind(&text)
        .bind(kizuna_domain::fan::search_grams(&text))
        .bind(fan_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Gives fans written before the search index existed their index terms
/// (run when the store opens; a no-op once done).
pub(crate) async fn backfill_search_grams(store: &Store) -> Result<()> {
    loop {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, search_text FROM fans WHERE search_grams = '' AND search_text <> '' LIMIT 1000",
        )
        .fetch_all(store.pool())
        .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = store.begin_write().await?;
        for (id, text) in rows {
            let grams = kizuna_domain::fan::search_grams(&text);
            // A text without letters or digits has no terms; mark it so the
            // loop ends.
            let grams = if grams.is_empty() {
                " ".to_string()
            } else {
                grams
            };
            sqlx::query("UPDATE fans SET search_grams = $1 WHERE id = $2")
                .bind(grams)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
}
