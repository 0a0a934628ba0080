//! The password policy: long rather than clever (NIST SP 800-63B style).

use crate::{Email, ValidationError};

/// Passwords people pick most often, and those a Japanese audience adds
/// (romaji words, keyboard rows). Compared after lower-casing.
const COMMON: &str = include_str!("common_passwords.txt");

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 256;

/// A password that met the policy. Deliberately not `Debug`-printable as text.
pub struct Password(String);

impl Password {
    /// At least 12 characters — a passphrase of several words with spaces is
    /// welcome and counts the same — not on the common list, not a single
    /// repeated character, and not the e-mail address itself.
    pub fn parse(input: &str, email: Option<&Email>) -> Result<Self, ValidationError> {
        let err = |code| Err(ValidationError::new("password", code));
        let count = input.chars().count();
        if count < MIN_CHARS {
            return err("password_too_short");
        }
        if count > MAX_CHARS {
            return err("too_long");
        }
        let lower = input.trim().to_lowercase();
        let mut distinct: Vec<char> = lower.chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < 4 || is_common(&lower) {
            return err("password_common");
        }
        if let Some(email) = email
            && (lower.contains(email.local_part()) && email.local_part().len() >= 6
                || lower == email.as_str())
        {
            return err("password_contains_email");
        }
        Ok(Self(input.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

fn is_common(lower: &str) -> bool {
    let squashed: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    COMMON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|c| c == lower || c == squashed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_characters_are_enough() {
        assert!(Password::parse("kibitaki-momo7", None).is_ok());
        assert!(Password::parse("ももとあかべこ大好き！！ですよ", None).is_ok());
    }

    #[test]
    fn a_passphrase_with_spaces_is_accepted() {
        assert!(Password::parse("red cow peach castle", None).is_ok());
    }

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(
            Password::parse("short", None).unwrap_err().code,
            "password_too_short"
        );
    }

    #[test]
    fn common_passwords_are_refused_even_when_long() {
        assert_eq!(
            Password::parse("password1234", None).unwrap_err().code,
            "password_common"
        );
        assert_eq!(
            Password::parse("aaaaaaaaaaaaaaa", None).unwrap_err().code,
            "password_common"
        );
    }

    #[test]
    fn the_email_itself_is_refused() {
        let e = Email::parse("hanako.fukushima@example.jp").unwrap();
        assert_eq!(
            Password::parse("hanako.fukushima@example.jp", Some(&e))
                .unwrap_err()
                .code,
            "password_contains_email"
        );
    }
}
