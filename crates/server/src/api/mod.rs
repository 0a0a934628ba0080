//! The JSON API under `/api/v1`, described by the OpenAPI 3.1 document at
//! `/api/v1/openapi.json`. Handlers are thin over the same store calls and
//! permission rules as the pages; errors are RFC 9457 problem documents.

pub mod board;
pub mod events;
pub mod fans;
pub mod me;
pub mod municipalities;
pub mod organisations;
pub mod partnerships;

use crate::AppState;
use axum::Json;
use axum::Router;
use axum::routing::{delete, get, post};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Kizuna API", version = "1", description = "Partnerships between companies and local governments: organisations, municipalities, partnerships, the signed-in person, the PR corps (fans, support ledger, figures) and events (registration with waitlist, check-in) and the challenge board (行政DX: challenges, \"we have this too\", similar challenges, clusters, merge and split). On-site reporting tools use Open311 GeoReport v2 at `/open311/v2/` instead. Times are Unix seconds (UTC); show them in Asia/Tokyo. Authenticate with `Authorization: Bearer <personal access token>` (create one on My page)."),
    paths(
        organisations::list, organisations::get_one, organisations::update, organisations::create,
        municipalities::list, municipalities::get_one,
        partnerships::list, partnerships::get_one,
        me::show, me::data, me::list_tokens, me::create_token, me::revoke_token,
        fans::mine, fans::get_one, fans::entries, fans::create, fans::withdraw, fans::list, fans::figures, fans::challenges,
        events::list, events::get_one, events::create, events::update, events::register, events::cancel, events::accept,
        events::mine, events::participants, events::check_in,
        board::list, board::get_one, board::create, board::update, board::move_status, board::endorse, board::withdraw,
        board::comments, board::comment, board::similar, board::clusters, board::merge, board::split, board::mine, board::site_reports,
    ),
    components(schemas(Problem)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// An RFC 9457 problem document, as every API error is answered.
#[derive(utoipa::ToSchema, serde::Serialize)]
pub struct Problem {
    /// `urn:kizuna:problem:<code>`
    #[schema(rename = "type")]
    pub kind: String,
    /// A short, human-readable summary in the caller's language.
    pub title: String,
    pub status: u16,
    /// Stable, machine-readable snake_case code, e.g. `not_found`, `invalid_email`.
    pub code: String,
    pub detail: Option<String>,
    /// The offending input field, for validation errors.
    pub field: Option<String>,
    pub instance: String,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organisations",
            get(organisations::list).post(organisations::create),
        )
        .route(
            "/organisations/{id}",
            get(organisations::get_one).patch(organisations::update),
        )
        .route("/municipalities", get(municipalities::list))
        .route("/municipalities/{code}", get(municipalities::get_one))
        .route("/partnerships", get(partnerships::list))
        .route("/partnerships/{id}", get(partnerships::get_one))
        .route("/me", get(me::show))
        .route("/me/data", get(me::data))
        .route("/me/tokens", get(me::list_tokens).post(me::create_token))
        .route("/me/tokens/{id}", delete(me::revoke_token))
        .route("/me/fans", get(fans::mine))
        .route("/fans/{id}", get(fans::get_one))
        .route("/fans/{id}/entries", get(fans::entries).post(fans::create))
        .route("/entries/{id}", delete(fans::withdraw))
        .route("/partnerships/{id}/fans", get(fans::list))
        .route("/partnerships/{id}/figures", get(fans::figures))
        .route("/partnerships/{id}/challenges", get(fans::challenges))
        .route("/events", get(events::list))
        .route("/events/{id}", get(events::get_one).put(events::update))
        .route("/partnerships/{id}/events", post(events::create))
        .route(
            "/events/{id}/registrations",
            post(events::register).get(events::participants),
        )
        .route("/events/{id}/check-ins", post(events::check_in))
        .route("/registrations/{id}", delete(events::cancel))
        .route("/registrations/{id}/acceptance", post(events::accept))
        .route("/me/registrations", get(events::mine))
        .route("/challenges", get(board::list).post(board::create))
        .route("/challenges/similar", get(board::similar))
        .route("/challenges/{id}", get(board::get_one).put(board::update))
        .route("/challenges/{id}/status", post(board::move_status))
        .route("/challenges/{id}/endorsements", post(board::endorse))
        .route("/endorsements/{id}", delete(board::withdraw))
        .route(
            "/challenges/{id}/comments",
            get(board::comments).post(board::comment),
        )
        .route("/challenges/{id}/merge", post(board::merge))
        .route("/challenges/{id}/split", post(board::split))
        .route(
            "/partnerships/{id}/challenge-clusters",
            get(board::clusters),
        )
        .route("/partnerships/{id}/site-reports", get(board::site_reports))
        .route("/me/challenges", get(board::mine))
        .route("/openapi.json", get(openapi))
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
