//! [`Ctx`]: the viewer, their language and the way they signed in, taken
//! from the session cookie or an API token on every request.

use super::session::SESSION_COOKIE;
use crate::AppState;
use crate::error::{AppError, request_locale};
use crate::i18n::Tr;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use kizuna_domain::{Locale, Viewer};
use kizuna_store::sessions::SignedIn;
use kizuna_store::tokens;

pub struct Ctx {
    pub user: Option<SignedIn>,
    pub viewer: Viewer,
    pub tr: Tr,
    pub path: String,
    pub query: String,
}

impl Ctx {
    /// The signed-in person, or the error that asks them to sign in.
    pub fn require_user(&self) -> Result<&SignedIn, AppError> {
        self.user.as_ref().ok_or(AppError::SignInRequired)
    }

    pub fn person_id(&self) -> Result<i64, AppError> {
        Ok(self.require_user()?.viewer.person_id.unwrap_or_default())
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let bearer = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let user = if let Some(token) = bearer {
            // A presented token must be valid: silently treating a revoked
            // token as a visitor would hide the client's mistake.
            Some(
                state
                    .store
                    .api_token_person(&tokens::hash(token))
                    .await?
                    .ok_or(AppError::SignInRequired)?,
            )
        } else if let Some(c) = jar.get(SESSION_COOKIE) {
            state.store.session_person(&tokens::hash(c.value())).await?
        } else {
            None
        };
        let locale = user
            .as_ref()
            .and_then(|u| Locale::parse(&u.locale))
            .unwrap_or_else(|| request_locale(&parts.headers));
        Ok(Self {
            viewer: user.as_ref().map(|u| u.viewer.clone()).unwrap_or_default(),
            user,
            tr: Tr(locale),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().unwrap_or_default().to_string(),
        })
    }
}
