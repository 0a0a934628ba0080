//! A fan's profile in the PR corps (広報隊): who they are, what they care
//! about, what they can do, and what they agreed to share.

use crate::ValidationError;
use crate::error::{optional_text, required_text};
use crate::kana::optional_kana;
use unicode_normalization::UnicodeNormalization;

/// The curated skills taxonomy (stable keys; names are in the catalogues).
pub const SKILLS: [&str; 12] = [
    "it",
    "design",
    "pr_marketing",
    "data",
    "law",
    "accounting",
    "education",
    "translation",
    "project_management",
    "consulting",
    "research",
    "care_welfare",
];
/// 1 = some experience, 2 = professional, 3 = expert.
pub const SKILL_LEVELS: std::ops::RangeInclusive<i64> = 1..=3;
pub const LANGUAGES: [&str; 7] = ["ja", "en", "zh", "ko", "vi", "pt", "other"];
/// Home regions: the prefecture's seven areas, or outside it.
pub const HOME_REGIONS: [&str; 8] = [
    "県北",
    "県中",
    "県南",
    "会津",
    "南会津",
    "相双",
    "いわき",
    "県外",
];
pub const MAX_TAGS: usize = 10;

/// What a fan consents to, each separately and revocably.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct FanConsents {
    /// Being named to the local-government side (otherwise it sees only figures).
    pub named_to_government: bool,
    /// Appearing on leaderboards.
    pub on_leaderboard: bool,
    /// Receiving the partnership's news by e-mail.
    pub contact: bool,
}

/// Raw input: a form sends repeated fields as lists.
#[derive(Debug, Clone, Default)]
pub struct FanInput {
    pub display_name: String,
    pub full_name: String,
    pub full_name_kana: String,
    pub organisation_id: Option<i64>,
    pub department: String,
    pub home_region: String,
    pub interests: Vec<String>,
    /// `(skill key, level)` where the level is "1" to "3".
    pub skills: Vec<(String, String)>,
    /// Free tags, separated by commas, 、 or spaces.
    pub tags: String,
    pub languages: Vec<String>,
    pub availability_hours: String,
    pub consents: FanConsents,
}

/// A validated profile.
#[derive(Debug, Clone, PartialEq)]
pub struct FanProfile {
    pub display_name: String,
    pub full_name: String,
    pub full_name_kana: String,
    pub organisation_id: Option<i64>,
    pub department: Option<String>,
    pub home_region: Option<String>,
    pub interests: Vec<String>,
    pub skills: Vec<(String, i64)>,
    pub tags: Vec<String>,
    pub languages: Vec<String>,
    pub availability_hours: Option<i64>,
    pub consents: FanConsents,
}

impl FanProfile {
    /// Validates the profile. Pillar keys are checked against the
    /// partnership by the store; everything else here.
    pub fn parse(input: &FanInput) -> Result<Self, ValidationError> {
        let full_name_kana = optional_kana("full_name_kana", &input.full_name_kana)?
            .ok_or(ValidationError::new("full_name_kana", "required"))?;
        let home_region = match input.home_region.trim() {
            "" => None,
            r if HOME_REGIONS.contains(&r) => Some(r.to_string()),
            _ => return Err(ValidationError::new("home_region", "unknown_choice")),
        };
        let mut skills = Vec::new();
        for (skill, level) in &input.skills {
            let (skill, level) = (skill.trim(), level.trim());
            if level.is_empty() {
                continue;
            }
            if !SKILLS.contains(&skill) {
                return Err(ValidationError::new("skills", "unknown_skill"));
            }
            let level: i64 = level
                .parse()
                .map_err(|_| ValidationError::new("skills", "unknown_skill_level"))?;
            if !SKILL_LEVELS.contains(&level) {
                return Err(ValidationError::new("skills", "unknown_skill_level"));
            }
            if !skills.iter().any(|(s, _)| s == skill) {
                skills.push((skill.to_string(), level));
            }
        }
        let mut languages: Vec<String> = Vec::new();
        for l in &input.languages {
            if !LANGUAGES.contains(&l.as_str()) {
                return Err(ValidationError::new("languages", "unknown_choice"));
            }
            if !languages.contains(l) {
                languages.push(l.clone());
            }
        }
        let mut interests: Vec<String> = input
            .interests
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        interests.sort();
        interests.dedup();
        let availability_hours = match input
            .availability_hours
            .trim()
            .nfkc()
            .collect::<String>()
            .as_str()
        {
            "" => None,
            h => {
                let n: i64 = h
                    .parse()
                    .map_err(|_| ValidationError::new("availability_hours", "not_a_number"))?;
                if !(0..=200).contains(&n) {
                    return Err(ValidationError::new("availability_hours", "too_large"));
                }
                Some(n)
            }
        };
        Ok(Self {
            display_name: required_text("display_name", &input.display_name, 50)?,
            full_name: required_text("full_name", &input.full_name, 100)?,
            full_name_kana,
            organisation_id: input.organisation_id,
            department: optional_text("department", &input.department, 100)?,
            home_region,
            interests,
            skills,
            tags: parse_tags(&input.tags)?,
            languages,
            availability_hours,
            consents: input.consents,
        })
    }
}

