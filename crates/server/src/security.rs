//! Security headers on every response, and the same-origin check on every
//! state-changing request (tower-http's CSRF layer: `Sec-Fetch-Site` and
//! `Origin`, no tokens needed; cookies are SameSite=Lax besides).

use crate::Config;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::csrf::CsrfLayer;

/// No inline script or style is allowed; everything comes from our own origin.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

pub async fn headers(hsts: bool, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), geolocation=(), microphone=()"),
    );
    if hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        // Pages may show personal data: keep them out of shared caches.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Refuses cross-site POST/PUT/PATCH/DELETE with 403; the configured public
/// origin is trusted even behind a proxy that rewrites `Host`.
pub fn csrf(config: &Config) -> CsrfLayer {
    let layer = CsrfLayer::new();
    match layer.clone().add_trusted_origin(config.public_origin()) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "public_url is not a valid origin; only same-host posts are accepted");
            layer
        }
    }
}
