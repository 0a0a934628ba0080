//! Events as iCalendar (RFC 5545): the `.ics` attached to confirmation
//! e-mails, the personal calendar feed and a partnership's public feed.
//! Times are written in UTC (unambiguous; calendars show them in local time)
//! and the calendar names Asia/Tokyo as its zone for display.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, EventLike, EventStatus};
use kizuna_store::events::Event;

/// What a calendar entry shows of an event.
pub struct Entry<'a> {
    pub id: i64,
    pub title: &'a str,
    pub description: &'a str,
    pub venue: Option<&'a str>,
    pub address: Option<&'a str>,
    pub online_url: Option<&'a str>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub cancelled: bool,
    /// Raised with every change, so calendars replace their copy.
    pub sequence: u32,
    /// The event's page, absolute.
    pub url: String,
}

impl<'a> Entry<'a> {
    pub fn of(e: &'a Event, url: String) -> Self {
        Self {
            id: e.id,
            title: &e.title,
            description: &e.description,
            venue: e.venue.as_deref(),
            address: e.address.as_deref(),
            online_url: e.online_url.as_deref(),
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            cancelled: e.status == "cancelled",
            sequence: u32::try_from(e.updated_at - e.created_at).unwrap_or(0),
            url,
        }
    }
}

fn utc(unix: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(unix, 0).unwrap_or_default()
}

/// A stable UID per event, so an updated or cancelled event replaces the
/// entry in people's calendars instead of adding a second one.
pub fn uid(event_id: i64, host: &str) -> String {
    format!("event-{event_id}@{host}")
}

/// A calendar of `entries` named `name`.
pub fn ics(name: &str, host: &str, entries: &[Entry<'_>]) -> String {
    let mut cal = Calendar::new();
    cal.name(name).timezone("Asia/Tokyo");
    let stamp = utc(kizuna_store::now());
    for e in entries {
        let mut location = [e.venue, e.address]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if location.is_empty() {
            location = e.online_url.unwrap_or_default().to_string();
        }
        let mut description = e.description.to_string();
        if let Some(online) = e.online_url {
            description.push_str(&format!("\n\nオンライン / Online: {online}"));
        }
        description.push_str(&format!("\n\n{}", e.url));
        let mut item = icalendar::Event::new();
        item.uid(&uid(e.id, host))
            .summary(e.title)
            .description(description.trim())
            .location(&location)
            .url(&e.url)
            .starts(utc(e.starts_at))
            .ends(utc(e.ends_at))
            .timestamp(stamp)
            .sequence(e.sequence)
            .status(if e.cancelled {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            });
        cal.push(item.done());
    }
    cal.done().to_string()
}
