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

mod document;
mod encoding;

pub use document::{
    Document, DocumentKind, import_all, import_authentication_strengths, import_documents,
    import_named_locations, import_policies,
};
pub use encoding::{TextEncoding, decode};

use serde::Serialize;
use thiserror::Error;

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
    /// One item of a mixed array or collection is wrong (see [`import_documents`]).
    #[error("item {index}: {message}")]
    Item {
        /// 1-based position in the array or collection.
        index: usize,
        /// What is wrong with it.
        message: String,
    },
}
/// Why export failed (only possible for values serde cannot represent as JSON).
#[derive(Debug, Error)]
#[error("cannot serialize to JSON: {0}")]
pub struct ExportError(#[from] serde_json::Error);

/// Serializes any model value as pretty-printed UTF-8 JSON (no BOM).
pub fn export_json<T: Serialize + ?Sized>(value: &T) -> Result<String, ExportError> {
    Ok(serde_json::to_string_pretty(value)?)
}
