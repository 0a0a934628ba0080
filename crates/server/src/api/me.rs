//! `/api/v1/me` — the caller, and their personal access tokens.

use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kizuna_domain::error::required_text;
use kizuna_store::tokens;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Role {
    pub partnership_id: i64,
    /// member, municipal_staff, coordinator or administrator
    pub role: String,
    pub organisation_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub locale: String,
    pub is_instance_admin: bool,
    pub roles: Vec<Role>,
}

/// The signed-in caller with their roles.
#[utoipa::path(get, path = "/api/v1/me", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = super::Problem, content_type = "application/problem+json")))]
pub async fn show(ctx: Ctx) -> Result<Json<Me>, AppError> {
    let u = ctx.require_user()?;
    Ok(Json(Me {
        id: ctx.person_id()?,
        email: u.email.clone(),
        display_name: u.display_name.clone(),
        locale: u.locale.clone(),
        is_instance_admin: u.viewer.is_instance_admin,
        roles: u
            .viewer
            .roles
            .iter()
            .map(|r| Role {
                partnership_id: r.partnership_id,
                role: r.role.as_str().into(),
                organisation_id: r.organisation_id,
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Token {
    pub id: i64,
    pub name: String,
    /// The first characters, to recognise the token by.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// The caller's tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "me", security(("bearer" = [])), responses((status = 200, body = Vec<Token>)))]
pub async fn list_tokens(
    State(st): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Vec<Token>>, AppError> {
    let list = st.store.api_tokens(ctx.person_id()?).await?;
    Ok(Json(
        list.into_iter()
            .map(|t| Token {
                id: t.id,
                name: t.name,
                prefix: t.prefix,
                created_at: t.created_at,
                last_used_at: t.last_used_at,
                revoked_at: t.revoked_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewToken {
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    pub id: i64,
    pub name: String,
    /// The secret, shown only in this response.
    pub token: String,
}

/// Creates a personal access token.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "me", request_body = NewToken, security(("bearer" = [])),
    responses((status = 201, body = CreatedToken), (status = 422, body = super::Problem, content_type = "application/problem+json")))]
pub async fn create_token(
    State(st): State<AppState>,
    ctx: Ctx,
    Json(body): Json<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    let person = ctx.person_id()?;
    let name = required_text("name", &body.name, 100)?;
    let secret = tokens::new_secret("kz_");
    let id = st
        .store
        .create_api_token(person, &name, &tokens::hash(&secret), &secret[..10])
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id,
            name,
            token: secret,
        }),
    ))
}

/// Revokes one of the caller's tokens; it stops working at once.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "me", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = super::Problem, content_type = "application/problem+json")))]
pub async fn revoke_token(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    st.store.revoke_api_token(ctx.person_id()?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everything Kizuna holds about the caller (APPI disclosure), as on My page.
#[utoipa::path(get, path = "/api/v1/me/data", tag = "me", security(("bearer" = [])),
    responses((status = 200, description = "The caller's personal data: person, consents, memberships, roles, tokens (without secrets), sign-in attempts, mail sent, own actions", content_type = "application/json"),
        (status = 401, body = super::Problem, content_type = "application/problem+json")))]
pub async fn data(
    State(st): State<AppState>,
    ctx: Ctx,
) -> Result<Json<kizuna_store::personal_data::PersonalData>, AppError> {
    Ok(Json(st.store.personal_data(ctx.person_id()?).await?))
}
