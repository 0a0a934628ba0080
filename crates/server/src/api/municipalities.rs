//! `/api/v1/municipalities` — public facts about the 59 municipalities.

use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, State};
use kizuna_store::municipalities::Municipality as Row;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Municipality {
    pub organisation_id: i64,
    /// 全国地方公共団体コード, e.g. `072010`.
    pub code: String,
    pub name: String,
    pub name_kana: String,
    pub romaji: String,
    /// 市, 町 or 村
    pub muni_type: String,
    pub district: Option<String>,
    /// One of the prefecture's seven regions (県北, 県中, 県南, 会津, 南会津, 相双, いわき).
    pub region: String,
    pub office_name: Option<String>,
    pub office_postal: Option<String>,
    pub office_address: Option<String>,
    pub office_lat: Option<f64>,
    pub office_lon: Option<f64>,
    pub official_url: Option<String>,
}

impl From<Row> for Municipality {
    fn from(r: Row) -> Self {
        Self {
            organisation_id: r.organisation_id,
            code: r.code,
            name: r.name,
            name_kana: r.name_kana,
            romaji: r.romaji,
            muni_type: r.muni_type,
            district: r.district,
            region: r.region,
            office_name: r.office_name,
            office_postal: r.office_postal,
            office_address: r.office_address,
            office_lat: r.office_lat,
            office_lon: r.office_lon,
            official_url: r.official_url,
        }
    }
}

/// All municipalities in official code order.
#[utoipa::path(get, path = "/api/v1/municipalities", tag = "municipalities", responses((status = 200, body = Vec<Municipality>)))]
pub async fn list(
    State(st): State<AppState>,
    _ctx: Ctx,
) -> Result<Json<Vec<Municipality>>, AppError> {
    Ok(Json(
        st.store
            .municipalities()
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// One municipality by its 6-digit code.
#[utoipa::path(get, path = "/api/v1/municipalities/{code}", tag = "municipalities",
    responses((status = 200, body = Municipality), (status = 404, body = super::Problem, content_type = "application/problem+json"),
        (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn get_one(
    State(st): State<AppState>,
    _ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Json<Municipality>, AppError> {
    let code = kizuna_domain::LocalGovCode::parse(&code)?;
    let m = st
        .store
        .municipality_by_code(code.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(m.into()))
}
