//! Memberships: which organisations a person belongs to, with their department.

use crate::error::found;
use crate::{Result, Store, audit};

impl Store {
    /// Adds the person to the organisation, or updates their department.
    pub async fn add_membership(
        &self,
        actor: Option<i64>,
        person_id: i64,
        organisation_id: i64,
        department: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO memberships (person_id, organisation_id, department) VALUES ($1, $2, $3)
             ON CONFLICT (person_id, organisation_id) DO UPDATE SET department = excluded.department",
        )
        .bind(person_id)
        .bind(organisation_id)
        .bind(department)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            "membership.add",
            "person",
            Some(person_id),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_membership(
        &self,
        actor: Option<i64>,
        person_id: i64,
        organisation_id: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n =
            sqlx::query("DELETE FROM memberships WHERE person_id = $1 AND organisation_id = $2")
                .bind(person_id)
                .bind(organisation_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        found(n)?;
        audit::record(
            &mut tx,
            actor,
            "membership.remove",
            "person",
            Some(person_id),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
