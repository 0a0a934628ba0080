//! Message catalogues (Fluent files in `locales/`): every string a person
//! reads comes from here, in Japanese or English.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use kizuna_domain::Locale;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;
use unic_langid::{LanguageIdentifier, langid};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "ja",
        // Without this, U+2068/U+2069 marks wrap every argument and end up
        // inside names, CSV cells and mail subjects.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Messages whose only placeables are `{ $name }`, as written: key →
/// pattern. Filling them in directly is what Fluent does for such a
/// message (isolation marks are off), at a fraction of the cost — lists
/// format one per row.
static JA_PATTERNS: LazyLock<Table> =
    LazyLock::new(|| patterns(include_str!("../locales/ja/main.ftl")));
static EN_PATTERNS: LazyLock<Table> =
    LazyLock::new(|| patterns(include_str!("../locales/en/main.ftl")));

fn patterns(source: &'static str) -> Table {
    let lines: Vec<&'static str> = source.lines().collect();
    lines
        .iter()
        .enumerate()
        // Single-line messages only: a continuation line starts with a space.
        .filter(|(i, l)| {
            !l.starts_with([' ', '#']) && lines.get(i + 1).is_none_or(|n| !n.starts_with(' '))
        })
        .filter_map(|(_, l)| l.split_once(" = "))
        .filter(|(_, v)| {
            v.contains("{ $") && !v.contains("->") && !v.contains("{ -") && !v.contains("{ \"")
        })
        .map(|(k, v)| (k.trim(), v))
        .collect()
}

/// Every argument-free message, formatted once: key → text.
type Table = HashMap<&'static str, &'static str>;
static JA_TABLE: LazyLock<Table> =
    LazyLock::new(|| table(&JA, include_str!("../locales/ja/main.ftl")));
static EN_TABLE: LazyLock<Table> =
    LazyLock::new(|| table(&EN, include_str!("../locales/en/main.ftl")));

fn table(lang: &'static LanguageIdentifier, source: &'static str) -> Table {
    source
        .lines()
        .filter(|l| !l.starts_with([' ', '#']) && !l.contains("{ $"))
        .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim()))
        .filter_map(|k| {
            let text = LOCALES.try_lookup(lang, k)?;
            Some((k, &*Box::leak(text.into_boxed_str())))
        })
        .collect()
}

static JA: LanguageIdentifier = langid!("ja");
static EN: LanguageIdentifier = langid!("en");

/// A translator for one language; cheap to copy into templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr(pub Locale);

