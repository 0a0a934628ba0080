//! People around a challenge: "we have this too" (うちも同じ) from other
//! municipalities, questions and answers, follows, and the digest that
//! tells followers what happened — one e-mail per person and period, not
//! one per event.

use crate::board::{Step, lock, record, refresh_totals, touch};
use crate::error::found;
use crate::outbox::{Mail, enqueue};
use crate::{Result, Store, StoreError, Tx, now};
use kizuna_domain::challenge::{NewEndorsement, Status};
use kizuna_domain::error::required_text;
use kizuna_domain::{ValidationError, Viewer};

/// A municipality that shares a challenge, with its burden and note.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct Endorsement {
    pub id: i64,
    /// The challenge it was given to (one merged into this one, perhaps).
    pub challenge_id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub burden_hours: i64,
    pub note: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct Comment {
    pub id: i64,
    pub person_name: Option<String>,
    /// The organisation the writer belongs to, for "who answered".
    pub organisation_name: Option<String>,
    pub body: String,
    pub created_at: i64,
}

/// One line of a digest.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Notice {
    pub id: i64,
    pub challenge_id: i64,
    pub title: String,
    pub kind: String,
    pub detail: Option<String>,
    pub created_at: i64,
}

/// Who a digest goes to.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DigestReader {
    pub person_id: i64,
    pub email: String,
    pub display_name: String,
    pub locale: String,
    /// An instance administrator sees every challenge.
    pub is_instance_admin: i64,
}

/// Writes a digest e-mail (the server knows the wording and the links).
pub trait DigestMail: Send + Sync {
    fn digest(&self, reader: &DigestReader, notices: &[Notice]) -> Mail;
}

