//! Session controls (entra.md §1.7, §11.2–§11.3): merging and sign-in frequency due.

use crate::evaluate_support;
use evaluate_support::*;
use serde_json::{Value, json};

fn frequency(id: &str, control: Value) -> portcullis_policy::ConditionalAccessPolicy {
    policy(
        id,
        json!({"grantControls": null, "sessionControls": {"signInFrequency": control}}),
    )
}

fn hours(value: i32) -> Value {
    json!({"isEnabled": true, "type": "hours", "value": value, "frequencyInterval": "timeBased",
        "authenticationType": "primaryAndSecondaryAuthentication"})
}

fn every_time() -> Value {
    json!({"isEnabled": true, "frequencyInterval": "everyTime",
        "authenticationType": "primaryAndSecondaryAuthentication"})
}

fn session_at(authenticated_at: &str, mfa_at: Option<&str>) -> Value {
    let mut methods = vec![json!({"method": "password", "at": authenticated_at})];
    if let Some(at) = mfa_at {
        methods.push(json!({"method": "softwareOath", "at": at}));
    }
    json!({"session": {"authenticatedAt": authenticated_at, "methods": methods}})
}

fn outcome(set: &portcullis_policy::evaluate::PolicySet, context: Value) -> Value {
    serde_json::to_value(decide(set, &sign_in(context)).outcome).expect("json")
}

#[test]
fn most_restrictive_frequency_wins() {
    let set = set(vec![frequency("12h", hours(12)), frequency("4h", hours(4))]);
    let json = outcome(&set, json!({}));
    assert_eq!(
        json["sessionControls"]["signInFrequency"]["periodSeconds"],
        4 * 3600
    );
    assert_eq!(
        json["sessionControls"]["signInFrequency"]["everyTime"],
        false
    );

    let set = set_with(vec![
        frequency("12h", hours(12)),
        frequency("every", every_time()),
    ]);
    let json = outcome(&set, json!({}));
    assert_eq!(
        json["sessionControls"]["signInFrequency"]["everyTime"],
        true
    );
    assert!(
        json["sessionControls"]["signInFrequency"]
            .get("periodSeconds")
            .is_none()
    );
}

fn set_with(
    policies: Vec<portcullis_policy::ConditionalAccessPolicy>,
) -> portcullis_policy::evaluate::PolicySet {
    set(policies)
}

#[test]
fn time_based_frequency_is_due_after_the_period() {
    let set = set(vec![frequency("4h", hours(4))]);
    let fresh = outcome(&set, session_at("2026-11-23T05:00:00Z", None));
    assert_eq!(fresh["kind"], "allow", "3 hours old");
    let stale = outcome(&set, session_at("2026-11-23T03:59:00Z", None));
    assert_eq!(stale["kind"], "needsControls");
    assert_eq!(
        stale["alternatives"][0]["controls"][0]["control"],
        "reauthentication"
    );
}

#[test]
fn every_time_has_five_minutes_of_tolerance() {
    let set = set(vec![frequency("every", every_time())]);
    assert_eq!(
        outcome(&set, session_at("2026-11-23T07:56:00Z", None))["kind"],
        "allow"
    );
    assert_eq!(
        outcome(&set, session_at("2026-11-23T07:55:00Z", None))["kind"],
        "allow"
    );
    assert_eq!(
        outcome(&set, session_at("2026-11-23T07:54:59Z", None))["kind"],
        "needsControls"
    );
}

#[test]
fn secondary_authentication_frequency_follows_the_last_mfa() {
    let control = json!({"isEnabled": true, "frequencyInterval": "everyTime",
        "authenticationType": "secondaryAuthentication"});
    let set = set(vec![frequency("every-mfa", control)]);
    // First factor long ago, MFA just now: not due.
    let recent_mfa = outcome(
        &set,
        session_at("2026-11-23T01:00:00Z", Some("2026-11-23T07:59:00Z")),
    );
    assert_eq!(recent_mfa["kind"], "allow");
    let old_mfa = outcome(
        &set,
        session_at("2026-11-23T01:00:00Z", Some("2026-11-23T07:00:00Z")),
    );
    assert_eq!(old_mfa["kind"], "needsControls");
    // No MFA in the session: nothing to repeat.
    assert_eq!(
        outcome(&set, session_at("2026-11-23T01:00:00Z", None))["kind"],
        "allow"
    );
}

#[test]
fn due_frequency_combines_with_grants() {
    let set = set(vec![policy(
        "mfa-4h",
        json!({"sessionControls": {"signInFrequency": hours(4)}}),
    )]);
    let stale = outcome(
        &set,
        session_at("2026-11-23T01:00:00Z", Some("2026-11-23T01:00:00Z")),
    );
    let controls: Vec<&str> = stale["alternatives"][0]["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .map(|c| c["control"].as_str().expect("tag"))
        .collect();
    assert_eq!(controls, ["reauthentication"]);
}

#[test]
fn report_only_frequency_due_is_interrupted() {
    let set = set(vec![policy(
        "ro",
        json!({"state": "enabledForReportingButNotEnforced",
        "grantControls": null, "sessionControls": {"signInFrequency": hours(1)}}),
    )]);
    let decision = decide(&set, &sign_in(session_at("2026-11-23T01:00:00Z", None)));
    assert_eq!(result_of(&decision, "ro"), "reportOnlyInterrupted");
    assert!(matches!(
        decision.outcome,
        portcullis_policy::evaluate::Outcome::Allow { .. }
    ));
}

#[test]
fn other_session_controls_merge() {
    let set = set(vec![
        policy(
            "a",
            json!({"grantControls": null, "sessionControls": {
            "cloudAppSecurity": {"isEnabled": true, "cloudAppSecurityType": "monitorOnly"},
            "continuousAccessEvaluation": {"mode": "disabled"},
            "persistentBrowser": {"isEnabled": true, "mode": "always"}}}),
        ),
        policy(
            "b",
            json!({"grantControls": null, "sessionControls": {
            "cloudAppSecurity": {"isEnabled": true, "cloudAppSecurityType": "blockDownloads"},
            "continuousAccessEvaluation": {"mode": "strictLocation"},
            "disableResilienceDefaults": true,
            "persistentBrowser": {"isEnabled": false, "mode": "never"}}}),
        ),
    ]);
    let json = outcome(&set, json!({}));
    let controls = &json["sessionControls"];
    assert_eq!(controls["cloudAppSecurity"], "blockDownloads");
    assert_eq!(controls["continuousAccessEvaluation"], "strictLocation");
    assert_eq!(controls["disableResilienceDefaults"], true);
    assert_eq!(
        controls["persistentBrowser"], "always",
        "a disabled control does nothing"
    );
}
