//! People and their accounts: sign-up (with consent and the verification
//! e-mail in one transaction), verification, password reset, language.

use crate::auth_tokens::{self, TokenPurpose};
use crate::outbox::{self, Mail};
use crate::{Result, Store, StoreError, audit, now};

/// What sign-up stores: the validated person with an already-computed hash.
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub name_kana: Option<&'a str>,
    pub locale: &'a str,
    /// Privacy-notice version agreed to (APPI: purpose stated, consent recorded).
    pub notice_version: &'a str,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub email_verified_at: Option<i64>,
    pub display_name: String,
    pub name_kana: Option<String>,
    pub locale: String,
    pub is_instance_admin: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    pub email_verified_at: Option<i64>,
    pub locale: String,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Consent {
    pub purpose: String,
    pub notice_version: String,
    pub granted_at: i64,
    pub withdrawn_at: Option<i64>,
}

/// The privacy-notice version the demo accounts agreed to.
pub const DEMO_NOTICE_VERSION: &str = "2026-11";

const PERSON: &str = "SELECT id, email, email_verified_at, display_name, name_kana, locale,
    is_instance_admin, created_at FROM people";

impl Store {
    /// Creates the account, records consent, and queues the verification
    /// e-mail — all or nothing. A taken address is `Conflict("email_taken")`.
    pub async fn sign_up(
        &self,
        a: &NewAccount<'_>,
        verify_token_hash: &str,
        mail: &Mail,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO people (email, password_hash, display_name, name_kana, locale, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(a.email)
        .bind(a.password_hash)
        .bind(a.display_name)
        .bind(a.name_kana)
        .bind(a.locale)
        .bind(t)
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::unique_as("email_taken"))?;
        sqlx::query(
            "INSERT INTO consents (person_id, purpose, notice_version, granted_at) VALUES ($1, 'privacy_notice', $2, $3)",
        )
        .bind(id)
        .bind(a.notice_version)
        .bind(t)
        .execute(&mut *tx)
        .await?;
        auth_tokens::insert(&mut tx, id, TokenPurpose::VerifyEmail, verify_token_hash).await?;
        outbox::enqueue(&mut tx, mail).await?;
        audit::record(
            &mut tx,
            Some(id),
            "person.sign_up",
            "person",
            Some(id),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Creates an already-verified account (CLI `admin create`, demo data).
    pub async fn create_verified_person(
        &self,
        a: &NewAccount<'_>,
        instance_admin: bool,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO people (email, email_verified_at, password_hash, display_name, name_kana, locale,
                 is_instance_admin, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $2, $2) RETURNING id",
        )
        .bind(a.email)
        .bind(t)
        .bind(a.password_hash)
        .bind(a.display_name)
        .bind(a.name_kana)
        .bind(a.locale)
        .bind(i64::from(instance_admin))
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::unique_as("email_taken"))?;
        sqlx::query(
            "INSERT INTO consents (person_id, purpose, notice_version, granted_at) VALUES ($1, 'privacy_notice', $2, $3)",
        )
        .bind(id)
        .bind(a.notice_version)
        .bind(t)
        .execute(&mut *tx)
        .await?;
        audit::record(&mut tx, None, "person.create", "person", Some(id), None).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn person(&self, id: i64) -> Result<Person> {
        let sql = format!("{PERSON} WHERE id = $1");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn person_by_email(&self, email: &str) -> Result<Option<Person>> {
        let sql = format!("{PERSON} WHERE email = $1");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(email)
            .fetch_optional(self.pool())
            .await?)
    }

    pub async fn credentials(&self, email: &str) -> Result<Option<Credentials>> {
        Ok(sqlx::query_as(
            "SELECT id, password_hash, email_verified_at, locale FROM people WHERE email = $1",
        )
        .bind(email)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn consents(&self, person_id: i64) -> Result<Vec<Consent>> {
        Ok(sqlx::query_as(
            "SELECT purpose, notice_version, granted_at, withdrawn_at FROM consents
             WHERE person_id = $1 ORDER BY granted_at",
        )
        .bind(person_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Marks the address verified if the link is valid and unused.
    pub async fn verify_email(&self, token_hash: &str) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let person_id =
            auth_tokens::consume(&mut tx, TokenPurpose::VerifyEmail, token_hash).await?;
        sqlx::query("UPDATE people SET email_verified_at = $1, updated_at = $1 WHERE id = $2 AND email_verified_at IS NULL")
            .bind(now())
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            Some(person_id),
            "person.verify_email",
            "person",
            Some(person_id),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(person_id)
    }

    /// Queues another verification or reset e-mail for a known address.
    /// Unknown addresses are silently ignored so the form reveals nothing.
    pub async fn issue_link(
        &self,
        email: &str,
        purpose: TokenPurpose,
        token_hash: &str,
        mail: &Mail,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let Some(person_id): Option<i64> =
            sqlx::query_scalar("SELECT id FROM people WHERE email = $1")
                .bind(email)
                .fetch_optional(&mut *tx)
                .await?
        else {
            return Ok(false);
        };
        auth_tokens::insert(&mut tx, person_id, purpose, token_hash).await?;
        outbox::enqueue(&mut tx, mail).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Sets a new password from a reset link, verifies the address (the link
    /// proved it) and signs the person out everywhere.
    pub async fn reset_password(&self, token_hash: &str, new_hash: &str) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let person_id =
            auth_tokens::consume(&mut tx, TokenPurpose::ResetPassword, token_hash).await?;
        let t = now();
        sqlx::query(
            "UPDATE people SET password_hash = $1, updated_at = $2,
                 email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $3",
        )
        .bind(new_hash)
        .bind(t)
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE person_id = $1")
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            Some(person_id),
            "person.reset_password",
            "person",
            Some(person_id),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(person_id)
    }

    pub async fn set_locale(&self, person_id: i64, locale: &str) -> Result<()> {
        sqlx::query("UPDATE people SET locale = $1, updated_at = $2 WHERE id = $3")
            .bind(locale)
            .bind(now())
            .bind(person_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn set_instance_admin(&self, person_id: i64, admin: bool) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE people SET is_instance_admin = $1 WHERE id = $2")
            .bind(i64::from(admin))
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            None,
            "person.instance_admin",
            "person",
            Some(person_id),
            Some(if admin { "on" } else { "off" }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