/// Queues a notice for everyone following the challenge or its
/// municipality, except the one who acted. A follower who may no longer see
/// the challenge gets nothing (checked when the digest is written).
pub(crate) async fn notify_followers(
    tx: &mut Tx,
    challenge_id: i64,
    actor: i64,
    kind: &str,
    detail: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO board_notices (person_id, challenge_id, kind, detail, created_at)
         SELECT DISTINCT f.person_id, $1, $2, $3, $4 FROM board_follows f
         WHERE f.person_id <> $5 AND (f.challenge_id = $1
            OR f.organisation_id = (SELECT organisation_id FROM challenges WHERE id = $1))",
    )
    .bind(challenge_id)
    .bind(kind)
    .bind(detail)
    .bind(now())
    .bind(actor)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// "We have this too": `organisation_id` (the viewer's municipality, not
    /// the owner) shares the challenge, with its own burden. Saying it to a
    /// challenge that was merged gives it to the one it was merged into.
    pub async fn endorse_challenge(
        &self,
        viewer: &Viewer,
        challenge_id: i64,
        organisation_id: i64,
        e: &NewEndorsement,
    ) -> Result<i64> {
        let actor = viewer.person_id.ok_or(StoreError::NotFound)?;
        let target = self.challenge(viewer, challenge_id).await?;
        let target_id = target.merged_into.unwrap_or(target.id);
        let mut tx = self.begin_write().await?;
        let (partnership_id, owner, status) = lock(&mut tx, self.backend(), target_id).await?;
        if !viewer
            .staff_organisations(partnership_id)
            .contains(&organisation_id)
        {
            return Err(ValidationError::new("organisation_id", "not_your_municipality").into());
        }
        if owner == organisation_id {
            return Err(StoreError::Conflict("own_challenge"));
        }
        if !Status::parse(&status).is_ok_and(Status::is_listed) || status == "closed" {
            return Err(StoreError::Conflict("challenge_not_open"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO challenge_endorsements (challenge_id, organisation_id, person_id, burden_hours, note, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(target_id)
        .bind(organisation_id)
        .bind(actor)
        .bind(e.burden_hours)
        .bind(e.note.as_deref())
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::unique_as("already_endorsed"))?;
        refresh_totals(&mut tx, target_id).await?;
        touch(&mut tx, target_id).await?;
        record(
            &mut tx,
            target_id,
            Some(actor),
            Step::new("endorsed").other(organisation_id),
        )
        .await?;
        notify_followers(&mut tx, target_id, actor, "endorsed", None).await?;
        tx.commit().await?;
        self.board_pages.changed();
        Ok(id)
    }

    /// Takes back a "we have this too" (the municipality's staff).
    pub async fn withdraw_endorsement(&self, viewer: &Viewer, endorsement_id: i64) -> Result<()> {
        let actor = viewer.person_id.ok_or(StoreError::NotFound)?;
        let mut tx = self.begin_write().await?;
        let row: Option<(i64, i64, i64)> = sqlx::query_as(
            "SELECT e.challenge_id, e.organisation_id, c.partnership_id FROM challenge_endorsements e
             JOIN challenges c ON c.id = e.challenge_id WHERE e.id = $1",
        )
        .bind(endorsement_id)
        .fetch_optional(&mut *tx)
        .await?;
        let (challenge_id, org, partnership_id) = row.ok_or(StoreError::NotFound)?;
        if !viewer.staff_organisations(partnership_id).contains(&org)
            && !viewer.can_coordinate(partnership_id)
        {
            return Err(StoreError::NotFound);
        }
        found(
            sqlx::query("DELETE FROM challenge_endorsements WHERE id = $1")
                .bind(endorsement_id)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
        )?;
        let shown = sqlx::query_scalar::<_, Option<i64>>(
            "SELECT merged_into FROM challenges WHERE id = $1",
        )
        .bind(challenge_id)
        .fetch_one(&mut *tx)
        .await?
        .unwrap_or(challenge_id);
        refresh_totals(&mut tx, shown).await?;
        touch(&mut tx, shown).await?;
        record(
            &mut tx,
            challenge_id,
            Some(actor),
            Step::new("endorsement_withdrawn").other(org),
        )
        .await?;
        tx.commit().await?;
        self.board_pages.changed();
        Ok(())
    }

    /// Who shares the challenge: its own endorsements and, for a challenge
    /// others were merged into, theirs and their owners (as endorsements of
    /// the merged challenge with its burden).
    pub async fn endorsements(
        &self,
        viewer: &Viewer,
        challenge_id: i64,
    ) -> Result<Vec<Endorsement>> {
        let c = self.challenge(viewer, challenge_id).await?;
        self.endorsements_of(&c).await
    }

    /// Who shares a challenge already read for its viewer (`challenge`).
    pub async fn endorsements_of(&self, c: &crate::board::Challenge) -> Result<Vec<Endorsement>> {
        Ok(sqlx::query_as(
            "SELECT e.id, e.challenge_id, e.organisation_id, o.name AS organisation_name, e.burden_hours, e.note, e.created_at
             FROM challenge_endorsements e JOIN organisations o ON o.id = e.organisation_id
             WHERE e.challenge_id = $1 OR e.challenge_id IN (SELECT id FROM challenges WHERE merged_into = $1)
             UNION ALL
             SELECT -c.id, c.id, c.organisation_id, o.name, c.burden_hours, c.title, c.created_at
             FROM challenges c JOIN organisations o ON o.id = c.organisation_id WHERE c.merged_into = $1
             ORDER BY 7, 1",
        )
        .bind(c.id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The discussion of a challenge, oldest first.
    pub async fn comments(&self, viewer: &Viewer, challenge_id: i64) -> Result<Vec<Comment>> {
        let c = self.challenge(viewer, challenge_id).await?;
        self.comments_of(&c).await
    }

    /// The discussion of a challenge already read for its viewer; the
    /// author's own words stay unnamed where their name is hidden.
    pub async fn comments_of(&self, c: &crate::board::Challenge) -> Result<Vec<Comment>> {
        Ok(sqlx::query_as(
            "SELECT k.id, CASE WHEN $2 = 1 AND k.person_id = c.author_id THEN NULL ELSE p.display_name END AS person_name,
                    (SELECT MIN(o.name) FROM memberships mb JOIN organisations o ON o.id = mb.organisation_id
                     WHERE mb.person_id = k.person_id) AS organisation_name,
                    k.body, k.created_at
             FROM challenge_comments k JOIN challenges c ON c.id = k.challenge_id
             LEFT JOIN people p ON p.id = k.person_id
             WHERE k.challenge_id = $1 ORDER BY k.id",
        )
        .bind(c.id)
        .bind(i64::from(c.name_hidden()))
        .fetch_all(self.pool())
        .await?)
    }

    /// Asks or answers on a challenge (municipal staff and coordinators of
    /// its partnership).
    pub async fn add_comment(&self, viewer: &Viewer, challenge_id: i64, body: &str) -> Result<i64> {
        let actor = viewer.person_id.ok_or(StoreError::NotFound)?;
        let body = required_text("body", body, 4000)?;
        let c = self.challenge(viewer, challenge_id).await?;
        if !viewer.can_discuss_challenges(c.partnership_id) {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO challenge_comments (challenge_id, person_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(challenge_id)
        .bind(actor)
        .bind(&body)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        let excerpt: String = body.chars().take(80).collect();
        notify_followers(&mut tx, challenge_id, actor, "commented", Some(&excerpt)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Follows (or stops following) a challenge the viewer may see.
    pub async fn follow_challenge(
        &self,
        viewer: &Viewer,
        challenge_id: i64,
        on: bool,
    ) -> Result<()> {
        let person = viewer.person_id.ok_or(StoreError::NotFound)?;
        self.challenge(viewer, challenge_id).await?;
        self.set_follow(person, "challenge_id", challenge_id, on)
            .await
    }

    /// Follows (or stops following) every challenge of a municipality.
    pub async fn follow_organisation(
        &self,
        person: i64,
        organisation_id: i64,
        on: bool,
    ) -> Result<()> {
        self.set_follow(person, "organisation_id", organisation_id, on)
            .await
    }

    async fn set_follow(&self, person: i64, column: &'static str, id: i64, on: bool) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let sql = if on {
            format!(
                "INSERT INTO board_follows (person_id, {column}, created_at)
                 SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM board_follows WHERE person_id = $1 AND {column} = $2)"
            )
        } else {
            format!("DELETE FROM board_follows WHERE person_id = $1 AND {column} = $2 AND $3 >= 0")
        };
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(person)
            .bind(id)
            .bind(now())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::unique_as("already_following"))?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the person follows the challenge, and its municipality.
    pub async fn follows(
        &self,
        person: i64,
        challenge_id: i64,
        organisation_id: i64,
    ) -> Result<(bool, bool)> {
        let (c, o): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM board_follows WHERE person_id = $1 AND challenge_id = $2),
                    (SELECT COUNT(*) FROM board_follows WHERE person_id = $1 AND organisation_id = $3)",
        )
        .bind(person)
        .bind(challenge_id)
        .bind(organisation_id)
        .fetch_one(self.pool())
        .await?;
        Ok((c > 0, o > 0))
    }

    /// Sends each person one digest of what happened to what they follow
    /// since their last one, and marks those notices sent — in one
    /// transaction, so a digest is queued once even with several processes.
    /// Notices of challenges the person may no longer see are dropped.
    /// Returns how many digests were queued.
    pub async fn send_board_digests(&self, mail: &dyn DigestMail) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let readers: Vec<DigestReader> = sqlx::query_as(
            "SELECT DISTINCT p.id AS person_id, p.email, p.display_name, p.locale, p.is_instance_admin
             FROM board_notices n JOIN people p ON p.id = n.person_id
             WHERE n.sent_at IS NULL ORDER BY p.id LIMIT 500",
        )
        .fetch_all(&mut *tx)
        .await?;
        let t = now();
        let mut sent = 0;
        for reader in &readers {
            let visible = crate::board::VISIBLE
                .replace("$1", "$3")
                .replace("$2", "$4");
            let sql = format!(
                "SELECT n.id, n.challenge_id, c.title, n.kind, n.detail, n.created_at
                 FROM board_notices n JOIN challenges c ON c.id = n.challenge_id
                 WHERE n.person_id = $1 AND n.sent_at IS NULL AND $2 >= 0 AND {visible}
                 ORDER BY n.challenge_id, n.id"
            );
            let notices: Vec<Notice> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(reader.person_id)
                .bind(0i64)
                .bind(reader.person_id)
                .bind(reader.is_instance_admin)
                .fetch_all(&mut *tx)
                .await?;
            if !notices.is_empty() {
                enqueue(&mut tx, &mail.digest(reader, &notices)).await?;
                sent += 1;
            }
            sqlx::query(
                "UPDATE board_notices SET sent_at = $1 WHERE person_id = $2 AND sent_at IS NULL",
            )
            .bind(t)
            .bind(reader.person_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(sent)
    }
}
