//! The challenge board for everyone: the list with search and filters, the
//! map of open challenges, a challenge's page, suggestions while drafting,
//! and my challenges. Forms that change challenges are in `board_forms`;
//! the coordinators' triage in `board_triage`.

use super::forms::FormErrors;
use super::layout::PageCtx;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use kizuna_domain::challenge::{DX_CATEGORIES, Mover, Status};
use kizuna_store::board::{BoardFilter, Challenge, ChallengeRow, HistoryEntry};
use kizuna_store::board_files::Attachment;
use kizuna_store::board_social::{Comment, Endorsement};
use kizuna_store::municipalities::{Municipality, REGIONS};
use kizuna_store::open311::SiteReport;
use std::collections::HashMap;

/// Challenges per page of the board.
pub const PER_PAGE: i64 = 30;

#[derive(serde::Deserialize, Default)]
pub struct BoardQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub municipality: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub status: String,
    /// `map` for the map of open challenges.
    #[serde(default)]
    pub view: String,
    #[serde(default)]
    pub page: i64,
}

/// Labels shared by the board's templates.
pub trait BoardLabels {
    fn c(&self) -> &PageCtx;
    /// A category's name (DX categories and pillars alike).
    fn category_label(&self, key: &str) -> String {
        match key.strip_prefix("pillar:") {
            Some(p) => self.c().label("pillar", p).into_owned(),
            None => self.c().label("challenge-category", key).into_owned(),
        }
    }
    fn status_label(&self, s: &str) -> String {
        self.c().label("challenge-status", s).into_owned()
    }
    /// 「月40時間」
    fn hours(&self, hours: impl std::borrow::Borrow<i64>) -> String {
        self.c()
            .tr
            .args("hours-a-month", &[("hours", hours.borrow().to_string())])
    }
    /// 「3自治体・月75時間」
    fn shared(
        &self,
        count: impl std::borrow::Borrow<i64>,
        hours: impl std::borrow::Borrow<i64>,
    ) -> String {
        self.c().tr.args(
            "challenge-shared-summary",
            &[
                ("count", count.borrow().to_string()),
                ("hours", hours.borrow().to_string()),
            ],
        )
    }
}

/// The board's list of challenges, rendered once per page and revision.
#[derive(Template)]
#[template(path = "board_rows.html")]
struct BoardRows<'a> {
    c: PageCtx,
    rows: &'a [ChallengeRow],
}

impl BoardLabels for BoardRows<'_> {
    fn c(&self) -> &PageCtx {
        &self.c
    }
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    c: PageCtx,
    rows_html: std::sync::Arc<String>,
    q: BoardQuery,
    municipalities: std::sync::Arc<Vec<Municipality>>,
    errors: FormErrors,
    has_next: bool,
    /// Partnerships the viewer may post challenges in.
    post_in: Vec<(i64, String)>,
    /// Partnerships whose board the viewer triages (coordinators).
    triage_in: Vec<(i64, String)>,
    map_svg: String,
    legend: [(&'static str, &'static str); 5],
    attribution: &'static str,
}

impl BoardLabels for BoardPage {
    fn c(&self) -> &PageCtx {
        &self.c
    }
}

impl BoardPage {
    fn regions(&self) -> &'static [&'static str] {
        &REGIONS
    }
    fn categories(&self) -> &'static [&'static str] {
        &DX_CATEGORIES
    }
    fn statuses(&self) -> Vec<&'static str> {
        Status::ALL
            .iter()
            .filter(|s| s.is_listed())
            .map(|s| s.as_str())
            .collect()
    }
    fn map_view(&self) -> bool {
        self.q.view == "map"
    }
    /// The current filters as a query string, for paging and the view switch.
    fn filters(&self, view: &str, page: i64) -> String {
        let page = page.to_string();
        let mut pairs = vec![
            ("q", self.q.q.as_str()),
            ("region", self.q.region.as_str()),
            ("municipality", self.q.municipality.as_str()),
            ("category", self.q.category.as_str()),
            ("status", self.q.status.as_str()),
            ("view", view),
        ];
        if page != "0" {
            pairs.push(("page", &page));
        }
        serde_urlencoded::to_string(
            pairs
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default()
    }
}

