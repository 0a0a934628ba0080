//! The one validation error of the domain: a stable code per rule, which the
//! server turns into a message in the reader's language.

/// A rule that an input broke. `field` names the form field, `code` is a
/// stable snake_case key (also the message-catalogue key `error-<code>`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {code}")]
pub struct ValidationError {
    pub field: &'static str,
    pub code: &'static str,
}

impl ValidationError {
    pub fn new(field: &'static str, code: &'static str) -> Self {
        Self { field, code }
    }
}

/// Trims and checks a required text field's length in characters (not bytes,
/// so Japanese counts the way people count it).
pub fn required_text(
    field: &'static str,
    value: &str,
    max_chars: usize,
) -> Result<String, ValidationError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ValidationError::new(field, "required"));
    }
    optional_text(field, v, max_chars).map(|o| o.unwrap_or_default())
}

/// Like [`required_text`] but empty input means "none".
pub fn optional_text(
    field: &'static str,
    value: &str,
    max_chars: usize,
) -> Result<Option<String>, ValidationError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > max_chars {
        return Err(ValidationError::new(field, "too_long"));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(ValidationError::new(field, "invalid_characters"));
    }
    Ok(Some(v.to_string()))
}

/// An optional web address: only http(s), no spaces.
pub fn optional_url(field: &'static str, value: &str) -> Result<Option<String>, ValidationError> {
    let Some(v) = optional_text(field, value, 500)? else {
        return Ok(None);
    };
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !v.contains(char::is_whitespace) => Ok(Some(v)),
        _ => Err(ValidationError::new(field, "invalid_url")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_text_is_counted_in_characters() {
        assert!(required_text("name", "福島県", 3).is_ok());
        assert_eq!(
            required_text("name", "福島県庁", 3).unwrap_err().code,
            "too_long"
        );
    }

    #[test]
    fn blank_required_text_is_refused() {
        assert_eq!(
            required_text("name", "  \t", 10).unwrap_err().code,
            "required"
        );
    }

    #[test]
    fn urls_must_be_web_addresses() {
        assert!(
            optional_url("w", "https://www.pref.fukushima.lg.jp/")
                .unwrap()
                .is_some()
        );
        assert!(optional_url("w", "").unwrap().is_none());
        assert!(optional_url("w", "javascript:alert(1)").is_err());
        assert!(optional_url("w", "https://").is_err());
    }
}
