//! The e-mails registrations cause, in the recipient's language: confirmed
//! (with the event as `invite.ics`), waitlisted, pending approval, a place
//! offered, an offer expired, cancelled, not approved, and the day-before
//! reminder. The store calls [`EventMails`] inside the transaction that
//! makes the change, so the mail is queued exactly when the change commits.

use crate::calendar;
use crate::i18n::Tr;
use askama::Template;
use kizuna_domain::Locale;
use kizuna_store::outbox::Mail;
use kizuna_store::registrations::{EventMail, Notice, NoticeKind};

#[derive(Template)]
#[template(path = "event_email.html")]
struct EventEmailHtml<'a> {
    lang: &'a str,
    greeting: &'a str,
    body: &'a str,
    details: &'a [(String, String)],
    action: &'a str,
    link: &'a str,
    footer: &'a str,
    /// The check-in QR code as a table (mails that hold a place).
    qr: &'a str,
}

/// Writes event mails with links under `public_url`.
#[derive(Clone)]
pub struct EventMails {
    pub public_url: String,
}

impl EventMails {
    /// The server's host name, for calendar UIDs.
    pub fn host(&self) -> &str {
        self.public_url
            .split("://")
            .nth(1)
            .unwrap_or(&self.public_url)
            .split(['/', ':'])
            .next()
            .unwrap_or("kizuna")
    }

    fn key(kind: NoticeKind) -> &'static str {
        match kind {
            NoticeKind::Confirmed => "confirmed",
            NoticeKind::Waitlisted => "waitlisted",
            NoticeKind::Pending => "pending",
            NoticeKind::Offered => "offered",
            NoticeKind::OfferExpired => "offer-expired",
            NoticeKind::Cancelled => "cancelled",
            NoticeKind::Rejected => "rejected",
            NoticeKind::Reminder => "reminder",
            NoticeKind::EventChanged => "changed",
            NoticeKind::EventCancelled => "event-cancelled",
        }
    }
}

impl EventMail for EventMails {
    fn mail(&self, n: &Notice) -> Option<Mail> {
        let tr = Tr(Locale::parse(&n.locale).unwrap_or(Locale::Ja));
        let key = Self::key(n.kind);
        let title = match (tr.0, &n.event_title_en) {
            (Locale::En, Some(en)) => en.clone(),
            _ => n.event_title.clone(),
        };
        let greeting = tr.args("mail-greeting", &[("name", n.display_name.clone())]);
        let mut args = vec![("title", title.clone())];
        if let Some(expires) = n.registration.offer_expires_at {
            args.push(("expires", tr.datetime(expires)));
        }
        let body = tr.args(&format!("mail-event-{key}-body"), &args);
        let mut details = vec![
            (tr.t("event-title"), title.clone()),
            (tr.t("event-when"), tr.span(n.starts_at, n.ends_at)),
        ];
        let place = [n.venue.as_deref(), n.address.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !place.is_empty() {
            details.push((tr.t("event-venue"), place));
        }
        if let Some(online) = &n.online_url {
            details.push((tr.t("event-online"), online.clone()));
        }
        let holds_place = matches!(
            n.kind,
            NoticeKind::Confirmed | NoticeKind::Reminder | NoticeKind::EventChanged
        ) && n.registration.status == "confirmed";
        if holds_place {
            details.push((tr.t("registration-code"), n.registration.code.clone()));
            if n.registration.guests > 0 {
                details.push((
                    tr.t("registration-guests"),
                    n.registration.guests.to_string(),
                ));
            }
        }
        let link = format!("{}/events/{}", self.public_url, n.event_id);
        let action = tr.t(&format!("mail-event-{key}-action"));
        let footer = tr.t("mail-footer");
        let mut text_body = format!("{greeting}\n\n{body}\n\n");
        for (label, value) in &details {
            text_body.push_str(&format!("{label}: {value}\n"));
        }
        text_body.push_str(&format!("\n{action}:\n{link}\n\n--\n{footer}\n"));
        let qr = if holds_place {
            crate::qr::html_table(
                &format!(
                    "{}/events/{}/check-in?code={}",
                    self.public_url, n.event_id, n.registration.code
                ),
                4,
            )
        } else {
            String::new()
        };
        let html_body = EventEmailHtml {
            qr: &qr,
            lang: tr.code(),
            greeting: &greeting,
            body: &body,
            details: &details,
            action: &action,
            link: &link,
            footer: &footer,
        }
        .render()
        .unwrap_or_else(|_| text_body.clone());
        // The calendar file goes with the mails that give or remind of a place.
        let calendar = holds_place.then(|| {
            calendar::ics(
                &title,
                self.host(),
                &[calendar::Entry {
                    id: n.event_id,
                    title: &title,
                    description: "",
                    venue: n.venue.as_deref(),
                    address: n.address.as_deref(),
                    online_url: n.online_url.as_deref(),
                    starts_at: n.starts_at,
                    ends_at: n.ends_at,
                    cancelled: false,
                    sequence: 0,
                    url: link.clone(),
                }],
            )
        });
        Some(Mail {
            to_addr: n.to_addr.clone(),
            subject: tr.args(&format!("mail-event-{key}-subject"), &[("title", title)]),
            text_body,
            html_body,
            calendar,
        })
    }
}
