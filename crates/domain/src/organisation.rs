//! Organisations: the prefecture, its municipalities, companies and their
//! group subsidiaries, schools and NPOs.

use crate::error::{optional_text, optional_url, required_text};
use crate::kana::optional_kana;
use crate::{LocalGovCode, ValidationError};

/// What kind of body an organisation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Prefecture,
    Municipality,
    Company,
    School,
    Npo,
}

impl OrgKind {
    pub const ALL: [OrgKind; 5] = [
        Self::Prefecture,
        Self::Municipality,
        Self::Company,
        Self::School,
        Self::Npo,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prefecture => "prefecture",
            Self::Municipality => "municipality",
            Self::Company => "company",
            Self::School => "school",
            Self::Npo => "npo",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(ValidationError::new("kind", "unknown_kind"))
    }

    /// Local governments carry a 全国地方公共団体コード; other bodies do not.
    pub fn is_local_government(self) -> bool {
        matches!(self, Self::Prefecture | Self::Municipality)
    }
}

/// A validated organisation ready to be stored.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub kind: OrgKind,
    pub name: String,
    pub name_kana: Option<String>,
    pub name_en: Option<String>,
    pub local_gov_code: Option<LocalGovCode>,
    pub parent_id: Option<i64>,
    pub profile: OrganisationProfile,
}

/// The part of an organisation its own people may edit.
#[derive(Debug, Clone, Default)]
pub struct OrganisationProfile {
    pub website: Option<String>,
    pub description: Option<String>,
}

impl OrganisationProfile {
    pub fn parse(website: &str, description: &str) -> Result<Self, ValidationError> {
        Ok(Self {
            website: optional_url("website", website)?,
            description: optional_text("description", description, 4000)?,
        })
    }
}

/// Raw input, as a form or the API delivers it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct OrganisationInput {
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub name_kana: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub local_gov_code: String,
    #[serde(default)]
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub description: String,
}

impl NewOrganisation {
    /// Parses raw input. A local government must have a valid code and no
    /// parent; only companies may have a parent (group subsidiaries).
    pub fn parse(input: &OrganisationInput) -> Result<Self, ValidationError> {
        let kind = OrgKind::parse(&input.kind)?;
        let code = match (kind.is_local_government(), input.local_gov_code.trim()) {
            (true, "") => return Err(ValidationError::new("local_gov_code", "required")),
            (true, code) => Some(LocalGovCode::parse(code)?),
            (false, "") => None,
            (false, _) => return Err(ValidationError::new("local_gov_code", "code_not_allowed")),
        };
        if input.parent_id.is_some() && kind != OrgKind::Company {
            return Err(ValidationError::new(
                "parent_id",
                "parent_only_for_companies",
            ));
        }
        Ok(Self {
            kind,
            name: required_text("name", &input.name, 200)?,
            name_kana: optional_kana("name_kana", &input.name_kana)?,
            name_en: optional_text("name_en", &input.name_en, 200)?,
            local_gov_code: code,
            parent_id: input.parent_id,
            profile: OrganisationProfile::parse(&input.website, &input.description)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str, code: &str) -> OrganisationInput {
        OrganisationInput {
            kind: kind.into(),
            name: "テスト".into(),
            local_gov_code: code.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_municipality_needs_a_valid_code() {
        assert!(NewOrganisation::parse(&input("municipality", "072010")).is_ok());
        assert_eq!(
            NewOrganisation::parse(&input("municipality", "072011"))
                .unwrap_err()
                .code,
            "code_check_digit"
        );
        assert_eq!(
            NewOrganisation::parse(&input("municipality", ""))
                .unwrap_err()
                .code,
            "required"
        );
    }

    #[test]
    fn a_company_has_no_code_but_may_have_a_parent() {
        assert_eq!(
            NewOrganisation::parse(&input("company", "072010"))
                .unwrap_err()
                .code,
            "code_not_allowed"
        );
        let mut sub = input("company", "");
        sub.parent_id = Some(1);
        assert!(NewOrganisation::parse(&sub).is_ok());
        let mut school = input("school", "");
        school.parent_id = Some(1);
        assert!(NewOrganisation::parse(&school).is_err());
    }

    #[test]
    fn unknown_kinds_are_refused() {
        assert_eq!(
            NewOrganisation::parse(&input("club", "")).unwrap_err().code,
            "unknown_kind"
        );
    }
}
