//! The page for `response_mode=form_post` (OAuth 2.0 Form Post Response Mode): a form
//! of hidden fields POSTed to the client's redirect URI, submitted by a one-line
//! script, with a button for browsers without JavaScript. Every value is
//! HTML-escaped here so the glue cannot get it wrong; the page's only script is fixed,
//! so the glue can allow exactly it with [`form_post_script_csp_source`].

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use super::response::AuthorizationResponse;

const SUBMIT_SCRIPT: &str = "document.forms[0].submit();";

/// The CSP source that allows the page's script: `'sha256-…'`, for
/// `Content-Security-Policy: default-src 'none'; script-src <this>; form-action <redirect origin>`.
pub fn form_post_script_csp_source() -> String {
    format!(
        "'sha256-{}'",
        STANDARD.encode(Sha256::digest(SUBMIT_SCRIPT.as_bytes()))
    )
}

impl AuthorizationResponse {
    /// The complete HTML page for `response_mode=form_post`.
    pub fn form_post_html(&self) -> String {
        let mut fields = String::new();
        for (name, value) in &self.params {
            fields.push_str(&format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape_html(name),
                escape_html(value)
            ));
        }
        format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Signing in…</title></head>\
             <body><form method=\"post\" action=\"{}\">{fields}\
             <noscript><button type=\"submit\">Continue</button></noscript></form>\
             <script>{SUBMIT_SCRIPT}</script></body></html>",
            escape_html(&self.redirect_uri)
        )
    }
}

/// Escapes text for an HTML attribute value in double quotes (and for text content).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authorize::ResponseMode;

    #[test]
    fn values_are_escaped_and_the_script_hash_matches() {
        let response = AuthorizationResponse {
            redirect_uri: "https://app.example/cb?a=1&b=2".into(),
            response_mode: ResponseMode::FormPost,
            params: vec![
                ("code".into(), "abc".into()),
                ("state".into(), "\"><script>alert(1)</script>".into()),
            ],
        };
        let html = response.form_post_html();
        assert!(html.contains("action=\"https://app.example/cb?a=1&amp;b=2\""));
        assert!(html.contains("value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""));
        assert_eq!(html.matches("<script>").count(), 1);
        assert!(html.contains("<input type=\"hidden\" name=\"code\" value=\"abc\">"));
        // Independently computed: printf 'document.forms[0].submit();' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            form_post_script_csp_source(),
            format!("'sha256-{}'", EXPECTED_HASH)
        );
    }

    const EXPECTED_HASH: &str = "8lDeP0UDwCO6/RhblgeH/ctdBzjVpJxrXizsnIk3cEQ=";
}
