//! Furigana: readings typed in hiragana or katakana.

use crate::ValidationError;
use unicode_normalization::UnicodeNormalization;

/// Accepts a reading written in hiragana, katakana (half-width is folded to
/// full-width by NFKC), long-vowel marks, spaces and middle dots; returns it
/// normalised. Empty input is "none".
pub fn optional_kana(field: &'static str, input: &str) -> Result<Option<String>, ValidationError> {
    let v: String = input.trim().nfkc().collect();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > 100 {
        return Err(ValidationError::new(field, "too_long"));
    }
    let ok = v
        .chars()
        .all(|c| matches!(c, '\u{3041}'..='\u{309F}' | '\u{30A0}'..='\u{30FF}' | ' ' | '　'));
    if ok {
        Ok(Some(v))
    } else {
        Err(ValidationError::new(field, "not_kana"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hiragana_and_katakana_are_readings() {
        assert_eq!(
            optional_kana("k", "ふくしま はなこ").unwrap().unwrap(),
            "ふくしま はなこ"
        );
        assert_eq!(optional_kana("k", "ﾌｸｼﾏ").unwrap().unwrap(), "フクシマ");
        assert_eq!(optional_kana("k", "").unwrap(), None);
    }

    #[test]
    fn kanji_is_not_a_reading() {
        assert_eq!(optional_kana("k", "福島").unwrap_err().code, "not_kana");
    }
}