impl Tr {
    fn lang(&self) -> &'static LanguageIdentifier {
        match self.0 {
            Locale::Ja => &JA,
            Locale::En => &EN,
        }
    }

    /// The message for `key`; the key itself if it is missing (a test checks none are).
    pub fn t(&self, key: &str) -> String {
        self.text(key).into_owned()
    }

    /// Like [`Tr::t`] without allocating: messages without arguments are
    /// formatted once per process (pages look up a hundred of them).
    pub fn text(&self, key: &str) -> Cow<'static, str> {
        let table = match self.0 {
            Locale::Ja => &*JA_TABLE,
            Locale::En => &*EN_TABLE,
        };
        match table.get(key) {
            Some(s) => Cow::Borrowed(*s),
            None => Cow::Owned(
                LOCALES
                    .try_lookup(self.lang(), key)
                    .unwrap_or_else(|| key.to_string()),
            ),
        }
    }

    /// The message for `key` with named arguments.
    pub fn args(&self, key: &str, args: &[(&'static str, String)]) -> String {
        let patterns = match self.0 {
            Locale::Ja => &*JA_PATTERNS,
            Locale::En => &*EN_PATTERNS,
        };
        if let Some(pattern) = patterns.get(key) {
            let mut out = (*pattern).to_string();
            for (name, value) in args {
                out = out.replace(&format!("{{ ${name} }}"), value);
            }
            if !out.contains("{ $") {
                return out;
            }
        }
        let map: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.clone())))
            .collect();
        LOCALES
            .try_lookup_with_args(self.lang(), key, &map)
            .unwrap_or_else(|| key.to_string())
    }

    pub fn has(&self, key: &str) -> bool {
        LOCALES.try_lookup(self.lang(), key).is_some()
    }

    pub fn code(&self) -> &'static str {
        self.0.as_str()
    }

    /// A stored Unix time as people in Japan write it, in Asia/Tokyo (UTC+9,
    /// no daylight saving): 2026年11月30日 18:52 / 2026-11-30 18:52.
    pub fn datetime(&self, unix: i64) -> String {
        let Ok(t) = time::OffsetDateTime::from_unix_timestamp(unix + 9 * 3600) else {
            return String::new();
        };
        match self.0 {
            Locale::Ja => format!(
                "{}年{}月{}日 {:02}:{:02}",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            ),
            Locale::En => format!(
                "{}-{:02}-{:02} {:02}:{:02} JST",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            ),
        }
    }

    /// An event's time span in Japan time, as people there write it:
    /// 2026年12月10日(木) 14:00〜16:00 (the end's date only when it differs) /
    /// Thu 2026-12-10 14:00–16:00 JST.
    pub fn span(&self, start: i64, end: i64) -> String {
        let at = |u: i64| time::OffsetDateTime::from_unix_timestamp(u + 9 * 3600).ok();
        let (Some(a), Some(b)) = (at(start), at(end)) else {
            return String::new();
        };
        let wd = |t: time::OffsetDateTime| t.weekday().number_days_from_monday() as usize;
        const JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
        const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let same_day = a.date() == b.date();
        match self.0 {
            Locale::Ja => {
                let day = |t: time::OffsetDateTime| {
                    format!(
                        "{}年{}月{}日({})",
                        t.year(),
                        u8::from(t.month()),
                        t.day(),
                        JA[wd(t)]
                    )
                };
                let end = if same_day {
                    String::new()
                } else {
                    format!("{} ", day(b))
                };
                format!(
                    "{} {:02}:{:02}〜{end}{:02}:{:02}",
                    day(a),
                    a.hour(),
                    a.minute(),
                    b.hour(),
                    b.minute()
                )
            }
            Locale::En => {
                let day = |t: time::OffsetDateTime| {
                    format!(
                        "{} {}-{:02}-{:02}",
                        EN[wd(t)],
                        t.year(),
                        u8::from(t.month()),
                        t.day()
                    )
                };
                let end = if same_day {
                    String::new()
                } else {
                    format!("{} ", day(b))
                };
                format!(
                    "{} {:02}:{:02}–{end}{:02}:{:02} JST",
                    day(a),
                    a.hour(),
                    a.minute(),
                    b.hour(),
                    b.minute()
                )
            }
        }
    }

    /// A calendar date `YYYY-MM-DD` in the reader's style (with the Japanese era in Japanese).
    pub fn date(&self, iso: &str) -> String {
        let parts: Vec<i32> = iso.split('-').filter_map(|p| p.parse().ok()).collect();
        match (self.0, parts.as_slice()) {
            (Locale::Ja, [y, m, d]) => {
                let era = if *y >= 2019 {
                    format!("（令和{}年）", y - 2018)
                } else {
                    String::new()
                };
                format!("{y}年{m}月{d}日{era}")
            }
            _ => iso.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn filled_in_patterns_read_exactly_as_fluent_formats_them() {
        for (tr, table) in [
            (Tr(Locale::Ja), &*JA_PATTERNS),
            (Tr(Locale::En), &*EN_PATTERNS),
        ] {
            assert!(table.len() > 20);
            for (key, pattern) in table.iter() {
                let names: Vec<&'static str> = pattern
                    .split("{ $")
                    .skip(1)
                    .filter_map(|rest| rest.split(' ').next())
                    .map(|n| &*Box::leak(n.to_string().into_boxed_str()))
                    .collect();
                let args: Vec<(&'static str, String)> =
                    names.iter().map(|n| (*n, format!("<{n}>"))).collect();
                let map: HashMap<Cow<'static, str>, FluentValue> = args
                    .iter()
                    .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.clone())))
                    .collect();
                let fluent = LOCALES.try_lookup_with_args(tr.lang(), key, &map).unwrap();
                assert_eq!(tr.args(key, &args), fluent, "{key}");
            }
        }
    }

    #[test]
    fn event_times_read_as_people_in_japan_write_them() {
        // 2026-12-10 14:00–16:00 JST.
        let (a, b) = (1_796_878_800, 1_796_878_800 + 7200);
        assert_eq!(Tr(Locale::Ja).span(a, b), "2026年12月10日(木) 14:00〜16:00");
        assert_eq!(Tr(Locale::En).span(a, b), "Thu 2026-12-10 14:00–16:00 JST");
        assert_eq!(
            Tr(Locale::Ja).span(a, b + 86_400),
            "2026年12月10日(木) 14:00〜2026年12月11日(金) 16:00"
        );
    }

    use super::*;

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let keys = |s: &str| -> Vec<String> {
            let mut v: Vec<String> = s
                .lines()
                .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_string()))
                .filter(|k| !k.is_empty() && !k.starts_with('#') && !k.starts_with(' '))
                .collect();
            v.sort();
            v
        };
        let ja = keys(include_str!("../locales/ja/main.ftl"));
        let en = keys(include_str!("../locales/en/main.ftl"));
        let missing_en: Vec<_> = ja.iter().filter(|k| !en.contains(k)).collect();
        let missing_ja: Vec<_> = en.iter().filter(|k| !ja.contains(k)).collect();
        assert!(
            missing_en.is_empty() && missing_ja.is_empty(),
            "en lacks {missing_en:?}, ja lacks {missing_ja:?}"
        );
    }

    #[test]
    fn arguments_carry_no_isolation_marks() {
        let s = Tr(Locale::Ja).args("hello-name", &[("name", "福島 花子".into())]);
        assert!(s.contains("福島 花子") && !s.contains('\u{2068}'));
    }

    #[test]
    fn dates_are_written_the_japanese_way() {
        // 2026-11-30 09:52 UTC is 18:52 in Tokyo.
        assert_eq!(
            Tr(Locale::Ja).datetime(1_796_032_320),
            "2026年11月30日 18:52"
        );
        assert_eq!(Tr(Locale::Ja).date("2024-02-07"), "2024年2月7日（令和6年）");
    }
}
