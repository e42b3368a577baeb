//! The difference between a directory of policy files and the server: what `apply`
//! would create, update and delete. Pure, so it is tested without a server.
//!
//! Matching: a file whose `id` is a server policy's id is that policy; otherwise a file
//! matches the one server policy with the same `displayName` (so Entra exports, whose
//! ids mean nothing here, update instead of duplicating); otherwise it is new. Server
//! policies no file matched are deleted.

use std::collections::HashSet;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::admin::AdminError;
use crate::admin::policies::files::PolicyFile;

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Create {
        name: String,
        file: String,
        body: Value,
    },
    Update {
        id: String,
        name: String,
        file: String,
        /// JSON paths that differ (`conditions.users.excludeGroups`).
        changed: Vec<String>,
        body: Value,
    },
    Delete {
        id: String,
        name: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub unchanged: usize,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    pub fn count(&self, kind: &str) -> usize {
        self.steps
            .iter()
            .filter(|s| {
                matches!(
                    (kind, s),
                    ("create", Step::Create { .. })
                        | ("update", Step::Update { .. })
                        | ("delete", Step::Delete { .. })
                )
            })
            .count()
    }

    /// The plan as people read it.
    pub fn render(&self) -> String {
        let mut text = String::new();
        for step in &self.steps {
            let _ = match step {
                Step::Create { name, file, .. } => writeln!(text, "+ create {name:?} ({file})"),
                Step::Update {
                    name,
                    file,
                    changed,
                    ..
                } => writeln!(text, "~ update {name:?} ({file}): {}", changed.join(", ")),
                Step::Delete { id, name } => writeln!(text, "- delete {name:?} (id {id})"),
            };
        }
        let _ = writeln!(
            text,
            "Plan: {} to create, {} to update, {} to delete, {} unchanged.",
            self.count("create"),
            self.count("update"),
            self.count("delete"),
            self.unchanged
        );
        text
    }
}

/// Compares normal-form files with normal-form server policies.
pub fn plan(files: &[PolicyFile], server: &[Value]) -> Result<Plan, AdminError> {
    let mut plan = Plan::default();
    let mut matched: HashSet<String> = HashSet::new();
    for file in files {
        let file_name = file
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let by_id = file
            .id()
            .and_then(|id| server.iter().find(|s| s["id"].as_str() == Some(id)));
        let by_name = || {
            let same: Vec<&Value> = server
                .iter()
                .filter(|s| s["displayName"].as_str() == Some(file.display_name()))
                .collect();
            (same.len() == 1).then(|| same[0])
        };
        let Some(current) = by_id.or_else(by_name) else {
            plan.steps.push(Step::Create {
                name: file.display_name().to_owned(),
                file: file_name,
                body: without_id(&file.policy),
            });
            continue;
        };
        let id = current["id"].as_str().unwrap_or_default().to_owned();
        if !matched.insert(id.clone()) {
            return Err(AdminError::Usage(format!(
                "{file_name}: a second file for the policy {:?} (id {id}); each policy must have one file",
                file.display_name()
            )));
        }
        let wanted = without_id(&file.policy);
        let have = without_id(current);
        let mut changed = Vec::new();
        diff_paths(&have, &wanted, "", &mut changed);
        if changed.is_empty() {
            plan.unchanged += 1;
        } else {
            plan.steps.push(Step::Update {
                id,
                name: file.display_name().to_owned(),
                file: file_name,
                changed,
                body: patch_body(&have, &wanted),
            });
        }
    }
    for policy in server {
        let id = policy["id"].as_str().unwrap_or_default();
        if !matched.contains(id) {
            plan.steps.push(Step::Delete {
                id: id.to_owned(),
                name: policy["displayName"].as_str().unwrap_or("").to_owned(),
            });
        }
    }
    Ok(plan)
}

fn without_id(policy: &Value) -> Value {
    let mut policy = policy.clone();
    if let Value::Object(object) = &mut policy {
        object.remove("id");
    }
    policy
}

/// A PATCH replaces the top-level properties it names, so the body is the whole wanted
/// policy plus `null` for any property only the server has.
fn patch_body(have: &Value, wanted: &Value) -> Value {
    let mut body: Map<String, Value> = wanted.as_object().cloned().unwrap_or_default();
    if let Some(current) = have.as_object() {
        for key in current.keys() {
            body.entry(key.clone()).or_insert(Value::Null);
        }
    }
    Value::Object(body)
}

fn diff_paths(have: &Value, wanted: &Value, prefix: &str, out: &mut Vec<String>) {
    match (have, wanted) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                let null = Value::Null;
                diff_paths(
                    a.get(key).unwrap_or(&null),
                    b.get(key).unwrap_or(&null),
                    &path,
                    out,
                );
            }
        }
        (a, b) if a != b => out.push(prefix.to_owned()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn file(name: &str, policy: Value) -> PolicyFile {
        PolicyFile {
            path: format!("/p/{name}.json").into(),
            policy,
        }
    }

    #[test]
    fn creates_updates_deletes_and_unchanged() {
        let server = vec![
            json!({"id": "1", "displayName": "Same", "state": "enabled"}),
            json!({"id": "2", "displayName": "Changed", "state": "disabled", "conditions": {"users": {"includeUsers": ["All"], "excludeUsers": []}}}),
            json!({"id": "3", "displayName": "Gone", "state": "disabled"}),
        ];
        let files = vec![
            file(
                "same",
                json!({"id": "1", "displayName": "Same", "state": "enabled"}),
            ),
            // No id (an Entra export): matched by name.
            file(
                "changed",
                json!({"displayName": "Changed", "state": "enabledForReportingButNotEnforced", "conditions": {"users": {"includeUsers": ["All"], "excludeUsers": ["u"]}}}),
            ),
            file(
                "new",
                json!({"id": "from-entra", "displayName": "New", "state": "disabled"}),
            ),
        ];
        let plan = plan(&files, &server).unwrap();
        assert_eq!(plan.unchanged, 1);
        assert_eq!(plan.count("create"), 1);
        assert_eq!(plan.count("delete"), 1);
        let Step::Update { id, changed, .. } = &plan.steps[0] else {
            panic!("{:?}", plan.steps[0]);
        };
        assert_eq!(id, "2");
        assert_eq!(changed, &["conditions.users.excludeUsers", "state"]);
        let Step::Create { body, .. } = &plan.steps[1] else {
            panic!()
        };
        assert!(body.get("id").is_none(), "the server assigns ids");
        let text = plan.render();
        assert!(text.contains("+ create \"New\""), "{text}");
        assert!(text.contains("- delete \"Gone\" (id 3)"), "{text}");
        assert!(text.contains("Plan: 1 to create, 1 to update, 1 to delete, 1 unchanged."));
    }

    #[test]
    fn a_property_only_the_server_has_is_cleared() {
        let server = vec![json!({"id": "1", "displayName": "P", "sessionControls": {"x": 1}})];
        let files = vec![file("p", json!({"id": "1", "displayName": "P"}))];
        let plan = plan(&files, &server).unwrap();
        let Step::Update { body, changed, .. } = &plan.steps[0] else {
            panic!()
        };
        assert_eq!(changed, &["sessionControls"]);
        assert_eq!(body["sessionControls"], Value::Null);
    }

    #[test]
    fn two_files_for_one_policy_are_refused() {
        let server = vec![json!({"id": "1", "displayName": "P"})];
        let files = vec![
            file("a", json!({"id": "1", "displayName": "P"})),
            file("b", json!({"displayName": "P", "state": "disabled"})),
        ];
        assert!(plan(&files, &server).is_err());
    }
}
