//! Roster rows: the PR corps as companies keep it in Excel. Headers may be
//! Japanese or English; every row is checked and every problem reported
//! with its line, so a roster imports whole or not at all.

use crate::fan::{HOME_REGIONS, parse_tags};
use crate::kana::optional_kana;
use crate::{Email, ValidationError};

/// The columns, each with the headers people write for it.
pub const COLUMNS: [(&str, &[&str]); 8] = [
    (
        "email",
        &["メールアドレス", "メール", "email", "e-mail", "mail"],
    ),
    ("full_name", &["氏名", "名前", "full_name", "name"]),
    (
        "full_name_kana",
        &[
            "ふりがな",
            "フリガナ",
            "よみがな",
            "full_name_kana",
            "kana",
            "furigana",
        ],
    ),
    (
        "display_name",
        &["ニックネーム", "表示名", "display_name", "nickname"],
    ),
    (
        "organisation",
        &[
            "所属",
            "会社",
            "所属会社",
            "organisation",
            "organization",
            "company",
        ],
    ),
    ("department", &["部署", "所属部署", "department"]),
    (
        "home_region",
        &["地域", "主な地域", "home_region", "region"],
    ),
    ("tags", &["タグ", "スキル", "tags", "skills"]),
];

/// The canonical column for a header cell, if it is one we know.
pub fn column_for(header: &str) -> Option<&'static str> {
    let h = header.trim().trim_start_matches('\u{feff}').to_lowercase();
    COLUMNS
        .iter()
        .find(|(_, names)| names.iter().any(|n| n.to_lowercase() == h))
        .map(|(c, _)| *c)
}

/// A validated roster row.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterRow {
    /// The line in the file (1 = the header), for messages.
    pub line: usize,
    pub email: Email,
    pub full_name: String,
    pub full_name_kana: String,
    pub display_name: String,
    pub organisation: Option<String>,
    pub department: Option<String>,
    pub home_region: Option<String>,
    pub tags: Vec<String>,
}

/// A problem with one row: its line, the column and a message code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub field: &'static str,
    pub code: &'static str,
}

impl RosterRow {
    /// `get(column)` returns the cell of a canonical column ("" when absent).
    pub fn parse<'a>(line: usize, get: impl Fn(&str) -> &'a str) -> Result<Self, RowError> {
        let err = |e: ValidationError| RowError {
            line,
            field: e.field,
            code: e.code,
        };
        let text = |field: &'static str, max: usize| -> Result<Option<String>, RowError> {
            crate::error::optional_text(field, get(field), max).map_err(err)
        };
        let email_cell = get("email");
        if email_cell.trim().is_empty() {
            return Err(RowError {
                line,
                field: "email",
                code: "required",
            });
        }
        let email = Email::parse(email_cell).map_err(err)?;
        let full_name = text("full_name", 100)?.ok_or(RowError {
            line,
            field: "full_name",
            code: "required",
        })?;
        let full_name_kana = optional_kana("full_name_kana", get("full_name_kana"))
            .map_err(err)?
            .ok_or(RowError {
                line,
                field: "full_name_kana",
                code: "required",
            })?;
        let home_region = match get("home_region").trim() {
            "" => None,
            r if HOME_REGIONS.contains(&r) => Some(r.to_string()),
            _ => {
                return Err(RowError {
                    line,
                    field: "home_region",
                    code: "unknown_choice",
                });
            }
        };
        Ok(Self {
            line,
            display_name: text("display_name", 50)?.unwrap_or_else(|| full_name.clone()),
            email,
            full_name,
            full_name_kana,
            organisation: text("organisation", 200)?,
            department: text("department", 100)?,
            home_region,
            tags: parse_tags(get("tags")).map_err(err)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn row(cells: &[(&str, &str)]) -> Result<RosterRow, RowError> {
        let map: HashMap<&str, &str> = cells.iter().copied().collect();
        RosterRow::parse(7, |c| map.get(c).copied().unwrap_or(""))
    }

    #[test]
    fn japanese_and_english_headers_are_understood() {
        assert_eq!(column_for("メールアドレス"), Some("email"));
        assert_eq!(column_for("\u{feff}E-mail"), Some("email"));
        assert_eq!(column_for("フリガナ"), Some("full_name_kana"));
        assert_eq!(column_for("備考"), None);
    }

    #[test]
    fn a_good_row_is_normalised() {
        let r = row(&[
            ("email", " Taro@Example.JP "),
            ("full_name", "会津 太郎"),
            ("full_name_kana", "ｱｲﾂﾞ ﾀﾛｳ"),
        ])
        .unwrap();
        assert_eq!(r.email.as_str(), "taro@example.jp");
        assert_eq!(r.full_name_kana, "アイヅ タロウ");
        assert_eq!(r.display_name, "会津 太郎");
    }

    #[test]
    fn a_bad_row_names_its_line_and_column() {
        assert_eq!(
            row(&[("full_name", "名無し")]).unwrap_err(),
            RowError {
                line: 7,
                field: "email",
                code: "required"
            }
        );
        let e = row(&[
            ("email", "x@example.jp"),
            ("full_name", "x"),
            ("full_name_kana", "漢字"),
        ])
        .unwrap_err();
        assert_eq!((e.line, e.field, e.code), (7, "full_name_kana", "not_kana"));
    }
}