/// The filter as the store takes it; a bad value becomes a form error.
fn filter(
    q: &BoardQuery,
    municipalities: &[Municipality],
) -> Result<BoardFilter, kizuna_domain::ValidationError> {
    let organisation_id = match q.municipality.trim() {
        "" => None,
        code => Some(
            municipalities
                .iter()
                .find(|m| m.code == code)
                .map(|m| m.organisation_id)
                .ok_or(kizuna_domain::ValidationError::new(
                    "municipality",
                    "unknown_municipality",
                ))?,
        ),
    };
    if !q.status.is_empty() {
        Status::parse(&q.status)?;
    }
    if !q.category.is_empty() {
        kizuna_domain::challenge::parse_category(&q.category)?;
    }
    let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    Ok(BoardFilter {
        partnership_id: None,
        organisation_id,
        region: some(&q.region),
        category: some(&q.category),
        status: some(&q.status),
        query: some(&q.q),
        limit: PER_PAGE + 1,
        offset: q.page.max(0) * PER_PAGE,
    })
}

/// The viewer's partnerships (id, name) that pass `rule`: where they may
/// post challenges, or triage them.
async fn partnerships_where(
    st: &AppState,
    ctx: &Ctx,
    rule: impl Fn(&kizuna_domain::Viewer, i64) -> bool,
) -> Result<Vec<(i64, String)>, AppError> {
    if !ctx.viewer.is_signed_in() {
        return Ok(Vec::new());
    }
    Ok(st
        .store
        .partnerships(&ctx.viewer)
        .await?
        .into_iter()
        .filter(|p| rule(&ctx.viewer, p.id))
        .map(|p| (p.id, p.name))
        .collect())
}

/// Partnerships where the viewer may post a challenge.
async fn post_in(st: &AppState, ctx: &Ctx) -> Result<Vec<(i64, String)>, AppError> {
    partnerships_where(st, ctx, |v, p| v.can_post_challenges_in(p)).await
}

/// `GET /board` — anyone; lists what the viewer may see.
pub async fn index(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(mut q): Query<BoardQuery>,
) -> Result<Html<String>, AppError> {
    let municipalities = st.store.municipalities().await?;
    let (f, errors) = match filter(&q, &municipalities) {
        Ok(f) => (f, FormErrors::default()),
        Err(e) => {
            q = BoardQuery::default();
            let all = BoardFilter {
                limit: PER_PAGE + 1,
                ..Default::default()
            };
            (all, FormErrors::from_validation(ctx.tr, &e))
        }
    };
    let render = |rows: &[ChallengeRow]| -> Result<String, AppError> {
        Ok(BoardRows {
            c: PageCtx::bare(ctx.tr),
            rows: &rows[..rows.len().min(PER_PAGE as usize)],
        }
        .render()?)
    };
    let (rows_html, has_next) = if f.query.is_some() {
        let rows = st.store.board(&ctx.viewer, &f).await?;
        (
            std::sync::Arc::new(render(&rows)?),
            rows.len() as i64 > PER_PAGE,
        )
    } else {
        // Lists change only with the board's revision: rendered once each.
        let (rev, rows) = st.store.board_list(&ctx.viewer, &f).await?;
        let key = format!(
            "{}|{}",
            ctx.tr.code(),
            kizuna_store::board::page_key(&ctx.viewer, &f)
        );
        let html =
            st.rendered
                .board_rows
                .get_or_render(key, &rev, |a, b| a == b, || render(&rows))?;
        (html, rows.len() as i64 > PER_PAGE)
    };
    let map_svg = if q.view == "map" {
        let counts: HashMap<String, i64> = st
            .store
            .open_challenges_by_municipality(&ctx.viewer, None)
            .await?
            .into_iter()
            .collect();
        crate::map::svg(
            &counts,
            &ctx.tr.t("board-map-label"),
            &ctx.tr.t("board-map-unit"),
        )
    } else {
        String::new()
    };
    // One read of the viewer's partnerships serves both buttons.
    let mine = partnerships_where(&st, &ctx, |v, p| {
        v.can_post_challenges_in(p) || v.can_coordinate(p)
    })
    .await?;
    let only = |rule: fn(&kizuna_domain::Viewer, i64) -> bool| -> Vec<(i64, String)> {
        mine.iter()
            .filter(|(p, _)| rule(&ctx.viewer, *p))
            .cloned()
            .collect()
    };
    let page = BoardPage {
        c: PageCtx::new(&ctx),
        triage_in: only(|v, p| v.can_coordinate(p)),
        post_in: only(|v, p| v.can_post_challenges_in(p)),
        rows_html,
        q,
        municipalities,
        errors,
        has_next,
        map_svg,
        legend: crate::map::legend(),
        attribution: kizuna_store::seed::MAP_ATTRIBUTION,
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "challenge.html")]
pub struct ChallengePage {
    pub c: PageCtx,
    pub ch: Challenge,
    pub endorsements: Vec<Endorsement>,
    pub history: Vec<HistoryEntry>,
    pub comments: Vec<Comment>,
    pub attachments: Vec<Attachment>,
    pub merged: Vec<ChallengeRow>,
    pub similar: Vec<(ChallengeRow, u32)>,
    pub reports: Vec<SiteReport>,
    /// The viewer's municipalities that may still say "we have this too".
    pub endorse_as: Vec<(i64, String)>,
    /// All the viewer's municipalities other than the owner (to withdraw).
    pub my_orgs: Vec<i64>,
    pub moves: Vec<Status>,
    pub mover: Option<Mover>,
    pub can_discuss: bool,
    pub can_coordinate: bool,
    pub follows: (bool, bool),
    pub errors: FormErrors,
    pub partnership_name: String,
}

