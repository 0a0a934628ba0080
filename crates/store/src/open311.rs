//! Open311 intake: API keys per jurisdiction (a municipality), and the
//! on-site reports (service requests) filed with them, which coordinators
//! turn into, or attach to, challenges of the board.

use crate::board::{Step, record, touch};
use crate::error::{found, some};
use crate::{Result, Store, StoreError, audit, now};
use kizuna_domain::challenge::NewChallenge;
use kizuna_domain::open311::NewRequest;
use kizuna_domain::{LocalGovCode, ValidationError, Viewer};
use sha2::{Digest, Sha256};

/// What a valid key stands for.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct KeyInfo {
    pub id: i64,
    pub partnership_id: i64,
    pub organisation_id: i64,
    pub jurisdiction_id: String,
}

/// A key as its page lists it (never the key itself).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct KeyRow {
    pub id: i64,
    pub jurisdiction_id: String,
    pub organisation_name: String,
    pub label: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// An on-site report as Open311 publishes it (no contact details).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct SiteReport {
    pub id: i64,
    pub partnership_id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub jurisdiction_id: String,
    pub service_code: String,
    pub description: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub media_url: Option<String>,
    pub attributes: String,
    pub status: String,
    pub status_notes: Option<String>,
    pub challenge_id: Option<i64>,
    pub requested_at: i64,
    pub updated_at: i64,
}

/// The reporter's contact, for coordinators answering them.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Contact {
    pub contact_email: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

const REPORT_COLUMNS: &str = "r.id, r.partnership_id, r.organisation_id, o.name AS organisation_name, r.jurisdiction_id,
    r.service_code, r.description, r.lat, r.lon, r.address, r.address_id, r.zipcode, r.media_url, r.attributes,
    r.status, r.status_notes, r.challenge_id, r.requested_at, r.updated_at";

/// Filters of `GET requests`.
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    pub jurisdiction_id: String,
    pub ids: Vec<i64>,
    pub service_codes: Vec<String>,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub status: Vec<String>,
}

fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

