//! Events: dialogue sessions, tours, workations, product fairs, volunteer
//! shifts and inquiry-learning sessions, with places, a registration window
//! and a waitlist. Times are entered and shown in Japan time (UTC+9, no
//! daylight saving) and stored as Unix seconds.

use crate::error::{optional_text, optional_url, required_text};
use crate::{LocalGovCode, ValidationError};
use unicode_normalization::UnicodeNormalization;

/// Japan Standard Time, in seconds east of UTC.
pub const JST_OFFSET: i64 = 9 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// 対話会: staff of the prefecture and employees talk.
    Dialogue,
    /// 視察・ツアー
    Tour,
    Workation,
    /// 物産展
    Fair,
    /// A volunteer shift or drive.
    Volunteer,
    /// 探究学習: sessions supporting high-school inquiry learning.
    Inquiry,
    Other,
}

impl EventKind {
    pub const ALL: [EventKind; 7] = [
        Self::Dialogue,
        Self::Tour,
        Self::Workation,
        Self::Fair,
        Self::Volunteer,
        Self::Inquiry,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dialogue => "dialogue",
            Self::Tour => "tour",
            Self::Workation => "workation",
            Self::Fair => "fair",
            Self::Volunteer => "volunteer",
            Self::Inquiry => "inquiry",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or(ValidationError::new("kind", "unknown_event_kind"))
    }
}

/// Who may see an event (and so register for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventVisibility {
    /// Anyone, signed in or not.
    Public,
    /// People with a role in the partnership.
    Partnership,
    /// Members of the organising organisation.
    Organisation,
}

impl EventVisibility {
    pub const ALL: [EventVisibility; 3] = [Self::Public, Self::Partnership, Self::Organisation];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Partnership => "partnership",
            Self::Organisation => "organisation",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or(ValidationError::new("visibility", "unknown_choice"))
    }
}

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    Confirmed,
    Waitlisted,
    /// A place was freed and offered; it is held until the offer expires.
    Offered,
    /// Waiting for the organiser's approval.
    Pending,
    Cancelled,
    /// The person turned an offer down.
    Declined,
    /// An offer ran out unanswered.
    Expired,
    /// The organiser did not approve.
    Rejected,
}

impl RegistrationStatus {
    pub const ALL: [RegistrationStatus; 8] = [
        Self::Confirmed,
        Self::Waitlisted,
        Self::Offered,
        Self::Pending,
        Self::Cancelled,
        Self::Declined,
        Self::Expired,
        Self::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::Waitlisted => "waitlisted",
            Self::Offered => "offered",
            Self::Pending => "pending",
            Self::Cancelled => "cancelled",
            Self::Declined => "declined",
            Self::Expired => "expired",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Still in play: counts as registered (one registration per person).
    pub fn is_active(self) -> bool {
        matches!(
            self,
            Self::Confirmed | Self::Waitlisted | Self::Offered | Self::Pending
        )
    }

    /// Holds places at the event.
    pub fn holds_seats(self) -> bool {
        matches!(self, Self::Confirmed | Self::Offered)
    }
}

/// Raw input from a form or the API; times as `YYYY-MM-DDTHH:MM` in Japan time
/// (what `<input type="datetime-local">` sends), also with a space or seconds.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct EventInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub title_en: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub description_en: String,
    #[serde(default)]
    pub organiser_id: String,
    #[serde(default)]
    pub pillar_key: String,
    #[serde(default)]
    pub municipality_code: String,
    #[serde(default)]
    pub venue: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub online_url: String,
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub ends_at: String,
    #[serde(default)]
    pub capacity: String,
    #[serde(default)]
    pub registration_opens_at: String,
    #[serde(default)]
    pub registration_closes_at: String,
    #[serde(default)]
    pub needs_approval: bool,
    #[serde(default)]
    pub visibility: String,
    #[serde(default)]
    pub offer_hours: String,
}

