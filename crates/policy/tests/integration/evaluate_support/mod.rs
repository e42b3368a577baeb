//! Builders shared by the evaluator tests.

#![allow(dead_code)]

use portcullis_policy::evaluate::{
    CompiledPolicySet, Decision, PolicySet, SignInContext, evaluate,
};
use portcullis_policy::model::{ConditionalAccessPolicy, NamedLocation};
use serde_json::{Value, json};

pub const USER: &str = "11111111-1111-1111-1111-111111111111";
pub const OTHER_USER: &str = "22222222-2222-2222-2222-222222222222";
pub const GROUP_A: &str = "aaaaaaaa-0000-0000-0000-000000000001";
pub const GROUP_B: &str = "aaaaaaaa-0000-0000-0000-000000000002";
pub const BREAK_GLASS_GROUP: &str = "aaaaaaaa-0000-0000-0000-00000000000b";
pub const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";
pub const APP: &str = "00000003-0000-0ff1-ce00-000000000000";
pub const OTHER_APP: &str = "99999999-0000-0000-0000-000000000009";
pub const NOW: &str = "2026-11-23T08:00:00Z";

/// A policy from partial JSON: `conditions`, `grantControls`, … over sensible defaults
/// (enabled, all users, all apps, MFA).
pub fn policy(id: &str, overrides: Value) -> ConditionalAccessPolicy {
    let mut base = json!({
        "id": id,
        "displayName": id,
        "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"]},
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"]
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
    });
    merge(&mut base, overrides);
    serde_json::from_value(base).expect("valid policy JSON")
}

fn merge(base: &mut Value, overrides: Value) {
    match (base, overrides) {
        (Value::Object(base), Value::Object(overrides)) => {
            for (key, value) in overrides {
                match base.get_mut(&key) {
                    Some(existing) if value.is_object() && existing.is_object() => {
                        merge(existing, value)
                    }
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overrides) => *base = overrides,
    }
}

pub fn location(value: Value) -> NamedLocation {
    serde_json::from_value(value).expect("valid named location JSON")
}

/// A sign-in context from partial JSON over a member user with no groups signing in to
/// APP from a browser on Windows, with a password only.
pub fn sign_in(overrides: Value) -> SignInContext {
    let mut base = json!({
        "identity": {"kind": "user", "id": USER, "userType": "member", "groupIds": [], "roleTemplateIds": []},
        "target": {"kind": "application", "appId": APP},
        "clientAppType": "browser",
        "devicePlatform": "windows",
        "ipAddress": "198.51.100.7",
        "country": "NL",
        "session": {"authenticatedAt": NOW, "methods": [{"method": "password", "at": NOW}]},
        "facts": {"mfaRegistered": true},
        "now": NOW
    });
    merge(&mut base, overrides);
    serde_json::from_value(base).expect("valid sign-in context JSON")
}

pub fn set(policies: Vec<ConditionalAccessPolicy>) -> PolicySet {
    PolicySet {
        policies,
        ..PolicySet::default()
    }
}

/// Compiles and evaluates. The compiled set is leaked so the decision (which borrows
/// from it) can outlive this call; tests are short-lived processes.
pub fn decide(set: &PolicySet, context: &SignInContext) -> Decision<'static> {
    let compiled: &'static CompiledPolicySet = Box::leak(Box::new(CompiledPolicySet::compile(set)));
    evaluate(compiled, context)
}

/// The `result` string of the policy with this ID.
pub fn result_of(decision: &Decision, id: &str) -> &'static str {
    decision
        .applied_conditional_access_policies
        .iter()
        .find(|applied| applied.id.as_str() == id)
        .map(|applied| applied.result.as_str())
        .expect("policy in trace")
}

/// The `controls` of each alternative, as their `control` tags.
pub fn alternatives(decision: &Decision) -> Vec<Vec<String>> {
    let value = serde_json::to_value(&decision.outcome).expect("serializable");
    value["alternatives"]
        .as_array()
        .map(|alternatives| {
            alternatives
                .iter()
                .map(|alternative| {
                    alternative["controls"]
                        .as_array()
                        .expect("controls")
                        .iter()
                        .map(|control| control["control"].as_str().expect("tag").to_owned())
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn with_mfa() -> Value {
    json!({"session": {"authenticatedAt": NOW, "methods": [
        {"method": "password", "at": NOW},
        {"method": "microsoftAuthenticatorPush", "at": NOW}
    ]}})
}
