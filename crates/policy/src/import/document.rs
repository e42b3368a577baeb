//! Parsing decoded text into model objects: overall shape (object, array, collection),
//! typed deserialization with positions, and kind detection for mixed files.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{ImportError, decode};
use crate::model::{AuthenticationStrengthPolicy, ConditionalAccessPolicy, NamedLocation};

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

/// Decodes `bytes`, checks the JSON syntax and finds the overall shape.
fn parse_shape(bytes: &[u8]) -> Result<(String, Shape, Value), ImportError> {
    let (text, _) = decode(bytes)?;
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    // First pass: syntax and overall shape, with positions for syntax errors.
    let value = serde_json::from_str::<Value>(&text).map_err(|e| json_error(&text, &e))?;
    let shape = match &value {
        Value::Array(_) => Shape::Array,
        Value::Object(fields) if matches!(fields.get("value"), Some(Value::Array(_))) => {
            Shape::Collection
        }
        Value::Object(_) => Shape::Single,
        other => {
            return Err(ImportError::Shape(format!(
                "expected an object, an array of objects or a {{\"value\": [...]}} collection, found {}",
                json_kind(other)
            )));
        }
    };
    Ok((text, shape, value))
}

/// Second pass: typed, straight from the text so type errors keep their positions.
fn parse_typed<T: DeserializeOwned>(text: &str, shape: &Shape) -> Result<Vec<T>, ImportError> {
    let parsed = match shape {
        Shape::Single => serde_json::from_str::<T>(text).map(|item| vec![item]),
        Shape::Array => serde_json::from_str::<Vec<T>>(text),
        Shape::Collection => serde_json::from_str::<Collection<T>>(text).map(|c| c.value),
    };
    parsed.map_err(|error| json_error(text, &error))
}

/// Decodes `bytes` and parses every object in it as a `T`.
pub fn import_all<T: DeserializeOwned>(bytes: &[u8]) -> Result<Vec<T>, ImportError> {
    let (text, shape, _) = parse_shape(bytes)?;
    parse_typed(&text, &shape)
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
/// The kinds of Graph object [`import_documents`] recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// `conditionalAccessPolicy` (also a What If `whatIfAnalysisResult`, which is one).
    Policy,
    /// `namedLocation` of any subtype.
    NamedLocation,
    /// `authenticationStrengthPolicy`.
    AuthenticationStrength,
}

/// One imported object of any recognised kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    /// A Conditional Access policy.
    Policy(Box<ConditionalAccessPolicy>),
    /// A named location.
    NamedLocation(Box<NamedLocation>),
    /// An authentication strength.
    AuthenticationStrength(Box<AuthenticationStrengthPolicy>),
}

impl Document {
    /// Which kind this is.
    pub fn kind(&self) -> DocumentKind {
        match self {
            Document::Policy(_) => DocumentKind::Policy,
            Document::NamedLocation(_) => DocumentKind::NamedLocation,
            Document::AuthenticationStrength(_) => DocumentKind::AuthenticationStrength,
        }
    }
}

/// Imports a file whose kind is not known in advance (a directory export mixes policies
/// and named locations, as the corpus does).
///
/// Each object's kind comes from its `@odata.type` when it names one of the three types,
/// otherwise from properties only that kind has (`conditions`/`grantControls`/`state` for
/// policies, `ipRanges`/`countriesAndRegions` for locations, `allowedCombinations`/
/// `policyType` for strengths). When every object has the same kind, errors carry line and
/// column as in [`import_all`]; in a mixed array they name the item instead.
pub fn import_documents(bytes: &[u8]) -> Result<Vec<Document>, ImportError> {
    let (text, shape, value) = parse_shape(bytes)?;
    let items: Vec<&Value> = match (&shape, &value) {
        (Shape::Single, item) => vec![item],
        (Shape::Array, Value::Array(items)) => items.iter().collect(),
        (Shape::Collection, Value::Object(fields)) => match fields.get("value") {
            Some(Value::Array(items)) => items.iter().collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let kinds = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            classify(item).ok_or_else(|| ImportError::Item {
                index: index + 1,
                message: "cannot tell whether this is a policy, a named location or an authentication strength".to_owned(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let Some(first) = kinds.first().copied() else {
        return Ok(Vec::new());
    };
    if kinds.iter().all(|kind| *kind == first) {
        return Ok(match first {
            DocumentKind::Policy => parse_typed::<ConditionalAccessPolicy>(&text, &shape)?
                .into_iter()
                .map(|policy| Document::Policy(Box::new(policy)))
                .collect(),
            DocumentKind::NamedLocation => parse_typed::<NamedLocation>(&text, &shape)?
                .into_iter()
                .map(|location| Document::NamedLocation(Box::new(location)))
                .collect(),
            DocumentKind::AuthenticationStrength => {
                parse_typed::<AuthenticationStrengthPolicy>(&text, &shape)?
                    .into_iter()
                    .map(|strength| Document::AuthenticationStrength(Box::new(strength)))
                    .collect()
            }
        });
    }
    items
        .into_iter()
        .zip(kinds)
        .enumerate()
        .map(|(index, (item, kind))| {
            document_from_value(kind, item.clone()).map_err(|error| ImportError::Item {
                index: index + 1,
                message: error.to_string(),
            })
        })
        .collect()
}

fn document_from_value(kind: DocumentKind, value: Value) -> Result<Document, serde_json::Error> {
    Ok(match kind {
        DocumentKind::Policy => Document::Policy(Box::new(serde_json::from_value(value)?)),
        DocumentKind::NamedLocation => {
            Document::NamedLocation(Box::new(serde_json::from_value(value)?))
        }
        DocumentKind::AuthenticationStrength => {
            Document::AuthenticationStrength(Box::new(serde_json::from_value(value)?))
        }
    })
}

fn classify(item: &Value) -> Option<DocumentKind> {
    let fields = item.as_object()?;
    if let Some(odata_type) = fields.get("@odata.type").and_then(Value::as_str) {
        let name = odata_type.trim_start_matches('#');
        let name = name.strip_prefix("microsoft.graph.").unwrap_or(name);
        match name {
            "conditionalAccessPolicy" | "whatIfAnalysisResult" => {
                return Some(DocumentKind::Policy);
            }
            "authenticationStrengthPolicy" => return Some(DocumentKind::AuthenticationStrength),
            _ if name.ends_with("NamedLocation") || name == "namedLocation" => {
                return Some(DocumentKind::NamedLocation);
            }
            _ => {}
        }
    }
    let has = |key: &str| fields.contains_key(key);
    if has("conditions") || has("grantControls") || has("sessionControls") || has("state") {
        Some(DocumentKind::Policy)
    } else if has("ipRanges") || has("countriesAndRegions") {
        Some(DocumentKind::NamedLocation)
    } else if has("allowedCombinations") || has("policyType") || has("requirementsSatisfied") {
        Some(DocumentKind::AuthenticationStrength)
    } else {
        None
    }
}
