//! The real Entra export corpus (36 policies, 3 named locations) goes in through the admin
//! API on both backends exactly as an administrator migrating from Entra would send it:
//! locations first (the server assigns new ids, so the policies' references are rewritten
//! the way `portcullis policies import` does), then every policy in report-only, the safe
//! first state. Every policy must be accepted and read back with the roles, groups and
//! controls it was sent with — including the Entra roles Portcullis grants no permission
//! for (Exchange, Teams, Windows 365 …), which are valid targets that match nobody yet.
#![allow(clippy::unwrap_used)]

use crate::common;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use common::{TestApp, backends, spawn_with};
use serde_json::{Value, json};

const BASE: &str = "/v1.0/identity/conditionalAccess";

fn corpus(sub: &str) -> Vec<(PathBuf, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/conditional-access/j0eyv-baseline")
        .join(sub);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("fixture directory {} is missing: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let (text, _) = portcullis_policy::import::decode(&fs::read(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let json =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path, json)
        })
        .collect()
}

/// Creates the exported named locations and returns old id → new id.
async fn import_locations(app: &TestApp, token: &str) -> BTreeMap<String, String> {
    let mut ids = BTreeMap::new();
    for (path, location) in corpus("NamedLocations") {
        let old = location["id"].as_str().unwrap().to_owned();
        let (status, created) = app
            .post(&format!("{BASE}/namedLocations"), token, location)
            .await;
        assert_eq!(status, 201, "{}: {created}", path.display());
        ids.insert(old, created["id"].as_str().unwrap().to_owned());
    }
    ids
}

fn rewrite_location_ids(policy: &mut Value, ids: &BTreeMap<String, String>) {
    let Some(locations) = policy.pointer_mut("/conditions/locations") else {
        return;
    };
    for key in ["includeLocations", "excludeLocations"] {
        if let Some(list) = locations.get_mut(key).and_then(Value::as_array_mut) {
            for id in list.iter_mut() {
                if let Some(new) = id.as_str().and_then(|old| ids.get(old)) {
                    *id = Value::String(new.clone());
                }
            }
        }
    }
}

fn string_set(value: Option<&Value>) -> Vec<String> {
    let mut items: Vec<String> = value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_ascii_lowercase))
                .collect()
        })
        .unwrap_or_default();
    items.sort();
    items
}

#[tokio::test]
async fn the_whole_entra_corpus_imports_through_the_admin_api() {
    for backend in backends() {
        eprintln!("backend: {backend:?}");
        let app = spawn_with(&backend, Default::default()).await;
        let token = app.admin_token().await;
        let ids = import_locations(&app, &token).await;
        assert_eq!(ids.len(), 3);

        let policies = corpus("ConditionalAccess");
        assert_eq!(policies.len(), 36);
        let mut refused = Vec::new();
        for (path, mut policy) in policies {
            rewrite_location_ids(&mut policy, &ids);
            policy["state"] = json!("enabledForReportingButNotEnforced");
            let (status, created) = app
                .post(&format!("{BASE}/policies"), &token, policy.clone())
                .await;
            if status != 201 {
                refused.push(format!("{}: {status} {created}", path.display()));
                continue;
            }
            let id = created["id"].as_str().unwrap();
            let (_, stored) = app.get(&format!("{BASE}/policies/{id}"), &token).await;
            for pointer in [
                "/conditions/users/includeRoles",
                "/conditions/users/excludeRoles",
                "/conditions/users/includeGroups",
                "/conditions/users/excludeGroups",
                "/grantControls/builtInControls",
                "/conditions/clientAppTypes",
            ] {
                assert_eq!(
                    string_set(stored.pointer(pointer)),
                    string_set(policy.pointer(pointer)),
                    "{} {pointer}",
                    path.display()
                );
            }
        }
        assert!(refused.is_empty(), "refused:\n{}", refused.join("\n"));

        // A typo in a role id is still refused: the catalogue is not "any GUID".
        let (status, body) = app
            .post(
                &format!("{BASE}/policies"),
                &token,
                json!({
                    "displayName": "typo",
                    "state": "disabled",
                    "conditions": {
                        "users": {"includeRoles": ["62e90394-69f5-4237-9190-012177145e11"]},
                        "applications": {"includeApplications": ["All"]},
                        "clientAppTypes": ["all"]
                    },
                    "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
                }),
            )
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("includeRoles"),
            "{body}"
        );
    }
}
