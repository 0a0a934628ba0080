//! Organisations, scoped to what the viewer may see.
//!
//! Visibility rule (one SQL fragment used by every read): local governments
//! are public facts; any other organisation is visible when it is a party to
//! a partnership the viewer may see, or the viewer belongs to it.

use crate::{Result, Store, StoreError, Tx, audit, now};
use kizuna_domain::{NewOrganisation, OrganisationProfile, Viewer};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Organisation {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub name_kana: Option<String>,
    pub name_en: Option<String>,
    pub local_gov_code: Option<String>,
    pub parent_id: Option<i64>,
    pub parent_name: Option<String>,
    pub website: Option<String>,
    pub description: Option<String>,
}

/// `$1` = viewer's person id (-1 for visitors), `$2` = 1 for instance admins.
pub(crate) const VISIBLE_ORG: &str = "(
    o.kind IN ('prefecture', 'municipality')
    OR $2 = 1
    OR EXISTS (SELECT 1 FROM memberships m WHERE m.organisation_id = o.id AND m.person_id = $1)
    OR EXISTS (SELECT 1 FROM partnership_parties pp JOIN partnerships p ON p.id = pp.partnership_id
               WHERE pp.organisation_id = o.id AND (p.visibility = 'public'
                 OR EXISTS (SELECT 1 FROM role_assignments r
                            WHERE r.partnership_id = p.id AND r.person_id = $1))))";

const SELECT: &str = "SELECT o.id, o.kind, o.name, o.name_kana, o.name_en, o.local_gov_code,
        o.parent_id, parent.name AS parent_name, o.website, o.description
     FROM organisations o LEFT JOIN organisations parent ON parent.id = o.parent_id";

pub(crate) fn viewer_binds(viewer: &Viewer) -> (i64, i64) {
    (
        viewer.person_id.unwrap_or(-1),
        i64::from(viewer.is_instance_admin),
    )
}

impl Store {
    /// Organisations the viewer may see, optionally of one kind, by kind then reading.
    pub async fn organisations(
        &self,
        viewer: &Viewer,
        kind: Option<&str>,
    ) -> Result<Vec<Organisation>> {
        let (pid, admin) = viewer_binds(viewer);
        let sql = format!(
            "{SELECT} WHERE {VISIBLE_ORG} AND ($3 = '' OR o.kind = $3)
             ORDER BY CASE o.kind WHEN 'prefecture' THEN 0 WHEN 'company' THEN 1 WHEN 'school' THEN 2
                      WHEN 'npo' THEN 3 ELSE 4 END, o.local_gov_code, COALESCE(o.name_kana, o.name)"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(pid)
            .bind(admin)
            .bind(kind.unwrap_or(""))
            .fetch_all(self.pool())
            .await?)
    }

    /// One organisation, or `NotFound` when it does not exist *or* the viewer
    /// may not see it (so hidden organisations cannot be probed).
    pub async fn organisation(&self, viewer: &Viewer, id: i64) -> Result<Organisation> {
        let (pid, admin) = viewer_binds(viewer);
        let sql = format!("{SELECT} WHERE {VISIBLE_ORG} AND o.id = $3");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(pid)
            .bind(admin)
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Subsidiaries of a company the viewer may see.
    pub async fn subsidiaries(&self, viewer: &Viewer, parent_id: i64) -> Result<Vec<Organisation>> {
        let (pid, admin) = viewer_binds(viewer);
        let sql = format!("{SELECT} WHERE {VISIBLE_ORG} AND o.parent_id = $3 ORDER BY o.name");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(pid)
            .bind(admin)
            .bind(parent_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// The partnerships an organisation is a party to (for permission checks).
    pub async fn partnerships_of_organisation(&self, organisation_id: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT partnership_id FROM partnership_parties WHERE organisation_id = $1",
        )
        .bind(organisation_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn create_organisation(
        &self,
        actor: Option<i64>,
        org: &NewOrganisation,
    ) -> Result<i64> {
        self.create_organisation_in(actor, org, None).await
    }

    /// Creates an organisation and, in the same transaction, makes it a party
    /// to `partnership` (so it is never created invisible to its creator).
    pub async fn create_organisation_in(
        &self,
        actor: Option<i64>,
        org: &NewOrganisation,
        partnership: Option<i64>,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        if let Some(parent) = org.parent_id {
            let kind: Option<String> =
                sqlx::query_scalar("SELECT kind FROM organisations WHERE id = $1")
                    .bind(parent)
                    .fetch_optional(&mut *tx)
                    .await?;
            if kind.as_deref() != Some("company") {
                return Err(kizuna_domain::ValidationError::new(
                    "parent_id",
                    "parent_must_be_company",
                )
                .into());
            }
        }
        let id = insert_organisation(&mut tx, org).await?;
        if let Some(p) = partnership {
            sqlx::query(
                "INSERT INTO partnership_parties (partnership_id, organisation_id) VALUES ($1, $2)",
            )
            .bind(p)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        audit::record(
            &mut tx,
            actor,
            "organisation.create",
            "organisation",
            Some(id),
            Some(&org.name),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Updates the editable profile. The caller has checked `can_edit_organisation`.
    pub async fn update_organisation_profile(
        &self,
        actor: i64,
        id: i64,
        profile: &OrganisationProfile,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE organisations SET website = $1, description = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(profile.website.as_deref())
        .bind(profile.description.as_deref())
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        crate::error::found(changed)?;
        audit::record(
            &mut tx,
            Some(actor),
            "organisation.update",
            "organisation",
            Some(id),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn organisation_id_by_code(&self, code: &str) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM organisations WHERE local_gov_code = $1")
                .bind(code)
                .fetch_optional(self.pool())
                .await?,
        )
    }
}

pub(crate) async fn insert_organisation(tx: &mut Tx, org: &NewOrganisation) -> Result<i64> {
    let t = now();
    sqlx::query_scalar(
        "INSERT INTO organisations (kind, name, name_kana, name_en, local_gov_code, parent_id,
             website, description, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(org.kind.as_str())
    .bind(&org.name)
    .bind(org.name_kana.as_deref())
    .bind(org.name_en.as_deref())
    .bind(org.local_gov_code.as_ref().map(|c| c.as_str().to_string()))
    .bind(org.parent_id)
    .bind(org.profile.website.as_deref())
    .bind(org.profile.description.as_deref())
    .bind(t)
    .fetch_one(&mut **tx)
    .await
    .map_err(StoreError::unique_as("local_gov_code_taken"))
}
