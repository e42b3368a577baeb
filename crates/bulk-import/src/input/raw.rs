//! A record as read, before validation: property names as the file spells them, values
//! as text, booleans or lists.

use serde_json::{Map, Value};

/// A cell or property value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawValue {
    Text(String),
    Bool(bool),
    List(Vec<String>),
    /// A JSON value no property accepts (an object, an array of non-strings); the text
    /// says what it was, for the error message.
    Unsupported(&'static str),
}

/// One record: its line and its non-empty properties in file order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawRecord {
    pub line: u64,
    pub fields: Vec<(String, RawValue)>,
}

impl RawRecord {
    /// A JSON object's properties; `null` counts as absent.
    pub(crate) fn from_json_object(line: u64, object: Map<String, Value>) -> RawRecord {
        let fields = object
            .into_iter()
            .filter_map(|(name, value)| raw_value(value).map(|raw| (name, raw)))
            .collect();
        RawRecord { line, fields }
    }
}

fn raw_value(value: Value) -> Option<RawValue> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) => RawValue::Bool(b),
        Value::Number(n) => RawValue::Text(n.to_string()),
        Value::String(s) => RawValue::Text(s),
        Value::Array(items) => {
            let mut texts = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) => texts.push(s),
                    _ => return Some(RawValue::Unsupported("an array of non-strings")),
                }
            }
            RawValue::List(texts)
        }
        Value::Object(_) => RawValue::Unsupported("an object"),
    })
}

/// Describes a parsed JSON value that is not an object, for "expected an object" errors.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
