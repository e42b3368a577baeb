//! Security defaults and per-user MFA (entra.md §6).

use crate::evaluate_support;
use evaluate_support::*;
use portcullis_policy::evaluate::{BaselineRule, Outcome, PerUserMfaState, PolicySet};
use portcullis_policy::security_defaults::{
    ADMINISTRATOR_ROLE_TEMPLATE_IDS, check_security_defaults_exclusive,
};
use serde_json::json;

fn defaults() -> PolicySet {
    let mut set = PolicySet::default();
    set.security_defaults.is_enabled = true;
    set
}

fn kind(set: &PolicySet, context: serde_json::Value) -> &'static str {
    decide(set, &sign_in(context)).outcome.kind()
}

#[test]
fn seventeen_administrator_roles() {
    assert_eq!(ADMINISTRATOR_ROLE_TEMPLATE_IDS.len(), 17);
    let mut unique = ADMINISTRATOR_ROLE_TEMPLATE_IDS.to_vec();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 17);
}

#[test]
fn security_defaults_block_legacy_authentication() {
    let set = defaults();
    let decision = decide(
        &set,
        &sign_in(json!({"clientAppType": "exchangeActiveSync"})),
    );
    match decision.outcome {
        Outcome::Block { policies, baseline } => {
            assert!(policies.is_empty());
            assert_eq!(
                baseline,
                Some(BaselineRule::SecurityDefaultsLegacyAuthenticationBlocked)
            );
        }
        other => panic!("expected block, got {other:?}"),
    }
    assert_eq!(kind(&set, json!({"clientAppType": "other"})), "block");
    assert_eq!(
        kind(&set, json!({})),
        "allow",
        "an ordinary member on a browser"
    );
    assert_eq!(
        kind(&PolicySet::default(), json!({"clientAppType": "other"})),
        "allow",
        "off = no rule"
    );
}

#[test]
fn security_defaults_require_mfa_from_admins_every_sign_in() {
    let set = defaults();
    let admin = json!({"identity": {"roleTemplateIds": ["194ae4cb-b126-40b2-bd5b-6091b380977d"]}});
    assert_eq!(kind(&set, admin.clone()), "needsControls");
    let mut with = with_mfa();
    with["identity"] = admin["identity"].clone();
    assert_eq!(kind(&set, with), "allow");
    // The sync account is excluded.
    let sync = json!({"identity": {"roleTemplateIds": [GLOBAL_ADMIN, "d29b2b05-8046-44ba-8758-1e26182fcf32"]}});
    assert_eq!(kind(&set, sync), "allow");
}

#[test]
fn security_defaults_mfa_when_necessary_and_for_azure_management() {
    let set = defaults();
    assert_eq!(
        kind(&set, json!({"signInRiskLevel": "medium"})),
        "needsControls"
    );
    assert_eq!(kind(&set, json!({"signInRiskLevel": "low"})), "allow");
    assert_eq!(
        kind(&set, json!({"facts": {"unfamiliarSignInProperties": true}})),
        "needsControls"
    );
    let azure =
        json!({"target": {"kind": "application", "appId": "797f4846-ba00-4fd7-ba43-dac1f8f63013"}});
    assert_eq!(kind(&set, azure), "needsControls");
    // Service principals are not affected.
    assert_eq!(
        kind(
            &set,
            json!({"identity": {"kind": "servicePrincipal", "id": "sp"}, "clientAppType": "other"})
        ),
        "allow"
    );
}

#[test]
fn security_defaults_registration_grace_of_fourteen_days() {
    let set = defaults();
    let unregistered = |first: &str| {
        json!({"facts": {"mfaRegistered": false,
        "securityDefaultsFirstInteractiveSignInAt": first}})
    };
    let decision = decide(&set, &sign_in(unregistered("2026-11-10T08:00:00Z")));
    match &decision.outcome {
        Outcome::Allow {
            mfa_registration_due_by,
            ..
        } => {
            assert_eq!(
                mfa_registration_due_by.map(|t| t.unix_timestamp()),
                Some(time::macros::datetime!(2026-11-24 08:00 UTC).unix_timestamp())
            );
        }
        other => panic!("expected allow within grace, got {other:?}"),
    }
    let after = decide(&set, &sign_in(unregistered("2026-11-09T07:59:00Z")));
    assert_eq!(alternatives(&after), [["mfaRegistration"]]);
    // An unregistered admin must register, then do MFA.
    let mut admin = unregistered("2026-11-22T08:00:00Z");
    admin["identity"] = json!({"roleTemplateIds": [GLOBAL_ADMIN]});
    assert_eq!(
        alternatives(&decide(&set, &sign_in(admin))),
        [["mfaRegistration", "mfa"]]
    );
    // No grace for newer tenants.
    let mut strict = defaults();
    strict.security_defaults.registration_grace_enabled = false;
    assert_eq!(
        alternatives(&decide(&strict, &sign_in(unregistered(NOW)))),
        [["mfaRegistration"]]
    );
}

#[test]
fn security_defaults_are_exclusive_with_enabled_policies() {
    let enabled = policy("p", json!({"displayName": "Require MFA"}));
    let report_only = policy("r", json!({"state": "enabledForReportingButNotEnforced"}));
    assert!(check_security_defaults_exclusive(true, std::slice::from_ref(&report_only)).is_ok());
    assert!(check_security_defaults_exclusive(false, std::slice::from_ref(&enabled)).is_ok());
    let error =
        check_security_defaults_exclusive(true, &[enabled, report_only]).expect_err("conflict");
    assert!(error.to_string().contains("Require MFA"), "{error}");
}

#[test]
fn per_user_mfa_every_sign_in_except_from_trusted_ips() {
    let mut set = PolicySet::default();
    set.per_user_mfa
        .insert(USER.to_owned(), PerUserMfaState::Enforced);
    set.mfa_trusted_ips = vec!["203.0.113.0/24".parse().expect("cidr")];
    assert_eq!(alternatives(&decide(&set, &sign_in(json!({})))), [["mfa"]]);
    assert_eq!(kind(&set, with_mfa()), "allow");
    assert_eq!(kind(&set, json!({"ipAddress": "203.0.113.5"})), "allow");
    assert_eq!(kind(&set, json!({"identity": {"id": OTHER_USER}})), "allow");

    set.per_user_mfa
        .insert(USER.to_owned(), PerUserMfaState::Enabled);
    assert_eq!(
        kind(&set, json!({"clientAppType": "other"})),
        "allow",
        "legacy keeps working while enabled"
    );
    let unregistered = decide(&set, &sign_in(json!({"facts": {"mfaRegistered": false}})));
    assert_eq!(alternatives(&unregistered), [["mfaRegistration", "mfa"]]);
}

#[test]
fn per_user_mfa_combines_with_policies() {
    let mut set = set(vec![policy(
        "device",
        json!({"grantControls": {"builtInControls": ["compliantDevice"]}}),
    )]);
    set.per_user_mfa
        .insert(USER.to_owned(), PerUserMfaState::Enforced);
    assert_eq!(
        alternatives(&decide(&set, &sign_in(json!({})))),
        [["mfa", "compliantDevice"]]
    );
}
