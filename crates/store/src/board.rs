//! The challenge board (行政DX): challenges, who may see them, their
//! lifecycle with its audit trail, merging duplicates and splitting them
//! again. "We have this too", the discussion and follows are in
//! `board_social`; similarity and clusters in `board_index`.

use crate::error::some;
use crate::events::viewer_binds;
use crate::{Backend, Result, Store, StoreError, Tx, audit, now};
use kizuna_domain::challenge::{Mover, NewChallenge, Status};
use kizuna_domain::{ValidationError, Viewer};

/// A challenge as its page shows it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct Challenge {
    pub id: i64,
    pub partnership_id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub municipality_code: Option<String>,
    pub region: Option<String>,
    /// `None` when hidden from the viewer (the company side of a challenge
    /// posted without the author's name) or erased.
    pub author_name: Option<String>,
    pub author_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub category: String,
    pub current_process: Option<String>,
    pub pain: Option<String>,
    pub burden_hours: i64,
    pub desired_outcome: Option<String>,
    pub lgwan: i64,
    pub budget: Option<String>,
    pub timing: Option<String>,
    pub visibility: String,
    pub hide_author: i64,
    pub status: String,
    pub merged_into: Option<i64>,
    pub shared_count: i64,
    pub total_burden: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Challenge {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Closed)
    }

    /// Whether the author's name is hidden from whoever read this challenge
    /// (their history entries and comments then go unnamed too).
    pub fn name_hidden(&self) -> bool {
        self.hide_author == 1 && self.author_name.is_none()
    }
}

/// A line of the board.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct ChallengeRow {
    pub id: i64,
    pub partnership_id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub municipality_code: Option<String>,
    pub region: Option<String>,
    pub title: String,
    pub category: String,
    pub burden_hours: i64,
    pub status: String,
    pub visibility: String,
    pub shared_count: i64,
    pub total_burden: i64,
    pub updated_at: i64,
}

const ROW_FIELDS: [&str; 14] = [
    "id",
    "partnership_id",
    "organisation_id",
    "organisation_name",
    "municipality_code",
    "region",
    "title",
    "category",
    "burden_hours",
    "status",
    "visibility",
    "shared_count",
    "total_burden",
    "updated_at",
];

const ROW_COLUMNS: &str = "c.id, c.partnership_id, c.organisation_id, o.name AS organisation_name,
    m.code AS municipality_code, m.region, c.title, c.category, c.burden_hours, c.status, c.visibility,
    c.shared_count, c.total_burden, c.updated_at";

const FROM: &str = "FROM challenges c JOIN organisations o ON o.id = c.organisation_id
    LEFT JOIN municipalities m ON m.organisation_id = c.organisation_id";

/// Who sees a challenge (binds $1 = person id or 0, $2 = 1 for an instance
/// administrator): a public one on the board, everyone; a partnership one,
/// people with a role in the partnership; a draft, its author, its
/// municipality's staff and the coordinators. A merged one is seen like the
/// board's (its page points to the one it was merged into).
pub(crate) const VISIBLE: &str = "($2 = 1
    OR (c.status <> 'draft' AND (c.visibility = 'public' OR EXISTS (SELECT 1 FROM role_assignments r
        WHERE r.partnership_id = c.partnership_id AND r.person_id = $1)))
    OR (c.status = 'draft' AND (c.author_id = $1 OR EXISTS (SELECT 1 FROM role_assignments r
        WHERE r.partnership_id = c.partnership_id AND r.person_id = $1
          AND (r.role IN ('coordinator', 'administrator')
               OR (r.role = 'municipal_staff' AND r.organisation_id = c.organisation_id))))))";

/// The author's name, or NULL for the company side when the author asked
/// not to be named: only people of a local government or school (and the
/// author) see it.
const AUTHOR_NAME: &str = "CASE WHEN c.hide_author = 0 OR c.author_id = $1 OR EXISTS (
        SELECT 1 FROM memberships mb JOIN organisations go ON go.id = mb.organisation_id
        WHERE mb.person_id = $1 AND go.kind IN ('prefecture', 'municipality', 'school'))
    THEN p.display_name END AS author_name";