impl Store {
    /// Issues a key for a jurisdiction (a municipality that is a party to
    /// the partnership) and returns it; only its hash is kept.
    pub async fn create_open311_key(
        &self,
        actor: Option<i64>,
        partnership_id: i64,
        jurisdiction: &LocalGovCode,
        label: &str,
    ) -> Result<(i64, String)> {
        let label = kizuna_domain::error::optional_text("label", label, 100)?
            .unwrap_or_else(|| "Open311".into());
        let mut tx = self.begin_write().await?;
        let org: Option<i64> = sqlx::query_scalar(
            "SELECT o.id FROM organisations o JOIN partnership_parties pp ON pp.organisation_id = o.id
             WHERE o.local_gov_code = $1 AND pp.partnership_id = $2",
        )
        .bind(jurisdiction.as_str())
        .bind(partnership_id)
        .fetch_optional(&mut *tx)
        .await?;
        let org = org.ok_or(ValidationError::new(
            "jurisdiction_id",
            "jurisdiction_not_a_party",
        ))?;
        let key = format!("o311_{}", hex::encode(rand::random::<[u8; 24]>()));
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO open311_keys (partnership_id, organisation_id, jurisdiction_id, key_hash, label, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(partnership_id)
        .bind(org)
        .bind(jurisdiction.as_str())
        .bind(hash(&key))
        .bind(&label)
        .bind(actor)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            "open311.key_create",
            "partnership",
            Some(partnership_id),
            Some(jurisdiction.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok((id, key))
    }

    /// The partnerships a jurisdiction is a party to (for the command line).
    pub async fn partnerships_of_jurisdiction(
        &self,
        jurisdiction: &LocalGovCode,
    ) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT pp.partnership_id FROM partnership_parties pp JOIN organisations o ON o.id = pp.organisation_id
             WHERE o.local_gov_code = $1 ORDER BY pp.partnership_id",
        )
        .bind(jurisdiction.as_str())
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn open311_keys(&self, partnership_id: i64) -> Result<Vec<KeyRow>> {
        Ok(sqlx::query_as(
            "SELECT k.id, k.jurisdiction_id, o.name AS organisation_name, k.label, k.created_at, k.revoked_at
             FROM open311_keys k JOIN organisations o ON o.id = k.organisation_id
             WHERE k.partnership_id = $1 ORDER BY k.id DESC",
        )
        .bind(partnership_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn revoke_open311_key(&self, actor: i64, partnership_id: i64, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        found(
            sqlx::query(
                "UPDATE open311_keys SET revoked_at = $1 WHERE id = $2 AND partnership_id = $3 AND revoked_at IS NULL",
            )
            .bind(now())
            .bind(id)
            .bind(partnership_id)
            .execute(&mut *tx)
            .await?
            .rows_affected(),
        )?;
        audit::record(
            &mut tx,
            Some(actor),
            "open311.key_revoke",
            "partnership",
            Some(partnership_id),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The key's jurisdiction, if the key is valid and not revoked.
    pub async fn open311_key(&self, key: &str) -> Result<Option<KeyInfo>> {
        Ok(sqlx::query_as(
            "SELECT id, partnership_id, organisation_id, jurisdiction_id FROM open311_keys
             WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash(key.trim()))
        .fetch_optional(self.pool())
        .await?)
    }

    /// Files a service request under the key's jurisdiction.
    pub async fn create_site_report(&self, key: &KeyInfo, r: &NewRequest) -> Result<i64> {
        let t = now();
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO site_reports (partnership_id, organisation_id, jurisdiction_id, key_id, service_code, description,
                lat, lon, address, address_id, zipcode, media_url, device_id, contact_email, contact_name, contact_phone,
                attributes, status, requested_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 'open', $18, $18)
             RETURNING id",
        )
        .bind(key.partnership_id)
        .bind(key.organisation_id)
        .bind(&key.jurisdiction_id)
        .bind(key.id)
        .bind(r.service_code)
        .bind(r.description.as_deref())
        .bind(r.lat)
        .bind(r.long)
        .bind(r.address.as_deref())
        .bind(r.address_id.as_deref())
        .bind(r.zipcode.as_deref())
        .bind(r.media_url.as_deref())
        .bind(r.device_id.as_deref())
        .bind(r.email.as_deref())
        .bind(r.name.as_deref())
        .bind(r.phone.as_deref())
        .bind(&r.attributes)
        .bind(t)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// `GET requests`: a jurisdiction's reports, newest first, at most 1,000;
    /// without dates or ids, the last 90 days (as the specification says).
    pub async fn site_reports(&self, q: &RequestQuery) -> Result<Vec<SiteReport>> {
        let ids = serde_json::to_string(&q.ids).unwrap_or_default();
        let codes = serde_json::to_string(&q.service_codes).unwrap_or_default();
        let statuses = serde_json::to_string(&q.status).unwrap_or_default();
        let start = match (q.start, q.ids.is_empty()) {
            (Some(s), _) => s,
            (None, true) if q.end.is_none() => now() - 90 * 86_400,
            _ => i64::MIN,
        };
        use crate::json_rows::{JsonType, list};
        let id_list = list(self.backend(), 2, JsonType::Int);
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM site_reports r JOIN organisations o ON o.id = r.organisation_id
             WHERE r.jurisdiction_id = $1
               AND ($2 = '[]' OR r.id IN ({id_list}))
               AND ($3 = '[]' OR r.service_code IN ({}))
               AND r.requested_at >= $4 AND r.requested_at <= $5
               AND ($6 = '[]' OR r.status IN ({}))
             ORDER BY r.requested_at DESC, r.id DESC LIMIT 1000",
            list(self.backend(), 3, JsonType::Text),
            list(self.backend(), 6, JsonType::Text),
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&q.jurisdiction_id)
            .bind(ids)
            .bind(codes)
            .bind(start)
            .bind(q.end.unwrap_or(i64::MAX))
            .bind(statuses)
            .fetch_all(self.pool())
            .await?)
    }

    /// One report of a jurisdiction.
    pub async fn site_report(&self, jurisdiction_id: &str, id: i64) -> Result<SiteReport> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM site_reports r JOIN organisations o ON o.id = r.organisation_id
             WHERE r.jurisdiction_id = $1 AND r.id = $2"
        );
        some(
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(jurisdiction_id)
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Reports of a partnership for its coordinators' triage, open first,
    /// with the reporter's contact.
    pub async fn triage_reports(
        &self,
        viewer: &Viewer,
        partnership_id: i64,
        status: &str,
    ) -> Result<Vec<(SiteReport, Contact)>> {
        if !viewer.can_coordinate(partnership_id) {
            return Err(StoreError::NotFound);
        }
        let sql = format!(
            "SELECT {REPORT_COLUMNS}, r.contact_email, r.contact_name, r.contact_phone
             FROM site_reports r JOIN organisations o ON o.id = r.organisation_id
             WHERE r.partnership_id = $1 AND ($2 = '' OR r.status = $2)
             ORDER BY r.requested_at DESC, r.id DESC LIMIT 200"
        );
        let rows: Vec<TriageRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(partnership_id)
            .bind(status)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.into_iter().map(|r| (r.report, r.contact)).collect())
    }

    /// Attaches a report to an existing challenge of the same partnership.
    pub async fn attach_report(
        &self,
        viewer: &Viewer,
        report_id: i64,
        challenge_id: i64,
    ) -> Result<()> {
        let actor = viewer.person_id.ok_or(StoreError::NotFound)?;
        let challenge = self.challenge(viewer, challenge_id).await?;
        let mut tx = self.begin_write().await?;
        let partnership: Option<i64> =
            sqlx::query_scalar("SELECT partnership_id FROM site_reports WHERE id = $1")
                .bind(report_id)
                .fetch_optional(&mut *tx)
                .await?;
        let partnership = partnership.ok_or(StoreError::NotFound)?;
        if partnership != challenge.partnership_id || !viewer.can_coordinate(partnership) {
            return Err(StoreError::NotFound);
        }
        let target = challenge.merged_into.unwrap_or(challenge_id);
        sqlx::query(
            "UPDATE site_reports SET challenge_id = $1, status_notes = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(target)
        .bind(format!("課題 #{target} として検討しています。"))
        .bind(now())
        .bind(report_id)
        .execute(&mut *tx)
        .await?;
        touch(&mut tx, target).await?;
        record(
            &mut tx,
            target,
            Some(actor),
            Step::new("report_attached").other(report_id),
        )
        .await?;
        tx.commit().await?;
        self.board_pages.changed();
        Ok(())
    }

    /// Turns a report into a new challenge of its municipality (posted by
    /// the coordinator on its behalf) and attaches it.
    pub async fn challenge_from_report(
        &self,
        viewer: &Viewer,
        report_id: i64,
        c: &NewChallenge,
    ) -> Result<i64> {
        let actor = viewer.person_id.ok_or(StoreError::NotFound)?;
        let (partnership, org): (i64, i64) = some(
            sqlx::query_as(
                "SELECT partnership_id, organisation_id FROM site_reports WHERE id = $1",
            )
            .bind(report_id)
            .fetch_optional(self.pool())
            .await?,
        )?;
        if !viewer.can_coordinate(partnership) {
            return Err(StoreError::NotFound);
        }
        let id = self
            .post_challenge(actor, partnership, org, c, true)
            .await?;
        self.attach_report(viewer, report_id, id).await?;
        Ok(id)
    }

    /// Closes a report with a note to the reporter; their contact details
    /// have served their purpose and are erased.
    pub async fn close_report(&self, viewer: &Viewer, report_id: i64, notes: &str) -> Result<()> {
        let notes = kizuna_domain::error::required_text("status_notes", notes, 1000)?;
        let mut tx = self.begin_write().await?;
        let partnership: Option<i64> =
            sqlx::query_scalar("SELECT partnership_id FROM site_reports WHERE id = $1")
                .bind(report_id)
                .fetch_optional(&mut *tx)
                .await?;
        if !partnership.is_some_and(|p| viewer.can_coordinate(p)) {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "UPDATE site_reports SET status = 'closed', status_notes = $1, updated_at = $2,
                contact_email = NULL, contact_name = NULL, contact_phone = NULL, device_id = NULL
             WHERE id = $3",
        )
        .bind(&notes)
        .bind(now())
        .bind(report_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reports attached to a challenge (for its page).
    pub async fn reports_of_challenge(&self, challenge_id: i64) -> Result<Vec<SiteReport>> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM site_reports r JOIN organisations o ON o.id = r.organisation_id
             WHERE r.challenge_id = $1 ORDER BY r.id"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(challenge_id)
            .fetch_all(self.pool())
            .await?)
    }
}

#[derive(sqlx::FromRow)]
struct TriageRow {
    #[sqlx(flatten)]
    report: SiteReport,
    #[sqlx(flatten)]
    contact: Contact,
}
