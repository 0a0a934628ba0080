//! `/api/v1/organisations`

use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::pages::organisations::require_edit;
use axum::Json;
use axum::extract::{Path, Query, State};
use kizuna_domain::{OrgKind, OrganisationProfile};
use kizuna_store::organisations::Organisation as Row;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct Organisation {
    pub id: i64,
    /// prefecture, municipality, company, school or npo
    pub kind: String,
    pub name: String,
    pub name_kana: Option<String>,
    pub name_en: Option<String>,
    /// 全国地方公共団体コード (6 digits) for local governments.
    pub local_gov_code: Option<String>,
    pub parent_id: Option<i64>,
    pub website: Option<String>,
    pub description: Option<String>,
}

impl From<Row> for Organisation {
    fn from(r: Row) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            name: r.name,
            name_kana: r.name_kana,
            name_en: r.name_en,
            local_gov_code: r.local_gov_code,
            parent_id: r.parent_id,
            website: r.website,
            description: r.description,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only organisations of this kind.
    kind: Option<String>,
}

/// Organisations the caller may see.
#[utoipa::path(get, path = "/api/v1/organisations", params(ListQuery), tag = "organisations",
    responses((status = 200, body = Vec<Organisation>), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Organisation>>, AppError> {
    let kind = match q.kind.as_deref() {
        Some(k) => Some(OrgKind::parse(k)?.as_str()),
        None => None,
    };
    let rows = st.store.organisations(&ctx.viewer, kind).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// One organisation; 404 when it does not exist or is not visible to the caller.
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "organisations",
    responses((status = 200, body = Organisation), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn get_one(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Json<Organisation>, AppError> {
    Ok(Json(st.store.organisation(&ctx.viewer, id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct ProfileUpdate {
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub description: String,
}

/// Edits an organisation's profile. Allowed for its own municipal staff, the
/// coordinators of its partnerships and instance administrators.
#[utoipa::path(patch, path = "/api/v1/organisations/{id}", tag = "organisations", request_body = ProfileUpdate,
    security(("bearer" = [])),
    responses((status = 200, body = Organisation), (status = 403, body = super::Problem, content_type = "application/problem+json"),
        (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Json(body): Json<ProfileUpdate>,
) -> Result<Json<Organisation>, AppError> {
    st.store.organisation(&ctx.viewer, id).await?;
    require_edit(&st, &ctx, id).await?;
    let profile = OrganisationProfile::parse(&body.website, &body.description)?;
    st.store
        .update_organisation_profile(ctx.person_id()?, id, &profile)
        .await?;
    Ok(Json(st.store.organisation(&ctx.viewer, id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct NewOrganisation {
    /// prefecture, municipality, company, school or npo
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub name_kana: String,
    #[serde(default)]
    pub name_en: String,
    /// Required for prefectures and municipalities; its check digit is verified.
    #[serde(default)]
    pub local_gov_code: String,
    /// Parent company, for group subsidiaries.
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub description: String,
    /// Partnership to add the organisation to; required unless the caller is an instance administrator.
    pub partnership_id: Option<i64>,
}

/// Registers an organisation (instance administrators, or a partnership's
/// coordinators and administrators into their own partnership).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", request_body = NewOrganisation,
    security(("bearer" = [])),
    responses((status = 201, body = Organisation), (status = 403, body = super::Problem, content_type = "application/problem+json"),
        (status = 409, body = super::Problem, content_type = "application/problem+json"),
        (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(body): Json<NewOrganisation>,
) -> Result<(axum::http::StatusCode, Json<Organisation>), AppError> {
    ctx.require_user()?;
    match body.partnership_id {
        Some(p) if ctx.viewer.can_coordinate(p) => {}
        None if ctx.viewer.is_instance_admin => {}
        None if ctx
            .viewer
            .roles
            .iter()
            .any(|r| ctx.viewer.can_coordinate(r.partnership_id)) =>
        {
            return Err(kizuna_domain::ValidationError::new("partnership_id", "required").into());
        }
        _ => return Err(AppError::Forbidden),
    }
    let input = kizuna_domain::organisation::OrganisationInput {
        kind: body.kind,
        name: body.name,
        name_kana: body.name_kana,
        name_en: body.name_en,
        local_gov_code: body.local_gov_code,
        parent_id: body.parent_id,
        website: body.website,
        description: body.description,
    };
    let org = kizuna_domain::NewOrganisation::parse(&input)?;
    let id = st
        .store
        .create_organisation_in(ctx.viewer.person_id, &org, body.partnership_id)
        .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(st.store.organisation(&ctx.viewer, id).await?.into()),
    ))
}