/// Filters of the board; empty ones filter nothing.
#[derive(Debug, Clone, Default)]
pub struct BoardFilter {
    pub partnership_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub region: Option<String>,
    pub category: Option<String>,
    /// One status; by default every status shown on the board but closed.
    pub status: Option<String>,
    /// Words to search for (ranked by the similarity index).
    pub query: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// Pages of the board by filter and viewer class, each with the board
/// revision it was read at; a page older than the revision is never
/// served. The revision itself is read at most every [`REV_FRESH`]: this
/// process's own changes are seen at once (`changed`), another process's
/// within that time. Bounded: cleared when full.
#[derive(Clone, Default)]
pub(crate) struct PageCache(
    std::sync::Arc<std::sync::Mutex<Pages>>,
    std::sync::Arc<std::sync::Mutex<Option<(std::time::Instant, i64)>>>,
);

/// How long a read of `board_rev` stands for this process (another
/// process's change shows on the board within this time).
pub const REV_FRESH: std::time::Duration = std::time::Duration::from_millis(250);

/// Filter and viewer-class key → (revision read at, rows).
type Pages = std::collections::HashMap<String, (i64, std::sync::Arc<Vec<ChallengeRow>>)>;

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PageCache")
    }
}

impl PageCache {
    const MAX: usize = 2_000;

    /// The revision read less than [`REV_FRESH`] ago, if any.
    fn recent_rev(&self) -> Option<i64> {
        let last = *self.1.lock().ok()?;
        last.filter(|(at, _)| at.elapsed() < REV_FRESH)
            .map(|(_, rev)| rev)
    }

    fn read_rev(&self, rev: i64) {
        if let Ok(mut last) = self.1.lock() {
            *last = Some((std::time::Instant::now(), rev));
        }
    }

    /// This process changed the board: read the revision again next time.
    pub(crate) fn changed(&self) {
        if let Ok(mut last) = self.1.lock() {
            *last = None;
        }
    }

    fn get(&self, key: &str, rev: i64) -> Option<std::sync::Arc<Vec<ChallengeRow>>> {
        let map = self.0.lock().ok()?;
        map.get(key)
            .filter(|(r, _)| *r == rev)
            .map(|(_, rows)| rows.clone())
    }

    fn put(&self, key: String, rev: i64, rows: std::sync::Arc<Vec<ChallengeRow>>) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= Self::MAX {
                map.clear();
            }
            // Keep the newer of two racing reads.
            if map.get(&key).is_none_or(|(r, _)| *r <= rev) {
                map.insert(key, (rev, rows));
            }
        }
    }
}

/// A value bound to a board query built from the filters given.
enum Bind {
    Int(i64),
    Text(String),
}

/// The conditions of a board query and the values they bind.
struct Where {
    conds: Vec<String>,
    binds: Vec<Bind>,
}

impl Where {
    /// Binds a value; returns its placeholder (`$3`, `$4`, …).
    fn bind(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len())
    }
}

/// One line of a challenge's history.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub action: String,
    pub actor_name: Option<String>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub other_id: Option<i64>,
    pub reason: Option<String>,
    pub at: i64,
}

