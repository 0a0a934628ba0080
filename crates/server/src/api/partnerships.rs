//! `/api/v1/partnerships`

use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Partnership {
    pub id: i64,
    pub name: String,
    pub name_en: Option<String>,
    pub description: Option<String>,
    /// `public` or `members`
    pub visibility: String,
    /// Date the agreement was signed, `YYYY-MM-DD`.
    pub signed_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Pillar {
    pub key: String,
    pub name_ja: String,
    pub name_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct Party {
    pub organisation_id: i64,
    pub kind: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct PartnershipDetail {
    #[serde(flatten)]
    pub partnership: Partnership,
    pub pillars: Vec<Pillar>,
    pub parties: Vec<Party>,
}

fn dto(p: kizuna_store::partnerships::Partnership) -> Partnership {
    Partnership {
        id: p.id,
        name: p.name,
        name_en: p.name_en,
        description: p.description,
        visibility: p.visibility,
        signed_on: p.signed_on,
    }
}

/// Partnerships the caller may see.
#[utoipa::path(get, path = "/api/v1/partnerships", tag = "partnerships", responses((status = 200, body = Vec<Partnership>)))]
pub async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<Partnership>>, AppError> {
    Ok(Json(
        st.store
            .partnerships(&ctx.viewer)
            .await?
            .into_iter()
            .map(dto)
            .collect(),
    ))
}

/// One partnership with its pillars and parties.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}", tag = "partnerships",
    responses((status = 200, body = PartnershipDetail), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn get_one(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<PartnershipDetail>, AppError> {
    let p = st.store.partnership(&ctx.viewer, id).await?;
    let pillars = st
        .store
        .pillars(id)
        .await?
        .into_iter()
        .map(|p| Pillar {
            key: p.key,
            name_ja: p.name_ja,
            name_en: p.name_en,
        })
        .collect();
    let parties = st
        .store
        .parties(id)
        .await?
        .into_iter()
        .map(|p| Party {
            organisation_id: p.organisation_id,
            kind: p.kind,
            name: p.name,
        })
        .collect();
    Ok(Json(PartnershipDetail {
        partnership: dto(p),
        pillars,
        parties,
    }))
}
