//! Sign-in sessions, kept in the database so any number of server
//! processes share them. The cookie holds a secret; the table its hash.

use crate::{Result, Store, now};
use kizuna_domain::{Role, RoleAssignment, Viewer};

/// Sessions last 14 days from sign-in.
pub const SESSION_SECS: i64 = 14 * 24 * 3600;

/// The signed-in person behind a session or API token.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub viewer: Viewer,
    pub display_name: String,
    pub email: String,
    pub locale: String,
}

impl Store {
    pub async fn create_session(&self, person_id: i64, token_hash: &str) -> Result<()> {
        let t = now();
        sqlx::query("INSERT INTO sessions (token_hash, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(person_id)
            .bind(t)
            .bind(t + SESSION_SECS)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The person behind a live session, with their roles — one query,
    /// the roles as a JSON array: every signed-in request pays this, and
    /// each query is a hand-off to a database connection.
    pub async fn session_person(&self, token_hash: &str) -> Result<Option<SignedIn>> {
        let roles = crate::json_rows::wrap(
            self.backend(),
            &["partnership_id", "role", "organisation_id"],
            "SELECT ra.id, ra.partnership_id, ra.role, ra.organisation_id FROM role_assignments ra WHERE ra.person_id = p.id",
            "x.id",
        );
        let sql = format!(
            "SELECT p.id, p.is_instance_admin, p.display_name, p.email, p.locale, ({roles})
             FROM sessions s JOIN people p ON p.id = s.person_id
             WHERE s.token_hash = $1 AND s.expires_at > $2"
        );
        let row: Option<(i64, i64, String, String, String, String)> =
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(token_hash)
                .bind(now())
                .fetch_optional(self.pool())
                .await?;
        let Some((id, admin, display_name, email, locale, roles)) = row else {
            return Ok(None);
        };
        #[derive(serde::Deserialize)]
        struct Row {
            partnership_id: i64,
            role: String,
            organisation_id: Option<i64>,
        }
        let roles: Vec<Row> = crate::json_rows::parse(&roles)?;
        let roles = roles
            .into_iter()
            .map(|r| (r.partnership_id, r.role, r.organisation_id))
            .collect();
        Ok(Some(SignedIn {
            viewer: Viewer {
                person_id: Some(id),
                is_instance_admin: admin == 1,
                roles: assignments(roles),
            },
            display_name,
            email,
            locale,
        }))
    }

    /// Loads a person as a [`SignedIn`] viewer with all their roles.
    pub async fn signed_in(&self, person_id: i64) -> Result<SignedIn> {
        let p = self.person(person_id).await?;
        Ok(SignedIn {
            viewer: Viewer {
                person_id: Some(p.id),
                is_instance_admin: p.is_instance_admin == 1,
                roles: self.roles_of(p.id).await?,
            },
            display_name: p.display_name,
            email: p.email,
            locale: p.locale,
        })
    }

    pub async fn roles_of(&self, person_id: i64) -> Result<Vec<RoleAssignment>> {
        let rows: Vec<(i64, String, Option<i64>)> = sqlx::query_as(
            "SELECT partnership_id, role, organisation_id FROM role_assignments WHERE person_id = $1 ORDER BY id",
        )
        .bind(person_id)
        .fetch_all(self.pool())
        .await?;
        Ok(assignments(rows))
    }

    /// Removes expired sessions and used or stale links (run by the job loop).
    pub async fn purge_expired(&self) -> Result<u64> {
        let t = now();
        let a = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(t)
            .execute(self.pool())
            .await?;
        let b = sqlx::query("DELETE FROM auth_tokens WHERE expires_at < $1")
            .bind(t - 7 * 86400)
            .execute(self.pool())
            .await?;
        let c = sqlx::query("DELETE FROM login_attempts WHERE attempted_at < $1")
            .bind(t - 86400)
            .execute(self.pool())
            .await?;
        Ok(a.rows_affected() + b.rows_affected() + c.rows_affected())
    }
}

/// Role rows as assignments (a role this build does not know is skipped).
fn assignments(rows: Vec<(i64, String, Option<i64>)>) -> Vec<RoleAssignment> {
    rows.into_iter()
        .filter_map(|(partnership_id, role, organisation_id)| {
            Some(RoleAssignment {
                partnership_id,
                role: Role::parse(&role).ok()?,
                organisation_id,
            })
        })
        .collect()
}
