//! The real policy corpus (`shared/fixtures/conditional-access/j0eyv-baseline`), imported
//! as exported from Entra, judged against concrete sign-ins.

use crate::evaluate_support;
use std::fs;
use std::path::{Path, PathBuf};

use evaluate_support::{NOW, alternatives, result_of, sign_in, with_mfa};
use portcullis_policy::evaluate::{Decision, Outcome, PolicySet, evaluate};
use portcullis_policy::import::{import_named_locations, import_policies};
use serde_json::{Value, json};

const INTERNALS: &str = "ceeac9b8-ddf5-48cb-afcb-e2ab8bfd1a57";
const BREAK_GLASS: &str = "2802b872-ccfb-4b29-a9a9-459808dfb11b";
const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/conditional-access/j0eyv-baseline")
}

fn files(sub: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(corpus().join(sub))
        .expect("fixture directory")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

fn baseline_set() -> PolicySet {
    let mut set = PolicySet::default();
    for path in files("ConditionalAccess") {
        set.policies
            .extend(import_policies(&fs::read(&path).expect("read")).expect("import"));
    }
    for path in files("NamedLocations") {
        set.named_locations
            .extend(import_named_locations(&fs::read(&path).expect("read")).expect("import"));
    }
    assert_eq!(set.policies.len(), 36);
    set
}

fn decide(context: Value) -> Decision<'static> {
    evaluate_support::decide(&baseline_set(), &sign_in(context))
}

fn internal(mut overrides: Value) -> Value {
    overrides["identity"] = json!({"groupIds": [INTERNALS]});
    overrides
}

fn by_prefix<'a>(decision: &'a Decision, prefix: &str) -> &'a str {
    decision
        .applied_conditional_access_policies
        .iter()
        .find(|applied| applied.display_name.starts_with(prefix))
        .map(|applied| applied.result.as_str())
        .expect("policy present")
}

