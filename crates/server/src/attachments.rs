//! What a challenge's attachment may be: PDF, an image (metadata
//! stripped, like evidence photos), an Office file (xlsx, docx, pptx), or
//! plain text / CSV — decided from the bytes as well as the name, at most
//! 5 MB. Anything else is refused with a reason.

pub const MAX_BYTES: usize = 5 * 1024 * 1024;

/// The file to store: its cleaned bytes and content type, or the reason it
/// was refused (a message-catalogue code).
pub fn accept(name: &str, bytes: &[u8]) -> Result<(Vec<u8>, &'static str), &'static str> {
    if bytes.is_empty() {
        return Err("attachment_empty");
    }
    if bytes.len() > MAX_BYTES {
        return Err("attachment_too_large");
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if bytes.starts_with(b"%PDF-") {
        return Ok((bytes.to_vec(), "application/pdf"));
    }
    if let Ok((clean, kind)) = crate::photos::clean(bytes) {
        return Ok((clean, kind));
    }
    // Office files are zip archives; the name says which.
    if bytes.starts_with(b"PK\x03\x04") {
        let kind = match ext.as_str() {
            "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            _ => return Err("attachment_type"),
        };
        return Ok((bytes.to_vec(), kind));
    }
    if matches!(ext.as_str(), "csv" | "txt") && !bytes.contains(&0) {
        let kind = if ext == "csv" {
            "text/csv"
        } else {
            "text/plain"
        };
        return Ok((bytes.to_vec(), kind));
    }
    Err("attachment_type")
}

/// A file name safe to store and to send back in a header: no path, no
/// control characters, at most 100 characters.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(100)
        .collect();
    if cleaned.trim().is_empty() {
        "file".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_judged_by_their_bytes_and_name() {
        assert_eq!(
            accept("a.pdf", b"%PDF-1.7 ...").unwrap().1,
            "application/pdf"
        );
        assert_eq!(
            accept("a.csv", "件数,時間\n1,2".as_bytes()).unwrap().1,
            "text/csv"
        );
        assert!(
            accept("a.xlsx", b"PK\x03\x04....")
                .unwrap()
                .1
                .contains("spreadsheetml")
        );
        assert_eq!(
            accept("a.zip", b"PK\x03\x04....").unwrap_err(),
            "attachment_type"
        );
        assert_eq!(
            accept("a.exe", b"MZ\x90\x00").unwrap_err(),
            "attachment_type"
        );
        assert_eq!(accept("a.txt", b"a\x00b").unwrap_err(), "attachment_type");
        assert_eq!(
            accept("a.pdf", &vec![b'%'; MAX_BYTES + 1]).unwrap_err(),
            "attachment_too_large"
        );
        assert_eq!(clean_name("C:\\書類\\申請書.pdf"), "申請書.pdf");
        assert_eq!(clean_name("../\"x\".pdf"), "x.pdf");
    }
}
