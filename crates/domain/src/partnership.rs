//! Partnerships (包括連携協定) and their pillars.

use crate::ValidationError;

/// Who may read a partnership's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Anyone, signed in or not.
    Public,
    /// Only people who hold a role in the partnership.
    Members,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Members => "members",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        match s {
            "public" => Ok(Self::Public),
            "members" => Ok(Self::Members),
            _ => Err(ValidationError::new("visibility", "unknown_visibility")),
        }
    }
}

/// A pillar's stable key, e.g. `dx`; lower-case ASCII letters, digits, `_`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct PillarKey(String);

impl PillarKey {
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        let ok = !s.is_empty()
            && s.len() <= 40
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(ValidationError::new("key", "invalid_key"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The pillars a new partnership starts with (key, Japanese, English); each
/// partnership may rename, add or remove them.
pub const DEFAULT_PILLARS: [(&str, &str, &str); 6] = [
    ("dx", "行政DX", "Administrative DX"),
    ("local_products", "県産品振興", "Local products"),
    (
        "rumour_memory",
        "風評払拭・風化防止",
        "Dispelling rumours, keeping memory",
    ),
    ("next_generation", "次世代育成", "Next generation"),
    ("workation", "ワーケーション", "Workation"),
    ("disaster_support", "災害支援", "Disaster support"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_pillar_keys_are_valid() {
        for (key, _, _) in DEFAULT_PILLARS {
            assert!(PillarKey::parse(key).is_ok());
        }
        assert!(PillarKey::parse("行政").is_err());
    }
}

/// A validated new partnership.
#[derive(Debug, Clone)]
pub struct PartnershipDraft {
    pub name: String,
    pub name_en: Option<String>,
    pub description: Option<String>,
    pub visibility: Visibility,
    /// `YYYY-MM-DD`
    pub signed_on: Option<String>,
}

impl PartnershipDraft {
    pub fn parse(
        name: &str,
        name_en: &str,
        description: &str,
        visibility: &str,
        signed_on: &str,
    ) -> Result<Self, ValidationError> {
        use crate::error::{optional_text, required_text};
        Ok(Self {
            name: required_text("name", name, 200)?,
            name_en: optional_text("name_en", name_en, 200)?,
            description: optional_text("description", description, 4000)?,
            visibility: Visibility::parse(visibility)?,
            signed_on: optional_date("signed_on", signed_on)?,
        })
    }
}

/// A calendar date written `YYYY-MM-DD` (as `<input type=date>` sends it),
/// or full-width digits; checked for a real day, leap years included.
pub fn optional_date(field: &'static str, input: &str) -> Result<Option<String>, ValidationError> {
    use unicode_normalization::UnicodeNormalization;
    let v: String = input.trim().nfkc().collect();
    if v.is_empty() {
        return Ok(None);
    }
    let bad = || ValidationError::new(field, "invalid_date");
    let parts: Vec<&str> = v.split(['-', '/']).collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let (y, m, d): (u32, u32, u32) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if !(1900..=2200).contains(&y) || d == 0 || d > days {
        return Err(bad());
    }
    Ok(Some(format!("{y:04}-{m:02}-{d:02}")))
}

#[cfg(test)]
mod date_tests {
    use super::optional_date;

    #[test]
    fn real_dates_are_accepted_and_normalised() {
        assert_eq!(
            optional_date("d", "2024-02-07").unwrap().unwrap(),
            "2024-02-07"
        );
        assert_eq!(
            optional_date("d", "２０２４/２/２９").unwrap().unwrap(),
            "2024-02-29"
        );
        assert_eq!(optional_date("d", "").unwrap(), None);
    }

    #[test]
    fn impossible_dates_are_refused() {
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-04-31",
            "令和6年",
            "2024-02",
        ] {
            assert_eq!(
                optional_date("d", bad).unwrap_err().code,
                "invalid_date",
                "{bad}"
            );
        }
    }
}
