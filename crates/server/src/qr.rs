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

/// The QR code as an HTML table of black and white cells, for e-mail: mail
/// programs drop SVG and often block images, but all of them draw tables.
pub fn html_table(text: &str, cell_px: u32) -> String {
    let Ok(code) = QrCode::new(text.as_bytes()) else {
        return String::new();
    };
    let width = code.width();
    let dark: Vec<bool> = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    // A quiet zone of four cells around the code, as readers expect.
    let quiet = 4;
    let side = width + 2 * quiet;
    let mut out = String::from(
        "<table role=\"img\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse;background:#fff\">",
    );
    for y in 0..side {
        out.push_str("<tr>");
        for x in 0..side {
            let on = (quiet..quiet + width).contains(&x)
                && (quiet..quiet + width).contains(&y)
                && dark[(y - quiet) * width + (x - quiet)];
            let colour = if on { "#000" } else { "#fff" };
            out.push_str(&format!(
                "<td style=\"width:{cell_px}px;height:{cell_px}px;padding:0;background:{colour}\"></td>"
            ));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
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

    #[test]
    fn the_mail_version_is_a_square_table_with_a_quiet_zone() {
        let t = super::html_table("https://kizuna.example/events/1/check-in?code=AB23CD45", 4);
        let rows = t.matches("<tr>").count();
        assert!(rows >= 29, "{rows}");
        assert_eq!(t.matches("<td").count(), rows * rows);
        assert!(t.contains("background:#000"));
    }
}
