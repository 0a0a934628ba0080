//! Partnerships (包括連携協定), their parties and their pillars.

use crate::error::found;
use crate::organisations::viewer_binds;
use crate::{Result, Store, StoreError, Tx, audit, now};
use kizuna_domain::{DEFAULT_PILLARS, PillarKey, ValidationError, Viewer, Visibility};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Partnership {
    pub id: i64,
    pub name: String,
    pub name_en: Option<String>,
    pub description: Option<String>,
    pub visibility: String,
    pub signed_on: Option<String>,
    /// Days during which fans may edit or withdraw their ledger entries.
    pub ledger_edit_days: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Pillar {
    pub id: i64,
    pub key: String,
    pub name_ja: String,
    pub name_en: String,
    pub sort_order: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Party {
    pub organisation_id: i64,
    pub kind: String,
    pub name: String,
    pub name_en: Option<String>,
}

/// Headline figures for a partnership's home page.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PartnershipFigures {
    pub companies: i64,
    pub municipalities: i64,
    pub schools: i64,
    pub people: i64,
    pub coordinators: i64,
    pub municipal_staff: i64,
}

/// `$1` viewer id, `$2` instance admin flag.
const VISIBLE_PARTNERSHIP: &str = "(p.visibility = 'public' OR $2 = 1
    OR EXISTS (SELECT 1 FROM role_assignments r WHERE r.partnership_id = p.id AND r.person_id = $1))";

const SELECT: &str = "SELECT p.id, p.name, p.name_en, p.description, p.visibility, p.signed_on, p.ledger_edit_days FROM partnerships p";

pub struct NewPartnership<'a> {
    pub name: &'a str,
    pub name_en: Option<&'a str>,
    pub description: Option<&'a str>,
    pub visibility: Visibility,
    pub signed_on: Option<&'a str>,
}

