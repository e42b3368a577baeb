//! QR codes for authenticator-app setup, as inline SVG. Inline SVG is markup, not
//! script or style, so the strict CSP allows it, and the secret never leaves the page
//! in a separate (cacheable) image request.

use qrcode::QrCode;
use qrcode::render::svg;

/// The SVG of `text` (an `otpauth://` URI), or `None` if it is too long for a QR code.
pub fn svg_for(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_svg_without_style_or_script() {
        let svg = svg_for("otpauth://totp/Portcullis:a%40b.test?secret=JBSWY3DPEHPK3PXP&issuer=Portcullis")
            .unwrap();
        assert!(svg.contains("<svg"), "{svg}");
        assert!(!svg.contains("style"), "CSP forbids inline style: {svg}");
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn too_long_text_is_refused() {
        assert!(svg_for(&"x".repeat(10_000)).is_none());
    }
}
