//! The 6-digit 全国地方公共団体コード (JIS X 0402 with its check digit).

use crate::ValidationError;

/// A local-government code whose check digit is right, e.g. `072010` (福島市).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct LocalGovCode(String);

impl LocalGovCode {
    /// Accepts six ASCII or full-width digits (people paste 全角 digits from
    /// documents); refuses anything whose check digit does not match.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let digits: Vec<u32> = input
            .trim()
            .chars()
            .filter(|c| *c != '-')
            .map(|c| match c {
                '０'..='９' => Some(c as u32 - '０' as u32),
                '0'..='9' => Some(c as u32 - '0' as u32),
                _ => None,
            })
            .collect::<Option<_>>()
            .ok_or(ValidationError::new("local_gov_code", "code_not_digits"))?;
        if digits.len() != 6 {
            return Err(ValidationError::new("local_gov_code", "code_length"));
        }
        if check_digit(&digits[..5]) != digits[5] {
            return Err(ValidationError::new("local_gov_code", "code_check_digit"));
        }
        Ok(Self(
            digits
                .iter()
                .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
                .collect(),
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two-digit prefecture part (`07` is Fukushima).
    pub fn prefecture_number(&self) -> &str {
        &self.0[..2]
    }
}

/// JIS X 0402: s = 6·d1 + 5·d2 + 4·d3 + 3·d4 + 2·d5, check = (11 − s mod 11) mod 10.
fn check_digit(first_five: &[u32]) -> u32 {
    let s: u32 = first_five
        .iter()
        .zip([6, 5, 4, 3, 2])
        .map(|(d, w)| d * w)
        .sum();
    (11 - s % 11) % 10
}

impl std::fmt::Display for LocalGovCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn real_codes_are_accepted() {
        for code in ["072010", "072028", "072044", "075477", "070009", "131016"] {
            assert!(LocalGovCode::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn full_width_digits_are_accepted_and_normalised() {
        assert_eq!(
            LocalGovCode::parse("０７２０１０").unwrap().as_str(),
            "072010"
        );
    }

    #[test]
    fn a_wrong_check_digit_is_refused() {
        assert_eq!(
            LocalGovCode::parse("072011").unwrap_err().code,
            "code_check_digit"
        );
    }

    #[test]
    fn wrong_lengths_and_letters_are_refused() {
        assert_eq!(
            LocalGovCode::parse("07201").unwrap_err().code,
            "code_length"
        );
        assert_eq!(
            LocalGovCode::parse("07201a").unwrap_err().code,
            "code_not_digits"
        );
    }

    proptest! {
        #[test]
        fn exactly_one_check_digit_fits_every_five_digits(prefix in 0u32..100_000) {
            let five = format!("{prefix:05}");
            let fits = (0..10)
                .filter(|d| LocalGovCode::parse(&format!("{five}{d}")).is_ok())
                .count();
            prop_assert_eq!(fits, 1);
        }
    }
}
