//! An e-mail address that has been checked and normalised.

use crate::ValidationError;

/// An e-mail address: trimmed, lower-cased (so one person cannot sign up twice
/// with different capitals), one `@`, a dotted domain, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let v = input.trim().to_lowercase();
        let bad = || ValidationError::new("email", "invalid_email");
        if v.is_empty() {
            return Err(ValidationError::new("email", "required"));
        }
        if v.len() > 254 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = v.split_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(bad());
        }
        Ok(Self(v))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_normalised() {
        assert_eq!(
            Email::parse("  Hanako@Example.JP ").unwrap().as_str(),
            "hanako@example.jp"
        );
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "hanako",
            "@example.jp",
            "hanako@",
            "hanako@jp",
            "ha nako@example.jp",
            "a@b@c.jp",
            "a@.jp",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}
