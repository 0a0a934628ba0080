//! The 59 municipalities, grouped by the prefecture's seven regions.

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
struct ListPage {
    c: PageCtx,
    regions: Vec<(&'static str, Vec<Municipality>)>,
    total: usize,
}

pub async fn index(State(st): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    let all = st.store.municipalities().await?;
    let regions = by_region(&all)
        .into_iter()
        .map(|(r, l)| (r, l.into_iter().cloned().collect()))
        .collect();
    Ok(Html(
        ListPage {
            c: PageCtx::new(&ctx),
            regions,
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
    Ok(Html(
        DetailPage {
            c: PageCtx::new(&ctx),
            m,
            partnerships,
        }
        .render()?,
    ))
}
