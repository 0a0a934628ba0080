//! A partnership's page: its parties, pillars and headline figures.

use super::home::PartnershipSummary;
use super::layout::PageCtx;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use kizuna_store::organisations::Organisation;
use kizuna_store::partnerships::Party;

#[derive(Template)]
#[template(path = "partnership.html")]
struct DetailPage {
    c: PageCtx,
    s: PartnershipSummary,
    groups: Vec<(&'static str, Vec<Party>)>,
    can_administer: bool,
    can_coordinate: bool,
    /// Organisations the coordinator may add (visible, not yet parties).
    candidates: Vec<Organisation>,
    signed_in: bool,
    leaderboard: Vec<kizuna_store::collective::LeaderRow>,
    /// The viewer's own fan record in this partnership, if they joined.
    my_fan: Option<i64>,
}

pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    let p = st.store.partnership(&ctx.viewer, id).await?;
    let parties = st.store.parties(id).await?;
    let groups = ["prefecture", "company", "municipality", "school", "npo"]
        .into_iter()
        .map(|k| {
            (
                k,
                parties
                    .iter()
                    .filter(|p| p.kind == k)
                    .cloned()
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let s = PartnershipSummary {
        figures: st.store.partnership_figures(id).await?,
        pillars: st.store.pillars(id).await?,
        challenges: st
            .store
            .challenges(id, Some(&super::fan_access::today_jst()))
            .await?,
        p,
    };
    // Leaderboards are for the partnership's own people, and list only fans
    // who agreed to appear.
    let leaderboard = if ctx.viewer.roles.iter().any(|r| r.partnership_id == id)
        || ctx.viewer.is_instance_admin
    {
        st.store.leaderboard(id, 10).await?
    } else {
        Vec::new()
    };
    let can_administer = ctx.viewer.can_administer(id);
    let can_coordinate = ctx.viewer.can_coordinate(id);
    let my_fan = match ctx.viewer.person_id {
        Some(me) => st.store.fan_of(me, id).await?.map(|f| f.id),
        None => None,
    };
    let candidates = if can_coordinate {
        let taken: Vec<i64> = parties.iter().map(|p| p.organisation_id).collect();
        st.store
            .organisations(&ctx.viewer, None)
            .await?
            .into_iter()
            .filter(|o| !taken.contains(&o.id))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Html(
        DetailPage {
            c: PageCtx::new(&ctx),
            s,
            groups,
            can_administer,
            can_coordinate,
            candidates,
            signed_in: ctx.viewer.is_signed_in(),
            leaderboard,
            my_fan,
        }
        .render()?,
    ))
}
