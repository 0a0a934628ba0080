//! Static files compiled into the binary and served under content-hashed
//! names (`/static/app.3f2a1b9c.css`), so browsers may cache them for a year
//! and a new release is fetched at once.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
    hashed: String,
}

macro_rules! asset {
    ($name:literal, $ct:literal) => {
        (
            $name,
            $ct,
            include_bytes!(concat!("../static/", $name)).as_slice(),
        )
    };
}

const FILES: [(&str, &str, &[u8]); 5] = [
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("app.js", "text/javascript; charset=utf-8"),
    asset!("vendor/htmx.min.js", "text/javascript; charset=utf-8"),
    asset!("vendor/design-tokens.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
];

fn assets() -> &'static [Asset] {
    static ASSETS: OnceLock<Vec<Asset>> = OnceLock::new();
    ASSETS.get_or_init(|| {
        FILES
            .iter()
            .map(|(name, content_type, bytes)| {
                let digest = hex::encode(&Sha256::digest(bytes)[..4]);
                let hashed = match name.rsplit_once('.') {
                    Some((stem, ext)) => format!("{stem}.{digest}.{ext}"),
                    None => format!("{name}.{digest}"),
                };
                Asset {
                    name,
                    content_type,
                    bytes,
                    hashed,
                }
            })
            .collect()
    })
}

/// The URL of a static file by its plain name, e.g. `url("app.css")`.
pub fn url(name: &str) -> String {
    assets()
        .iter()
        .find(|a| a.name == name)
        .map(|a| format!("/static/{}", a.hashed))
        .unwrap_or_else(|| format!("/static/{name}"))
}

/// `GET /static/{*file}`: only hashed names are served, with a year's cache.
pub async fn serve(Path(file): Path<String>) -> Response {
    match assets().iter().find(|a| a.hashed == file) {
        Some(a) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(a.content_type),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            a.bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_carry_a_content_hash() {
        let u = super::url("app.css");
        assert!(
            u.starts_with("/static/app.")
                && u.ends_with(".css")
                && u.len() > "/static/app.css".len()
        );
    }
}
