//! `portcullis policy templates` and `portcullis policy template NAME [--param k=v…]`.

use crate::support;
use portcullis_policy::import::import_policies;
use portcullis_policy::model::PolicyState;
use portcullis_policy_cli::Status;
use support::{BREAK_GLASS, policy, write};

#[test]
fn templates_are_listed_one_per_line() {
    let outcome = policy(&[&"templates"]);
    assert_eq!(outcome.status, Status::Success);
    let lines: Vec<&str> = outcome.out.lines().collect();
    assert_eq!(lines.len(), 19);
    assert!(
        lines[0].starts_with("mfa-admins")
            && lines[0].contains("c7503427-338e-4c5e-902d-abe252abfb43 (microsoft)")
            && lines[0].contains("[secureFoundation,zeroTrust,protectAdmins]")
            && lines[0].ends_with("Require multifactor authentication for admins"),
        "{}",
        lines[0]
    );
    let with_parameters = policy(&[&"templates", &"--parameters"]);
    assert!(
        with_parameters
            .out
            .contains("    --param breakGlassGroup=…  (an object ID) the group of emergency-access (break-glass) accounts, excluded"),
        "{}",
        with_parameters.out
    );
}

#[test]
fn templates_as_json_have_graphs_template_shape() {
    let outcome = policy(&[&"templates", &"--json"]);
    let listing = outcome.json();
    let value = listing["value"].as_array().expect("value");
    assert_eq!(value.len(), 19);
    assert_eq!(value[0]["id"], "c7503427-338e-4c5e-902d-abe252abfb43");
    assert_eq!(
        value[0]["scenarios"],
        "secureFoundation,zeroTrust,protectAdmins"
    );
    assert!(value[0]["details"]["grantControls"]["builtInControls"].is_array());
}

#[test]
fn a_template_instance_is_a_policy_that_imports_and_checks() {
    let group = "aaaaaaaa-0000-4000-8000-000000000001";
    let outcome = policy(&[
        &"template",
        &"block-legacy-authentication",
        &"--param",
        &format!("breakGlassGroup={group}"),
        &"--param",
        &format!("excludeUsers={BREAK_GLASS}"),
    ]);
    assert_eq!(outcome.status, Status::Success, "{}", outcome.err);
    let policies = import_policies(outcome.out.as_bytes()).expect("the output imports");
    assert_eq!(policies.len(), 1);
    let instance = &policies[0];
    assert_eq!(
        instance.state,
        Some(PolicyState::EnabledForReportingButNotEnforced)
    );
    assert_eq!(
        instance.template_id.as_deref(),
        Some("0b2282f9-2862-4178-88b5-d79340b36cb8")
    );
    let users = instance
        .conditions
        .as_ref()
        .and_then(|c| c.users.as_ref())
        .expect("users");
    assert_eq!(users.exclude_groups, [group]);
    assert_eq!(users.exclude_users, [BREAK_GLASS]);

    // The printed instance passes `check`.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(dir.path(), "instance.json", &outcome.out);
    assert_eq!(policy(&[&"check", &file]).status, Status::Success);

    // By ID too.
    let by_id = policy(&[&"template", &"a3d0a415-b068-4326-9251-f9cdf9feeb64"]);
    assert_eq!(by_id.status, Status::Success);
    assert!(
        by_id
            .out
            .contains("\"displayName\": \"Require multifactor authentication for all users\"")
    );
}

#[test]
fn bad_template_names_and_parameters_fail_with_a_reason() {
    let outcome = policy(&[&"template", &"no-such-thing"]);
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(
        outcome.err,
        "error: no template is called 'no-such-thing' (see `portcullis policy templates`)\n"
    );
    assert!(outcome.out.is_empty());

    let outcome = policy(&[&"template", &"mfa-admins", &"--param", &"breakGlassGroup"]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(
        outcome
            .err
            .contains("parameter 'breakGlassGroup' is not of the form key=value")
    );

    let outcome = policy(&[&"template", &"mfa-admins", &"--param", &"colour=blue"]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(
        outcome.err.contains("template 'mfa-admins' has no parameter 'colour'; it takes: excludeUsers, breakGlassGroup"),
        "{}",
        outcome.err
    );

    let outcome = policy(&[
        &"template",
        &"mfa-admins",
        &"--param",
        &"breakGlassGroup=Break glass",
    ]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(
        outcome.err.contains("'Break glass' is not an object ID"),
        "{}",
        outcome.err
    );
}
