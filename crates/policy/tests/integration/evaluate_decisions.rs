//! Across policies (entra.md §2.3–§2.4): block wins, every applying grant must be met,
//! AND/OR, prompting order, strengths, report-only results, trace shape.

use crate::evaluate_support;
use evaluate_support::*;
use portcullis_policy::evaluate::{ConditionalAccessStatus, Outcome};
use serde_json::json;

#[test]
fn block_wins_and_names_every_blocking_policy() {
    let set = set(vec![
        policy("mfa", json!({})),
        policy(
            "block-1",
            json!({"grantControls": {"builtInControls": ["block"]}}),
        ),
        policy(
            "block-2",
            json!({"grantControls": {"operator": "OR", "builtInControls": ["block", "mfa"]}}),
        ),
        policy(
            "other-app",
            json!({"conditions": {"applications": {"includeApplications": [OTHER_APP]}},
            "grantControls": {"builtInControls": ["block"]}}),
        ),
    ]);
    let decision = decide(&set, &sign_in(with_mfa()));
    match &decision.outcome {
        Outcome::Block { policies, baseline } => {
            let ids: Vec<&str> = policies.iter().map(|p| p.id.as_str()).collect();
            assert_eq!(ids, ["block-1", "block-2"]);
            assert!(baseline.is_none());
        }
        other => panic!("expected block, got {other:?}"),
    }
    assert_eq!(
        decision.conditional_access_status,
        ConditionalAccessStatus::Failure
    );
    assert_eq!(result_of(&decision, "mfa"), "success");
    assert_eq!(result_of(&decision, "block-1"), "failure");
    assert_eq!(result_of(&decision, "other-app"), "notApplied");
}

#[test]
fn every_applying_policy_must_be_satisfied_in_prompting_order() {
    let set = set(vec![
        policy(
            "terms",
            json!({"grantControls": {"builtInControls": [], "termsOfUse": ["tou-1"]}}),
        ),
        policy(
            "device",
            json!({"grantControls": {"builtInControls": ["compliantDevice"]}}),
        ),
        policy("mfa", json!({})),
    ]);
    let decision = decide(&set, &sign_in(json!({})));
    assert_eq!(
        alternatives(&decision),
        [["mfa", "compliantDevice", "termsOfUse"]]
    );
    assert_eq!(
        decision.conditional_access_status,
        ConditionalAccessStatus::Failure
    );

    let satisfied = sign_in(json!({
        "session": {"methods": [{"method": "password", "at": NOW}, {"method": "softwareOath", "at": NOW}]},
        "facts": {"deviceCompliant": true, "acceptedTermsOfUse": ["TOU-1"]}
    }));
    let decision = decide(&set, &satisfied);
    assert!(
        matches!(decision.outcome, Outcome::Allow { .. }),
        "{:?}",
        decision.outcome
    );
    assert_eq!(
        decision.conditional_access_status,
        ConditionalAccessStatus::Success
    );
}

#[test]
fn or_offers_alternatives_and_and_requires_all() {
    let or = set(vec![policy(
        "p",
        json!({"grantControls": {"operator": "OR",
        "builtInControls": ["domainJoinedDevice", "compliantDevice", "mfa"]}}),
    )]);
    assert_eq!(
        alternatives(&decide(&or, &sign_in(json!({})))),
        [
            vec!["mfa"],
            vec!["compliantDevice"],
            vec!["domainJoinedDevice"]
        ]
    );
    let compliant = sign_in(json!({"facts": {"deviceCompliant": true}}));
    assert!(matches!(
        decide(&or, &compliant).outcome,
        Outcome::Allow { .. }
    ));

    let and = set(vec![policy(
        "p",
        json!({"grantControls": {"operator": "AND",
        "builtInControls": ["mfa", "compliantDevice"]}}),
    )]);
    assert_eq!(alternatives(&decide(&and, &compliant)), [["mfa"]]);

    // Combining an OR policy with an AND policy: minimal alternatives only.
    let both = set(vec![
        policy(
            "or",
            json!({"grantControls": {"operator": "OR", "builtInControls": ["mfa", "compliantDevice"]}}),
        ),
        policy(
            "and",
            json!({"grantControls": {"operator": "AND", "builtInControls": ["mfa", "approvedApplication"]}}),
        ),
    ]);
    assert_eq!(
        alternatives(&decide(&both, &sign_in(json!({})))),
        [["mfa", "approvedApplication"]]
    );
}

#[test]
fn mfa_is_the_built_in_strength() {
    let set = set(vec![policy("mfa", json!({}))]);
    for (methods, ok) in [
        (json!([{"method": "password", "at": NOW}]), false),
        (
            json!([{"method": "password", "at": NOW}, {"method": "sms", "at": NOW}]),
            true,
        ),
        (json!([{"method": "fido2", "at": NOW}]), true),
        (
            json!([{"method": "password", "at": NOW}, {"method": "email", "at": NOW}]),
            false,
        ),
        (
            json!([{"method": "temporaryAccessPassOneTime", "at": NOW}]),
            true,
        ),
    ] {
        let decision = decide(&set, &sign_in(json!({"session": {"methods": methods}})));
        assert_eq!(
            matches!(decision.outcome, Outcome::Allow { .. }),
            ok,
            "{methods}"
        );
    }
}

