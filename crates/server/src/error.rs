//! One error type for every handler. It becomes an HTML page for people and
//! RFC 9457 `application/problem+json` with a stable `code` for the API; the
//! choice and the language are made by [`render_errors`], which sees the request.

use crate::i18n::Tr;
use crate::pages::layout::{ErrorPage, PageCtx};
use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use kizuna_domain::{Locale, ValidationError};
use kizuna_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("sign-in required")]
    SignInRequired,
    #[error("forbidden")]
    Forbidden,
    #[error("invalid input: {0}")]
    Invalid(ValidationError),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("link expired")]
    Expired,
    #[error("internal error: {0}")]
    Internal(String),
}

/// What a failed response carries to [`render_errors`].
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub field: Option<&'static str>,
    pub detail: Option<String>,
}

impl AppError {
    fn status_and_info(&self) -> (StatusCode, ErrorInfo) {
        let info = |code| ErrorInfo {
            code,
            field: None,
            detail: None,
        };
        match self {
            Self::NotFound => (StatusCode::NOT_FOUND, info("not_found")),
            Self::SignInRequired => (StatusCode::UNAUTHORIZED, info("sign_in_required")),
            Self::Forbidden => (StatusCode::FORBIDDEN, info("forbidden")),
            Self::Invalid(v) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorInfo {
                    code: v.code,
                    field: Some(v.field),
                    detail: None,
                },
            ),
            Self::Conflict(code) => (StatusCode::CONFLICT, info(code)),
            Self::Expired => (StatusCode::GONE, info("link_expired")),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, info("internal")),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Internal(cause) = &self {
            // Logged once here, with its cause; the person sees nothing internal.
            tracing::error!(%cause, "request failed");
        }
        let (status, info) = self.status_and_info();
        let mut res = status.into_response();
        res.extensions_mut().insert(info);
        res
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(code) => Self::Conflict(code),
            StoreError::Expired => Self::Expired,
            StoreError::Invalid(v) => Self::Invalid(v),
            other => Self::Internal(format!("{other}: {:?}", std::error::Error::source(&other))),
        }
    }
}

impl From<ValidationError> for AppError {
    fn from(v: ValidationError) -> Self {
        Self::Invalid(v)
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        Self::Internal(format!("template: {e}"))
    }
}

/// The request's language without a database look-up: the `lang` cookie
/// (set whenever someone switches) or `Accept-Language`.
pub fn request_locale(headers: &axum::http::HeaderMap) -> Locale {
    let cookie_lang = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("lang="))
        .and_then(Locale::parse);
    cookie_lang.unwrap_or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Locale::from_accept_language)
            .unwrap_or_default()
    })
}

/// Turns every error response — ours, or a rejection from axum such as a
/// too-large body or malformed JSON — into a page or a problem document.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let tr = Tr(request_locale(req.headers()));
    let path = req.uri().path().to_string();
    let wants_json = path.starts_with("/api/")
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"));
    let res = next.run(req).await;
    let status = res.status();
    // Open311 answers its errors in the specification's own format.
    if !(status.is_client_error() || status.is_server_error()) || path.starts_with("/open311/") {
        return res;
    }
    let info = match res.extensions().get::<ErrorInfo>() {
        Some(info) => info.clone(),
        None if res
            .extensions()
            .get::<tower_http::csrf::ProtectionError>()
            .is_some() =>
        {
            ErrorInfo {
                code: "cross_site_request",
                field: None,
                detail: None,
            }
        }
        None if is_rendered(&res) => return res,
        None => ErrorInfo {
            code: code_for_status(status),
            field: None,
            detail: rejection_text(res).await,
        },
    };
    if wants_json {
        problem(tr, status, &info, &path)
    } else {
        page(tr, status, &info)
    }
}

fn is_rendered(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html") || ct.starts_with("application/problem+json"))
}

/// axum's rejection texts ("Failed to parse the request body as JSON: …")
/// say what was wrong with the client's input and reveal nothing internal.
async fn rejection_text(res: Response) -> Option<String> {
    let bytes = axum::body::to_bytes(res.into_body(), 4096).await.ok()?;
    let text = String::from_utf8_lossy(&bytes).trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn code_for_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "sign_in_required",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "timeout",
        413 => "body_too_large",
        415 => "unsupported_media_type",
        422 => "invalid_body",
        429 => "too_many_requests",
        _ if status.is_server_error() => "internal",
        _ => "bad_request",
    }
}

/// The message for an error code in the reader's language.
pub fn message(tr: Tr, code: &str) -> String {
    let key = format!("error-{}", code.replace('_', "-"));
    if tr.has(&key) {
        tr.t(&key)
    } else {
        tr.t("error-bad-request")
    }
}

fn problem(tr: Tr, status: StatusCode, info: &ErrorInfo, path: &str) -> Response {
    let mut body = serde_json::json!({
        "type": format!("urn:kizuna:problem:{}", info.code),
        "title": message(tr, info.code),
        "status": status.as_u16(),
        "code": info.code,
        "instance": path,
    });
    if let Some(detail) = &info.detail {
        body["detail"] = detail.clone().into();
    }
    if let Some(field) = info.field {
        body["field"] = field.into();
    }
    let mut res = (status, body.to_string()).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
}

fn page(tr: Tr, status: StatusCode, info: &ErrorInfo) -> Response {
    let page = ErrorPage {
        c: PageCtx::bare(tr),
        status: status.as_u16(),
        message: message(tr, info.code),
        sign_in: info.code == "sign_in_required",
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => status.into_response(),
    }
}
