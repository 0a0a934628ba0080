//! Assembling the application (routes and middleware) and running it until
//! a shutdown signal, letting requests in flight finish.

use crate::{AppState, Config, error, jobs, routes, security, telemetry};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use kizuna_store::Store;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// The whole application. Layers run outside-in: headers, tracing,
/// compression, error rendering (so CSRF and size rejections get a proper
/// page or problem document), the CSRF check, body limits, metrics.
pub fn app(state: AppState) -> Router {
    let hsts = state.config.secure_cookies();
    let limit = state.config.max_body_bytes;
    telemetry::metrics_handle();
    routes::router()
        .layer(from_fn(telemetry::track))
        .layer(DefaultBodyLimit::max(limit))
        .layer(security::csrf(&state.config))
        .layer(from_fn(error::render_errors))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .layer(from_fn_with_state(
            hsts,
            |axum::extract::State(h): axum::extract::State<bool>, req, next| {
                security::headers(h, req, next)
            },
        ))
        .with_state(state)
}

/// Opens the database (creating and migrating it), optionally loads demo
/// data, and serves until Ctrl-C or SIGTERM.
pub async fn run(config: Config, demo: bool) -> anyhow::Result<()> {
    let store = Store::open(&config.database_url, config.database_max_connections).await?;
    if demo {
        crate::cli::load_demo(&store).await?;
    }
    let listener = TcpListener::bind(&config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let state = AppState::new(store.clone(), config);
    // The board's similarity index loads in the background while the
    // server already answers (suggestions wait for it only if asked first).
    let warm = store.clone();
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match warm.warm_board_index().await {
            Ok(n) => tracing::info!(
                challenges = n,
                ms = started.elapsed().as_millis() as u64,
                "board index loaded"
            ),
            Err(e) => tracing::warn!(error = %e, "board index not loaded; it loads on first use"),
        }
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    let worker = state
        .config
        .run_jobs
        .then(|| tokio::spawn(jobs::run(state.clone(), stop_rx)));
    tracing::info!(
        listen = %listener.local_addr()?,
        database = store.backend().name(),
        "Kizuna is ready: open {}", state.config.public_url
    );
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    let _ = stop_tx.send(true);
    if let Some(w) = worker {
        let _ = w.await;
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