/// A validated event, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub kind: EventKind,
    pub title: String,
    pub title_en: Option<String>,
    pub description: String,
    pub description_en: Option<String>,
    pub organiser_id: i64,
    pub pillar_key: Option<String>,
    pub municipality_code: Option<LocalGovCode>,
    pub venue: Option<String>,
    pub address: Option<String>,
    pub online_url: Option<String>,
    pub starts_at: i64,
    pub ends_at: i64,
    /// `None`: no limit.
    pub capacity: Option<i64>,
    pub registration_opens_at: Option<i64>,
    pub registration_closes_at: Option<i64>,
    pub needs_approval: bool,
    pub visibility: EventVisibility,
    pub offer_hours: i64,
}

/// Largest number of places an event may have.
pub const MAX_CAPACITY: i64 = 100_000;

impl NewEvent {
    pub fn parse(input: &EventInput) -> Result<Self, ValidationError> {
        let kind = EventKind::parse(&input.kind)?;
        let title = required_text("title", &input.title, 120)?;
        let title_en = optional_text("title_en", &input.title_en, 120)?;
        let description =
            optional_text("description", &input.description, 5000)?.unwrap_or_default();
        let description_en = optional_text("description_en", &input.description_en, 5000)?;
        let organiser_id = whole_number("organiser_id", &input.organiser_id, 1, i64::MAX)?
            .ok_or(ValidationError::new("organiser_id", "required"))?;
        let pillar_key = optional_text("pillar_key", &input.pillar_key, 40)?;
        let municipality_code = match input.municipality_code.trim() {
            "" => None,
            c => Some(
                LocalGovCode::parse(c)
                    .map_err(|e| ValidationError::new("municipality_code", e.code))?,
            ),
        };
        let venue = optional_text("venue", &input.venue, 200)?;
        let address = optional_text("address", &input.address, 300)?;
        let online_url = optional_url("online_url", &input.online_url)?;
        if venue.is_none() && online_url.is_none() {
            return Err(ValidationError::new("venue", "venue_or_online_required"));
        }
        let starts_at = jst_datetime("starts_at", &input.starts_at)?
            .ok_or(ValidationError::new("starts_at", "required"))?;
        let ends_at = jst_datetime("ends_at", &input.ends_at)?
            .ok_or(ValidationError::new("ends_at", "required"))?;
        if ends_at <= starts_at {
            return Err(ValidationError::new("ends_at", "end_before_start"));
        }
        let capacity = whole_number("capacity", &input.capacity, 1, MAX_CAPACITY)?;
        let registration_opens_at =
            jst_datetime("registration_opens_at", &input.registration_opens_at)?;
        let registration_closes_at =
            jst_datetime("registration_closes_at", &input.registration_closes_at)?;
        if let Some(closes) = registration_closes_at {
            if closes > ends_at {
                return Err(ValidationError::new(
                    "registration_closes_at",
                    "closes_after_end",
                ));
            }
            if registration_opens_at.is_some_and(|opens| opens >= closes) {
                return Err(ValidationError::new(
                    "registration_closes_at",
                    "closes_before_opens",
                ));
            }
        }
        let visibility = match input.visibility.trim() {
            "" => EventVisibility::Partnership,
            v => EventVisibility::parse(v)?,
        };
        let offer_hours = whole_number("offer_hours", &input.offer_hours, 1, 168)?.unwrap_or(24);
        Ok(Self {
            kind,
            title,
            title_en,
            description,
            description_en,
            organiser_id,
            pillar_key,
            municipality_code,
            venue,
            address,
            online_url,
            starts_at,
            ends_at,
            capacity,
            registration_opens_at,
            registration_closes_at,
            needs_approval: input.needs_approval,
            visibility,
            offer_hours,
        })
    }
}

/// A whole number written by a person: full-width digits and thousands
/// separators are accepted; empty means none.
pub fn whole_number(
    field: &'static str,
    input: &str,
    min: i64,
    max: i64,
) -> Result<Option<i64>, ValidationError> {
    let v: String = input.trim().nfkc().filter(|c| *c != ',').collect();
    if v.is_empty() {
        return Ok(None);
    }
    let n: i64 = v
        .parse()
        .map_err(|_| ValidationError::new(field, "not_a_number"))?;
    if n < min {
        return Err(ValidationError::new(field, "too_small"));
    }
    if n > max {
        return Err(ValidationError::new(field, "too_large"));
    }
    Ok(Some(n))
}

