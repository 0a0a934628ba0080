//! Roles people hold in a partnership.

use crate::ValidationError;

/// A role in one partnership. Municipal staff are bound to one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Member,
    MunicipalStaff,
    Coordinator,
    Administrator,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Self::Member,
        Self::MunicipalStaff,
        Self::Coordinator,
        Self::Administrator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::MunicipalStaff => "municipal_staff",
            Self::Coordinator => "coordinator",
            Self::Administrator => "administrator",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or(ValidationError::new("role", "unknown_role"))
    }

    /// Only municipal staff are tied to one organisation (their municipality or school).
    pub fn needs_organisation(self) -> bool {
        self == Self::MunicipalStaff
    }
}

/// One role held by one person in one partnership.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RoleAssignment {
    pub partnership_id: i64,
    pub role: Role,
    pub organisation_id: Option<i64>,
}

impl RoleAssignment {
    pub fn new(
        partnership_id: i64,
        role: Role,
        organisation_id: Option<i64>,
    ) -> Result<Self, ValidationError> {
        match (role.needs_organisation(), organisation_id) {
            (true, None) => Err(ValidationError::new("organisation_id", "required")),
            (false, Some(_)) => Err(ValidationError::new(
                "organisation_id",
                "organisation_not_allowed",
            )),
            _ => Ok(Self {
                partnership_id,
                role,
                organisation_id,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn municipal_staff_must_be_bound_to_an_organisation() {
        assert!(RoleAssignment::new(1, Role::MunicipalStaff, None).is_err());
        assert!(RoleAssignment::new(1, Role::MunicipalStaff, Some(3)).is_ok());
        assert!(RoleAssignment::new(1, Role::Coordinator, Some(3)).is_err());
    }
}
