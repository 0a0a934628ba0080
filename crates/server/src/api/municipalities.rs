//! `/api/v1/municipalities` — public facts about the 59 municipalities.

use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
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
pub async fn list(State(st): State<AppState>, _ctx: Ctx) -> Result<Response, AppError> {
    // Serialised once per process from the shared list: the store row has
    // the same fields as `Municipality` (a test keeps the two in step).
    let json = match st.rendered.municipalities_json.get() {
        Some(json) => json.clone(),
        None => {
            let list = st.store.municipalities().await?;
            let bytes = serde_json::to_vec(list.as_slice())
                .map_err(|e| AppError::Internal(e.to_string()))?;
            st.rendered
                .municipalities_json
                .get_or_init(|| bytes.into())
                .clone()
        }
    };
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        json,
    )
        .into_response())
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_documented_shape_is_the_served_shape() {
        let row = kizuna_store::municipalities::Municipality {
            organisation_id: 2,
            code: "072010".into(),
            name: "福島市".into(),
            name_kana: "ふくしまし".into(),
            romaji: "Fukushima".into(),
            muni_type: "市".into(),
            district: None,
            region: "県北".into(),
            office_name: Some("福島市役所".into()),
            office_postal: Some("960-8601".into()),
            office_address: Some("福島県福島市五老内町3-1".into()),
            office_lat: Some(37.76),
            office_lon: Some(140.47),
            official_url: None,
        };
        let served = serde_json::to_value(&row).unwrap();
        let documented = serde_json::to_value(super::Municipality::from(row)).unwrap();
        assert_eq!(served, documented);
    }
}
