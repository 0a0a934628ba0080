//! Challenges of the board (行政DX): what municipal staff post, the moves of
//! their lifecycle and who may make them, and "we have this too".

use crate::error::{optional_text, required_text};
use crate::event::whole_number;
use crate::{PillarKey, ValidationError};

/// The most staff hours a month one municipality may state for one
/// challenge: about 30 full-time posts. A larger figure is a typo.
pub const MAX_BURDEN_HOURS: i64 = 5_000;

/// Categories of 行政DX work. A partnership's other pillars are categories
/// too, written `pillar:<key>` (e.g. `pillar:local_products`).
pub const DX_CATEGORIES: [&str; 9] = [
    "counter",
    "documents",
    "internal_sharing",
    "disaster",
    "welfare",
    "tourism",
    "education",
    "infrastructure",
    "other_dx",
];

/// A category key: one of [`DX_CATEGORIES`] or `pillar:<key>`.
pub fn parse_category(input: &str) -> Result<String, ValidationError> {
    let v = input.trim();
    if v.is_empty() {
        return Err(ValidationError::new("category", "required"));
    }
    if DX_CATEGORIES.contains(&v) {
        return Ok(v.to_string());
    }
    match v.strip_prefix("pillar:").map(PillarKey::parse) {
        Some(Ok(k)) if k.as_str() != "dx" => Ok(format!("pillar:{}", k.as_str())),
        _ => Err(ValidationError::new("category", "unknown_category")),
    }
}

/// Where a challenge is in its life. `Merged` is reached only by merging
/// into another challenge and left only by splitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Open,
    UnderReview,
    Matched,
    InProgress,
    Solved,
    RolledOut,
    Closed,
    Merged,
}

/// Who asks for a move: staff of the municipality that owns the challenge,
/// or a coordinator of its partnership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    Owner,
    Coordinator,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Draft,
        Status::Open,
        Status::UnderReview,
        Status::Matched,
        Status::InProgress,
        Status::Solved,
        Status::RolledOut,
        Status::Closed,
        Status::Merged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Open => "open",
            Status::UnderReview => "under_review",
            Status::Matched => "matched",
            Status::InProgress => "in_progress",
            Status::Solved => "solved",
            Status::RolledOut => "rolled_out",
            Status::Closed => "closed",
            Status::Merged => "merged",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or(ValidationError::new("status", "unknown_status"))
    }

    /// Still waiting for a solution (shaded on the map, counted as open).
    pub fn is_unsolved(self) -> bool {
        matches!(
            self,
            Status::Open | Status::UnderReview | Status::Matched | Status::InProgress
        )
    }

    /// Shown on the board (drafts only to their authors; merged ones live
    /// inside the challenge they were merged into).
    pub fn is_listed(self) -> bool {
        !matches!(self, Status::Draft | Status::Merged)
    }

    /// The moves the lifecycle allows from here, whoever asks.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Draft => &[Open, Closed],
            Open => &[UnderReview, Closed],
            UnderReview => &[Open, Matched, Closed],
            Matched => &[InProgress, UnderReview, Closed],
            InProgress => &[Solved, Matched, Closed],
            Solved => &[RolledOut, InProgress],
            RolledOut => &[],
            Closed => &[Open],
            Merged => &[],
        }
    }

    /// The moves `mover` may make from here. Owners publish, close and
    /// reopen their own challenges and say when one is solved; reviewing,
    /// matching and rolling out are the coordinators'.
    pub fn moves_for(self, mover: Mover) -> Vec<Status> {
        self.next()
            .iter()
            .copied()
            .filter(|to| match mover {
                Mover::Coordinator => true,
                Mover::Owner => matches!(
                    (self, to),
                    (_, Status::Closed)
                        | (Status::Draft, Status::Open)
                        | (Status::Closed, Status::Open)
                        | (Status::InProgress, Status::Solved)
                ),
            })
            .collect()
    }

    /// Checks a move; every move but publishing a draft needs a reason,
    /// because the audit trail must say why.
    pub fn check_move(
        self,
        to: Status,
        mover: Mover,
        reason: &str,
    ) -> Result<Option<String>, ValidationError> {
        if !self.next().contains(&to) {
            return Err(ValidationError::new("status", "impossible_move"));
        }
        if !self.moves_for(mover).contains(&to) {
            return Err(ValidationError::new("status", "move_not_allowed"));
        }
        let reason = optional_text("reason", reason, 1000)?;
        if reason.is_none() && !(self == Status::Draft && to == Status::Open) {
            return Err(ValidationError::new("reason", "reason_required"));
        }
        Ok(reason)
    }
}

/// A challenge form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ChallengeInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub current_process: String,
    #[serde(default)]
    pub pain: String,
    #[serde(default)]
    pub burden_hours: String,
    #[serde(default)]
    pub desired_outcome: String,
    /// "1" when the work runs on LGWAN (the closed government network).
    #[serde(default)]
    pub lgwan: String,
    #[serde(default)]
    pub budget: String,
    #[serde(default)]
    pub timing: String,
    /// `public` or `partnership`
    #[serde(default)]
    pub visibility: String,
    /// "1" to hide the author's name from the company side.
    #[serde(default)]
    pub hide_author: String,
}

/// A checked challenge.
#[derive(Debug, Clone, PartialEq)]
pub struct NewChallenge {
    pub title: String,
    pub description: String,
    pub category: String,
    pub current_process: Option<String>,
    pub pain: Option<String>,
    pub burden_hours: i64,
    pub desired_outcome: Option<String>,
    pub lgwan: bool,
    pub budget: Option<String>,
    pub timing: Option<String>,
    /// `public` or `partnership`
    pub visibility: &'static str,
    pub hide_author: bool,
}

