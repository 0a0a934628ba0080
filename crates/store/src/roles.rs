//! Role assignments and the administrators' view of people.

use crate::{Result, Store, StoreError, audit, now};
use kizuna_domain::{RoleAssignment, Viewer};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct PersonWithRoles {
    pub id: i64,
    pub display_name: String,
    pub name_kana: Option<String>,
    pub email: String,
    pub is_instance_admin: i64,
    pub email_verified_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AssignedRole {
    pub id: i64,
    pub person_id: i64,
    pub partnership_id: i64,
    pub partnership_name: String,
    pub role: String,
    pub organisation_id: Option<i64>,
    pub organisation_name: Option<String>,
}

impl Store {
    /// People an administrator may manage: everyone for the instance admin,
    /// otherwise those holding a role in a partnership the viewer administers.
    pub async fn people_for_admin(
        &self,
        viewer: &Viewer,
        query: &str,
    ) -> Result<Vec<PersonWithRoles>> {
        let pid = viewer.person_id.unwrap_or(-1);
        let like = format!("%{}%", query.trim().to_lowercase());
        Ok(sqlx::query_as(
            "SELECT p.id, p.display_name, p.name_kana, p.email, p.is_instance_admin, p.email_verified_at
             FROM people p
             WHERE ($1 = 1 OR EXISTS (
                    SELECT 1 FROM role_assignments r JOIN role_assignments mine
                      ON mine.partnership_id = r.partnership_id AND mine.person_id = $2 AND mine.role = 'administrator'
                    WHERE r.person_id = p.id))
               AND (LOWER(p.display_name) LIKE $3 OR LOWER(p.email) LIKE $3 OR COALESCE(p.name_kana, '') LIKE $3)
             ORDER BY COALESCE(p.name_kana, p.display_name), p.id
             LIMIT 500",
        )
        .bind(i64::from(viewer.is_instance_admin))
        .bind(pid)
        .bind(like)
        .fetch_all(self.pool())
        .await?)
    }

    /// Roles of the given people, limited to partnerships the viewer administers.
    pub async fn roles_for_admin(&self, viewer: &Viewer) -> Result<Vec<AssignedRole>> {
        let pid = viewer.person_id.unwrap_or(-1);
        Ok(sqlx::query_as(
            "SELECT r.id, r.person_id, r.partnership_id, ps.name AS partnership_name, r.role,
                    r.organisation_id, o.name AS organisation_name
             FROM role_assignments r
             JOIN partnerships ps ON ps.id = r.partnership_id
             LEFT JOIN organisations o ON o.id = r.organisation_id
             WHERE $1 = 1 OR EXISTS (SELECT 1 FROM role_assignments mine WHERE mine.person_id = $2
                                     AND mine.partnership_id = r.partnership_id AND mine.role = 'administrator')
             ORDER BY r.person_id, r.partnership_id, r.role",
        )
        .bind(i64::from(viewer.is_instance_admin))
        .bind(pid)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn assign_role(
        &self,
        actor: Option<i64>,
        person_id: i64,
        a: &RoleAssignment,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO role_assignments (person_id, partnership_id, role, organisation_id, organisation_key, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(person_id)
        .bind(a.partnership_id)
        .bind(a.role.as_str())
        .bind(a.organisation_id)
        .bind(a.organisation_id.unwrap_or(0))
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::unique_as("role_already_held"))?;
        let detail = format!("{} in partnership {}", a.role.as_str(), a.partnership_id);
        audit::record(
            &mut tx,
            actor,
            "role.assign",
            "person",
            Some(person_id),
            Some(&detail),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Removes an assignment; returns its partnership so the caller's
    /// permission check can be made before the commit by the caller.
    pub async fn role_assignment_partnership(&self, assignment_id: i64) -> Result<i64> {
        sqlx::query_scalar("SELECT partnership_id FROM role_assignments WHERE id = $1")
            .bind(assignment_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn revoke_role(&self, actor: i64, assignment_id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let person: Option<i64> =
            sqlx::query_scalar("DELETE FROM role_assignments WHERE id = $1 RETURNING person_id")
                .bind(assignment_id)
                .fetch_optional(&mut *tx)
                .await?;
        let person = person.ok_or(StoreError::NotFound)?;
        audit::record(
            &mut tx,
            Some(actor),
            "role.revoke",
            "person",
            Some(person),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
