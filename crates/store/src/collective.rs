//! Collective challenges and leaderboards: recognition for the PR corps as
//! a whole, and — only for fans who opted in — for its most active members.

use crate::error::found;
use crate::ledger::COUNTED;
use crate::{Result, Store, audit, now};
use kizuna_domain::ledger::NewChallenge;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Challenge {
    pub id: i64,
    pub partnership_id: i64,
    pub title: String,
    pub kind: Option<String>,
    pub goal: i64,
    pub starts_on: String,
    pub deadline: String,
    /// Counted entries so far within the challenge's dates.
    pub progress: i64,
}

impl Challenge {
    /// Percentage reached, capped at 100.
    pub fn percent(&self) -> i64 {
        (self.progress * 100 / self.goal.max(1)).min(100)
    }
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct LeaderRow {
    pub display_name: String,
    pub points: i64,
}

impl Store {
    pub async fn create_challenge(
        &self,
        actor: i64,
        partnership_id: i64,
        c: &NewChallenge,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO collective_challenges (partnership_id, title, kind, goal, starts_on, deadline, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(partnership_id)
        .bind(&c.title)
        .bind(c.kind.map(|k| k.as_str()))
        .bind(c.goal)
        .bind(&c.starts_on)
        .bind(&c.deadline)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            Some(actor),
            "challenge.create",
            "partnership",
            Some(partnership_id),
            Some(&c.title),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn delete_challenge(&self, actor: i64, partnership_id: i64, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n =
            sqlx::query("DELETE FROM collective_challenges WHERE id = $1 AND partnership_id = $2")
                .bind(id)
                .bind(partnership_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        found(n)?;
        audit::record(
            &mut tx,
            Some(actor),
            "challenge.delete",
            "partnership",
            Some(partnership_id),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The partnership's challenges whose deadline is `today` or later (or
    /// all of them), each with its progress.
    pub async fn challenges(
        &self,
        partnership_id: i64,
        current_on: Option<&str>,
    ) -> Result<Vec<Challenge>> {
        let sql = format!(
            "SELECT c.id, c.partnership_id, c.title, c.kind, c.goal, c.starts_on, c.deadline,
                    (SELECT COUNT(*) FROM ledger_entries e WHERE e.partnership_id = c.partnership_id
                       AND (c.kind IS NULL OR e.kind = c.kind) AND e.status IN {COUNTED}
                       AND e.occurred_on >= c.starts_on AND e.occurred_on <= c.deadline) AS progress
             FROM collective_challenges c
             WHERE c.partnership_id = $1 AND ($2 = '' OR c.deadline >= $2)
             ORDER BY c.deadline, c.id"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(partnership_id)
            .bind(current_on.unwrap_or(""))
            .fetch_all(self.pool())
            .await?)
    }

    /// The top fans by points — only those who agreed to appear, by nickname.
    pub async fn leaderboard(&self, partnership_id: i64, limit: i64) -> Result<Vec<LeaderRow>> {
        let sql = format!(
            "SELECT f.display_name, CAST(COALESCE(SUM(e.points), 0) AS BIGINT) AS points
             FROM fans f JOIN ledger_entries e ON e.fan_id = f.id AND e.status IN {COUNTED}
             WHERE f.partnership_id = $1 AND f.on_leaderboard = 1
             GROUP BY f.id, f.display_name
             ORDER BY points DESC, f.id LIMIT $2"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(partnership_id)
            .bind(limit)
            .fetch_all(self.pool())
            .await?)
    }
}