fn flag(v: &str) -> bool {
    matches!(v.trim(), "1" | "on" | "true" | "yes")
}

impl NewChallenge {
    pub fn parse(i: &ChallengeInput) -> Result<Self, ValidationError> {
        let burden_hours = whole_number("burden_hours", &i.burden_hours, 0, MAX_BURDEN_HOURS)?
            .ok_or(ValidationError::new("burden_hours", "required"))?;
        Ok(Self {
            title: required_text("title", &i.title, 120)?,
            description: required_text("description", &i.description, 4000)?,
            category: parse_category(&i.category)?,
            current_process: optional_text("current_process", &i.current_process, 2000)?,
            pain: optional_text("pain", &i.pain, 2000)?,
            burden_hours,
            desired_outcome: optional_text("desired_outcome", &i.desired_outcome, 2000)?,
            lgwan: flag(&i.lgwan),
            budget: optional_text("budget", &i.budget, 200)?,
            timing: optional_text("timing", &i.timing, 200)?,
            visibility: match i.visibility.trim() {
                "" | "public" => "public",
                "partnership" => "partnership",
                _ => return Err(ValidationError::new("visibility", "unknown_visibility")),
            },
            hide_author: flag(&i.hide_author),
        })
    }

    /// The text similarity compares (see `similarity`): the title counts twice.
    pub fn similarity_text(&self) -> String {
        similarity_text(
            &self.title,
            &[
                &self.description,
                self.current_process.as_deref().unwrap_or(""),
                self.pain.as_deref().unwrap_or(""),
                self.desired_outcome.as_deref().unwrap_or(""),
            ],
        )
    }
}

/// A challenge's title (weighted twice) and other texts, as one text.
pub fn similarity_text(title: &str, rest: &[&str]) -> String {
    let mut s = format!("{title}\n{title}");
    for r in rest.iter().filter(|r| !r.is_empty()) {
        s.push('\n');
        s.push_str(r);
    }
    s
}

/// "We have this too" from another municipality: its own burden and a note.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEndorsement {
    pub burden_hours: i64,
    pub note: Option<String>,
}

impl NewEndorsement {
    pub fn parse(burden_hours: &str, note: &str) -> Result<Self, ValidationError> {
        Ok(Self {
            burden_hours: whole_number("burden_hours", burden_hours, 0, MAX_BURDEN_HOURS)?
                .ok_or(ValidationError::new("burden_hours", "required"))?,
            note: optional_text("note", note, 1000)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ChallengeInput {
        ChallengeInput {
            title: "窓口の申請書の転記".into(),
            description: "紙の申請書を基幹システムに手で入力している".into(),
            category: "counter".into(),
            burden_hours: "４０".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_challenge_needs_a_title_a_category_and_a_burden_in_range() {
        let c = NewChallenge::parse(&input()).unwrap();
        assert_eq!(c.burden_hours, 40);
        assert_eq!(c.visibility, "public");
        for (field, value, code) in [
            ("title", "", "required"),
            ("category", "窓口", "unknown_category"),
            ("category", "pillar:dx", "unknown_category"),
            ("burden_hours", "", "required"),
            ("burden_hours", "-1", "too_small"),
            ("burden_hours", "5001", "too_large"),
            ("burden_hours", "たくさん", "not_a_number"),
            ("visibility", "secret", "unknown_visibility"),
        ] {
            let mut i = input();
            match field {
                "title" => i.title = value.into(),
                "category" => i.category = value.into(),
                "burden_hours" => i.burden_hours = value.into(),
                _ => i.visibility = value.into(),
            }
            let e = NewChallenge::parse(&i).unwrap_err();
            assert_eq!((e.field, e.code), (field, code), "{value}");
        }
        let mut i = input();
        i.category = "pillar:local_products".into();
        assert_eq!(
            NewChallenge::parse(&i).unwrap().category,
            "pillar:local_products"
        );
    }

    #[test]
    fn the_lifecycle_refuses_impossible_moves() {
        use Status::*;
        assert!(Draft.check_move(Open, Mover::Owner, "").is_ok());
        assert_eq!(
            Draft
                .check_move(Solved, Mover::Coordinator, "x")
                .unwrap_err()
                .code,
            "impossible_move"
        );
        assert_eq!(
            RolledOut
                .check_move(Open, Mover::Coordinator, "x")
                .unwrap_err()
                .code,
            "impossible_move"
        );
        assert_eq!(
            Merged
                .check_move(Open, Mover::Coordinator, "x")
                .unwrap_err()
                .code,
            "impossible_move"
        );
        assert_eq!(
            Open.check_move(UnderReview, Mover::Owner, "x")
                .unwrap_err()
                .code,
            "move_not_allowed"
        );
        assert_eq!(
            Open.check_move(Closed, Mover::Owner, " ").unwrap_err().code,
            "reason_required"
        );
        assert_eq!(
            Open.check_move(Closed, Mover::Owner, "解決済み").unwrap(),
            Some("解決済み".into())
        );
        // Every state but the two ends can be closed; a solution is rolled out only once solved.
        for s in Status::ALL {
            let can_close = s.next().contains(&Closed);
            assert_eq!(
                can_close,
                !matches!(s, Solved | RolledOut | Closed | Merged),
                "{s:?}"
            );
            assert_eq!(s.next().contains(&RolledOut), s == Solved);
        }
    }

    #[test]
    fn statuses_round_trip_through_their_keys() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()).unwrap(), s);
        }
    }

    #[test]
    fn an_endorsement_needs_its_own_burden() {
        assert_eq!(NewEndorsement::parse("12", "").unwrap().burden_hours, 12);
        assert_eq!(NewEndorsement::parse("", "").unwrap_err().code, "required");
    }
}