/// Splits free tags on commas (also 、 and ，) and whitespace; NFKC and
/// lower-case so ＡＩ and ai are one tag; at most ten of 30 characters.
pub fn parse_tags(input: &str) -> Result<Vec<String>, ValidationError> {
    let normalised: String = input.nfkc().collect::<String>().to_lowercase();
    let mut tags: Vec<String> = Vec::new();
    for t in normalised
        .split([',', '、', ' ', '\t', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let t = t.trim_start_matches('#').to_string();
        if t.chars().count() > 30 {
            return Err(ValidationError::new("tags", "tag_too_long"));
        }
        if !t.is_empty() && !tags.contains(&t) {
            tags.push(t);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(ValidationError::new("tags", "too_many_tags"));
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> FanInput {
        FanInput {
            display_name: "はなこ".into(),
            full_name: "福島 花子".into(),
            full_name_kana: "ふくしま はなこ".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_minimal_profile_is_accepted_and_nothing_is_shared_by_default() {
        let p = FanProfile::parse(&input()).unwrap();
        assert_eq!(p.consents, FanConsents::default());
        assert!(!p.consents.named_to_government);
    }

    #[test]
    fn furigana_is_required_and_must_be_kana() {
        let mut i = input();
        i.full_name_kana = String::new();
        assert_eq!(FanProfile::parse(&i).unwrap_err().field, "full_name_kana");
        i.full_name_kana = "福島".into();
        assert_eq!(FanProfile::parse(&i).unwrap_err().code, "not_kana");
    }

    #[test]
    fn skills_come_from_the_taxonomy_with_a_level() {
        let mut i = input();
        i.skills = vec![
            ("it".into(), "3".into()),
            ("design".into(), "".into()),
            ("it".into(), "1".into()),
        ];
        assert_eq!(
            FanProfile::parse(&i).unwrap().skills,
            vec![("it".to_string(), 3)]
        );
        i.skills = vec![("juggling".into(), "2".into())];
        assert_eq!(FanProfile::parse(&i).unwrap_err().code, "unknown_skill");
        i.skills = vec![("it".into(), "4".into())];
        assert_eq!(
            FanProfile::parse(&i).unwrap_err().code,
            "unknown_skill_level"
        );
    }

    #[test]
    fn tags_are_normalised_and_deduplicated() {
        assert_eq!(
            parse_tags("ＡＩ, ai、#桃  地域").unwrap(),
            vec!["ai", "桃", "地域"]
        );
        assert_eq!(
            parse_tags(
                &(0..11)
                    .map(|i| format!("t{i}"))
                    .collect::<Vec<_>>()
                    .join(",")
            )
            .unwrap_err()
            .code,
            "too_many_tags"
        );
    }
}

/// A Japanese postcode, written 9600000, 960-0000 or in full-width digits;
/// returned as `960-0000`.
pub fn parse_postal_code(input: &str) -> Result<String, ValidationError> {
    let digits: String = input.nfkc().filter(|c| c.is_ascii_digit()).collect();
    let rest: String = input
        .nfkc()
        .filter(|c| !c.is_ascii_digit() && !matches!(c, '-' | '〒' | ' ' | 'ー' | '−'))
        .collect();
    if digits.len() != 7 || !rest.is_empty() {
        return Err(ValidationError::new("postal_code", "invalid_postal_code"));
    }
    Ok(format!("{}-{}", &digits[..3], &digits[3..]))
}

#[cfg(test)]
mod postal_tests {
    #[test]
    fn postcodes_are_normalised() {
        assert_eq!(
            super::parse_postal_code("〒９６０−８６０１").unwrap(),
            "960-8601"
        );
        assert_eq!(super::parse_postal_code("9608601").unwrap(), "960-8601");
        assert!(super::parse_postal_code("960-860").is_err());
        assert!(super::parse_postal_code("960-86O1").is_err());
    }
}

/// The text member search looks in: the parts NFKC-normalised and
/// lower-cased (so ｻﾄｳ finds さとう's katakana twin サトウ, and ＩＴ finds it).
pub fn search_text(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.nfkc().collect::<String>().to_lowercase())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The index terms of a [`search_text`]: every pair of neighbouring
/// characters of each run of letters and digits (CJK bigrams), plus the run's
/// last character, each once, separated by spaces. So every character starts
/// some term, and a one-character word such as 桃 is found as a prefix. The
/// database's full-text index (FTS5 on SQLite, a GIN index on PostgreSQL)
/// holds these, so a search first narrows to the fans holding all of a word's
/// terms and only then compares text.
pub fn search_grams(text: &str) -> String {
    let mut seen = std::collections::HashSet::new();
    let mut out = String::new();
    for run in alnum_runs(text) {
        let grams = run
            .windows(2)
            .map(|w| w.iter().collect::<String>())
            .chain(run.last().map(|c| c.to_string()));
        for g in grams {
            if seen.insert(g.clone()) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&g);
            }
        }
    }
    out
}

/// The index terms a fan must hold to contain `term` (one of
/// [`search_terms`]): the bigrams of each run of letters and digits, or for a
/// one-character run the character itself, which only begins a term (a
/// prefix). Empty when the word has no letters or digits (then only the text
/// comparison applies).
pub fn term_grams(term: &str) -> Vec<String> {
    let mut out = Vec::new();
    for run in alnum_runs(term) {
        if run.len() == 1 {
            out.push(run[0].to_string());
        } else {
            out.extend(run.windows(2).map(|w| w.iter().collect::<String>()));
        }
    }
    out.dedup();
    out
}

fn alnum_runs(text: &str) -> Vec<Vec<char>> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|r| !r.is_empty())
        .map(|r| r.chars().collect())
        .collect()
}

/// A search box's words, normalised like [`search_text`]; at most three.
pub fn search_terms(query: &str) -> Vec<String> {
    query
        .nfkc()
        .collect::<String>()
        .to_lowercase()
        .split_whitespace()
        .take(3)
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod search_tests {
    #[test]
    fn grams_cover_every_term_of_a_contained_word() {
        let text = super::search_text(&["佐藤 花子", "さとう はなこ", "第12営業部", "桃"]);
        let grams = super::search_grams(&text);
        let set: std::collections::HashSet<&str> = grams.split(' ').collect();
        for word in ["佐藤", "花", "子", "とう", "12営業", "桃", "第1", "部"] {
            for g in super::term_grams(word) {
                let found = if g.chars().count() == 1 {
                    set.iter().any(|t| t.starts_with(&g))
                } else {
                    set.contains(g.as_str())
                };
                assert!(found, "{word}: {g} missing from {grams}");
            }
        }
        assert_eq!(super::term_grams("さとう"), vec!["さと", "とう"]);
        assert_eq!(super::term_grams("桃"), vec!["桃"]);
        assert!(super::term_grams("@-").is_empty());
        // Each term once, no empty terms.
        assert!(!grams.contains("  "));
        assert_eq!(set.len(), grams.split(' ').count());
    }

    #[test]
    fn half_width_and_full_width_search_alike() {
        let text = super::search_text(&["福島 花子", "ﾌｸｼﾏ", "ＩＴ"]);
        assert!(text.contains("フクシマ") && text.contains("it"));
        assert_eq!(
            super::search_terms(" ＩＴ  ふくしま a b c"),
            vec!["it", "ふくしま", "a"]
        );
    }
}