impl Store {
    pub async fn partnerships(&self, viewer: &Viewer) -> Result<Vec<Partnership>> {
        let (pid, admin) = viewer_binds(viewer);
        let sql = format!("{SELECT} WHERE {VISIBLE_PARTNERSHIP} ORDER BY p.id");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(pid)
            .bind(admin)
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn partnership(&self, viewer: &Viewer, id: i64) -> Result<Partnership> {
        let (pid, admin) = viewer_binds(viewer);
        let sql = format!("{SELECT} WHERE {VISIBLE_PARTNERSHIP} AND p.id = $3");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(pid)
            .bind(admin)
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Partnerships the organisation is a party to, as far as the viewer may see.
    pub async fn partnerships_for_organisation(
        &self,
        viewer: &Viewer,
        org_id: i64,
    ) -> Result<Vec<Partnership>> {
        let (pid, admin) = viewer_binds(viewer);
        let sql = format!(
            "{SELECT} JOIN partnership_parties pp ON pp.partnership_id = p.id
             WHERE {VISIBLE_PARTNERSHIP} AND pp.organisation_id = $3 ORDER BY p.id"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(pid)
            .bind(admin)
            .bind(org_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// Parties of a partnership the caller already may see.
    pub async fn parties(&self, partnership_id: i64) -> Result<Vec<Party>> {
        Ok(sqlx::query_as(
            "SELECT o.id AS organisation_id, o.kind, o.name, o.name_en
             FROM partnership_parties pp JOIN organisations o ON o.id = pp.organisation_id
             WHERE pp.partnership_id = $1
             ORDER BY CASE o.kind WHEN 'prefecture' THEN 0 WHEN 'company' THEN 1 WHEN 'municipality' THEN 2
                      WHEN 'school' THEN 3 ELSE 4 END, o.local_gov_code, o.id",
        )
        .bind(partnership_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn pillars(&self, partnership_id: i64) -> Result<Vec<Pillar>> {
        Ok(sqlx::query_as(
            "SELECT id, key, name_ja, name_en, sort_order FROM pillars
             WHERE partnership_id = $1 ORDER BY sort_order, id",
        )
        .bind(partnership_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn partnership_figures(&self, partnership_id: i64) -> Result<PartnershipFigures> {
        let (companies, municipalities, schools): (i64, i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN o.kind = 'company' THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN o.kind = 'municipality' THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN o.kind = 'school' THEN 1 ELSE 0 END), 0)
             FROM partnership_parties pp JOIN organisations o ON o.id = pp.organisation_id
             WHERE pp.partnership_id = $1",
        )
        .bind(partnership_id)
        .fetch_one(self.pool())
        .await?;
        let (people, coordinators, municipal_staff): (i64, i64, i64) = sqlx::query_as(
            "SELECT COUNT(DISTINCT person_id),
                    COUNT(DISTINCT CASE WHEN role = 'coordinator' THEN person_id END),
                    COUNT(DISTINCT CASE WHEN role = 'municipal_staff' THEN person_id END)
             FROM role_assignments WHERE partnership_id = $1",
        )
        .bind(partnership_id)
        .fetch_one(self.pool())
        .await?;
        Ok(PartnershipFigures {
            companies,
            municipalities,
            schools,
            people,
            coordinators,
            municipal_staff,
        })
    }

    /// Creates a partnership with its parties and the default pillars.
    pub async fn create_partnership(
        &self,
        actor: Option<i64>,
        p: &NewPartnership<'_>,
        parties: &[i64],
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id = insert_partnership(&mut tx, p, parties).await?;
        audit::record(
            &mut tx,
            actor,
            "partnership.create",
            "partnership",
            Some(id),
            Some(p.name),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn add_party(
        &self,
        actor: Option<i64>,
        partnership_id: i64,
        organisation_id: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO partnership_parties (partnership_id, organisation_id) VALUES ($1, $2)
             ON CONFLICT DO NOTHING",
        )
        .bind(partnership_id)
        .bind(organisation_id)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            "partnership.add_party",
            "partnership",
            Some(partnership_id),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a pillar or renames the one with the same key.
    pub async fn save_pillar(
        &self,
        actor: i64,
        partnership_id: i64,
        key: &PillarKey,
        name_ja: &str,
        name_en: &str,
    ) -> Result<()> {
        if name_ja.trim().is_empty() {
            return Err(ValidationError::new("name_ja", "required").into());
        }
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO pillars (partnership_id, key, name_ja, name_en, sort_order)
             VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM pillars WHERE partnership_id = $1))
             ON CONFLICT (partnership_id, key) DO UPDATE SET name_ja = excluded.name_ja, name_en = excluded.name_en",
        )
        .bind(partnership_id)
        .bind(key.as_str())
        .bind(name_ja.trim())
        .bind(name_en.trim())
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            Some(actor),
            "pillar.save",
            "partnership",
            Some(partnership_id),
            Some(key.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_pillar(
        &self,
        actor: i64,
        partnership_id: i64,
        pillar_id: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("DELETE FROM pillars WHERE id = $1 AND partnership_id = $2")
            .bind(pillar_id)
            .bind(partnership_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        found(n)?;
        audit::record(
            &mut tx,
            Some(actor),
            "pillar.delete",
            "partnership",
            Some(partnership_id),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

pub(crate) async fn insert_partnership(
    tx: &mut Tx,
    p: &NewPartnership<'_>,
    parties: &[i64],
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO partnerships (name, name_en, description, visibility, signed_on, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(p.name)
    .bind(p.name_en)
    .bind(p.description)
    .bind(p.visibility.as_str())
    .bind(p.signed_on)
    .bind(now())
    .fetch_one(&mut **tx)
    .await?;
    for org in parties {
        sqlx::query(
            "INSERT INTO partnership_parties (partnership_id, organisation_id) VALUES ($1, $2)",
        )
        .bind(id)
        .bind(org)
        .execute(&mut **tx)
        .await?;
    }
    for (i, (key, ja, en)) in DEFAULT_PILLARS.iter().enumerate() {
        sqlx::query(
            "INSERT INTO pillars (partnership_id, key, name_ja, name_en, sort_order) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(*key)
        .bind(*ja)
        .bind(*en)
        .bind(i as i64 + 1)
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}