/// `YYYY-MM-DDTHH:MM[:SS]` (or with a space, or full-width digits) in Japan
/// time → Unix seconds. Empty means none.
pub fn jst_datetime(field: &'static str, input: &str) -> Result<Option<i64>, ValidationError> {
    let v: String = input.trim().nfkc().collect();
    if v.is_empty() {
        return Ok(None);
    }
    let bad = || ValidationError::new(field, "invalid_datetime");
    let (date, time) = v.split_once(['T', ' ']).ok_or_else(bad)?;
    let d: Vec<&str> = date.split(['-', '/']).collect();
    let t: Vec<&str> = time.split(':').collect();
    if d.len() != 3 || !(2..=3).contains(&t.len()) {
        return Err(bad());
    }
    let num = |s: &str| s.parse::<i64>().map_err(|_| bad());
    let (y, m, day) = (num(d[0])?, num(d[1])?, num(d[2])?);
    let (h, min) = (num(t[0])?, num(t[1])?);
    let s = if t.len() == 3 { num(t[2])? } else { 0 };
    if !(2000..=2100).contains(&y)
        || !(1..=12).contains(&m)
        || day < 1
        || day > days_in_month(y, m)
        || !(0..24).contains(&h)
        || !(0..60).contains(&min)
        || !(0..60).contains(&s)
    {
        return Err(bad());
    }
    Ok(Some(
        days_from_civil(y, m, day) * 86_400 + h * 3600 + min * 60 + s - JST_OFFSET,
    ))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix seconds → (year, month, day, hour, minute) in Japan time.
pub fn jst_parts(unix: i64) -> (i64, i64, i64, i64, i64) {
    let t = unix + JST_OFFSET;
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Inverse of days_from_civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, secs / 3600, secs % 3600 / 60)
}

/// The `datetime-local` form value of a time, in Japan time.
pub fn jst_input_value(unix: i64) -> String {
    let (y, m, d, h, min) = jst_parts(unix);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}")
}

/// A check-in code: 8 characters from an alphabet without look-alikes
/// (no 0/O, 1/I/L), easy to read aloud and type on a phone.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
pub const CODE_LEN: usize = 8;

/// Normalises a typed check-in code (full-width, lower case, spaces, dashes).
pub fn normalise_code(input: &str) -> String {
    input
        .nfkc()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> EventInput {
        EventInput {
            kind: "dialogue".into(),
            title: "県職員との対話会".into(),
            organiser_id: "1".into(),
            venue: "福島県庁 本庁舎".into(),
            starts_at: "2026-12-10T14:00".into(),
            ends_at: "2026-12-10T16:00".into(),
            capacity: "５０".into(),
            ..Default::default()
        }
    }

    #[test]
    fn japan_time_is_stored_as_utc() {
        // 2026-12-10 14:00 JST = 05:00 UTC.
        let e = NewEvent::parse(&valid()).unwrap();
        assert_eq!(e.starts_at, 1_796_878_800);
        assert_eq!(jst_input_value(e.starts_at), "2026-12-10T14:00");
        assert_eq!(e.capacity, Some(50));
        assert_eq!(e.visibility, EventVisibility::Partnership);
        assert_eq!(e.offer_hours, 24);
        assert_eq!(
            jst_datetime("x", "２０２６/１２/１０ １４:００").unwrap(),
            Some(e.starts_at)
        );
    }

    #[test]
    fn bad_events_are_refused_with_the_field_named() {
        type Case = (fn(&mut EventInput), &'static str, &'static str);
        let cases: [Case; 7] = [
            (
                |i| i.ends_at = "2026-12-10T13:00".into(),
                "ends_at",
                "end_before_start",
            ),
            (
                |i| i.starts_at = "2026-02-30T10:00".into(),
                "starts_at",
                "invalid_datetime",
            ),
            (|i| i.capacity = "-1".into(), "capacity", "too_small"),
            (|i| i.kind = "party".into(), "kind", "unknown_event_kind"),
            (|i| i.venue = "".into(), "venue", "venue_or_online_required"),
            (
                |i| i.online_url = "zoom".into(),
                "online_url",
                "invalid_url",
            ),
            (
                |i| i.registration_closes_at = "2026-12-11T00:00".into(),
                "registration_closes_at",
                "closes_after_end",
            ),
        ];
        for (change, field, code) in cases {
            let mut i = valid();
            change(&mut i);
            let e = NewEvent::parse(&i).unwrap_err();
            assert_eq!((e.field, e.code), (field, code));
        }
    }

    #[test]
    fn calendar_arithmetic_round_trips() {
        for unix in [951_782_400, 1_796_878_800, 4_102_444_800 - 1] {
            let (y, m, d, h, min) = jst_parts(unix);
            let back = jst_datetime("x", &format!("{y}-{m}-{d}T{h}:{min}"))
                .unwrap()
                .unwrap();
            assert_eq!(back, unix - unix.rem_euclid(60));
        }
        assert_eq!(normalise_code("ａｂ２３-cd 45"), "AB23CD45");
    }
}

