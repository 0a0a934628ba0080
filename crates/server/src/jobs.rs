//! Background jobs inside `kizuna serve` (or alone in `kizuna worker`):
//! delivering the outbox, moving expired waitlist offers on, reminding
//! people of tomorrow's events, and removing expired sessions and links. Work is
//! claimed from the database, so any number of processes can run them.

use crate::AppState;
use crate::mail::Transport;
use std::time::Duration;
use tokio::sync::watch;

/// Runs until `shutdown` flips to true.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let transport = match Transport::from_config(&state.config.mail) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "mail transport is misconfigured; e-mail stays queued");
            return;
        }
    };
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let mut last_purge = std::time::Instant::now();
    let mut last_events = std::time::Instant::now() - Duration::from_secs(3600);
    let digest_every = Duration::from_secs(state.config.board_digest_minutes.max(1) * 60);
    let mut last_digest = std::time::Instant::now();
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        // Offers expire by the minute, not by the half-second.
        if last_events.elapsed() > Duration::from_secs(30) {
            last_events = std::time::Instant::now();
            event_upkeep(&state).await;
        }
        if last_digest.elapsed() > digest_every {
            last_digest = std::time::Instant::now();
            board_digests(&state).await;
        }
        deliver_mail(&state, &transport).await;
        if last_purge.elapsed() > Duration::from_secs(3600) {
            last_purge = std::time::Instant::now();
            if let Err(e) = state.store.purge_expired().await {
                tracing::warn!(error = %e, "purge failed");
            }
        }
    }
}

/// Queues the board's digests (each person's notices since the last one).
pub async fn board_digests(state: &AppState) {
    match state.store.send_board_digests(&state.board_mails()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(digests = n, "board digests queued"),
        Err(e) => tracing::warn!(error = %e, "board digests failed"),
    }
}

/// Sends one batch of due mail; failures are retried later with back-off.
pub async fn deliver_mail(state: &AppState, transport: &Transport) {
    let batch = match state.store.claim_mail(20).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "could not claim mail");
            return;
        }
    };
    for mail in batch {
        let result = transport.send(&state.config.mail.from, &mail).await;
        let stored = match result {
            Ok(()) => {
                metrics::counter!("kizuna_mail_sent_total").increment(1);
                state.store.mark_mail_sent(mail.id).await
            }
            Err(e) => {
                tracing::warn!(id = mail.id, error = %e, "mail delivery failed; will retry");
                metrics::counter!("kizuna_mail_failed_total").increment(1);
                state
                    .store
                    .mark_mail_failed(mail.id, mail.attempts, &e.to_string())
                    .await
            }
        };
        if let Err(e) = stored {
            tracing::warn!(id = mail.id, error = %e, "could not record delivery");
        }
    }
}

/// Expired waitlist offers move to the next person; tomorrow's events remind
/// their participants (each once, whichever process runs it).
pub async fn event_upkeep(state: &AppState) {
    let mail = state.event_mails();
    match state.store.expire_offers(&mail).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(expired = n, "waitlist offers expired and moved on"),
        Err(e) => tracing::warn!(error = %e, "could not expire waitlist offers"),
    }
    if let Err(e) = state.store.send_reminders(&mail).await {
        tracing::warn!(error = %e, "could not send event reminders");
    }
}
