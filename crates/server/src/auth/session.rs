//! The session cookie: a random secret whose hash is the session's key.

use crate::Config;
use axum_extra::extract::cookie::{Cookie, SameSite};
use time::Duration;

pub const SESSION_COOKIE: &str = "kizuna_session";
pub const LANG_COOKIE: &str = "lang";

pub fn session_cookie(config: &Config, secret: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, secret))
        .path("/")
        .http_only(true)
        .secure(config.secure_cookies())
        .same_site(SameSite::Lax)
        .max_age(Duration::seconds(kizuna_store::sessions::SESSION_SECS))
        .build()
}

pub fn expired_session_cookie(config: &Config) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, ""))
        .path("/")
        .http_only(true)
        .secure(config.secure_cookies())
        .same_site(SameSite::Lax)
        .max_age(Duration::ZERO)
        .build()
}

/// The language choice; readable by the server only, kept for a year.
pub fn lang_cookie(config: &Config, lang: &str) -> Cookie<'static> {
    Cookie::build((LANG_COOKIE, lang.to_string()))
        .path("/")
        .http_only(true)
        .secure(config.secure_cookies())
        .same_site(SameSite::Lax)
        .max_age(Duration::days(365))
        .build()
}
