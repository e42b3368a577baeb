//! Checks of single values, each returning the message for a [`RowError`](crate::RowError).

use portcullis_core::GroupId;

use crate::input::RawValue;
use crate::row::GroupRef;

/// Longest display name Graph accepts.
pub(crate) const MAX_DISPLAY_NAME: usize = 256;
/// Longest free-text attribute accepted.
pub(crate) const MAX_ATTRIBUTE: usize = 1024;

pub(crate) fn text(value: RawValue) -> Result<String, String> {
    match value {
        RawValue::Text(text) => Ok(text.trim().to_owned()),
        RawValue::Bool(_) => Err("expected text, found a boolean".into()),
        RawValue::List(_) => Err("expected text, found an array".into()),
        RawValue::Unsupported(kind) => Err(format!("expected text, found {kind}")),
    }
}

/// Text of at most `max` characters (empty counts as absent).
pub(crate) fn bounded_text(value: RawValue, max: usize) -> Result<Option<String>, String> {
    let text = text(value)?;
    if text.chars().count() > max {
        return Err(format!("longer than {max} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err("contains control characters".into());
    }
    Ok((!text.is_empty()).then_some(text))
}

/// `true`/`false` (also `yes`/`no`, `1`/`0`, any case, as spreadsheets write them).
pub(crate) fn boolean(value: RawValue) -> Result<bool, String> {
    match value {
        RawValue::Bool(b) => Ok(b),
        RawValue::Text(text) => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(true),
            "false" | "no" | "0" => Ok(false),
            _ => Err(format!("{text:?} is not a boolean (true or false)")),
        },
        RawValue::List(_) => Err("expected a boolean, found an array".into()),
        RawValue::Unsupported(kind) => Err(format!("expected a boolean, found {kind}")),
    }
}

/// A `;`-separated cell or a JSON array of strings.
pub(crate) fn list(value: RawValue) -> Result<Vec<String>, String> {
    let items = match value {
        RawValue::Text(text) => text.split(';').map(str::to_owned).collect(),
        RawValue::List(items) => items,
        RawValue::Bool(_) => return Err("expected a list, found a boolean".into()),
        RawValue::Unsupported(kind) => return Err(format!("expected a list, found {kind}")),
    };
    Ok(items
        .into_iter()
        .map(|item| item.trim().to_owned())
        .filter(|item| !item.is_empty())
        .collect())
}

/// Group references: a GUID names a group by id, anything else by display name.
pub(crate) fn group_refs(value: RawValue) -> Result<Vec<GroupRef>, String> {
    let mut refs: Vec<GroupRef> = Vec::new();
    for item in list(value)? {
        let reference = match GroupId::parse(&item) {
            Ok(id) => GroupRef::Id(id),
            Err(_) if item.chars().count() > MAX_DISPLAY_NAME => {
                return Err(format!(
                    "group name {item:?} is longer than {MAX_DISPLAY_NAME} characters"
                ));
            }
            Err(_) => GroupRef::Name(item),
        };
        if !refs.contains(&reference) {
            refs.push(reference);
        }
    }
    Ok(refs)
}

/// A mail address: `local@domain` without spaces (the shape check Graph applies).
pub(crate) fn mail(value: RawValue) -> Result<Option<String>, String> {
    let Some(text) = bounded_text(value, 254)? else {
        return Ok(None);
    };
    portcullis_core::user::validate_upn(&text)
        .map_err(|_| format!("{text:?} is not a mail address (name@domain)"))?;
    Ok(Some(text))
}