impl BoardLabels for ChallengePage {
    fn c(&self) -> &PageCtx {
        &self.c
    }
}

impl ChallengePage {
    fn is_merged(&self) -> bool {
        self.ch.merged_into.is_some()
    }
    fn can_edit(&self) -> bool {
        self.mover.is_some() && !self.is_merged()
    }
    fn history_line(&self, h: &HistoryEntry) -> String {
        let c = &self.c;
        match h.action.as_str() {
            "moved" => c.tr.args(
                "history-moved",
                &[
                    (
                        "from",
                        self.status_label(h.from_status.as_deref().unwrap_or("")),
                    ),
                    (
                        "to",
                        self.status_label(h.to_status.as_deref().unwrap_or("")),
                    ),
                ],
            ),
            "merged_into" | "merged_from" | "split" | "split_from" => c.tr.args(
                &format!("history-{}", h.action.replace('_', "-")),
                &[("other", h.other_id.unwrap_or_default().to_string())],
            ),
            other => c
                .t(&format!("history-{}", other.replace('_', "-")))
                .into_owned(),
        }
    }
}

/// Everything a challenge's page shows, for the viewer.
pub async fn challenge_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
) -> Result<ChallengePage, AppError> {
    let v = &ctx.viewer;
    let ch = st.store.challenge(v, id).await?;
    let mover = v.challenge_mover(ch.partnership_id, ch.organisation_id);
    let status = ch.status();
    let endorsements = st.store.endorsements_of(&ch).await?;
    let names: HashMap<i64, String> = st
        .store
        .parties(ch.partnership_id)
        .await?
        .into_iter()
        .map(|p| (p.organisation_id, p.name))
        .collect();
    let listed = status.is_listed() && status != Status::Closed;
    let my_orgs: Vec<i64> = v
        .staff_organisations(ch.partnership_id)
        .into_iter()
        .filter(|o| *o != ch.organisation_id)
        .collect();
    // Municipalities that joined already are offered withdrawal instead.
    let endorse_as = my_orgs
        .iter()
        .filter(|o| {
            listed
                && !endorsements
                    .iter()
                    .any(|e| e.id > 0 && e.organisation_id == **o)
        })
        .map(|o| (*o, names.get(o).cloned().unwrap_or_default()))
        .collect();
    let similar_hits = if status.is_listed() {
        st.store.similar_to_challenge(v, id, 5).await?
    } else {
        Vec::new()
    };
    let rows = st
        .store
        .challenge_rows(v, &similar_hits.iter().map(|h| h.id).collect::<Vec<_>>())
        .await?;
    let similar = rows
        .into_iter()
        .map(|r| {
            let score = similar_hits
                .iter()
                .find(|h| h.id == r.id)
                .map_or(0, |h| (h.score * 100.0).round() as u32);
            (r, score)
        })
        .collect();
    let follows = match v.person_id {
        Some(p) => st.store.follows(p, id, ch.organisation_id).await?,
        None => (false, false),
    };
    let partnership_name = st
        .store
        .partnership(v, ch.partnership_id)
        .await
        .map(|p| p.name)
        .unwrap_or_default();
    Ok(ChallengePage {
        c: PageCtx::new(ctx),
        history: st.store.history_of(&ch).await?,
        comments: st.store.comments_of(&ch).await?,
        attachments: st.store.attachments_of(id).await?,
        merged: st.store.merged_challenges(v, id).await?,
        reports: if v.can_coordinate(ch.partnership_id) || mover.is_some() {
            st.store.reports_of_challenge(id).await?
        } else {
            Vec::new()
        },
        moves: mover.map(|m| status.moves_for(m)).unwrap_or_default(),
        can_discuss: v.can_discuss_challenges(ch.partnership_id),
        can_coordinate: v.can_coordinate(ch.partnership_id),
        endorse_as,
        my_orgs,
        similar,
        endorsements,
        follows,
        mover,
        errors,
        partnership_name,
        ch,
    })
}

