//! My page: who I am, my roles, my consents, my API tokens.

use super::forms::FormErrors;
use super::layout::PageCtx;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kizuna_store::api_tokens::ApiToken;
use kizuna_store::people::{Consent, Person};
use kizuna_store::personal_data::MembershipRow;
use kizuna_store::tokens;
use serde::Deserialize;

pub struct RoleLine {
    pub partnership: String,
    pub role: &'static str,
    pub organisation: Option<String>,
}

#[derive(Template)]
#[template(path = "me.html")]
struct MyPage {
    c: PageCtx,
    person: Person,
    roles: Vec<RoleLine>,
    memberships: Vec<MembershipRow>,
    fans: Vec<kizuna_store::fans::Fan>,
    consents: Vec<Consent>,
    tokens: Vec<ApiToken>,
    new_token: Option<String>,
    errors: FormErrors,
}

async fn render(
    st: &AppState,
    ctx: &Ctx,
    new_token: Option<String>,
    errors: FormErrors,
) -> Result<String, AppError> {
    let user = ctx.require_user()?;
    let id = ctx.person_id()?;
    let mut roles = Vec::new();
    for r in &user.viewer.roles {
        let partnership = st
            .store
            .partnership(&ctx.viewer, r.partnership_id)
            .await?
            .name;
        let organisation = match r.organisation_id {
            Some(o) => Some(st.store.organisation(&ctx.viewer, o).await?.name),
            None => None,
        };
        roles.push(RoleLine {
            partnership,
            role: r.role.as_str(),
            organisation,
        });
    }
    let page = MyPage {
        c: PageCtx::new(ctx),
        person: st.store.person(id).await?,
        roles,
        memberships: st.store.memberships(id).await?,
        fans: st.store.fans_of_person(id).await?,
        consents: st.store.consents(id).await?,
        tokens: st.store.api_tokens(id).await?,
        new_token,
        errors,
    };
    Ok(page.render()?)
}

pub async fn show(State(st): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    Ok(Html(render(&st, &ctx, None, FormErrors::default()).await?))
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

/// Creates a token and shows its secret once, on this response only.
pub async fn create_token(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    let id = ctx.person_id()?;
    let name = match kizuna_domain::error::required_text("name", &form.name, 100) {
        Ok(n) => n,
        Err(e) => {
            let html = render(&st, &ctx, None, FormErrors::from_validation(ctx.tr, &e)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
    };
    let secret = tokens::new_secret("kz_");
    st.store
        .create_api_token(id, &name, &tokens::hash(&secret), &secret[..10])
        .await?;
    Ok(Html(render(&st, &ctx, Some(secret), FormErrors::default()).await?).into_response())
}

pub async fn revoke_token(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(token_id): Path<i64>,
) -> Result<Response, AppError> {
    st.store
        .revoke_api_token(ctx.person_id()?, token_id)
        .await?;
    Ok(Redirect::to("/me?notice=token-revoked").into_response())
}

/// `GET /me/data`: everything Kizuna holds about me, as a JSON file (APPI disclosure).
pub async fn download_data(State(st): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let data = st.store.personal_data(ctx.person_id()?).await?;
    let json =
        serde_json::to_string_pretty(&data).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"kizuna-my-data.json\"",
            ),
        ],
        json,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct ErasureForm {
    #[serde(default)]
    password: String,
    confirm: Option<String>,
}

/// `POST /me/erasure`: deletes my account and everything that names me,
/// after I confirm with my password.
pub async fn erase(
    State(st): State<AppState>,
    ctx: Ctx,
    jar: axum_extra::extract::CookieJar,
    Form(form): Form<ErasureForm>,
) -> Result<Response, AppError> {
    let user = ctx.require_user()?;
    let creds = st
        .store
        .credentials(&user.email)
        .await?
        .ok_or(AppError::NotFound)?;
    let refuse = |code: &str| FormErrors::one(ctx.tr, "erase", code);
    let errors = if form.confirm.is_none() {
        Some(refuse("erasure_not_confirmed"))
    } else if !crate::auth::password::verify(form.password, creds.password_hash).await {
        Some(refuse("wrong_password"))
    } else {
        None
    };
    if let Some(errors) = errors {
        let html = render(&st, &ctx, None, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    st.store.erase_person(creds.id, &st.event_mails()).await?;
    let jar = jar.add(crate::auth::session::expired_session_cookie(&st.config));
    Ok((jar, Redirect::to("/?notice=erased")).into_response())
}
