//! How admin subcommands print: JSON for objects and collections (so scripts can pipe
//! them into `jq`), one line of text for changes.

use std::io::Write;

use serde_json::Value;

use crate::admin::AdminError;

/// Pretty JSON followed by a newline.
pub fn json(out: &mut dyn Write, value: &Value) -> Result<(), AdminError> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| AdminError::Output(e.to_string()))?;
    line(out, &text)
}

/// One line of text.
pub fn line(out: &mut dyn Write, text: &str) -> Result<(), AdminError> {
    writeln!(out, "{text}").map_err(|e| AdminError::Output(e.to_string()))
}

/// Percent-encodes one path segment (ids are GUIDs, but user references may be UPNs).
pub fn segment(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'@') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_are_escaped() {
        assert_eq!(super::segment("ada@x.com"), "ada@x.com");
        assert_eq!(super::segment("a/b c"), "a%2Fb%20c");
    }
}
