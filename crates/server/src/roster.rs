//! Reading a roster file: CSV in UTF-8 (with or without BOM) or in
//! Shift_JIS/CP932 as Japanese Excel saves it, or an .xlsx workbook (first
//! sheet). Every bad row is reported with its line; none is skipped silently.

use kizuna_domain::roster::{RosterRow, RowError, column_for};
use std::collections::HashMap;

/// Why a file could not be read as a roster at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Not UTF-8 and not valid Shift_JIS either.
    Encoding,
    /// A broken workbook or CSV.
    Unreadable,
    Empty,
    /// Required columns missing from the header row.
    MissingColumns(Vec<&'static str>),
    /// Rows with problems (at most [`MAX_ERRORS`] are listed).
    Rows(Vec<RowError>),
}

pub const MAX_ERRORS: usize = 200;
const REQUIRED: [&str; 3] = ["email", "full_name", "full_name_kana"];

/// Reads a roster from the uploaded bytes.
pub fn read(bytes: &[u8]) -> Result<Vec<RosterRow>, ReadError> {
    let table = if bytes.starts_with(b"PK\x03\x04") {
        xlsx_table(bytes)?
    } else {
        csv_table(&decode(bytes)?)?
    };
    rows(table)
}

/// Text of a CSV file: UTF-8 (BOM removed) or Shift_JIS/CP932.
pub fn decode(bytes: &[u8]) -> Result<String, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
    if had_errors {
        Err(ReadError::Encoding)
    } else {
        Ok(text.into_owned())
    }
}

/// (line number, cells) for every row, the header first.
type Table = Vec<(usize, Vec<String>)>;

fn csv_table(text: &str) -> Result<Table, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    // Lines are counted incrementally from the previous record (not from
    // the start each time, which made 10,000 rows take half a minute).
    let (mut counted_to, mut line) = (0usize, 1usize);
    for record in reader.records() {
        let record = record.map_err(|_| ReadError::Unreadable)?;
        // The csv crate places a record that follows blank lines at the
        // first blank line, so skip those to get the line a spreadsheet shows.
        let mut start = record
            .position()
            .map(|p| p.byte() as usize)
            .unwrap_or(counted_to)
            .max(counted_to);
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        line += bytes[counted_to..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted_to = start;
        out.push((line, record.iter().map(str::to_string).collect()));
    }
    Ok(out)
}

fn xlsx_table(bytes: &[u8]) -> Result<Table, ReadError> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes.to_vec())).map_err(|_| ReadError::Unreadable)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(ReadError::Empty)?
        .map_err(|_| ReadError::Unreadable)?;
    let cell = |d: &Data| match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        // Whole numbers (postcodes, ids) without a trailing ".0".
        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
        other => other.to_string(),
    };
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, r)| (i + 1, r.iter().map(cell).collect()))
        .collect())
}

fn rows(table: Table) -> Result<Vec<RosterRow>, ReadError> {
    let mut iter = table
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let (_, header) = iter.next().ok_or(ReadError::Empty)?;
    let columns: Vec<Option<&'static str>> = header.iter().map(|h| column_for(h)).collect();
    let missing: Vec<&'static str> = REQUIRED
        .into_iter()
        .filter(|r| !columns.contains(&Some(r)))
        .collect();
    if !missing.is_empty() {
        return Err(ReadError::MissingColumns(missing));
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (line, cells) in iter {
        let map: HashMap<&str, &str> = columns
            .iter()
            .zip(cells.iter())
            .filter_map(|(c, v)| Some(((*c)?, v.as_str())))
            .collect();
        match RosterRow::parse(line, |c| map.get(c).copied().unwrap_or("")) {
            Ok(r) => out.push(r),
            Err(e) if errors.len() < MAX_ERRORS => errors.push(e),
            Err(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ReadError::Rows(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "メールアドレス,氏名,ふりがな,所属,部署\nhanako@example.jp,福島 花子,ふくしま はなこ,,営業部\n\ntaro@example.jp,会津 太郎,あいづ たろう,,\n";

    #[test]
    fn utf8_with_bom_and_shift_jis_read_the_same() {
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(CSV.as_bytes());
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(CSV);
        let a = read(CSV.as_bytes()).unwrap();
        assert_eq!(a, read(&bom).unwrap());
        assert_eq!(a, read(&sjis).unwrap());
        assert_eq!(a.len(), 2);
        assert_eq!((a[1].line, a[1].full_name.as_str()), (4, "会津 太郎"));
    }

    #[test]
    fn missing_columns_and_bad_rows_are_reported() {
        assert_eq!(
            read("氏名\n花子\n".as_bytes()).unwrap_err(),
            ReadError::MissingColumns(vec!["email", "full_name_kana"])
        );
        let bad = "email,氏名,ふりがな\n,名無し,ななし\nx@example.jp,漢字,漢字\n";
        let ReadError::Rows(errors) = read(bad.as_bytes()).unwrap_err() else {
            panic!()
        };
        let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.line, e.code)).collect();
        assert_eq!(got, vec![(2, "required"), (3, "not_kana")]);
    }

    #[test]
    fn bytes_that_are_neither_utf8_nor_shift_jis_are_refused() {
        assert_eq!(
            read(&[0x82, 0xA0, 0xFF, 0xFF, 0x0A]).unwrap_err(),
            ReadError::Encoding
        );
    }
}
