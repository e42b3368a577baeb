//! The documented input shapes: the sign-in context JSON and the policy set JSON, and
//! IP location matching across nested ranges and address families.

use crate::evaluate_support;
use evaluate_support::{location, policy, result_of, sign_in};
use portcullis_policy::evaluate::{PolicySet, SignInContext, evaluate};
use serde_json::json;

#[test]
fn the_documented_sign_in_context_parses() {
    let context: SignInContext = serde_json::from_value(json!({
        "identity": {"kind": "user", "id": "u1", "userType": "member",
            "guestOrExternalUserType": null, "externalTenantId": null,
            "groupIds": ["g1"], "roleTemplateIds": ["62e90394-69f5-4237-9190-012177145e10"]},
        "target": {"kind": "application", "appId": "00000003-0000-0ff1-ce00-000000000000"},
        "clientAppType": "browser",
        "devicePlatform": "windows",
        "ipAddress": "203.0.113.7",
        "country": "NL",
        "device": {"deviceId": "d", "trustType": "AzureAD", "isCompliant": true},
        "signInRiskLevel": "none", "userRiskLevel": "none",
        "insiderRiskLevel": null, "servicePrincipalRiskLevel": null,
        "authenticationFlow": null,
        "session": {"authenticatedAt": "2026-11-23T08:00:00Z",
            "methods": [{"method": "password", "at": "2026-11-23T08:00:00Z"},
                        {"method": "microsoftAuthenticatorPush", "at": "2026-11-23T08:00:05Z"}]},
        "facts": {"deviceCompliant": true, "deviceHybridJoined": false, "approvedApplication": false,
            "appProtectionPolicy": false, "passwordChanged": false, "riskRemediated": false,
            "acceptedTermsOfUse": [], "satisfiedCustomControls": [],
            "mfaRegistered": true, "unfamiliarSignInProperties": false,
            "securityDefaultsFirstInteractiveSignInAt": null},
        "now": "2026-11-23T08:00:06Z"
    }))
    .expect("documented example");
    let set = PolicySet {
        policies: vec![policy("p", json!({}))],
        ..PolicySet::default()
    };
    let compiled = set.compile();
    assert_eq!(evaluate(&compiled, &context).outcome.kind(), "allow");

    let minimal: SignInContext = serde_json::from_value(json!({
        "identity": {"kind": "servicePrincipal", "id": "sp"},
        "target": {"kind": "authenticationContext", "id": "c1"},
        "now": "2026-11-23T08:00:06Z"
    }))
    .expect("minimal example");
    assert!(minimal.client_app_type.is_none());
}

#[test]
fn the_policy_set_json_shape() {
    let set: PolicySet = serde_json::from_value(json!({
        "policies": [{"id": "p", "displayName": "p", "state": "enabled",
            "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}},
            "grantControls": {"operator": "OR", "builtInControls": ["block"]}}],
        "mfaTrustedIps": ["192.0.2.0/24"],
        "applicationGroups": {"office365": ["a"], "microsoftAdminPortals": ["b"]},
        "securityDefaults": {"isEnabled": false},
        "perUserMfa": {"u1": "enforced"}
    }))
    .expect("policy set");
    assert_eq!(set.policies.len(), 1);
    assert_eq!(
        set.security_defaults.azure_management_app_ids.len(),
        1,
        "default kept"
    );
    let compiled = set.compile();
    assert!(compiled.has_enabled_policies());
    assert!(serde_json::from_value::<PolicySet>(json!({"policies": "nope"})).is_err());
}

#[test]
fn nested_ranges_and_ipv4_mapped_addresses() {
    let mut set = PolicySet {
        policies: vec![
            policy(
                "wide",
                json!({"conditions": {"locations": {"includeLocations": ["wide"]}}}),
            ),
            policy(
                "narrow",
                json!({"conditions": {"locations": {"includeLocations": ["narrow"]}}}),
            ),
        ],
        ..PolicySet::default()
    };
    let ip = |id: &str, cidrs: &[&str]| {
        location(
            json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": id, "displayName": id,
            "isTrusted": false, "ipRanges": cidrs.iter().map(|c| json!({"cidrAddress": c})).collect::<Vec<_>>()}),
        )
    };
    set.named_locations = vec![
        ip("wide", &["10.0.0.0/8", "2001:db8::/32"]),
        ip("narrow", &["10.1.2.0/24", "10.9.9.9/32"]),
    ];
    let results = |address: &str| {
        let decision = evaluate_support::decide(&set, &sign_in(json!({"ipAddress": address})));
        (result_of(&decision, "wide"), result_of(&decision, "narrow"))
    };
    assert_eq!(results("10.1.2.3"), ("failure", "failure"));
    assert_eq!(results("10.1.3.3"), ("failure", "notApplied"));
    assert_eq!(results("10.9.9.9"), ("failure", "failure"));
    assert_eq!(results("11.0.0.1"), ("notApplied", "notApplied"));
    assert_eq!(results("::ffff:10.1.2.3"), ("failure", "failure"));
    assert_eq!(results("2001:db8:1::1"), ("failure", "notApplied"));
    assert_eq!(results("2001:db9::1"), ("notApplied", "notApplied"));
}
