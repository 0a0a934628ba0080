//! The support ledger: every act of support is one entry. Fans record
//! visits, purchases, posts, talks and attendance; events, giving and pro
//! bono write the other kinds later.

use crate::error::{optional_text, optional_url, required_text};
use crate::partnership::optional_date;
use crate::{LocalGovCode, ValidationError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Visit,
    Purchase,
    Post,
    Talk,
    Attendance,
    Donation,
    InKind,
    VolunteerHours,
    ProBonoHours,
}

impl EntryKind {
    pub const ALL: [EntryKind; 9] = [
        Self::Visit,
        Self::Purchase,
        Self::Post,
        Self::Talk,
        Self::Attendance,
        Self::Donation,
        Self::InKind,
        Self::VolunteerHours,
        Self::ProBonoHours,
    ];

    /// The kinds a fan records by hand (the rest come from other features).
    pub const SELF_REPORTED: [EntryKind; 5] = [
        Self::Visit,
        Self::Purchase,
        Self::Post,
        Self::Talk,
        Self::Attendance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visit => "visit",
            Self::Purchase => "purchase",
            Self::Post => "post",
            Self::Talk => "talk",
            Self::Attendance => "attendance",
            Self::Donation => "donation",
            Self::InKind => "in_kind",
            Self::VolunteerHours => "volunteer_hours",
            Self::ProBonoHours => "pro_bono_hours",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(ValidationError::new("kind", "unknown_entry_kind"))
    }

    /// Points an entry earns unless the partnership sets its own.
    pub fn default_points(self) -> i64 {
        match self {
            Self::Visit => 10,
            Self::Purchase | Self::Talk | Self::Attendance | Self::InKind => 5,
            Self::Post => 3,
            Self::Donation | Self::VolunteerHours | Self::ProBonoHours => 10,
        }
    }
}

/// Where a purchase of local products was made.
pub const CHANNELS: [&str; 5] = ["cafeteria", "shop", "online", "event", "other"];
/// Where a post was published.
pub const PLATFORMS: [&str; 7] = [
    "x",
    "instagram",
    "facebook",
    "line",
    "blog",
    "intranet",
    "other",
];

/// Raw input from a form or the API.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct EntryInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub occurred_on: String,
    #[serde(default)]
    pub municipality_code: String,
    #[serde(default)]
    pub amount_yen: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub products: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub platform: String,
    #[serde(default)]
    pub audience: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub evidence_url: String,
}

/// A validated entry, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    pub kind: EntryKind,
    /// `YYYY-MM-DD`, not in the future.
    pub occurred_on: String,
    pub municipality_code: Option<LocalGovCode>,
    pub amount_yen: Option<i64>,
    pub channel: Option<String>,
    pub products: Option<String>,
    pub url: Option<String>,
    pub platform: Option<String>,
    pub audience: Option<i64>,
    pub note: Option<String>,
    pub evidence_url: Option<String>,
}

