//! APPI: a person can take out everything Kizuna holds about them, and have
//! it erased. Both are one transaction so the answer is consistent.

use crate::people::{Consent, Person};
use crate::{Result, Store, StoreError, audit};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct MembershipRow {
    pub organisation_id: i64,
    pub organisation: String,
    pub department: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct RoleRow {
    pub partnership: String,
    pub role: String,
    pub organisation: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct TokenRow {
    pub name: String,
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct LoginRow {
    pub ip: String,
    pub attempted_at: i64,
    pub succeeded: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ActionRow {
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<i64>,
    pub logged_at: i64,
}

/// Everything held about one person (secrets such as the password hash and
/// token hashes are left out: they are not information about the person).
#[derive(Debug, Clone, serde::Serialize)]
pub struct PersonalData {
    pub person: Person,
    pub consents: Vec<Consent>,
    pub memberships: Vec<MembershipRow>,
    pub roles: Vec<RoleRow>,
    pub api_tokens: Vec<TokenRow>,
    pub active_sessions: i64,
    pub sign_in_attempts: Vec<LoginRow>,
    pub mail_sent_to_you: Vec<crate::outbox::Mail>,
    pub your_actions: Vec<ActionRow>,
    /// Your PR-corps profiles, one per partnership, with their ledgers.
    pub fan_profiles: Vec<crate::fans::FanDetail>,
    pub ledger_entries: Vec<crate::ledger::Entry>,
    pub consent_changes: Vec<crate::fans::ConsentChange>,
    pub goods_requests: Vec<crate::fans::GoodsRequest>,
    /// Events registered for, with status and check-in.
    pub event_registrations: Vec<crate::registrations::MyRegistration>,
    pub event_feedback: Vec<crate::event_extras::Feedback>,
    /// Challenges you wrote (they belong to your municipality and stay
    /// after erasure, without your name).
    pub challenges_written: Vec<BoardItem>,
    /// Questions and answers you wrote on challenges.
    pub challenge_comments: Vec<BoardItem>,
    /// "We have this too" you gave for your municipality.
    pub endorsements_given: Vec<BoardItem>,
    /// What you follow on the board (erased with your account).
    pub follows: Vec<BoardItem>,
}

/// A line of your board activity: the challenge, what, when.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct BoardItem {
    pub challenge_id: Option<i64>,
    pub text: Option<String>,
    pub at: i64,
}

const MEMBERSHIPS: &str =
    "SELECT m.organisation_id, o.name AS organisation, m.department FROM memberships m
     JOIN organisations o ON o.id = m.organisation_id WHERE m.person_id = $1 ORDER BY o.id";

impl Store {
    /// The organisations a person belongs to, with their department.
    pub async fn memberships(&self, person_id: i64) -> Result<Vec<MembershipRow>> {
        Ok(sqlx::query_as(MEMBERSHIPS)
            .bind(person_id)
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn personal_data(&self, person_id: i64) -> Result<PersonalData> {
        let mut tx = self.pool().begin().await?;
        let person: Person = sqlx::query_as(
            "SELECT id, email, email_verified_at, display_name, name_kana, locale, is_instance_admin, created_at
             FROM people WHERE id = $1",
        )
        .bind(person_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let consents = sqlx::query_as("SELECT purpose, notice_version, granted_at, withdrawn_at FROM consents WHERE person_id = $1 ORDER BY id")
            .bind(person_id).fetch_all(&mut *tx).await?;
        let memberships = sqlx::query_as(MEMBERSHIPS)
            .bind(person_id)
            .fetch_all(&mut *tx)
            .await?;
        let roles = sqlx::query_as(
            "SELECT p.name AS partnership, r.role, o.name AS organisation, r.created_at FROM role_assignments r
             JOIN partnerships p ON p.id = r.partnership_id LEFT JOIN organisations o ON o.id = r.organisation_id
             WHERE r.person_id = $1 ORDER BY r.id",
        )
        .bind(person_id).fetch_all(&mut *tx).await?;
        let api_tokens = sqlx::query_as("SELECT name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE person_id = $1 ORDER BY id")
            .bind(person_id).fetch_all(&mut *tx).await?;
        let active_sessions =
            sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE person_id = $1")
                .bind(person_id)
                .fetch_one(&mut *tx)
                .await?;
        let sign_in_attempts = sqlx::query_as(
            "SELECT ip, attempted_at, succeeded FROM login_attempts WHERE email = $1 ORDER BY id",
        )
        .bind(&person.email)
        .fetch_all(&mut *tx)
        .await?;
        let mail_sent_to_you = sqlx::query_as("SELECT to_addr, subject, text_body, html_body, calendar FROM outbox WHERE to_addr = $1 ORDER BY id")
            .bind(&person.email).fetch_all(&mut *tx).await?;
        let your_actions = sqlx::query_as("SELECT action, subject_type, subject_id, logged_at FROM audit_log WHERE actor_id = $1 ORDER BY id")
            .bind(person_id).fetch_all(&mut *tx).await?;
        let event_feedback = sqlx::query_as(
            "SELECT f.rating, f.comment, f.created_at FROM event_feedback f JOIN registrations r ON r.id = f.registration_id
             WHERE r.person_id = $1 ORDER BY f.created_at",
        )
        .bind(person_id)
        .fetch_all(&mut *tx)
        .await?;
        let board = |sql: &'static str| sqlx::query_as::<_, BoardItem>(sql).bind(person_id);
        let challenges_written = board(
            "SELECT id AS challenge_id, title AS text, created_at AS at FROM challenges WHERE author_id = $1 ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let challenge_comments = board(
            "SELECT challenge_id, body AS text, created_at AS at FROM challenge_comments WHERE person_id = $1 ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let endorsements_given = board(
            "SELECT challenge_id, note AS text, created_at AS at FROM challenge_endorsements WHERE person_id = $1 ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let follows = board(
            "SELECT challenge_id, CAST(organisation_id AS TEXT) AS text, created_at AS at FROM board_follows WHERE person_id = $1 ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let (mut fan_profiles, mut ledger_entries, mut consent_changes, mut goods_requests) =
            (vec![], vec![], vec![], vec![]);
        for fan in self.fans_of_person(person_id).await? {
            fan_profiles.push(self.fan_detail(fan.id).await?);
            ledger_entries.extend(self.ledger(fan.id, &Default::default()).await?);
            consent_changes.extend(self.consent_history(fan.id).await?);
            goods_requests.extend(self.goods_requests(fan.id).await?);
        }
        let event_registrations = self.my_registrations(person_id, false).await?;
        Ok(PersonalData {
            challenges_written,
            challenge_comments,
            endorsements_given,
            follows,
            event_registrations,
            event_feedback,
            person,
            consents,
            memberships,
            roles,
            api_tokens,
            active_sessions,
            sign_in_attempts,
            mail_sent_to_you,
            your_actions,
            fan_profiles,
            ledger_entries,
            consent_changes,
            goods_requests,
        })
    }

    /// Erases the person and everything that names them. The audit log keeps
    /// that actions happened, without saying by whom. Their places at events
    /// are given back first, and offered to those waiting (told by `mail`).
    pub async fn erase_person(
        &self,
        person_id: i64,
        mail: &dyn crate::registrations::EventMail,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let email: String = sqlx::query_scalar("SELECT email FROM people WHERE id = $1")
            .bind(person_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        crate::registrations::withdraw_all(&mut tx, self.backend(), person_id, mail).await?;
        for sql in [
            "DELETE FROM sessions WHERE person_id = $1",
            "DELETE FROM auth_tokens WHERE person_id = $1",
            "DELETE FROM api_tokens WHERE person_id = $1",
            "DELETE FROM role_assignments WHERE person_id = $1",
            "DELETE FROM memberships WHERE person_id = $1",
            "DELETE FROM consents WHERE person_id = $1",
            "UPDATE audit_log SET actor_id = NULL, detail = NULL WHERE actor_id = $1",
            "UPDATE audit_log SET detail = NULL WHERE subject_type = 'person' AND subject_id = $1",
            "DELETE FROM people WHERE id = $1",
        ] {
            sqlx::query(sql).bind(person_id).execute(&mut *tx).await?;
        }
        for sql in [
            "DELETE FROM outbox WHERE to_addr = $1",
            "DELETE FROM login_attempts WHERE email = $1",
        ] {
            sqlx::query(sql).bind(&email).execute(&mut *tx).await?;
        }
        audit::record(
            &mut tx,
            None,
            "person.erase",
            "person",
            Some(person_id),
            None,
        )
        .await?;
        tx.commit().await?;
        // Places the person held went back to their events.
        self.event_lists.changed();
        Ok(())
    }
}
