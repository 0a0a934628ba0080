//! Similar challenges, search and clusters, from an in-memory similarity
//! index (`kizuna_domain::similarity`) that each process keeps of the
//! board. It stays current through `board_rev`: every write that changes a
//! challenge's text, status or visibility raises the revision and stamps
//! the challenge with it, so before answering, a process reads the
//! revision (one tiny query) and, when it moved, loads only the challenges
//! stamped since. Several processes on one database all see every change.

use crate::board::BoardFilter;
use crate::{Result, Store};
use kizuna_domain::Viewer;
use kizuna_domain::challenge::{Status, similarity_text};
use kizuna_domain::similarity::{Hit, SimilarityIndex};
use std::sync::Arc;
use tokio::sync::RwLock;

/// What the index keeps of a challenge besides its text: what filters need.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub partnership_id: i64,
    pub organisation_id: i64,
    pub public: bool,
    pub status: Status,
    pub category: String,
    pub region: Option<String>,
}

pub(crate) struct BoardIndex {
    rev: i64,
    loaded: bool,
    index: SimilarityIndex<Meta>,
}

#[derive(Clone)]
pub(crate) struct SharedIndex(Arc<RwLock<BoardIndex>>);

impl Default for SharedIndex {
    fn default() -> Self {
        Self(Arc::new(RwLock::new(BoardIndex {
            rev: 0,
            loaded: false,
            index: SimilarityIndex::new(),
        })))
    }
}

impl std::fmt::Debug for SharedIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedIndex")
    }
}

#[derive(sqlx::FromRow)]
struct Source {
    id: i64,
    partnership_id: i64,
    organisation_id: i64,
    visibility: String,
    status: String,
    category: String,
    region: Option<String>,
    title: String,
    description: String,
    current_process: Option<String>,
    pain: Option<String>,
    desired_outcome: Option<String>,
}

/// A suggestion: a challenge like the one being written.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Similar {
    pub id: i64,
    /// Cosine similarity, 0–1.
    pub score: f32,
}

/// Suggestions below this similarity are noise (see the test set's figures
/// in docs/benchmarks.md: true duplicates score 0.13–0.45).
pub const MIN_SIMILARITY: f32 = 0.08;
/// Clusters link mutual nearest neighbours at this similarity or above.
pub const CLUSTER_THRESHOLD: f32 = 0.12;

fn keep_for(viewer: &Viewer) -> impl Fn(&Meta) -> bool + '_ {
    move |m: &Meta| {
        m.public
            || viewer.is_instance_admin
            || viewer
                .roles
                .iter()
                .any(|r| r.partnership_id == m.partnership_id)
    }
}

impl Store {
    /// Loads this process's similarity index now (the server does it at
    /// start, so the first person to draft does not wait for it).
    pub async fn warm_board_index(&self) -> Result<usize> {
        self.sync_board_index().await?;
        Ok(self.board_index.0.read().await.index.len())
    }

    /// Brings this process's index up to the database's revision.
    async fn sync_board_index(&self) -> Result<()> {
        let rev: i64 = sqlx::query_scalar("SELECT rev FROM board_rev WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        {
            let idx = self.board_index.0.read().await;
            if idx.loaded && idx.rev >= rev {
                return Ok(());
            }
        }
        let mut idx = self.board_index.0.write().await;
        if idx.loaded && idx.rev >= rev {
            return Ok(());
        }
        let since = if idx.loaded { idx.rev } else { -1 };
        let rows: Vec<Source> = sqlx::query_as(
            "SELECT c.id, c.partnership_id, c.organisation_id, c.visibility, c.status, c.category, m.region,
                    c.title, c.description, c.current_process, c.pain, c.desired_outcome
             FROM challenges c LEFT JOIN municipalities m ON m.organisation_id = c.organisation_id
             WHERE c.rev > $1 AND c.rev <= $2",
        )
        .bind(since)
        .bind(rev)
        .fetch_all(self.pool())
        .await?;
        for r in rows {
            let status = Status::parse(&r.status).unwrap_or(Status::Closed);
            // Drafts are private and merged ones live in their target.
            if !status.is_listed() {
                idx.index.remove(r.id);
                continue;
            }
            let text = similarity_text(
                &r.title,
                &[
                    &r.description,
                    r.current_process.as_deref().unwrap_or(""),
                    r.pain.as_deref().unwrap_or(""),
                    r.desired_outcome.as_deref().unwrap_or(""),
                ],
            );
            let meta = Meta {
                partnership_id: r.partnership_id,
                organisation_id: r.organisation_id,
                public: r.visibility == "public",
                status,
                category: r.category,
                region: r.region,
            };
            idx.index.upsert(r.id, &text, meta);
        }
        idx.rev = rev;
        idx.loaded = true;
        Ok(())
    }

