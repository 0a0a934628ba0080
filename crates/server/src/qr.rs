//! QR codes as inline SVG (no image files, nothing fetched): the check-in
//! code of a registration, as a link to the event's check-in page so that
//! any phone camera opens it for the staff.

use qrcode::QrCode;
use qrcode::render::svg;

/// An SVG of `text` as a QR code, `size` pixels wide, labelled for screen readers.
pub fn svg(text: &str, size: u32, label: &str) -> String {
    let Ok(code) = QrCode::new(text.as_bytes()) else {
        return String::new();
    };
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(size, size)
        .quiet_zone(true)
        .build();
    // Inline in HTML: drop the XML declaration, add an accessible name.
    image
        .split_once("<svg")
        .map(|(_, rest)| format!("<svg role=\"img\" aria-label=\"{}\"{rest}", escape(label)))
        .unwrap_or_default()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_code_becomes_an_inline_svg_with_a_name() {
        let s = super::svg(
            "https://kizuna.example/events/1/check-in?code=AB23CD45",
            160,
            "受付用QRコード",
        );
        assert!(s.starts_with("<svg role=\"img\" aria-label=\"受付用QRコード\""));
        assert!(s.ends_with("</svg>"));
        assert!(!s.contains("<?xml") && !s.contains("style="));
    }
}