/// `GET /challenges/{id}` — anyone who may see it.
pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    Ok(Html(
        challenge_page(&st, &ctx, id, FormErrors::default())
            .await?
            .render()?,
    ))
}

#[derive(serde::Deserialize, Default)]
pub struct SimilarQuery {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    /// The challenge being edited, left out of its own suggestions.
    #[serde(default)]
    except: Option<i64>,
}

#[derive(Template)]
#[template(path = "board_similar.html")]
struct SimilarFragment {
    c: PageCtx,
    similar: Vec<(ChallengeRow, u32)>,
    asked: bool,
}

impl BoardLabels for SimilarFragment {
    fn c(&self) -> &PageCtx {
        &self.c
    }
}

/// `GET /board/similar` — the suggestions shown while a challenge is
/// drafted (an HTML fragment the form asks for as people type).
pub async fn similar(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SimilarQuery>,
) -> Result<Html<String>, AppError> {
    let text = kizuna_domain::challenge::similarity_text(&q.title, &[&q.description]);
    let asked = q.title.trim().chars().count() + q.description.trim().chars().count() >= 4;
    let hits = if asked {
        st.store
            .similar_challenges(&ctx.viewer, &text, q.except, 5)
            .await?
    } else {
        Vec::new()
    };
    let rows = st
        .store
        .challenge_rows(&ctx.viewer, &hits.iter().map(|h| h.id).collect::<Vec<_>>())
        .await?;
    let similar = rows
        .into_iter()
        .map(|r| {
            let s = hits.iter().find(|h| h.id == r.id).map_or(0.0, |h| h.score);
            (r, (s * 100.0).round() as u32)
        })
        .collect();
    Ok(Html(
        SimilarFragment {
            c: PageCtx::new(&ctx),
            similar,
            asked,
        }
        .render()?,
    ))
}

#[derive(Template)]
#[template(path = "my_challenges.html")]
struct MinePage {
    c: PageCtx,
    rows: Vec<ChallengeRow>,
    post_in: Vec<(i64, String)>,
}

impl BoardLabels for MinePage {
    fn c(&self) -> &PageCtx {
        &self.c
    }
}

/// `GET /me/challenges` — signed-in people: what they and their
/// municipality posted, drafts included.
pub async fn mine(State(st): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    ctx.require_user()?;
    let page = MinePage {
        c: PageCtx::new(&ctx),
        rows: st.store.my_challenges(&ctx.viewer).await?,
        post_in: post_in(&st, &ctx).await?,
    };
    Ok(Html(page.render()?))
}
