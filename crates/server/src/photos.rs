//! Photos as evidence for ledger entries: JPEG or PNG only (decided from
//! the bytes, not the name), at most 5 MB, and stripped of metadata before
//! storing — EXIF carries the GPS position of a fan's home as easily as of
//! the place they visited.

use axum::body::Bytes;
use img_parts::jpeg::Jpeg;
use img_parts::png::Png;

pub const MAX_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoError {
    TooLarge,
    NotAnImage,
}

impl PhotoError {
    pub fn code(self) -> &'static str {
        match self {
            Self::TooLarge => "photo_too_large",
            Self::NotAnImage => "photo_not_image",
        }
    }
}

/// The cleaned image and its content type.
pub fn clean(bytes: &[u8]) -> Result<(Vec<u8>, &'static str), PhotoError> {
    if bytes.len() > MAX_BYTES {
        return Err(PhotoError::TooLarge);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        let mut jpeg =
            Jpeg::from_bytes(Bytes::copy_from_slice(bytes)).map_err(|_| PhotoError::NotAnImage)?;
        jpeg.dimensions().ok_or(PhotoError::NotAnImage)?;
        // APP1–APP15 hold EXIF, XMP, IPTC, maker notes; COM holds comments.
        // APP0 (JFIF) and the image segments stay.
        jpeg.segments_mut()
            .retain(|s| !matches!(s.marker(), 0xE1..=0xEF | 0xFE));
        return Ok((jpeg.encoder().bytes().to_vec(), "image/jpeg"));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        let mut png =
            Png::from_bytes(Bytes::copy_from_slice(bytes)).map_err(|_| PhotoError::NotAnImage)?;
        png.dimensions().ok_or(PhotoError::NotAnImage)?;
        png.chunks_mut()
            .retain(|c| !matches!(&c.kind(), b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME"));
        return Ok((png.encoder().bytes().to_vec(), "image/png"));
    }
    Err(PhotoError::NotAnImage)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1×1 JPEG with an EXIF segment holding a GPS position.
    const JPEG_WITH_EXIF: &[u8] = include_bytes!("../tests/fixtures/exif.jpg");

    #[test]
    fn exif_is_stripped_from_jpeg() {
        assert!(JPEG_WITH_EXIF.windows(11).any(|w| w == b"GPSLatitude"));
        let (out, ct) = clean(JPEG_WITH_EXIF).unwrap();
        assert_eq!(ct, "image/jpeg");
        assert!(!out.windows(11).any(|w| w == b"GPSLatitude"));
        assert!(out.starts_with(&[0xFF, 0xD8]) && out.ends_with(&[0xFF, 0xD9]));
    }

    #[test]
    fn non_images_and_oversize_files_are_refused() {
        assert_eq!(
            clean(b"%PDF-1.7 not a photo").unwrap_err(),
            PhotoError::NotAnImage
        );
        assert_eq!(
            clean(&vec![0u8; MAX_BYTES + 1]).unwrap_err(),
            PhotoError::TooLarge
        );
        assert_eq!(
            clean(&[0xFF, 0xD8, 0xFF, 0x00]).unwrap_err(),
            PhotoError::NotAnImage
        );
    }
}
