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
