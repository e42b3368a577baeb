//! What If (entra.md §2.7): the Graph evaluate request in, `whatIfAnalysisResult`s out.

use crate::evaluate_support;
use evaluate_support::{APP, GLOBAL_ADMIN, GROUP_A, GROUP_B, USER, policy};
use portcullis_policy::evaluate::PolicySet;
use portcullis_policy::whatif::{Directory, EvaluateRequest, what_if};
use serde_json::{Value, json};

fn request(overrides: Value) -> EvaluateRequest {
    let mut base = json!({
        "signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": USER},
        "signInContext": {"@odata.type": "#microsoft.graph.applicationContext", "includeApplications": [APP]},
        "signInConditions": {"clientAppType": "browser", "devicePlatform": "windows"},
        "appliedPoliciesOnly": false
    });
    if let (Value::Object(base), Value::Object(overrides)) = (&mut base, overrides) {
        base.extend(overrides);
    }
    serde_json::from_value(base).expect("valid request")
}

fn directory() -> Directory {
    serde_json::from_value(json!({
        "users": [{"id": USER, "userType": "member", "groups": [GROUP_A], "roles": []},
                  {"id": "guest-1", "userType": "guest", "groups": [], "roles": []},
                  {"id": "admin-1", "userType": "member", "groups": [], "roles": [GLOBAL_ADMIN]}],
        "groups": [{"id": GROUP_A, "memberOf": [GROUP_B]}, {"id": GROUP_B, "memberOf": [GROUP_A]}]
    }))
    .expect("valid directory")
}

fn run(
    policies: Vec<portcullis_policy::ConditionalAccessPolicy>,
    request: EvaluateRequest,
) -> Vec<(String, bool, String)> {
    let set = PolicySet {
        policies,
        ..PolicySet::default()
    };
    let response = what_if(&set, &directory(), &request).expect("answer");
    let json = serde_json::to_value(&response).expect("json");
    json["value"]
        .as_array()
        .expect("value array")
        .iter()
        .map(|item| {
            (
                item["id"].as_str().expect("id").to_owned(),
                item["policyApplies"].as_bool().expect("bool"),
                item["analysisReasons"].as_str().expect("reason").to_owned(),
            )
        })
        .collect()
}

fn row(id: &str, applies: bool, reason: &str) -> (String, bool, String) {
    (id.to_owned(), applies, reason.to_owned())
}

#[test]
fn transitive_groups_are_cycle_safe() {
    let groups = directory().transitive_groups(&[GROUP_A.to_owned()]);
    assert_eq!(groups, [GROUP_A, GROUP_B]);
}

#[test]
fn applying_disabled_and_first_unmet_condition() {
    let results = run(
        vec![
            policy(
                "applies-by-nested-group",
                json!({"conditions": {"users": {"includeUsers": [], "includeGroups": [GROUP_B]}}}),
            ),
            policy("off", json!({"state": "disabled"})),
            policy(
                "users-first",
                json!({"conditions": {"users": {"includeUsers": ["admin-1"]}, "clientAppTypes": ["other"]}}),
            ),
            policy(
                "client",
                json!({"conditions": {"clientAppTypes": ["other"], "platforms": {"includePlatforms": ["android"]}}}),
            ),
            policy(
                "platform",
                json!({"conditions": {"clientAppTypes": ["other"], "platforms": {"includePlatforms": ["android"]}, "users": {"includeUsers": ["All"]}}}),
            ),
        ],
        request(json!({})),
    );
    assert_eq!(
        results,
        [
            row("applies-by-nested-group", true, "notSet"),
            row("off", false, "policyNotEnabled"),
            row("users-first", false, "users"),
            row("client", false, "devicePlatform"),
            row("platform", false, "devicePlatform"),
        ]
    );
}

