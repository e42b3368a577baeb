//! `portcullis policy whatif` and `evaluate` over the real corpus, and their bad inputs.

use crate::support;
use portcullis_policy_cli::Status;
use support::{
    ADA, GLOBAL_ADMINISTRATOR, corpus, corpus_locations, corpus_policies, policy, utf16le, write,
};

const INTERNALS_GROUP: &str = "ceeac9b8-ddf5-48cb-afcb-e2ab8bfd1a57";
const SHAREPOINT: &str = "00000003-0000-0ff1-ce00-000000000000";

fn directory() -> String {
    serde_json::json!({
        "users": [
            { "id": ADA, "userType": "member", "groups": ["team"], "roles": [GLOBAL_ADMINISTRATOR] },
            { "id": "0d0d0d0d-0000-4000-8000-000000000004", "userType": "guest" }
        ],
        // Ada is in the internals group through a nested team group.
        "groups": [{ "id": "team", "memberOf": [INTERNALS_GROUP] }]
    })
    .to_string()
}

fn request(country: &str) -> String {
    serde_json::json!({
        "signInIdentity": { "@odata.type": "#microsoft.graph.userSignIn", "userId": ADA },
        "signInContext": { "@odata.type": "#microsoft.graph.applicationContext",
                           "includeApplications": [SHAREPOINT] },
        "signInConditions": { "clientAppType": "browser", "devicePlatform": "windows",
                              "country": country, "ipAddress": "198.51.100.7",
                              "signInRiskLevel": "none", "userRiskLevel": "none",
                              "insiderRiskLevel": "minor" },
        "appliedPoliciesOnly": false
    })
    .to_string()
}

fn result<'a>(response: &'a serde_json::Value, prefix: &str) -> &'a serde_json::Value {
    response["value"]
        .as_array()
        .expect("value array")
        .iter()
        .find(|item| {
            item["displayName"]
                .as_str()
                .is_some_and(|n| n.starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("{prefix} in the response"))
}

#[test]
fn whatif_answers_in_graphs_shape_for_the_corpus() {
    let dir = tempfile::tempdir().expect("temp dir");
    let directory = write(dir.path(), "directory.json", directory());
    let abroad = write(dir.path(), "abroad.json", request("US"));
    let outcome = policy(&[
        &"whatif",
        &"--policies",
        &corpus_policies(),
        &"--named-locations",
        &corpus_locations(),
        &"--directory",
        &directory,
        &"--request",
        &abroad,
    ]);
    assert_eq!(outcome.status, Status::Success, "{}", outcome.err);
    assert!(outcome.err.is_empty(), "{}", outcome.err);
    let response = outcome.json();
    assert_eq!(response["value"].as_array().map(Vec::len), Some(36));
    // CA001 blocks outside the allowed countries: it applies from the US.
    let ca001 = result(&response, "CA001");
    assert_eq!(ca001["policyApplies"], true);
    assert_eq!(ca001["analysisReasons"], "notSet");
    assert_eq!(ca001["id"], "19bbdbd4-d871-4964-a6ef-9b3054b9337c");
    // CA200 targets the internals group, which Ada is in through nesting.
    assert_eq!(result(&response, "CA200")["policyApplies"], true);
    // Guest policies do not apply to a member.
    let ca400 = result(&response, "CA400");
    assert_eq!(ca400["policyApplies"], false);
    assert_eq!(ca400["analysisReasons"], "users");

    // From the Netherlands, CA001 does not apply, for location reasons.
    let home = write(dir.path(), "home.json", request("NL"));
    let outcome = policy(&[
        &"whatif",
        &"--policies",
        &corpus_policies(),
        &"--named-locations",
        &corpus_locations(),
        &"--directory",
        &directory,
        &"--request",
        &home,
    ]);
    let ca001 = result(&outcome.json(), "CA001").clone();
    assert_eq!(ca001["policyApplies"], false);
    assert_eq!(ca001["analysisReasons"], "location");
}

#[test]
fn whatif_reads_a_utf16_request_and_warns_about_unknown_locations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let request = write(dir.path(), "request.json", utf16le(&request("US")));
    // Without --named-locations, CA001's excluded location is unknown.
    let outcome = policy(&[
        &"whatif",
        &"--policies",
        &corpus_policies(),
        &"--request",
        &request,
    ]);
    assert_eq!(outcome.status, Status::Success, "{}", outcome.err);
    assert!(
        outcome.err.contains("warning: CA001-Global-AttackSurfaceReduction-AnyApp-AnyPlatform-BLOCK-CountryWhitelist: conditions.locations names 185c993e-10a9-44fa-98d1-230c8f72f497, which no --named-locations file defines"),
        "{}",
        outcome.err
    );
}

#[test]
fn a_mixed_folder_works_as_policies_and_locations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let request = write(dir.path(), "request.json", request("US"));
    let outcome = policy(&[&"whatif", &"--policies", &corpus(), &"--request", &request]);
    assert_eq!(outcome.status, Status::Success, "{}", outcome.err);
    assert!(outcome.err.is_empty(), "{}", outcome.err);
    assert_eq!(outcome.json()["value"].as_array().map(Vec::len), Some(36));
}

