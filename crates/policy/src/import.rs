//! Reading policy files exactly as Entra exports them (any encoding, `@odata` annotations).
//!
//! Accepted input:
//! * encodings: UTF-8 (with or without BOM), UTF-16 LE/BE with BOM, and BOM-less UTF-16
//!   recognised by its NUL-byte pattern (JSON text starts with ASCII, so every other byte
//!   of the first characters is NUL);
//! * line endings: LF or CRLF (JSON treats `\r` as whitespace);
//! * shapes: one object, a JSON array of objects, or a Graph collection
//!   `{ "@odata.context": …, "value": [ … ] }`.
//!
//! OData annotations are dropped (see [`crate::model::Extra`]). Errors never name a file;
//! the caller adds it. Positions are 1-based lines and columns counted in characters of
//! the decoded text.
//!
//! Export is plain `serde_json` serialization of the model ([`export_json`]): UTF-8, no
//! BOM, no annotations other than polymorphic `@odata.type` discriminators.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use thiserror::Error;

use crate::model::{AuthenticationStrengthPolicy, ConditionalAccessPolicy, NamedLocation};

/// Why a file could not be imported.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ImportError {
    /// The bytes are not text in a supported encoding.
    #[error("not valid {encoding}: {detail}")]
    Encoding {
        /// The encoding that was detected.
        encoding: &'static str,
        /// What was wrong and where.
        detail: String,
    },
    /// The input is empty or only whitespace.
    #[error("the input is empty")]
    Empty,
    /// The text is not valid JSON, or a value has the wrong type.
    #[error("line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What the parser expected or found.
        message: String,
    },
    /// Valid JSON of the wrong overall shape.
    #[error("{0}")]
    Shape(String),
}

/// The text encodings [`decode`] recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark (PowerShell `Out-File -Encoding utf8` on Windows).
    Utf8Bom,
    /// UTF-16 little-endian (with or without BOM); PowerShell 5's default.
    Utf16Le,
    /// UTF-16 big-endian (with or without BOM).
    Utf16Be,
}

/// Detects the encoding of `bytes` and returns the text without its BOM.
pub fn decode(bytes: &[u8]) -> Result<(String, TextEncoding), ImportError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode_utf8(rest).map(|text| (text, TextEncoding::Utf8Bom));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return decode_utf16(rest, TextEncoding::Utf16Le).map(|text| (text, TextEncoding::Utf16Le));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(rest, TextEncoding::Utf16Be).map(|text| (text, TextEncoding::Utf16Be));
    }
    if let Some(encoding) = sniff_bomless_utf16(bytes) {
        return decode_utf16(bytes, encoding).map(|text| (text, encoding));
    }
    decode_utf8(bytes).map(|text| (text, TextEncoding::Utf8))
}