#[test]
fn a_missing_signal_means_the_policy_does_not_apply() {
    let results = run(
        vec![
            policy(
                "location",
                json!({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}}),
            ),
            policy(
                "risk",
                json!({"conditions": {"signInRiskLevels": ["high"]}}),
            ),
            policy(
                "device",
                json!({"conditions": {"devices": {"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}}}}),
            ),
            policy(
                "broken-filter",
                json!({"conditions": {"devices": {"deviceFilter": {"mode": "exclude", "rule": "device.bogus -eq 1"}}}}),
            ),
        ],
        request(json!({})),
    );
    assert_eq!(
        results,
        [
            row("location", false, "notEnoughInformation"),
            row("risk", false, "notEnoughInformation"),
            row("device", false, "notEnoughInformation"),
            row("broken-filter", false, "invalidCondition"),
        ]
    );
    let with_signals = request(
        json!({"signInConditions": {"clientAppType": "browser", "devicePlatform": "windows",
        "ipAddress": "198.51.100.1", "signInRiskLevel": "high", "deviceInfo": {"isCompliant": false}}}),
    );
    let results = run(
        vec![
            policy(
                "location",
                json!({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}}),
            ),
            policy(
                "risk",
                json!({"conditions": {"signInRiskLevels": ["high"]}}),
            ),
            policy(
                "device",
                json!({"conditions": {"devices": {"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}}}}),
            ),
        ],
        with_signals,
    );
    assert!(
        results
            .iter()
            .all(|(_, applies, reason)| *applies && reason == "notSet"),
        "{results:?}"
    );
}

#[test]
fn app_groups_do_not_match_a_concrete_app_id() {
    let mut set = PolicySet {
        policies: vec![policy(
            "o365",
            json!({"conditions": {"applications": {"includeApplications": ["Office365"]}}}),
        )],
        ..PolicySet::default()
    };
    set.application_groups.office365 = vec![APP.to_owned()];
    let response = what_if(&set, &directory(), &request(json!({}))).expect("answer");
    assert!(!response.value[0].policy_applies);
    let json = serde_json::to_value(&response.value[0]).expect("json");
    assert_eq!(json["analysisReasons"], "application");
}

#[test]
fn user_actions_authentication_contexts_and_service_principals() {
    let policies = || {
        vec![
            policy(
                "register",
                json!({"conditions": {"applications": {"includeApplications": [], "includeUserActions": ["urn:user:registersecurityinfo"]}}}),
            ),
            policy(
                "c1",
                json!({"conditions": {"applications": {"includeApplications": [], "includeAuthenticationContextClassReferences": ["c1"]}}}),
            ),
            policy(
                "workload",
                json!({"conditions": {"users": {"includeUsers": ["None"]}, "clientApplications": {"includeServicePrincipals": ["sp-1"]}}}),
            ),
        ]
    };
    let action = request(
        json!({"signInContext": {"@odata.type": "#microsoft.graph.userActionContext", "userAction": "registerSecurityInformation"}}),
    );
    assert_eq!(
        run(policies(), action),
        [
            row("register", true, "notSet"),
            row("c1", false, "authenticationContext"),
            row("workload", false, "users")
        ]
    );
    let context = request(
        json!({"signInContext": {"@odata.type": "#microsoft.graph.authContext", "authenticationContextValue": "c1"}}),
    );
    assert_eq!(
        run(policies(), context)[..2],
        [
            row("register", false, "userActions"),
            row("c1", true, "notSet")
        ]
    );
    let service = request(
        json!({"signInIdentity": {"@odata.type": "#microsoft.graph.servicePrincipalSignIn", "servicePrincipalId": "sp-1"}}),
    );
    assert_eq!(
        run(policies(), service),
        [
            row("register", false, "workloadIdentities"),
            row("c1", false, "workloadIdentities"),
            row("workload", true, "notSet")
        ]
    );
}

#[test]
fn guests_from_the_directory_and_applied_policies_only() {
    let guests_only = json!({"conditions": {"users": {"includeUsers": ["GuestsOrExternalUsers"]}}});
    let guest = request(
        json!({"signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": "guest-1"},
        "appliedPoliciesOnly": true}),
    );
    let results = run(
        vec![
            policy("guests", guests_only.clone()),
            policy("off", json!({"state": "disabled"})),
        ],
        guest,
    );
    assert_eq!(results, [row("guests", true, "notSet")]);
    let member = request(json!({"appliedPoliciesOnly": true}));
    assert!(run(vec![policy("guests", guests_only)], member).is_empty());
}

#[test]
fn response_carries_the_whole_policy() {
    let set = PolicySet {
        policies: vec![policy("p", json!({"displayName": "Require MFA"}))],
        ..PolicySet::default()
    };
    let response = what_if(&set, &directory(), &request(json!({}))).expect("answer");
    let json = serde_json::to_value(&response).expect("json");
    let item = &json["value"][0];
    assert_eq!(item["displayName"], "Require MFA");
    assert_eq!(item["state"], "enabled");
    assert_eq!(item["grantControls"]["builtInControls"], json!(["mfa"]));
    assert_eq!(item["policyApplies"], true);
}

#[test]
fn malformed_requests_are_errors() {
    let set = PolicySet::default();
    let no_user =
        request(json!({"signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn"}}));
    assert!(what_if(&set, &directory(), &no_user).is_err());
    let no_apps =
        request(json!({"signInContext": {"@odata.type": "#microsoft.graph.applicationContext"}}));
    assert!(what_if(&set, &directory(), &no_apps).is_err());
    let bad_action = request(
        json!({"signInContext": {"@odata.type": "#microsoft.graph.userActionContext", "userAction": "dance"}}),
    );
    let error = what_if(&set, &directory(), &bad_action).expect_err("unknown action");
    assert!(error.to_string().contains("dance"));
}