#[test]
fn whatif_rejects_bad_requests_and_directories_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let truncated = write(dir.path(), "request.json", &request("US")[..40]);
    let outcome = policy(&[
        &"whatif",
        &"--policies",
        &corpus_policies(),
        &"--request",
        &truncated,
    ]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(
        outcome.err.contains(
            "request.json: not a conditionalAccess/evaluate request body: EOF while parsing"
        ),
        "{}",
        outcome.err
    );

    let no_user = write(
        dir.path(),
        "no-user.json",
        r##"{"signInIdentity":{"@odata.type":"#microsoft.graph.userSignIn"},"signInContext":{"@odata.type":"#microsoft.graph.applicationContext","includeApplications":["x"]},"signInConditions":{}}"##,
    );
    let outcome = policy(&[
        &"whatif",
        &"--policies",
        &corpus_policies(),
        &"--request",
        &no_user,
    ]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(
        outcome.err.contains("no-user.json: signInIdentity: "),
        "{}",
        outcome.err
    );

    let good = write(dir.path(), "good.json", request("US"));
    let bad_directory = write(dir.path(), "directory.json", r#"{"users": {"id": 1}}"#);
    let outcome = policy(&[
        &"whatif",
        &"--policies",
        &corpus_policies(),
        &"--directory",
        &bad_directory,
        &"--request",
        &good,
    ]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(
        outcome.err.contains("directory.json: not a directory ({\"users\":[…], \"groups\":[…]}): invalid type: map, expected a sequence at line 1 column"),
        "{}",
        outcome.err
    );

    let garbage = write(dir.path(), "garbage.json", [0xFFu8, 0x00, 0xD8, 0x00, 0x41]);
    let outcome = policy(&[&"whatif", &"--policies", &garbage, &"--request", &good]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(
        outcome.err.contains("garbage.json: not valid UTF-16LE"),
        "{}",
        outcome.err
    );
}

fn context(country: &str) -> String {
    serde_json::json!({
        "identity": { "kind": "user", "id": ADA },
        "target": { "kind": "application", "appId": SHAREPOINT },
        "clientAppType": "browser",
        "devicePlatform": "windows",
        "ipAddress": "198.51.100.7",
        "country": country,
        "session": { "authenticatedAt": "2026-11-23T08:00:00Z",
                     "methods": [{ "method": "password", "at": "2026-11-23T08:00:00Z" }] },
        "now": "2026-11-23T08:00:05Z"
    })
    .to_string()
}

#[test]
fn evaluate_gives_the_decision_and_the_trace() {
    let dir = tempfile::tempdir().expect("temp dir");
    let directory = write(dir.path(), "directory.json", directory());
    let abroad = write(dir.path(), "abroad.json", context("US"));
    let outcome = policy(&[
        &"evaluate",
        &"--policies",
        &corpus_policies(),
        &"--named-locations",
        &corpus_locations(),
        &"--directory",
        &directory,
        &"--context",
        &abroad,
    ]);
    assert_eq!(outcome.status, Status::Success, "{}", outcome.err);
    let decision = outcome.json();
    assert_eq!(decision["outcome"]["kind"], "block");
    let blocking: Vec<&str> = decision["outcome"]["policies"]
        .as_array()
        .expect("blocking policies")
        .iter()
        .filter_map(|p| p["displayName"].as_str())
        .collect();
    assert!(
        blocking.iter().any(|name| name.starts_with("CA001")),
        "{blocking:?}"
    );
    assert_eq!(
        decision["appliedConditionalAccessPolicies"]
            .as_array()
            .map(Vec::len),
        Some(36)
    );

    // From the Netherlands with a password only, MFA is what is missing; the directory
    // made Ada an internal user and a Global Administrator.
    let home = write(dir.path(), "home.json", context("NL"));
    let outcome = policy(&[
        &"evaluate",
        &"--policies",
        &corpus_policies(),
        &"--named-locations",
        &corpus_locations(),
        &"--directory",
        &directory,
        &"--context",
        &home,
    ]);
    let decision = outcome.json();
    assert_eq!(decision["outcome"]["kind"], "needsControls", "{decision:#}");
    let trace = decision["appliedConditionalAccessPolicies"]
        .as_array()
        .expect("trace");
    let ca101 = trace
        .iter()
        .find(|p| {
            p["displayName"]
                .as_str()
                .is_some_and(|n| n.starts_with("CA101"))
        })
        .expect("CA101");
    assert_eq!(ca101["result"], "failure", "{ca101:#}");
}

#[test]
fn evaluate_rejects_a_malformed_context() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = write(
        dir.path(),
        "context.json",
        r#"{"identity": {"kind": "robot"}}"#,
    );
    let outcome = policy(&[
        &"evaluate",
        &"--policies",
        &corpus_policies(),
        &"--context",
        &bad,
    ]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(
        outcome
            .err
            .contains("context.json: not a sign-in context: unknown variant `robot`"),
        "{}",
        outcome.err
    );
}