    /// Challenges like `text` (a draft's title and description), that the
    /// viewer may see and that are still worth joining (not closed), best
    /// first. `except` leaves out the challenge being edited.
    pub async fn similar_challenges(
        &self,
        viewer: &Viewer,
        text: &str,
        except: Option<i64>,
        k: usize,
    ) -> Result<Vec<Similar>> {
        self.sync_board_index().await?;
        let keep = keep_for(viewer);
        let idx = self.board_index.0.read().await;
        Ok(idx
            .index
            .similar(text, k, MIN_SIMILARITY, except, |m| {
                m.status != Status::Closed && keep(m)
            })
            .into_iter()
            .map(|h: Hit<Meta>| Similar {
                id: h.id,
                score: h.score,
            })
            .collect())
    }

    /// Challenges like a stored one.
    pub async fn similar_to_challenge(
        &self,
        viewer: &Viewer,
        id: i64,
        k: usize,
    ) -> Result<Vec<Similar>> {
        self.sync_board_index().await?;
        let keep = keep_for(viewer);
        let idx = self.board_index.0.read().await;
        Ok(idx
            .index
            .similar_to(id, k, MIN_SIMILARITY, |m| {
                m.status != Status::Closed && keep(m)
            })
            .into_iter()
            .map(|h| Similar {
                id: h.id,
                score: h.score,
            })
            .collect())
    }

    /// Board search: ids of the challenges matching the words, best first,
    /// through the filters, one page.
    pub(crate) async fn search_challenges(
        &self,
        viewer: &Viewer,
        f: &BoardFilter,
        words: &str,
    ) -> Result<Vec<i64>> {
        self.sync_board_index().await?;
        let keep = keep_for(viewer);
        let wanted = |m: &Meta| {
            keep(m)
                && f.partnership_id.is_none_or(|p| p == m.partnership_id)
                && f.organisation_id.is_none_or(|o| o == m.organisation_id)
                && f.region
                    .as_deref()
                    .is_none_or(|r| r.is_empty() || m.region.as_deref() == Some(r))
                && f.category
                    .as_deref()
                    .is_none_or(|c| c.is_empty() || c == m.category)
                && match f.status.as_deref() {
                    Some(s) if !s.is_empty() => m.status.as_str() == s,
                    _ => m.status != Status::Closed,
                }
        };
        let want = (f.offset.max(0) + f.limit.clamp(1, 500)) as usize;
        let idx = self.board_index.0.read().await;
        Ok(idx
            .index
            .search(words, want, wanted)
            .into_iter()
            .skip(f.offset.max(0) as usize)
            .map(|h| h.id)
            .collect())
    }

    /// Groups of alike challenges across municipalities in a partnership
    /// (for coordinators), largest first; a group whose challenges are all
    /// of one municipality is left out — that is for the municipality.
    pub async fn challenge_clusters(&self, partnership_id: i64) -> Result<Vec<Vec<i64>>> {
        self.sync_board_index().await?;
        let idx = self.board_index.0.read().await;
        let clusters = idx.index.clusters(CLUSTER_THRESHOLD, |m| {
            m.partnership_id == partnership_id && m.status != Status::Closed
        });
        let org_of = |id: &i64| idx.index.meta(*id).map(|m| m.organisation_id);
        Ok(clusters
            .into_iter()
            .filter(|g| {
                let first = org_of(&g[0]);
                g.iter().any(|id| org_of(id) != first)
            })
            .collect())
    }
}
