//! Exports people open in Excel: CSV in UTF-8 with a BOM (or Japanese
//! Excel reads it as Shift_JIS) and .xlsx workbooks.

use crate::i18n::Tr;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kizuna_store::fan_figures::ExportRow;

/// A file to download, named `name` — Japanese names too: browsers read
/// the RFC 5987 `filename*`, older ones the ASCII `filename` beside it.
pub fn download(bytes: Vec<u8>, content_type: &str, name: String) -> Response {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
        ],
        bytes,
    )
        .into_response()
}

fn header(tr: Tr, with_email: bool) -> Vec<String> {
    let mut h: Vec<String> = Vec::new();
    if with_email {
        h.push(tr.t("field-email"));
    }
    for key in [
        "fan-full-name",
        "field-name-kana",
        "fan-display-name",
        "fan-affiliation",
        "admin-department",
        "fan-home-region",
        "fan-points",
        "fan-entries",
        "export-joined",
    ] {
        h.push(tr.t(key));
    }
    h
}

fn cells(tr: Tr, r: &ExportRow, with_email: bool) -> Vec<String> {
    let mut c = Vec::new();
    if with_email {
        c.push(r.email.clone().unwrap_or_default());
    }
    c.extend([
        r.full_name.clone(),
        r.full_name_kana.clone(),
        r.display_name.clone(),
        r.organisation_name.clone().unwrap_or_default(),
        r.department.clone().unwrap_or_default(),
        r.home_region.clone().unwrap_or_default(),
        r.points.to_string(),
        r.entries.to_string(),
        tr.datetime(r.joined_at),
    ]);
    c
}

/// CSV with a UTF-8 BOM; e-mail addresses only when `with_email`.
pub fn fans_csv(tr: Tr, rows: &[ExportRow], with_email: bool) -> Vec<u8> {
    let body: Vec<Vec<String>> = rows.iter().map(|r| cells(tr, r, with_email)).collect();
    table_csv(&header(tr, with_email), &body)
}

/// An .xlsx workbook with one sheet, a bold header and numbers as numbers.
pub fn fans_xlsx(
    tr: Tr,
    rows: &[ExportRow],
    with_email: bool,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let base = if with_email { 7 } else { 6 };
    let body: Vec<Vec<String>> = rows.iter().map(|r| cells(tr, r, with_email)).collect();
    table_xlsx(
        &tr.t("corps-fans"),
        &header(tr, with_email),
        &body,
        &[base, base + 1],
    )
}

/// Any table as CSV: UTF-8 with a BOM, CRLF line ends (as Excel expects).
pub fn table_csv(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        let _ = w.write_record(header);
        for r in rows {
            let _ = w.write_record(r);
        }
        let _ = w.flush();
    }
    out
}

/// Any table as an .xlsx workbook: one sheet named `sheet`, a bold frozen
/// header, the columns in `numeric` written as numbers when they parse.
pub fn table_xlsx(
    sheet: &str,
    header: &[String],
    rows: &[Vec<String>],
    numeric: &[usize],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    let bold = Format::new().set_bold();
    for (i, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (i, v) in row.iter().enumerate() {
            let (row_idx, col) = (r as u32 + 1, i as u16);
            match v.parse::<f64>() {
                Ok(n) if numeric.contains(&i) => ws.write_number(row_idx, col, n)?,
                _ => ws.write_string(row_idx, col, v)?,
            };
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofit();
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kizuna_domain::Locale;

    fn row() -> ExportRow {
        ExportRow {
            email: Some("hanako@example.jp".into()),
            full_name: "福島 花子".into(),
            full_name_kana: "ふくしま はなこ".into(),
            display_name: "はな".into(),
            organisation_name: Some("日本電気株式会社".into()),
            department: None,
            home_region: Some("県北".into()),
            named_to_government: 0,
            points: 25,
            entries: 3,
            joined_at: 1_796_032_320,
        }
    }

    #[test]
    fn the_csv_starts_with_a_bom_and_reads_back() {
        let bytes = fans_csv(Tr(Locale::Ja), &[row()], true);
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        assert!(text.starts_with("メールアドレス,氏名,ふりがな"));
        assert!(text.contains("hanako@example.jp,福島 花子,ふくしま はなこ,はな,日本電気株式会社,,県北,25,3,2026年11月30日 18:52"));
        let without = fans_csv(Tr(Locale::Ja), &[row()], false);
        assert!(!String::from_utf8(without).unwrap().contains("hanako@"));
    }

    #[test]
    fn the_workbook_reads_back_with_calamine() {
        use calamine::{Data, Reader, Xlsx};
        let bytes = fans_xlsx(Tr(Locale::Ja), &[row()], false).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        assert_eq!(range.get((0, 0)), Some(&Data::String("氏名".into())));
        assert_eq!(range.get((1, 0)), Some(&Data::String("福島 花子".into())));
        assert_eq!(range.get((1, 6)), Some(&Data::Float(25.0)));
    }
}
