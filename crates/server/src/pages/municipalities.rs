//! The 59 municipalities, grouped by the prefecture's seven regions.

use super::board::BoardLabels;
use super::layout::PageCtx;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use kizuna_store::municipalities::{Municipality, by_region};
use kizuna_store::partnerships::Partnership;

#[derive(Template)]
#[template(path = "municipalities.html")]
struct ListPage<'a> {
    c: PageCtx,
    /// Pre-rendered, already escaped HTML of the region tables.
    regions_html: &'a str,
    total: usize,
}

/// The region navigation and tables: the same for every reader of a language.
#[derive(Template)]
#[template(path = "municipality_regions.html")]
struct RegionTables<'a> {
    c: PageCtx,
    regions: Vec<(&'static str, Vec<&'a Municipality>)>,
}

pub async fn index(State(st): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let all = st.store.municipalities().await?;
    let slot =
        &st.rendered.municipality_regions[usize::from(ctx.tr.0 == kizuna_domain::Locale::En)];
    let regions_html = match slot.get() {
        Some(html) => html,
        None => {
            let html = RegionTables {
                c: PageCtx::bare(ctx.tr),
                regions: by_region(&all),
            }
            .render()?;
            slot.get_or_init(|| html)
        }
    };
    Ok(Html(
        ListPage {
            c: PageCtx::new(&ctx),
            regions_html,
            total: all.len(),
        }
        .render()?,
    ))
}

#[derive(Template)]
#[template(path = "municipality.html")]
struct DetailPage {
    c: PageCtx,
    m: Municipality,
    partnerships: Vec<Partnership>,
    challenges: Vec<kizuna_store::board::ChallengeRow>,
    following: bool,
}

pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Html<String>, AppError> {
    let m = st
        .store
        .municipality_by_code(&code)
        .await?
        .ok_or(AppError::NotFound)?;
    let partnerships = st
        .store
        .partnerships_for_organisation(&ctx.viewer, m.organisation_id)
        .await?;
    let challenges = st
        .store
        .board(
            &ctx.viewer,
            &kizuna_store::board::BoardFilter {
                organisation_id: Some(m.organisation_id),
                limit: 100,
                ..Default::default()
            },
        )
        .await?;
    let following = match ctx.viewer.person_id {
        Some(p) => st.store.follows(p, 0, m.organisation_id).await?.1,
        None => false,
    };
    Ok(Html(
        DetailPage {
            c: PageCtx::new(&ctx),
            m,
            partnerships,
            challenges,
            following,
        }
        .render()?,
    ))
}

impl BoardLabels for DetailPage {
    fn c(&self) -> &PageCtx {
        &self.c
    }
}