/// Raises the board's revision and returns it (see `board_index`). Taken
/// inside the write transaction, so on PostgreSQL the row lock orders
/// writers: a process that reads revision R sees every change up to R.
pub(crate) async fn next_rev(tx: &mut Tx) -> Result<i64> {
    Ok(
        sqlx::query_scalar("UPDATE board_rev SET rev = rev + 1 WHERE id = 1 RETURNING rev")
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// Marks a challenge changed for the similarity index.
pub(crate) async fn touch(tx: &mut Tx, id: i64) -> Result<()> {
    let rev = next_rev(tx).await?;
    sqlx::query("UPDATE challenges SET rev = $1, updated_at = $2 WHERE id = $3")
        .bind(rev)
        .bind(now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One line of a challenge's history.
pub(crate) struct Step<'a> {
    pub action: &'a str,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    /// The other challenge of a merge or split, the municipality of an
    /// endorsement, the report attached.
    pub other: Option<i64>,
    pub reason: Option<&'a str>,
}

impl<'a> Step<'a> {
    pub(crate) fn new(action: &'a str) -> Self {
        Self {
            action,
            from: None,
            to: None,
            other: None,
            reason: None,
        }
    }
    /// The status moved from.
    pub(crate) fn leaving(mut self, s: &'a str) -> Self {
        self.from = Some(s);
        self
    }
    /// The status moved to.
    pub(crate) fn entering(mut self, s: &'a str) -> Self {
        self.to = Some(s);
        self
    }
    pub(crate) fn other(mut self, id: i64) -> Self {
        self.other = Some(id);
        self
    }
    pub(crate) fn reason(mut self, r: &'a str) -> Self {
        self.reason = Some(r);
        self
    }
    pub(crate) fn reason_opt(mut self, r: Option<&'a str>) -> Self {
        self.reason = r;
        self
    }
}

pub(crate) async fn record(
    tx: &mut Tx,
    challenge_id: i64,
    actor: Option<i64>,
    step: Step<'_>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO challenge_history (challenge_id, actor_id, action, from_status, to_status, other_id, reason, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(challenge_id)
    .bind(actor)
    .bind(step.action)
    .bind(step.from)
    .bind(step.to)
    .bind(step.other)
    .bind(step.reason)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Recounts the municipalities that share a challenge and their burden:
/// the owner, those who said "we have this too", and the owners and
/// endorsers of challenges merged into it — each municipality once, with
/// the largest burden it stated.
pub(crate) async fn refresh_totals(tx: &mut Tx, id: i64) -> Result<()> {
    sqlx::query(
        "WITH members AS (SELECT id FROM challenges WHERE id = $1 OR merged_into = $1),
              stated AS (
                SELECT c.organisation_id AS org, c.burden_hours AS hours FROM challenges c JOIN members ON members.id = c.id
                UNION ALL
                SELECT e.organisation_id, e.burden_hours FROM challenge_endorsements e JOIN members ON members.id = e.challenge_id),
              per_org AS (SELECT org, MAX(hours) AS hours FROM stated GROUP BY org)
         UPDATE challenges SET
             shared_count = (SELECT COUNT(*) FROM per_org),
             total_burden = (SELECT CAST(COALESCE(SUM(hours), 0) AS BIGINT) FROM per_org)
         WHERE id = $1",
    )
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A challenge locked for a change (`FOR UPDATE` on PostgreSQL; SQLite's
/// write transaction already excludes other writers).
pub(crate) async fn lock(tx: &mut Tx, backend: Backend, id: i64) -> Result<(i64, i64, String)> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT partnership_id, organisation_id, status FROM challenges WHERE id = $1"
        }
        Backend::Postgres => {
            "SELECT partnership_id, organisation_id, status FROM challenges WHERE id = $1 FOR UPDATE"
        }
    };
    some(
        sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

fn bind_fields<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    c: &'q NewChallenge,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    q.bind(&c.title)
        .bind(&c.description)
        .bind(&c.category)
        .bind(c.current_process.as_deref())
        .bind(c.pain.as_deref())
        .bind(c.burden_hours)
        .bind(c.desired_outcome.as_deref())
        .bind(i64::from(c.lgwan))
        .bind(c.budget.as_deref())
        .bind(c.timing.as_deref())
        .bind(c.visibility)
        .bind(i64::from(c.hide_author))
}

impl Store {
    /// Posts a challenge for `organisation_id` (a municipality or school
    /// that is a party to the partnership), as a draft or open at once.
    /// The caller has checked `Viewer::can_post_challenge`.
    pub async fn post_challenge(
        &self,
        actor: i64,
        partnership_id: i64,
        organisation_id: i64,
        c: &NewChallenge,
        publish: bool,
    ) -> Result<i64> {
        self.check_category(partnership_id, &c.category).await?;
        let mut tx = self.begin_write().await?;
        let party: Option<String> = sqlx::query_scalar(
            "SELECT o.kind FROM partnership_parties pp JOIN organisations o ON o.id = pp.organisation_id
             WHERE pp.partnership_id = $1 AND pp.organisation_id = $2",
        )
        .bind(partnership_id)
        .bind(organisation_id)
        .fetch_optional(&mut *tx)
        .await?;
        if !matches!(
            party.as_deref(),
            Some("municipality" | "school" | "prefecture")
        ) {
            return Err(ValidationError::new("organisation_id", "not_a_local_party").into());
        }
        let rev = next_rev(&mut tx).await?;
        let status = if publish { Status::Open } else { Status::Draft };
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO challenges (title, description, category, current_process, pain, burden_hours,
                desired_outcome, lgwan, budget, timing, visibility, hide_author,
                partnership_id, organisation_id, author_id, status, total_burden, rev, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $6, $17, $18, $18)
             RETURNING id",
        )
            .bind(&c.title)
            .bind(&c.description)
            .bind(&c.category)
            .bind(c.current_process.as_deref())
            .bind(c.pain.as_deref())
            .bind(c.burden_hours)
            .bind(c.desired_outcome.as_deref())
            .bind(i64::from(c.lgwan))
            .bind(c.budget.as_deref())
            .bind(c.timing.as_deref())
            .bind(c.visibility)
            .bind(i64::from(c.hide_author))
            .bind(partnership_id)
            .bind(organisation_id)
            .bind(actor)
            .bind(status.as_str())
            .bind(rev)
            .bind(t)
            .fetch_one(&mut *tx)
            .await?;
        record(
            &mut tx,
            id,
            Some(actor),
            Step::new("created").entering(status.as_str()),
        )
        .await?;
        if publish {
            crate::board_social::notify_followers(&mut tx, id, actor, "created", None).await?;
        }
        audit::record(
            &mut tx,
            Some(actor),
            "challenge.create",
            "challenge",
            Some(id),
            Some(&c.title),
        )
        .await?;
        tx.commit().await?;
        self.board_pages.changed();
        Ok(id)
    }

    /// A pillar category must be one of the partnership's pillars.
    async fn check_category(&self, partnership_id: i64, category: &str) -> Result<()> {
        if let Some(key) = category.strip_prefix("pillar:") {
            let known = self
                .pillars(partnership_id)
                .await?
                .iter()
                .any(|p| p.key == key);
            if !known {
                return Err(ValidationError::new("category", "unknown_category").into());
            }
        }
        Ok(())
    }

    /// Changes a challenge's text. Owners and coordinators (the caller checks).
    pub async fn update_challenge(&self, actor: i64, id: i64, c: &NewChallenge) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (partnership_id, _, status) = lock(&mut tx, self.backend(), id).await?;
        if status == "merged" {
            return Err(StoreError::Conflict("challenge_merged"));
        }
        self.check_category(partnership_id, &c.category).await?;
        let q = bind_fields(
            sqlx::query(
                "UPDATE challenges SET title = $1, description = $2, category = $3, current_process = $4,
                    pain = $5, burden_hours = $6, desired_outcome = $7, lgwan = $8, budget = $9, timing = $10,
                    visibility = $11, hide_author = $12
                 WHERE id = $13",
            ),
            c,
        );
        q.bind(id).execute(&mut *tx).await?;
        touch(&mut tx, id).await?;
        refresh_totals(&mut tx, id).await?;
        record(&mut tx, id, Some(actor), Step::new("edited")).await?;
        tx.commit().await?;
        self.board_pages.changed();
        Ok(())
    }

    /// Moves a challenge along its lifecycle. The viewer must be its
    /// municipality's staff or a coordinator, and the move one the
    /// lifecycle allows them; every move is recorded with its reason.
    pub async fn move_challenge(
        &self,
        viewer: &Viewer,
        id: i64,
        to: Status,
        reason: &str,
    ) -> Result<()> {
        let actor = viewer.person_id.ok_or(StoreError::NotFound)?;
        let mut tx = self.begin_write().await?;
        let (partnership_id, owner, from) = lock(&mut tx, self.backend(), id).await?;
        let mover = viewer
            .challenge_mover(partnership_id, owner)
            .ok_or(StoreError::NotFound)?;
        let from = Status::parse(&from)?;
        let reason = from.check_move(to, mover, reason)?;
        sqlx::query("UPDATE challenges SET status = $1 WHERE id = $2")
            .bind(to.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        touch(&mut tx, id).await?;
        record(
            &mut tx,
            id,
            Some(actor),
            Step::new("moved")
                .leaving(from.as_str())
                .entering(to.as_str())
                .reason_opt(reason.as_deref()),
        )
        .await?;
        let kind = if from == Status::Draft {
            "created"
        } else {
            "moved"
        };
        crate::board_social::notify_followers(&mut tx, id, actor, kind, Some(to.as_str())).await?;
        tx.commit().await?;
        self.board_pages.changed();
        Ok(())
    }

    /// Merges duplicate `from` into `into` (coordinators of their common
    /// partnership). Both keep their histories and endorsements; `from`
    /// remembers its status for a later split. A challenge others were
    /// merged into cannot itself be merged (merge them into the target
    /// first), so merges are one level deep.
    pub async fn merge_challenges(
        &self,
        viewer: &Viewer,
        from: i64,
        into: i64,
        reason: &str,
    ) -> Result<()> {
        let actor = viewer.person_id.ok_or(StoreError::NotFound)?;
        if from == into {
            return Err(ValidationError::new("into", "merge_into_itself").into());
        }
        let reason = kizuna_domain::error::required_text("reason", reason, 1000)?;
        let mut tx = self.begin_write().await?;
        let (p_from, _, s_from) = lock(&mut tx, self.backend(), from).await?;
        let (p_into, _, s_into) = lock(&mut tx, self.backend(), into).await?;
        if p_from != p_into || !viewer.can_coordinate(p_from) {
            return Err(StoreError::NotFound);
        }
        let listed = |s: &str| Status::parse(s).is_ok_and(Status::is_listed);
        if !listed(&s_from) || !listed(&s_into) {
            return Err(StoreError::Conflict("merge_needs_listed_challenges"));
        }
        let children: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM challenges WHERE merged_into = $1")
                .bind(from)
                .fetch_one(&mut *tx)
                .await?;
        if children > 0 {
            return Err(StoreError::Conflict("merge_has_merged_challenges"));
        }
        sqlx::query(
            "UPDATE challenges SET status = 'merged', merged_into = $1, status_before_merge = $2 WHERE id = $3",
        )
        .bind(into)
        .bind(&s_from)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        touch(&mut tx, from).await?;
        touch(&mut tx, into).await?;
        refresh_totals(&mut tx, into).await?;
        record(
            &mut tx,
            from,
            Some(actor),
            Step::new("merged_into")
                .leaving(&s_from)
                .entering("merged")
                .other(into)
                .reason(&reason),
        )
        .await?;
        record(
            &mut tx,
            into,
            Some(actor),
            Step::new("merged_from").other(from).reason(&reason),
        )
        .await?;
        crate::board_social::notify_followers(&mut tx, from, actor, "merged", None).await?;
        crate::board_social::notify_followers(&mut tx, into, actor, "merged", None).await?;
        tx.commit().await?;
        self.board_pages.changed();
        Ok(())
    }

    /// Splits a merged challenge off again: it gets back the status it had,
    /// and its endorsements count for it alone again.
    pub async fn split_challenge(&self, viewer: &Viewer, id: i64, reason: &str) -> Result<()> {
        let actor = viewer.person_id.ok_or(StoreError::NotFound)?;
        let reason = kizuna_domain::error::required_text("reason", reason, 1000)?;
        let mut tx = self.begin_write().await?;
        let (partnership_id, _, status) = lock(&mut tx, self.backend(), id).await?;
        if !viewer.can_coordinate(partnership_id) {
            return Err(StoreError::NotFound);
        }
        if status != "merged" {
            return Err(StoreError::Conflict("not_merged"));
        }
        let (into, before): (i64, Option<String>) =
            sqlx::query_as("SELECT merged_into, status_before_merge FROM challenges WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        let before = before.unwrap_or_else(|| "open".into());
        sqlx::query(
            "UPDATE challenges SET status = $1, merged_into = NULL, status_before_merge = NULL WHERE id = $2",
        )
        .bind(&before)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        touch(&mut tx, id).await?;
        touch(&mut tx, into).await?;
        refresh_totals(&mut tx, id).await?;
        refresh_totals(&mut tx, into).await?;
        record(
            &mut tx,
            id,
            Some(actor),
            Step::new("split")
                .leaving("merged")
                .entering(&before)
                .other(into)
                .reason(&reason),
        )
        .await?;
        record(
            &mut tx,
            into,
            Some(actor),
            Step::new("split_from").other(id).reason(&reason),
        )
        .await?;
        crate::board_social::notify_followers(&mut tx, id, actor, "split", None).await?;
        tx.commit().await?;
        self.board_pages.changed();
        Ok(())
    }

    /// A challenge as the viewer may see it; `NotFound` otherwise.
    pub async fn challenge(&self, viewer: &Viewer, id: i64) -> Result<Challenge> {
        let (pid, admin) = viewer_binds(viewer);
        let sql = format!(
            "SELECT c.id, c.partnership_id, c.organisation_id, o.name AS organisation_name,
                    m.code AS municipality_code, m.region, {AUTHOR_NAME}, c.author_id, c.title, c.description,
                    c.category, c.current_process, c.pain, c.burden_hours, c.desired_outcome, c.lgwan, c.budget,
                    c.timing, c.visibility, c.hide_author, c.status, c.merged_into, c.shared_count,
                    c.total_burden, c.created_at, c.updated_at
             {FROM} LEFT JOIN people p ON p.id = c.author_id
             WHERE {VISIBLE} AND c.id = $3"
        );
        let mut c: Challenge = some(
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(pid)
                .bind(admin)
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )?;
        // The author's id would name them as surely as their name.
        if c.author_name.is_none() && Some(pid) != c.author_id {
            c.author_id = None;
        }
        Ok(c)
    }

    /// The board: challenges the viewer may see, most recently changed
    /// first — or, with search words, best match first.
    pub async fn board(&self, viewer: &Viewer, f: &BoardFilter) -> Result<Vec<ChallengeRow>> {
        let words = f.query.as_deref().unwrap_or("").trim();
        if !words.is_empty() {
            let ids = self.search_challenges(viewer, f, words).await?;
            return self.challenge_rows(viewer, &ids).await;
        }
        Ok(self.board_list(viewer, f).await?.1.as_ref().clone())
    }

    /// A page of the board without search words, with the board revision it
    /// is current for. A page depends only on the filters, on which
    /// partnerships the viewer has a role in ([`page_key`]), and on the
    /// board's revision (raised by every change to a listed challenge's
    /// row), so the busiest pages are read once per revision; callers may
    /// keep what they make of a page under the same key and revision.
    pub async fn board_list(
        &self,
        viewer: &Viewer,
        f: &BoardFilter,
    ) -> Result<(i64, std::sync::Arc<Vec<ChallengeRow>>)> {
        let key = page_key(viewer, f);
        let rev = match self.board_pages.recent_rev() {
            Some(rev) => rev,
            None => {
                let rev: i64 = sqlx::query_scalar("SELECT rev FROM board_rev WHERE id = 1")
                    .fetch_one(self.pool())
                    .await?;
                self.board_pages.read_rev(rev);
                rev
            }
        };
        if let Some(rows) = self.board_pages.get(&key, rev) {
            return Ok((rev, rows));
        }
        let rows = std::sync::Arc::new(self.board_page(viewer, f).await?);
        self.board_pages.put(key, rev, rows.clone());
        Ok((rev, rows))
    }

    async fn board_page(&self, viewer: &Viewer, f: &BoardFilter) -> Result<Vec<ChallengeRow>> {
        let (pid, admin) = viewer_binds(viewer);
        // Only the filters given become conditions (each bound), so the
        // database can use the index of the one that narrows most; an
        // `($n = 0 OR …)` condition would hide every index but the date's.
        let mut w = Where {
            conds: vec![format!("{VISIBLE} AND c.status <> 'draft'")],
            binds: vec![Bind::Int(pid), Bind::Int(admin)],
        };
        if let Some(p) = f.partnership_id {
            let n = w.bind(Bind::Int(p));
            w.conds.push(format!("c.partnership_id = {n}"));
        }
        if let Some(o) = f.organisation_id {
            let n = w.bind(Bind::Int(o));
            w.conds.push(format!("c.organisation_id = {n}"));
        }
        if let Some(r) = f.region.as_deref().filter(|r| !r.is_empty()) {
            let n = w.bind(Bind::Text(r.to_string()));
            w.conds.push(format!(
                "c.organisation_id IN (SELECT organisation_id FROM municipalities WHERE region = {n})"
            ));
        }
        if let Some(c) = f.category.as_deref().filter(|c| !c.is_empty()) {
            let n = w.bind(Bind::Text(c.to_string()));
            w.conds.push(format!("c.category = {n}"));
        }
        match f.status.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => {
                Status::parse(s)?;
                let n = w.bind(Bind::Text(s.to_string()));
                w.conds.push(format!("c.status = {n}"));
            }
            None => w
                .conds
                .push("c.status NOT IN ('draft', 'merged', 'closed')".into()),
        }
        let limit = w.bind(Bind::Int(f.limit.clamp(1, 500)));
        let offset = w.bind(Bind::Int(f.offset.max(0)));
        let inner = format!(
            "SELECT {ROW_COLUMNS} {FROM} WHERE {} ORDER BY c.updated_at DESC, c.id DESC LIMIT {limit} OFFSET {offset}",
            w.conds.join(" AND ")
        );
        let binds = w.binds;
        let sql = crate::json_rows::wrap(
            self.backend(),
            &ROW_FIELDS,
            &inner,
            "x.updated_at DESC, x.id DESC",
        );
        let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
        for b in binds {
            q = match b {
                Bind::Int(v) => q.bind(v),
                Bind::Text(v) => q.bind(v),
            };
        }
        crate::json_rows::parse(&q.fetch_one(self.pool()).await?)
    }

    /// Board rows of `ids`, in that order, that the viewer may see.
    pub async fn challenge_rows(&self, viewer: &Viewer, ids: &[i64]) -> Result<Vec<ChallengeRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (pid, admin) = viewer_binds(viewer);
        // Ids are numbers we produced, not input; still bound, as a JSON list.
        let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
        let ids_sql = crate::json_rows::list(self.backend(), 3, crate::json_rows::JsonType::Int);
        let inner = format!("SELECT {ROW_COLUMNS} {FROM} WHERE {VISIBLE} AND c.id IN ({ids_sql})");
        let sql = crate::json_rows::wrap(self.backend(), &ROW_FIELDS, &inner, "x.id");
        let json: String = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(pid)
            .bind(admin)
            .bind(list)
            .fetch_one(self.pool())
            .await?;
        let mut rows: Vec<ChallengeRow> = crate::json_rows::parse(&json)?;
        rows.sort_by_key(|r| ids.iter().position(|i| *i == r.id));
        Ok(rows)
    }

    /// Challenges posted by the person (drafts included), or by the
    /// organisations they are staff of.
    pub async fn my_challenges(&self, viewer: &Viewer) -> Result<Vec<ChallengeRow>> {
        let (pid, admin) = viewer_binds(viewer);
        let inner = format!(
            "SELECT {ROW_COLUMNS} {FROM} WHERE {VISIBLE} AND (c.author_id = $1 OR EXISTS (
                 SELECT 1 FROM role_assignments r WHERE r.person_id = $1 AND r.role = 'municipal_staff'
                   AND r.organisation_id = c.organisation_id AND r.partnership_id = c.partnership_id))
             ORDER BY c.updated_at DESC, c.id DESC LIMIT 500"
        );
        let sql = crate::json_rows::wrap(
            self.backend(),
            &ROW_FIELDS,
            &inner,
            "x.updated_at DESC, x.id DESC",
        );
        let json: String = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(pid)
            .bind(admin)
            .fetch_one(self.pool())
            .await?;
        crate::json_rows::parse(&json)
    }

    /// Challenges merged into `id`, as the viewer may see them.
    pub async fn merged_challenges(&self, viewer: &Viewer, id: i64) -> Result<Vec<ChallengeRow>> {
        let (pid, admin) = viewer_binds(viewer);
        let sql = format!(
            "SELECT {ROW_COLUMNS} {FROM} WHERE {VISIBLE} AND c.merged_into = $3 ORDER BY c.id"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(pid)
            .bind(admin)
            .bind(id)
            .fetch_all(self.pool())
            .await?)
    }

    /// A challenge's history, oldest first. Actor names follow the same
    /// rule as the author's: hidden from the company side when the author
    /// asked, for the author's own entries.
    pub async fn challenge_history(&self, viewer: &Viewer, id: i64) -> Result<Vec<HistoryEntry>> {
        let c = self.challenge(viewer, id).await?;
        self.history_of(&c).await
    }

    /// The history of a challenge already read for its viewer (`challenge`).
    pub async fn history_of(&self, c: &Challenge) -> Result<Vec<HistoryEntry>> {
        let rows = sqlx::query_as(
            "SELECT h.id, h.action,
                    CASE WHEN $2 = 1 AND h.actor_id = c.author_id THEN NULL ELSE p.display_name END AS actor_name,
                    h.from_status, h.to_status, h.other_id, h.reason, h.at
             FROM challenge_history h JOIN challenges c ON c.id = h.challenge_id
             LEFT JOIN people p ON p.id = h.actor_id
             WHERE h.challenge_id = $1 ORDER BY h.id",
        )
        .bind(c.id)
        .bind(i64::from(c.name_hidden()))
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }

    /// Open (unsolved) challenges per municipality code, for the map.
    pub async fn open_challenges_by_municipality(
        &self,
        viewer: &Viewer,
        partnership_id: Option<i64>,
    ) -> Result<Vec<(String, i64)>> {
        let (pid, admin) = viewer_binds(viewer);
        let sql = format!(
            "SELECT m.code, COUNT(*) {FROM} WHERE {VISIBLE}
               AND c.status IN ('open', 'under_review', 'matched', 'in_progress')
               AND ($3 = 0 OR c.partnership_id = $3) AND m.code IS NOT NULL
             GROUP BY m.code"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(pid)
            .bind(admin)
            .bind(partnership_id.unwrap_or(0))
            .fetch_all(self.pool())
            .await?)
    }
}

/// What a page of the board (without search words) depends on besides the
/// revision: the viewer's class (instance administrator, the partnerships
/// they have a role in) and the filters.
pub fn page_key(viewer: &Viewer, f: &BoardFilter) -> String {
    let mut parts: Vec<i64> = viewer.roles.iter().map(|r| r.partnership_id).collect();
    parts.sort_unstable();
    parts.dedup();
    format!(
        "{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{}",
        viewer.is_instance_admin,
        parts,
        f.partnership_id,
        f.organisation_id,
        f.region,
        f.category,
        f.status,
        f.limit,
        f.offset
    )
}

/// The mover a viewer is for a challenge, or `NotFound` (the challenge is
/// none of theirs to change).
pub fn mover(viewer: &Viewer, c: &Challenge) -> Result<Mover> {
    viewer
        .challenge_mover(c.partnership_id, c.organisation_id)
        .ok_or(StoreError::NotFound)
}