#[test]
fn authentication_strength_checks_the_methods_actually_used() {
    let phishing_resistant = json!({"grantControls": {"builtInControls": [],
        "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}}});
    let set = set(vec![policy("p", phishing_resistant)]);
    let decision = decide(&set, &sign_in(with_mfa()));
    assert_eq!(alternatives(&decision), [["authenticationStrength"]]);
    let trace =
        serde_json::to_value(&decision.applied_conditional_access_policies[0]).expect("json");
    assert_eq!(
        trace["authenticationStrength"]["authenticationStrengthResult"],
        "singleChallengeRequired"
    );
    assert_eq!(
        trace["authenticationStrength"]["authenticationStrengthId"],
        "00000000-0000-0000-0000-000000000004"
    );
    assert_eq!(
        trace["enforcedGrantControls"],
        json!(["authenticationStrength"])
    );

    let passkey = sign_in(json!({"session": {"methods": [{"method": "fido2", "at": NOW}]}}));
    assert!(matches!(
        decide(&set, &passkey).outcome,
        Outcome::Allow { .. }
    ));
}

#[test]
fn custom_strength_with_aaguid_restriction() {
    let mut set = set(vec![policy(
        "p",
        json!({"grantControls": {"builtInControls": [],
        "authenticationStrength": {"id": "custom-1"}}}),
    )]);
    set.authentication_strengths = vec![serde_json::from_value(json!({
        "id": "custom-1", "displayName": "YubiKeys", "policyType": "custom",
        "allowedCombinations": ["fido2"],
        "combinationConfigurations": [{"@odata.type": "#microsoft.graph.fido2CombinationConfiguration",
            "appliesToCombinations": ["fido2"], "allowedAAGUIDs": ["cb69481e-8ff7-4039-93ec-0a2729a154a8"]}]
    })).expect("strength")];
    let other_key = sign_in(
        json!({"session": {"methods": [{"method": "fido2", "at": NOW,
        "aaguid": "ee882879-721c-4913-9775-3dfcce97072a"}]}}),
    );
    assert!(matches!(
        decide(&set, &other_key).outcome,
        Outcome::NeedsControls { .. }
    ));
    let yubikey = sign_in(
        json!({"session": {"methods": [{"method": "fido2", "at": NOW,
        "aaguid": "cb69481e-8ff7-4039-93ec-0a2729a154a8"}]}}),
    );
    assert!(matches!(
        decide(&set, &yubikey).outcome,
        Outcome::Allow { .. }
    ));
}

#[test]
fn mfa_is_folded_into_a_stronger_strength() {
    let set = set(vec![
        policy("mfa", json!({})),
        policy(
            "pr",
            json!({"grantControls": {"builtInControls": [],
            "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}}}),
        ),
    ]);
    assert_eq!(
        alternatives(&decide(&set, &sign_in(json!({})))),
        [["authenticationStrength"]]
    );
}

#[test]
fn unknown_strength_or_control_can_never_be_satisfied() {
    let set = set(vec![policy(
        "p",
        json!({"grantControls": {"builtInControls": [],
        "authenticationStrength": {"id": "missing"}}}),
    )]);
    assert_eq!(set.compile().warnings().len(), 1);
    assert!(matches!(
        decide(&set, &sign_in(with_mfa())).outcome,
        Outcome::Block { .. }
    ));

    let future = set_of_one(
        json!({"grantControls": {"operator": "OR", "builtInControls": ["mfa", "someFutureControl"]}}),
    );
    assert_eq!(
        alternatives(&decide(&future, &sign_in(json!({})))),
        [["mfa"]]
    );
}

fn set_of_one(overrides: serde_json::Value) -> portcullis_policy::evaluate::PolicySet {
    set(vec![policy("p", overrides)])
}

#[test]
fn device_state_cannot_be_satisfied_through_device_code_flow() {
    let set = set_of_one(
        json!({"grantControls": {"operator": "OR", "builtInControls": ["compliantDevice", "mfa"]}}),
    );
    let device_code = sign_in(
        json!({"authenticationFlow": "deviceCodeFlow", "facts": {"deviceCompliant": true}}),
    );
    assert_eq!(alternatives(&decide(&set, &device_code)), [["mfa"]]);
    let only_device =
        set_of_one(json!({"grantControls": {"builtInControls": ["compliantDevice"]}}));
    assert!(matches!(
        decide(&only_device, &device_code).outcome,
        Outcome::Block { .. }
    ));
}

#[test]
fn report_only_results_never_change_the_decision() {
    let report_only = |id: &str, grant: serde_json::Value| {
        policy(
            id,
            json!({"state": "enabledForReportingButNotEnforced", "grantControls": grant}),
        )
    };
    let set = set(vec![
        report_only("ro-block", json!({"builtInControls": ["block"]})),
        report_only("ro-mfa", json!({"builtInControls": ["mfa"]})),
        report_only("ro-device", json!({"builtInControls": ["compliantDevice"]})),
        report_only(
            "ro-device-or-mfa",
            json!({"operator": "OR", "builtInControls": ["compliantDevice", "mfa"]}),
        ),
        report_only(
            "ro-device-and-mfa",
            json!({"operator": "AND", "builtInControls": ["compliantDevice", "mfa"]}),
        ),
        report_only(
            "ro-terms",
            json!({"builtInControls": [], "termsOfUse": ["t"]}),
        ),
        policy(
            "ro-elsewhere",
            json!({"state": "enabledForReportingButNotEnforced",
            "conditions": {"applications": {"includeApplications": [OTHER_APP]}}}),
        ),
        policy(
            "off",
            json!({"state": "disabled", "grantControls": {"builtInControls": ["block"]}}),
        ),
    ]);
    let decision = decide(&set, &sign_in(json!({})));
    assert!(matches!(decision.outcome, Outcome::Allow { .. }));
    assert_eq!(
        decision.conditional_access_status,
        ConditionalAccessStatus::NotApplied
    );
    assert_eq!(result_of(&decision, "ro-block"), "reportOnlyFailure");
    assert_eq!(result_of(&decision, "ro-mfa"), "reportOnlyInterrupted");
    assert_eq!(result_of(&decision, "ro-device"), "reportOnlyFailure");
    assert_eq!(
        result_of(&decision, "ro-device-or-mfa"),
        "reportOnlyInterrupted"
    );
    assert_eq!(
        result_of(&decision, "ro-device-and-mfa"),
        "reportOnlyFailure"
    );
    assert_eq!(result_of(&decision, "ro-terms"), "reportOnlyInterrupted");
    assert_eq!(result_of(&decision, "ro-elsewhere"), "reportOnlyNotApplied");
    assert_eq!(result_of(&decision, "off"), "notEnabled");

    let decision = decide(&set, &sign_in(with_mfa()));
    assert_eq!(result_of(&decision, "ro-mfa"), "reportOnlySuccess");
    assert_eq!(
        result_of(&decision, "ro-device-or-mfa"),
        "reportOnlySuccess"
    );
}

#[test]
fn report_only_user_action_policies_are_enforced() {
    let set = set_of_one(json!({"state": "enabledForReportingButNotEnforced",
        "conditions": {"applications": {"includeApplications": [], "includeUserActions": ["urn:user:registersecurityinfo"]}}}));
    let decision = decide(
        &set,
        &sign_in(
            json!({"target": {"kind": "userAction", "userAction": "urn:user:registersecurityinfo"}}),
        ),
    );
    assert_eq!(result_of(&decision, "p"), "failure");
    assert_eq!(alternatives(&decision), [["mfa"]]);
}

#[test]
fn trace_has_the_applied_conditional_access_policy_shape() {
    let set = set_of_one(json!({"displayName": "Require MFA", "sessionControls": {
        "signInFrequency": {"isEnabled": true, "type": "hours", "value": 4, "frequencyInterval": "timeBased",
            "authenticationType": "primaryAndSecondaryAuthentication"}}}));
    let decision = decide(&set, &sign_in(with_mfa()));
    let json = serde_json::to_value(&decision).expect("json");
    assert_eq!(json["conditionalAccessStatus"], "success");
    assert_eq!(json["outcome"]["kind"], "allow");
    assert_eq!(
        json["outcome"]["sessionControls"]["signInFrequency"]["periodSeconds"],
        14_400
    );
    let applied = &json["appliedConditionalAccessPolicies"][0];
    assert_eq!(applied["id"], "p");
    assert_eq!(applied["displayName"], "Require MFA");
    assert_eq!(applied["enforcedGrantControls"], json!(["mfa"]));
    assert_eq!(
        applied["enforcedSessionControls"],
        json!(["SignInFrequency"])
    );
    assert_eq!(applied["result"], "success");
    assert_eq!(applied["conditionsSatisfied"], "users,application");
    assert_eq!(applied["conditionsNotSatisfied"], "none");
}

#[test]
fn grant_less_policies_only_add_session_controls() {
    let set = set(vec![
        policy(
            "never",
            json!({"grantControls": null, "sessionControls": {"persistentBrowser": {"isEnabled": true, "mode": "never"}}}),
        ),
        policy(
            "always",
            json!({"grantControls": null, "sessionControls": {"persistentBrowser": {"isEnabled": true, "mode": "always"}},
            "conditions": {"users": {"includeUsers": [USER]}}}),
        ),
        policy(
            "restrict",
            json!({"grantControls": null, "sessionControls": {"applicationEnforcedRestrictions": {"isEnabled": true}}}),
        ),
    ]);
    let decision = decide(&set, &sign_in(json!({})));
    let json = serde_json::to_value(&decision.outcome).expect("json");
    assert_eq!(json["kind"], "allow");
    assert_eq!(json["sessionControls"]["persistentBrowser"], "never");
    assert_eq!(
        json["sessionControls"]["applicationEnforcedRestrictions"],
        true
    );
}
