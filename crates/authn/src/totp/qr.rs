//! The `otpauth://` URI as a QR code for an authenticator app to scan, drawn as inline
//! SVG so the enrolment page needs no image endpoint and stays within a strict
//! Content-Security-Policy.

use qrcode::QrCode;
use qrcode::render::svg;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the text does not fit in a QR code: {0}")]
pub struct QrError(String);

/// An SVG document (`<svg …>…</svg>`, no XML declaration) showing `text` as a QR code
/// with a quiet zone, black on white, at least 200 px wide.
pub fn qr_svg(text: &str) -> Result<String, QrError> {
    let code = QrCode::new(text.as_bytes()).map_err(|e| QrError(e.to_string()))?;
    let document = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // The renderer writes a whole document; inside HTML the XML declaration is noise.
    let inline = match document.find("<svg") {
        Some(start) => document[start..].to_owned(),
        None => document,
    };
    Ok(inline)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_an_svg() {
        let svg = qr_svg("otpauth://totp/Portcullis:adele%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Portcullis")
            .unwrap();
        assert!(svg.contains("<svg"));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(
            !svg.starts_with("<?xml"),
            "inline SVG needs no XML declaration"
        );
    }

    #[test]
    fn too_long_is_an_error() {
        assert!(qr_svg(&"x".repeat(8000)).is_err());
    }
}
