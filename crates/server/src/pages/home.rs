//! The home page: each partnership the viewer may see, at a glance.

use super::layout::PageCtx;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use kizuna_store::collective::Challenge;
use kizuna_store::municipalities::by_region;
use kizuna_store::partnerships::{Partnership, PartnershipFigures, Pillar};

pub struct PartnershipSummary {
    pub p: Partnership,
    pub figures: PartnershipFigures,
    pub pillars: Vec<Pillar>,
    /// Collective challenges still running, with their progress.
    pub challenges: Vec<Challenge>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: PageCtx,
    partnerships: Vec<PartnershipSummary>,
    regions: Vec<(&'static str, usize)>,
    municipality_count: usize,
}

pub async fn show(State(st): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let mut partnerships = Vec::new();
    for p in st.store.partnerships(&ctx.viewer).await? {
        let figures = st.store.partnership_figures(p.id).await?;
        let pillars = st.store.pillars(p.id).await?;
        let challenges = st
            .store
            .challenges(p.id, Some(&super::fan_access::today_jst()))
            .await?;
        partnerships.push(PartnershipSummary {
            p,
            figures,
            pillars,
            challenges,
        });
    }
    let munis = st.store.municipalities().await?;
    let regions = by_region(&munis)
        .into_iter()
        .map(|(r, list)| (r, list.len()))
        .collect();
    Ok(Html(
        HomePage {
            c: PageCtx::new(&ctx),
            partnerships,
            regions,
            municipality_count: munis.len(),
        }
        .render()?,
    ))
}