fn number(
    field: &'static str,
    input: &str,
    min: i64,
    max: i64,
) -> Result<Option<i64>, ValidationError> {
    use unicode_normalization::UnicodeNormalization;
    let v: String = input
        .trim()
        .nfkc()
        .filter(|c| *c != ',' && *c != '円')
        .collect();
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

fn choice(
    field: &'static str,
    input: &str,
    allowed: &[&str],
) -> Result<Option<String>, ValidationError> {
    match input.trim() {
        "" => Ok(None),
        v if allowed.contains(&v) => Ok(Some(v.to_string())),
        _ => Err(ValidationError::new(field, "unknown_choice")),
    }
}

impl NewEntry {
    /// Validates a self-reported entry. `today` is `YYYY-MM-DD` in Japan.
    pub fn parse(input: &EntryInput, today: &str) -> Result<Self, ValidationError> {
        let kind = EntryKind::parse(input.kind.trim())?;
        if !EntryKind::SELF_REPORTED.contains(&kind) {
            return Err(ValidationError::new("kind", "unknown_entry_kind"));
        }
        let occurred_on = optional_date("occurred_on", &input.occurred_on)?
            .ok_or(ValidationError::new("occurred_on", "required"))?;
        if occurred_on.as_str() > today {
            return Err(ValidationError::new("occurred_on", "date_in_future"));
        }
        if occurred_on.as_str() < "2011-01-01" {
            return Err(ValidationError::new("occurred_on", "date_too_old"));
        }
        let municipality_code = match input.municipality_code.trim() {
            "" => None,
            c => Some(
                LocalGovCode::parse(c)
                    .map_err(|e| ValidationError::new("municipality_code", e.code))?,
            ),
        };
        let mut e = Self {
            kind,
            occurred_on,
            municipality_code,
            amount_yen: None,
            channel: None,
            products: None,
            url: None,
            platform: None,
            audience: None,
            note: optional_text("note", &input.note, 1000)?,
            evidence_url: optional_url("evidence_url", &input.evidence_url)?,
        };
        match kind {
            EntryKind::Visit => {
                if e.municipality_code.is_none() {
                    return Err(ValidationError::new("municipality_code", "required"));
                }
            }
            EntryKind::Purchase => {
                e.amount_yen = Some(
                    number("amount_yen", &input.amount_yen, 1, 10_000_000)?
                        .ok_or(ValidationError::new("amount_yen", "required"))?,
                );
                e.channel = Some(
                    choice("channel", &input.channel, &CHANNELS)?
                        .ok_or(ValidationError::new("channel", "required"))?,
                );
                e.products = optional_text("products", &input.products, 200)?;
            }
            EntryKind::Post => {
                e.url = Some(
                    optional_url("url", &input.url)?
                        .ok_or(ValidationError::new("url", "required"))?,
                );
                e.platform = choice("platform", &input.platform, &PLATFORMS)?;
            }
            EntryKind::Talk => {
                e.audience = Some(
                    number("audience", &input.audience, 1, 100_000)?
                        .ok_or(ValidationError::new("audience", "required"))?,
                );
            }
            EntryKind::Attendance => {
                e.note = Some(required_text("note", &input.note, 1000)?);
            }
            _ => unreachable!("only self-reported kinds reach here"),
        }
        Ok(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str) -> EntryInput {
        EntryInput {
            kind: kind.into(),
            occurred_on: "2026-11-01".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_visit_needs_a_real_municipality() {
        let mut v = input("visit");
        assert_eq!(
            NewEntry::parse(&v, "2026-11-30").unwrap_err().field,
            "municipality_code"
        );
        v.municipality_code = "072011".into();
        assert_eq!(
            NewEntry::parse(&v, "2026-11-30").unwrap_err().code,
            "code_check_digit"
        );
        v.municipality_code = "０７５２１３".into();
        assert_eq!(
            NewEntry::parse(&v, "2026-11-30")
                .unwrap()
                .municipality_code
                .unwrap()
                .as_str(),
            "075213"
        );
    }

    #[test]
    fn future_dates_and_negative_amounts_are_refused() {
        let mut p = input("purchase");
        p.occurred_on = "2026-12-01".into();
        assert_eq!(
            NewEntry::parse(&p, "2026-11-30").unwrap_err().code,
            "date_in_future"
        );
        p.occurred_on = "2026-11-30".into();
        p.channel = "shop".into();
        p.amount_yen = "-500".into();
        assert_eq!(
            NewEntry::parse(&p, "2026-11-30").unwrap_err().code,
            "too_small"
        );
        p.amount_yen = "３，２４０円".into();
        assert_eq!(
            NewEntry::parse(&p, "2026-11-30").unwrap().amount_yen,
            Some(3240)
        );
    }

    #[test]
    fn a_post_needs_a_web_address() {
        let mut p = input("post");
        p.url = "not a url".into();
        assert_eq!(
            NewEntry::parse(&p, "2026-11-30").unwrap_err().code,
            "invalid_url"
        );
        p.url = "https://example.jp/fukushima".into();
        assert!(NewEntry::parse(&p, "2026-11-30").is_ok());
    }

    #[test]
    fn system_kinds_cannot_be_self_reported() {
        assert_eq!(
            NewEntry::parse(&input("donation"), "2026-11-30")
                .unwrap_err()
                .code,
            "unknown_entry_kind"
        );
    }
}

/// A validated collective challenge, e.g. 1,000 visits before 3.11.
#[derive(Debug, Clone, PartialEq)]
pub struct NewChallenge {
    pub title: String,
    /// `None` counts every kind of entry.
    pub kind: Option<EntryKind>,
    pub goal: i64,
    pub starts_on: String,
    pub deadline: String,
}

impl NewChallenge {
    pub fn parse(
        title: &str,
        kind: &str,
        goal: &str,
        starts_on: &str,
        deadline: &str,
    ) -> Result<Self, ValidationError> {
        let kind = match kind.trim() {
            "" => None,
            k => Some(EntryKind::parse(k)?),
        };
        let starts_on = optional_date("starts_on", starts_on)?
            .ok_or(ValidationError::new("starts_on", "required"))?;
        let deadline = optional_date("deadline", deadline)?
            .ok_or(ValidationError::new("deadline", "required"))?;
        if deadline < starts_on {
            return Err(ValidationError::new("deadline", "deadline_before_start"));
        }
        Ok(Self {
            title: required_text("title", title, 100)?,
            kind,
            goal: number("goal", goal, 1, 10_000_000)?
                .ok_or(ValidationError::new("goal", "required"))?,
            starts_on,
            deadline,
        })
    }
}

#[cfg(test)]
mod challenge_tests {
    use super::*;

    #[test]
    fn a_challenge_needs_a_goal_and_a_deadline_after_its_start() {
        let c = NewChallenge::parse(
            "3.11までに1,000回訪問",
            "visit",
            "1,000",
            "2026-01-01",
            "2026-03-11",
        )
        .unwrap();
        assert_eq!((c.goal, c.kind), (1000, Some(EntryKind::Visit)));
        assert_eq!(
            NewChallenge::parse("x", "", "10", "2026-03-11", "2026-01-01")
                .unwrap_err()
                .code,
            "deadline_before_start"
        );
        assert_eq!(
            NewChallenge::parse("x", "", "0", "2026-01-01", "2026-03-11")
                .unwrap_err()
                .code,
            "too_small"
        );
    }
}
