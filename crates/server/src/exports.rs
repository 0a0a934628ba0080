//! Exports people open in Excel: CSV in UTF-8 with a BOM (or Japanese
//! Excel reads it as Shift_JIS) and .xlsx workbooks.

use crate::i18n::Tr;
use kizuna_store::fan_figures::ExportRow;

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
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        let _ = w.write_record(header(tr, with_email));
        for r in rows {
            let _ = w.write_record(cells(tr, r, with_email));
        }
        let _ = w.flush();
    }
    out
}

/// An .xlsx workbook with one sheet, a bold header and numbers as numbers.
pub fn fans_xlsx(
    tr: Tr,
    rows: &[ExportRow],
    with_email: bool,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(tr.t("corps-fans"))?;
    let bold = Format::new().set_bold();
    for (i, h) in header(tr, with_email).iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, h, &bold)?;
    }
    let numeric = |i: usize| {
        let base = if with_email { 7 } else { 6 };
        i == base || i == base + 1
    };
    for (r, row) in rows.iter().enumerate() {
        for (i, v) in cells(tr, row, with_email).iter().enumerate() {
            let (row_idx, col) = (r as u32 + 1, i as u16);
            match v.parse::<f64>() {
                Ok(n) if numeric(i) => sheet.write_number(row_idx, col, n)?,
                _ => sheet.write_string(row_idx, col, v)?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
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