/// JSON text starts with ASCII (whitespace, `{`, `[`), so BOM-less UTF-16 shows NUL as
/// every second byte: odd positions for LE, even for BE. Looks at up to the first 64
/// code units and needs most of them to follow the pattern, while plain UTF-8 JSON never
/// contains NUL bytes at all.
fn sniff_bomless_utf16(bytes: &[u8]) -> Option<TextEncoding> {
    if bytes.len() < 2 {
        return None;
    }
    let units = bytes.chunks_exact(2).take(64);
    let (mut low_nul, mut high_nul, mut count) = (0usize, 0usize, 0usize);
    for unit in units {
        count += 1;
        if unit[0] == 0 && unit[1] != 0 {
            low_nul += 1;
        }
        if unit[1] == 0 && unit[0] != 0 {
            high_nul += 1;
        }
    }
    // At least three quarters of the units must look like ASCII in UTF-16.
    let threshold = (count * 3).div_ceil(4);
    if high_nul >= threshold && high_nul > 0 {
        Some(TextEncoding::Utf16Le)
    } else if low_nul >= threshold && low_nul > 0 {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

fn decode_utf8(bytes: &[u8]) -> Result<String, ImportError> {
    String::from_utf8(bytes.to_vec()).map_err(|error| ImportError::Encoding {
        encoding: "UTF-8",
        detail: format!(
            "invalid byte sequence at byte offset {}",
            error.utf8_error().valid_up_to()
        ),
    })
}

fn decode_utf16(bytes: &[u8], encoding: TextEncoding) -> Result<String, ImportError> {
    let name = if encoding == TextEncoding::Utf16Be {
        "UTF-16BE"
    } else {
        "UTF-16LE"
    };
    if !bytes.len().is_multiple_of(2) {
        return Err(ImportError::Encoding {
            encoding: name,
            detail: format!("odd number of bytes ({})", bytes.len()),
        });
    }
    let units = bytes.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if encoding == TextEncoding::Utf16Be {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    let mut text = String::with_capacity(bytes.len() / 2);
    for (index, decoded) in char::decode_utf16(units).enumerate() {
        match decoded {
            Ok(character) => text.push(character),
            Err(error) => {
                return Err(ImportError::Encoding {
                    encoding: name,
                    detail: format!(
                        "unpaired surrogate 0x{:04X} at code unit {index}",
                        error.unpaired_surrogate()
                    ),
                });
            }
        }
    }
    Ok(text)
}

/// Converts a `serde_json` error into an [`ImportError::Json`] whose column counts
/// characters (serde_json counts bytes) and whose message has no trailing position.
fn json_error(text: &str, error: &serde_json::Error) -> ImportError {
    let line = error.line();
    let byte_column = error.column();
    let full = error.to_string();
    let suffix = format!(" at line {line} column {byte_column}");
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
    let column = text
        .split('\n')
        .nth(line.saturating_sub(1))
        .map(|line_text| {
            let mut end = byte_column.saturating_sub(1).min(line_text.len());
            while !line_text.is_char_boundary(end) {
                end -= 1;
            }
            line_text[..end].chars().count() + 1
        })
        .unwrap_or(byte_column);
    ImportError::Json {
        line: line.max(1),
        column,
        message,
    }
}

/// The overall shape of a document.
enum Shape {
    Single,
    Array,
    Collection,
}

/// Decodes `bytes` and parses every object in it as a `T`.
pub fn import_all<T: DeserializeOwned>(bytes: &[u8]) -> Result<Vec<T>, ImportError> {
    let (text, _) = decode(bytes)?;
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    // First pass: syntax and overall shape, with positions for syntax errors.
    let shape = match serde_json::from_str::<Value>(&text).map_err(|e| json_error(&text, &e))? {
        Value::Array(_) => Shape::Array,
        Value::Object(fields) if matches!(fields.get("value"), Some(Value::Array(_))) => {
            Shape::Collection
        }
        Value::Object(_) => Shape::Single,
        other => {
            return Err(ImportError::Shape(format!(
                "expected an object, an array of objects or a {{\"value\": [...]}} collection, found {}",
                json_kind(&other)
            )));
        }
    };
    // Second pass: typed, straight from the text so type errors keep their positions.
    let parsed = match shape {
        Shape::Single => serde_json::from_str::<T>(&text).map(|item| vec![item]),
        Shape::Array => serde_json::from_str::<Vec<T>>(&text),
        Shape::Collection => serde_json::from_str::<Collection<T>>(&text).map(|c| c.value),
    };
    parsed.map_err(|error| json_error(&text, &error))
}

#[derive(serde::Deserialize)]
struct Collection<T> {
    value: Vec<T>,
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Imports Conditional Access policies.
pub fn import_policies(bytes: &[u8]) -> Result<Vec<ConditionalAccessPolicy>, ImportError> {
    import_all(bytes)
}

/// Imports named locations.
pub fn import_named_locations(bytes: &[u8]) -> Result<Vec<NamedLocation>, ImportError> {
    import_all(bytes)
}

/// Imports authentication strength policies.
pub fn import_authentication_strengths(
    bytes: &[u8],
) -> Result<Vec<AuthenticationStrengthPolicy>, ImportError> {
    import_all(bytes)
}

/// Why export failed (only possible for values serde cannot represent as JSON).
#[derive(Debug, Error)]
#[error("cannot serialize to JSON: {0}")]
pub struct ExportError(#[from] serde_json::Error);

/// Serializes any model value as pretty-printed UTF-8 JSON (no BOM).
pub fn export_json<T: Serialize + ?Sized>(value: &T) -> Result<String, ExportError> {
    Ok(serde_json::to_string_pretty(value)?)
}