/// A question an organiser asks at registration.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NewQuestion {
    pub label: String,
    /// `text` or `choice`
    pub kind: String,
    /// For choice questions: the choices, in order.
    pub choices: Vec<String>,
    pub required: bool,
}

impl NewQuestion {
    /// `choices` is one choice per line (empty lines ignored).
    pub fn parse(
        label: &str,
        kind: &str,
        choices: &str,
        required: bool,
    ) -> Result<Self, ValidationError> {
        let label = required_text("label", label, 200)?;
        let kind = match kind.trim() {
            "" | "text" => "text",
            "choice" => "choice",
            _ => return Err(ValidationError::new("question_kind", "unknown_choice")),
        };
        let choices: Vec<String> = if kind == "choice" {
            choices
                .lines()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect()
        } else {
            Vec::new()
        };
        if kind == "choice" && choices.len() < 2 {
            return Err(ValidationError::new("choices", "two_choices_required"));
        }
        if choices.len() > 20 || choices.iter().any(|c| c.chars().count() > 100) {
            return Err(ValidationError::new("choices", "too_long"));
        }
        Ok(Self {
            label,
            kind: kind.to_string(),
            choices,
            required,
        })
    }

    /// Checks one answer to this question; `None` when left empty and optional.
    pub fn answer(&self, input: Option<&str>) -> Result<Option<String>, ValidationError> {
        let v = input.map(str::trim).unwrap_or("");
        if v.is_empty() {
            return if self.required {
                Err(ValidationError::new("answers", "answer_required"))
            } else {
                Ok(None)
            };
        }
        if self.kind == "choice" && !self.choices.iter().any(|c| c == v) {
            return Err(ValidationError::new("answers", "unknown_choice"));
        }
        optional_text("answers", v, 500)
    }
}

#[cfg(test)]
mod question_tests {
    use super::NewQuestion;

    #[test]
    fn answers_follow_their_question() {
        let q = NewQuestion::parse("昼食", "choice", "弁当\n\n不要\n", true).unwrap();
        assert_eq!(q.choices, ["弁当", "不要"]);
        assert_eq!(q.answer(Some("弁当")).unwrap().as_deref(), Some("弁当"));
        assert_eq!(q.answer(Some("寿司")).unwrap_err().code, "unknown_choice");
        assert_eq!(q.answer(None).unwrap_err().code, "answer_required");
        let free = NewQuestion::parse("アレルギー", "text", "", false).unwrap();
        assert_eq!(free.answer(Some("  ")).unwrap(), None);
        assert_eq!(
            NewQuestion::parse("x", "choice", "一つだけ", false)
                .unwrap_err()
                .code,
            "two_choices_required"
        );
    }
}
