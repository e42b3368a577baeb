//! Conditional Access policies as files in a Git-managed directory: one JSON file per
//! policy, named after the policy, keys in a fixed order, so exports diff cleanly and a
//! re-export of an unchanged server writes identical bytes.
//!
//! Both the files and the server's answers go through the engine's model
//! (`portcullis_policy`), which imports any Entra export (UTF-16, BOM, `@odata`
//! annotations) and normalises them the same way; comparing the two normal forms is what
//! the plan does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use portcullis_policy::ConditionalAccessPolicy;
use serde_json::{Map, Value};

use crate::admin::AdminError;

/// Properties the server owns: never written to files, never compared.
const SERVER_OWNED: &[&str] = &["createdDateTime", "modifiedDateTime"];
/// Top-level keys first, in this order; the rest (and every nested object) alphabetical.
const LEADING_KEYS: &[&str] = &[
    "id",
    "displayName",
    "description",
    "state",
    "templateId",
    "conditions",
    "grantControls",
    "sessionControls",
];

/// A policy read from a file.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    pub path: PathBuf,
    pub policy: Value,
}

impl PolicyFile {
    pub fn id(&self) -> Option<&str> {
        self.policy["id"].as_str()
    }

    pub fn display_name(&self) -> &str {
        self.policy["displayName"].as_str().unwrap_or("")
    }
}

/// The normal form of one policy: through the model, server-owned properties dropped,
/// keys in the stable order.
pub fn normalize(policy: &ConditionalAccessPolicy) -> Result<Value, AdminError> {
    let value = serde_json::to_value(policy).map_err(|e| AdminError::Output(e.to_string()))?;
    let Value::Object(mut object) = value else {
        return Err(AdminError::Output("a policy is not a JSON object".into()));
    };
    for key in SERVER_OWNED {
        object.remove(*key);
    }
    let mut ordered = Map::new();
    for key in LEADING_KEYS {
        if let Some(value) = object.remove(*key) {
            ordered.insert((*key).to_owned(), sort_keys(value));
        }
    }
    let rest: BTreeMap<String, Value> = object.into_iter().collect();
    for (key, value) in rest {
        ordered.insert(key, sort_keys(value));
    }
    Ok(Value::Object(ordered))
}

/// A server answer (one policy object) in normal form.
pub fn normalize_json(json: &Value) -> Result<Value, AdminError> {
    let policy: ConditionalAccessPolicy = serde_json::from_value(json.clone()).map_err(|e| {
        AdminError::Output(format!("the server sent a policy that does not parse: {e}"))
    })?;
    normalize(&policy)
}

fn sort_keys(value: Value) -> Value {
    match value {
        Value::Object(object) => {
            let sorted: BTreeMap<String, Value> = object.into_iter().collect();
            Value::Object(sorted.into_iter().map(|(k, v)| (k, sort_keys(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

/// Reads every `*.json` file in `dir` (not recursive), in name order. A file may hold
/// one policy, an array, or a Graph collection (`{"value": [...]}`), in any encoding
/// Entra exports use.
pub fn read_dir(dir: &Path) -> Result<Vec<PolicyFile>, AdminError> {
    let entries = std::fs::read_dir(dir).map_err(|e| AdminError::Files {
        path: dir.to_owned(),
        why: e.to_string(),
    })?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| AdminError::Files {
                path: dir.to_owned(),
                why: e.to_string(),
            })?
            .path();
        if path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("json"))
            && path.is_file()
        {
            paths.push(path);
        }
    }
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let bytes = std::fs::read(&path).map_err(|e| AdminError::Files {
            path: path.clone(),
            why: e.to_string(),
        })?;
        let policies =
            portcullis_policy::import_policies(&bytes).map_err(|e| AdminError::Files {
                path: path.clone(),
                why: e.to_string(),
            })?;
        for policy in policies {
            files.push(PolicyFile {
                path: path.clone(),
                policy: normalize(&policy)?,
            });
        }
    }
    Ok(files)
}

/// The file name for a policy: its display name with anything but letters, digits,
/// `-`, `_` and `.` replaced, so names are portable and stable across exports.
pub fn file_stem(display_name: &str) -> String {
    let mut stem: String = display_name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    while stem.contains("--") {
        stem = stem.replace("--", "-");
    }
    let stem = stem.trim_matches(['-', '.']).to_owned();
    if stem.is_empty() {
        "policy".to_owned()
    } else {
        stem.chars().take(120).collect()
    }
}

/// Writes one file per policy (UTF-8, two-space indent, trailing newline). Two policies
/// with the same name get their id appended, so neither overwrites the other.
pub fn write_dir(dir: &Path, policies: &[Value]) -> Result<Vec<PathBuf>, AdminError> {
    std::fs::create_dir_all(dir).map_err(|e| AdminError::Files {
        path: dir.to_owned(),
        why: e.to_string(),
    })?;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for policy in policies {
        *counts
            .entry(file_stem(policy["displayName"].as_str().unwrap_or("")))
            .or_default() += 1;
    }
    let mut written = Vec::new();
    for policy in policies {
        let stem = file_stem(policy["displayName"].as_str().unwrap_or(""));
        let name = if counts.get(&stem).copied().unwrap_or(0) > 1 {
            format!("{stem}--{}.json", policy["id"].as_str().unwrap_or("no-id"))
        } else {
            format!("{stem}.json")
        };
        let path = dir.join(name);
        let mut text =
            serde_json::to_string_pretty(policy).map_err(|e| AdminError::Output(e.to_string()))?;
        text.push('\n');
        std::fs::write(&path, text).map_err(|e| AdminError::Files {
            path: path.clone(),
            why: e.to_string(),
        })?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stems_are_portable() {
        assert_eq!(
            file_stem("CA001: Block legacy auth!"),
            "CA001-Block-legacy-auth"
        );
        assert_eq!(file_stem("  "), "policy");
        assert_eq!(file_stem("../../etc/passwd"), "etc-passwd");
    }

    #[test]
    fn normal_form_orders_keys_and_drops_server_properties() {
        let policy: ConditionalAccessPolicy = serde_json::from_value(json!({
            "@odata.context": "x",
            "state": "disabled",
            "modifiedDateTime": "2026-01-01T00:00:00Z",
            "displayName": "P",
            "id": "1",
            "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}},
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
        }))
        .unwrap();
        let normal = normalize(&policy).unwrap();
        let keys: Vec<&String> = normal.as_object().unwrap().keys().collect();
        assert_eq!(keys[0], "id");
        assert_eq!(keys[1], "displayName");
        assert!(normal.get("modifiedDateTime").is_none());
        assert!(normal.get("@odata.context").is_none());
        let conditions: Vec<&String> = normal["conditions"].as_object().unwrap().keys().collect();
        let mut sorted = conditions.clone();
        sorted.sort();
        assert_eq!(conditions, sorted);
    }
}