fn blocking(decision: &Decision) -> Vec<String> {
    match &decision.outcome {
        Outcome::Block { policies, .. } => policies
            .iter()
            .map(|policy| policy.display_name.chars().take(5).collect())
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn the_whole_corpus_compiles_without_restrictive_readings() {
    let compiled = baseline_set().compile();
    assert_eq!(compiled.len(), 36);
    assert!(compiled.has_enabled_policies());
    assert!(compiled.warnings().is_empty(), "{:?}", compiled.warnings());
}

#[test]
fn internal_member_on_windows_needs_mfa_and_a_managed_device() {
    let decision = decide(internal(json!({})));
    assert_eq!(
        alternatives(&decision),
        [
            vec!["mfa", "compliantDevice"],
            vec!["mfa", "domainJoinedDevice"]
        ]
    );
    assert_eq!(by_prefix(&decision, "CA000"), "failure");
    assert_eq!(by_prefix(&decision, "CA200"), "failure");
    assert_eq!(by_prefix(&decision, "CA205"), "failure");
    assert_eq!(
        by_prefix(&decision, "CA001"),
        "notApplied",
        "NL is an allowed country"
    );
    assert_eq!(by_prefix(&decision, "CA002"), "notApplied");
    assert_eq!(by_prefix(&decision, "CA208"), "notApplied", "macOS only");
    assert_eq!(
        by_prefix(&decision, "CA503"),
        "reportOnlyNotApplied",
        "agents only"
    );

    let mut done = with_mfa();
    done["facts"] = json!({"deviceCompliant": true, "mfaRegistered": true});
    let decision = decide(internal(done));
    assert!(
        matches!(decision.outcome, Outcome::Allow { .. }),
        "{:?}",
        decision.outcome
    );
    assert_eq!(by_prefix(&decision, "CA205"), "success");
}

#[test]
fn country_allow_list_blocks_an_unlisted_country() {
    let decision = decide(internal(json!({"country": "US"})));
    assert_eq!(blocking(&decision), ["CA001"]);
    let decision = decide(internal(json!({"country": null})));
    assert_eq!(
        blocking(&decision),
        ["CA001"],
        "unknown countries are not allowed either"
    );
}

#[test]
fn legacy_clients_are_blocked() {
    let decision = decide(json!({"clientAppType": "other"}));
    assert_eq!(blocking(&decision), ["CA002"]);
    let decision = decide(json!({"clientAppType": "exchangeActiveSync"}));
    assert_eq!(blocking(&decision), ["CA002"]);
}

#[test]
fn high_user_risk_and_high_sign_in_risk_are_blocked_for_internals() {
    assert_eq!(
        blocking(&decide(internal(json!({"userRiskLevel": "high"})))),
        ["CA201"]
    );
    assert_eq!(
        blocking(&decide(internal(json!({"signInRiskLevel": "high"})))),
        ["CA210"]
    );
    assert!(blocking(&decide(internal(json!({"userRiskLevel": "medium"})))).is_empty());
}

#[test]
fn device_code_flow_is_blocked() {
    let decision = decide(json!({"authenticationFlow": "deviceCodeFlow"}));
    assert_eq!(blocking(&decision), ["CA004"]);
}

#[test]
fn unknown_platforms_are_blocked_for_internals() {
    let decision = decide(internal(json!({"devicePlatform": null})));
    assert_eq!(blocking(&decision), ["CA204"]);
}

#[test]
fn break_glass_accounts_are_excluded_everywhere() {
    let context = json!({"identity": {"groupIds": [BREAK_GLASS, INTERNALS], "roleTemplateIds": [GLOBAL_ADMIN]},
        "country": "US", "clientAppType": "other", "userRiskLevel": "high"});
    let decision = decide(context);
    assert!(
        matches!(decision.outcome, Outcome::Allow { .. }),
        "{:?}",
        decision.outcome
    );
    for applied in &decision.applied_conditional_access_policies {
        assert!(
            matches!(
                applied.result.as_str(),
                "notApplied" | "reportOnlyNotApplied"
            ),
            "{} applied to break-glass: {}",
            applied.display_name.as_str(),
            applied.result.as_str()
        );
    }
}

#[test]
fn registering_a_device_requires_mfa() {
    let decision =
        decide(json!({"target": {"kind": "userAction", "userAction": "urn:user:registerdevice"}}));
    assert_eq!(alternatives(&decision), [["mfa"]]);
    assert_eq!(by_prefix(&decision, "CA003"), "failure");
    assert_eq!(
        by_prefix(&decision, "CA000"),
        "notApplied",
        "All resources excludes user actions"
    );
}

#[test]
fn admins_get_report_only_phishing_resistant_and_sign_in_frequency() {
    let mut context = with_mfa();
    context["identity"] = json!({"roleTemplateIds": [GLOBAL_ADMIN]});
    let decision = decide(context);
    assert_eq!(by_prefix(&decision, "CA101"), "success");
    assert_eq!(by_prefix(&decision, "CA105"), "reportOnlyInterrupted");
    match &decision.outcome {
        Outcome::Allow {
            session_controls, ..
        } => {
            let frequency = session_controls
                .sign_in_frequency
                .expect("CA102 sets a frequency");
            assert_eq!(frequency.period_seconds, Some(12 * 3600));
        }
        other => panic!("expected allow, got {other:?}"),
    }
    let mut stale = with_mfa();
    stale["identity"] = json!({"roleTemplateIds": [GLOBAL_ADMIN]});
    stale["session"]["authenticatedAt"] = json!("2026-11-22T08:00:00Z");
    let decision = decide(stale);
    assert_eq!(alternatives(&decision), [["reauthentication"]]);
    let _ = NOW;
}

#[test]
fn guests_are_blocked_outside_office365_when_the_group_is_known() {
    let guest = json!({"identity": {"userType": "guest", "externalTenantId": "contoso"}});
    let decision = decide(guest.clone());
    assert_eq!(blocking(&decision), ["CA401"]);
    let mut set = baseline_set();
    set.application_groups.office365 = vec![evaluate_support::APP.to_owned()];
    let compiled = set.compile();
    let decision = evaluate(&compiled, &sign_in(guest));
    assert!(blocking(&decision).is_empty());
    assert_eq!(
        result_of(
            &decision,
            decision.applied_conditional_access_policies[0].id.as_str()
        ),
        "failure"
    );
}
