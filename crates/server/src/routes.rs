//! Every URL of Kizuna, in one place, with who may use it. Roles are checked
//! in the handlers (through `kizuna_domain::access`) and again by the store's
//! scoped queries; this table is the map.

use crate::pages::{
    admin, auth, board, board_forms, board_triage, corps, entries, event_admin, events, fans, home,
    me, municipalities, organisations, partnerships, registry, rosters,
};
use crate::{AppState, api, assets, telemetry};
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        // Anyone (visitors included); lists are scoped to what the viewer may see.
        .route("/", get(home::show))
        .route("/municipalities", get(municipalities::index))
        .route("/municipalities/{code}", get(municipalities::show))
        .route("/organisations", get(organisations::index))
        .route(
            "/organisations/{id}",
            get(organisations::show).post(organisations::update),
        )
        .route("/partnerships/{id}", get(partnerships::show))
        // Coordinators and administrators of the partnership.
        .route("/partnerships/{id}/parties", post(registry::add_party))
        .route("/privacy", get(auth::privacy))
        .route("/locale", post(auth::set_locale))
        // Visitors: accounts.
        .route("/signup", get(auth::signup_form).post(auth::signup))
        .route("/signin", get(auth::signin_form).post(auth::signin))
        .route("/verify/{token}", get(auth::verify_form).post(auth::verify))
        .route("/verification", post(auth::resend_verification))
        .route(
            "/password-reset",
            get(auth::reset_request_form).post(auth::reset_request),
        )
        .route(
            "/password-reset/{token}",
            get(auth::reset_form).post(auth::reset),
        )
        // Signed-in people.
        .route("/signout", post(auth::signout))
        .route("/me", get(me::show))
        .route("/me/tokens", post(me::create_token))
        .route("/me/tokens/{id}/revoke", post(me::revoke_token))
        .route("/me/data", get(me::download_data))
        .route("/me/erasure", post(me::erase))
        // The organisation's municipal staff, its partnerships' coordinators, instance admins.
        .route("/organisations/{id}/edit", get(organisations::edit))
        // Partnership administrators (own partnerships) and instance administrators.
        .route("/admin", get(admin::people))
        .route("/admin/roles", post(admin::assign_role))
        .route("/admin/memberships", post(admin::add_membership))
        .route("/admin/roles/{id}/delete", post(admin::revoke_role))
        .route(
            "/admin/partnerships/{id}/pillars",
            get(admin::pillars).post(admin::save_pillar),
        )
        .route(
            "/admin/partnerships/{id}/pillars/{pillar}/delete",
            post(admin::delete_pillar),
        )
        .route("/admin/organisations/new", get(registry::new_organisation))
        .route("/admin/organisations", post(registry::create_organisation))
        // Instance administrators.
        .route("/admin/partnerships/new", get(registry::new_partnership))
        .route("/admin/partnerships", post(registry::create_partnership))
        .route("/admin/audit", get(admin::audit))
        // JSON API: same rules as the pages (see api/).
        .nest("/api/v1", api::router())
        // On-site reporting tools (Open311 GeoReport v2); posting needs a jurisdiction's API key.
        .merge(crate::open311::router())
        // Fans (PR corps): signed-in people join; a fan's page is theirs and,
        // within the side rule, their partnership's coordinators'.
        .route("/partnerships/{id}/pr-corps/new", get(fans::join_form))
        .route("/partnerships/{id}/pr-corps", post(fans::join))
        .route("/fans/{id}", get(fans::show).post(fans::update))
        .route("/fans/{id}/edit", get(fans::edit))
        .route(
            "/fans/{id}/entries",
            post(entries::create)
                .layer(DefaultBodyLimit::max(crate::photos::MAX_BYTES + 64 * 1024)),
        )
        .route("/entries/{id}/photo", get(entries::photo))
        .route("/entries/{id}/edit", get(entries::edit))
        .route("/entries/{id}", post(entries::update))
        .route("/entries/{id}/withdrawal", post(entries::withdraw))
        .route("/fans/{id}/goods", post(corps::request_goods))
        .route(
            "/fans/{id}/goods/{request}/erasure",
            post(corps::erase_goods),
        )
        // Coordinators of the partnership (names scoped by side).
        .route("/entries/{id}/review", post(entries::review))
        .route("/fans/{id}/goods/{request}/sent", post(corps::goods_sent))
        .route("/partnerships/{id}/fans", get(corps::fans))
        .route("/partnerships/{id}/entries", get(corps::entries))
        .route("/partnerships/{id}/figures", get(corps::figures))
        .route("/partnerships/{id}/points", post(corps::set_points))
        .route(
            "/partnerships/{id}/challenges",
            post(corps::create_challenge),
        )
        .route(
            "/partnerships/{id}/challenges/{challenge}/delete",
            post(corps::delete_challenge),
        )
        .route(
            "/partnerships/{id}/roster",
            get(rosters::show)
                .post(rosters::upload)
                .layer(DefaultBodyLimit::max(rosters::MAX_UPLOAD)),
        )
        .route("/partnerships/{id}/roster/imports", post(rosters::import))
        .route("/partnerships/{id}/fans.csv", get(rosters::export_csv))
        .route("/partnerships/{id}/fans.xlsx", get(rosters::export_xlsx))
        // Events: anyone sees the events open to them (visitors: public ones).
        .route("/events", get(events::index))
        .route("/events/{id}", get(events::show))
        .route(
            "/partnerships/{id}/calendar.ics",
            get(events::partnership_feed),
        )
        // Anyone holding a secret feed URL (calendar apps cannot sign in).
        .route("/calendar/{file}", get(events::feed))
        // Signed-in people who may see the event; registrations are their owner's.
        .route("/events/{id}/registrations", post(events::register))
        .route("/registrations/{id}/cancellation", post(events::cancel))
        .route("/registrations/{id}/acceptance", post(events::accept))
        .route("/registrations/{id}/declination", post(events::decline))
        .route("/registrations/{id}/transfer", post(events::transfer))
        .route("/registrations/{id}/feedback", post(events::feedback))
        .route("/me/events", get(events::mine))
        .route("/me/calendar", post(events::create_feed))
        .route("/me/calendar/revocation", post(events::revoke_feeds))
        // Organisers: coordinators of the partnership; municipal staff for
        // their own organisation's events.
        .route("/partnerships/{id}/events/new", get(event_admin::new))
        .route("/partnerships/{id}/events", post(event_admin::create))
        .route(
            "/events/{id}/edit",
            get(event_admin::edit).post(event_admin::update),
        )
        .route("/events/{id}/cancellation", post(event_admin::cancel))
        .route("/events/{id}/questions", post(event_admin::add_question))
        .route("/events/{id}/shifts", post(event_admin::add_shift))
        .route(
            "/events/{id}/questions/{question}/delete",
            post(event_admin::delete_question),
        )
        .route("/events/{id}/participants", get(event_admin::participants))
        .route(
            "/events/{id}/participants.csv",
            get(event_admin::export_csv),
        )
        .route(
            "/events/{id}/participants.xlsx",
            get(event_admin::export_xlsx),
        )
        .route("/registrations/{id}/decision", post(event_admin::decide))
        .route(
            "/events/{id}/check-in",
            get(event_admin::check_in_form).post(event_admin::check_in),
        )
        // Operations: anyone (no personal data).
        // The challenge board. Anyone: the board, a challenge, suggestions.
        .route("/board", get(board::index))
        .route("/board/similar", get(board::similar))
        .route("/challenges/{id}", get(board::show))
        .route("/attachments/{id}", get(board_forms::attachment))
        // Signed-in people: my challenges, follows.
        .route("/me/challenges", get(board::mine))
        .route("/challenges/{id}/follow", post(board_forms::follow))
        .route(
            "/organisations/{id}/follow",
            post(board_forms::follow_organisation),
        )
        // Municipal staff (their own municipality) and coordinators.
        .route("/partnerships/{id}/board/new", get(board_forms::new))
        .route(
            "/challenges/{id}/edit",
            get(board_forms::edit).post(board_forms::update),
        )
        .route("/challenges/{id}/status", post(board_forms::move_status))
        .route(
            "/challenges/{id}/attachments",
            post(board_forms::attach).layer(DefaultBodyLimit::max(
                crate::attachments::MAX_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/attachments/{id}/delete",
            post(board_forms::delete_attachment),
        )
        .route("/challenges/{id}/comments", post(board_forms::comment))
        // Municipal staff of another municipality: "we have this too".
        .route("/challenges/{id}/endorsements", post(board_forms::endorse))
        .route(
            "/endorsements/{id}/withdrawal",
            post(board_forms::withdraw_endorsement),
        )
        // Coordinators: merge and split, triage, on-site reports, Open311 keys.
        .route("/challenges/{id}/merge", post(board_forms::merge))
        .route("/challenges/{id}/split", post(board_forms::split))
        .route(
            "/partnerships/{id}/board",
            get(board_triage::show).post(board_forms::create),
        )
        .route(
            "/partnerships/{id}/open311-keys",
            post(board_triage::create_key),
        )
        .route(
            "/partnerships/{id}/open311-keys/{key}/revocation",
            post(board_triage::revoke_key),
        )
        .route(
            "/reports/{id}/attachment",
            post(board_triage::attach_report),
        )
        .route("/reports/{id}/closure", post(board_triage::close_report))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(telemetry::render))
        .route("/static/{*file}", get(assets::serve))
}

/// Ready when the database answers.
async fn readyz(State(st): State<AppState>) -> (StatusCode, &'static str) {
    match st.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}
