//! The lockout lint with the evaluator: refusals when every Global Administrator or every
//! break-glass account would be blocked everywhere, with the policies and reasons.

use std::fs;
use std::path::{Path, PathBuf};

use portcullis_policy::evaluate::PolicySet;
use portcullis_policy::import::{import_named_locations, import_policies};
use portcullis_policy::lint::{DirectoryFacts, LintOptions, LintRule, LintSeverity, lint};
use portcullis_policy::model::{ConditionalAccessPolicy, NamedLocation};
use portcullis_policy::templates::{self, TemplateParameters};
use time::macros::datetime;

const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
const CORPUS_BREAK_GLASS_GROUP: &str = "2802b872-ccfb-4b29-a9a9-459808dfb11b";
const ALLOWED_COUNTRIES: &str = "185c993e-10a9-44fa-98d1-230c8f72f497";
const ADA: &str = "0a0a0a0a-0000-4000-8000-000000000001";
const BOB: &str = "0b0b0b0b-0000-4000-8000-000000000002";
const BREAK_GLASS: &str = "0c0c0c0c-0000-4000-8000-000000000003";

fn corpus_dir(sub: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/conditional-access/j0eyv-baseline")
        .join(sub);
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .expect("directory")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
}

fn corpus_policies() -> Vec<ConditionalAccessPolicy> {
    corpus_dir("ConditionalAccess")
        .iter()
        .flat_map(|p| import_policies(&fs::read(p).expect("readable")).expect("imports"))
        .collect()
}

fn corpus_locations() -> Vec<NamedLocation> {
    corpus_dir("NamedLocations")
        .iter()
        .flat_map(|p| import_named_locations(&fs::read(p).expect("readable")).expect("imports"))
        .collect()
}

fn facts(json: serde_json::Value) -> DirectoryFacts {
    serde_json::from_value(json).expect("facts")
}

fn two_admins_and_break_glass() -> DirectoryFacts {
    facts(serde_json::json!({
        "users": [
            { "id": ADA, "displayName": "Ada", "roles": [GLOBAL_ADMINISTRATOR] },
            { "id": BOB, "displayName": "Bob", "roles": [GLOBAL_ADMINISTRATOR] },
            { "id": BREAK_GLASS, "displayName": "BG1", "roles": [GLOBAL_ADMINISTRATOR],
              "groups": [CORPUS_BREAK_GLASS_GROUP] }
        ],
        "breakGlassAccounts": [BREAK_GLASS]
    }))
}

fn run(set: &PolicySet, facts: &DirectoryFacts) -> portcullis_policy::lint::LintReport {
    lint(
        set,
        facts,
        &LintOptions::default(),
        datetime!(2026-11-23 08:00 UTC),
    )
}

fn template(slug: &str, pairs: &[&str]) -> ConditionalAccessPolicy {
    templates::instantiate(slug, &TemplateParameters::parse(pairs).expect("pairs"))
        .expect("instance")
}

#[test]
fn the_corpus_locks_nobody_out() {
    let set = PolicySet {
        policies: corpus_policies(),
        named_locations: corpus_locations(),
        ..PolicySet::default()
    };
    let report = run(&set, &two_admins_and_break_glass());
    assert!(!report.is_refused(), "{:#?}", report.findings);
    assert_eq!(report.of(LintRule::AccountLockout).count(), 0);
    // The real gap: CA006 does not exclude the break-glass group.
    assert_eq!(report.of(LintRule::BreakGlassNotExcluded).count(), 1);
}

#[test]
fn blocking_the_allowed_countries_too_locks_out_every_global_administrator() {
    // CA001 blocks everything outside 'ALLOWED COUNTRIES'; this mistaken policy blocks the
    // allowed countries themselves. Together they cover every sign-in.
    let mut mistake = template(
        "block-by-location",
        &[
            "state=enabled",
            "displayName=CA999 Block allowed countries by mistake",
        ],
    );
    let locations = mistake
        .conditions
        .as_mut()
        .and_then(|c| c.locations.as_mut())
        .expect("locations");
    locations.include_locations = vec![ALLOWED_COUNTRIES.to_owned()];
    locations.exclude_locations = Vec::new();
    let mut policies = corpus_policies();
    policies.push(mistake);
    let set = PolicySet {
        policies,
        named_locations: corpus_locations(),
        ..PolicySet::default()
    };
    let admins_only = facts(serde_json::json!({
        "users": [
            { "id": ADA, "displayName": "Ada", "roles": [GLOBAL_ADMINISTRATOR] },
            { "id": BOB, "displayName": "Bob", "roles": [GLOBAL_ADMINISTRATOR] }
        ]
    }));
    let report = run(&set, &admins_only);
    assert!(report.is_refused());
    let refusal = report
        .of(LintRule::GlobalAdministratorLockout)
        .next()
        .expect("refused");
    assert_eq!(refusal.severity, LintSeverity::Refusal);
    let names: Vec<&str> = refusal
        .policies
        .iter()
        .map(|p| &p.display_name[..5])
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.contains(&"CA001") && names.contains(&"CA999"),
        "{names:?}"
    );
    let message = &refusal.message;
    assert!(
        message.starts_with("all 2 Global Administrators (Ada (0a0a0a0a-0000-4000-8000-000000000001), Bob (")
            && message.contains("would be blocked everywhere: none of the 240 probed sign-ins (4 network positions × 5 platforms × 2 client types × the device states the facts allow, no risk, for each of the 2 accounts) gets through: ")
            && message.contains("'CA001-Global-AttackSurfaceReduction-AnyApp-AnyPlatform-BLOCK-CountryWhitelist' stops 120 of them (enabled; it blocks All users except 3 groups on All resources from any location except 'ALLOWED COUNTRIES' (BE, LU, NL))")
            && message.contains("'CA999 Block allowed countries by mistake' stops 120 of them (enabled; it blocks All users on All resources from 'ALLOWED COUNTRIES' (BE, LU, NL))"),
        "{message}"
    );

    // With the corpus's break-glass account (a Global Administrator in the excluded
    // group), the Global Administrators are not all locked out: CA001 lets BG1 in from
    // outside the allowed countries. Ada and Bob still are, which is a warning.
    let report = run(&set, &two_admins_and_break_glass());
    assert_eq!(report.of(LintRule::GlobalAdministratorLockout).count(), 0);
    assert_eq!(report.of(LintRule::BreakGlassLockout).count(), 0);
    let warning = report.of(LintRule::AccountLockout).next().expect("warned");
    assert!(
        warning
            .message
            .starts_with("2 of the 3 Global Administrators (Ada ("),
        "{}",
        warning.message
    );
    // …and CA999 does not exclude the break-glass account.
    assert!(
        report
            .of(LintRule::BreakGlassNotExcluded)
            .any(|f| f.policies[0].display_name.starts_with("CA999"))
    );
}

#[test]
fn a_break_glass_exclusion_keeps_the_break_glass_account_in() {
    let block_everywhere = template(
        "block-by-location",
        &[&format!("breakGlassGroup={CORPUS_BREAK_GLASS_GROUP}")],
    );
    let set = PolicySet {
        policies: vec![block_everywhere],
        ..PolicySet::default()
    };
    let report = run(&set, &two_admins_and_break_glass());
    // Ada and Bob are locked out, BG1 is not: a warning that names the two, no refusal
    // for the break-glass account, and the Global Administrators as a group still have
    // BG1 — so no refusal at all.
    assert!(!report.is_refused(), "{:#?}", report.findings);
    let warning = report.of(LintRule::AccountLockout).next().expect("warned");
    assert!(
        warning.message.starts_with("2 of the 3 Global Administrators (Ada (")
            && warning.message.contains("report-only, judged as if enabled; it blocks All users except 1 group on All resources from any location except trusted locations"),
        "{}",
        warning.message
    );
}

#[test]
fn report_only_policies_lock_nobody_out_when_judged_as_they_are() {
    let block_everywhere = template("block-by-location", &[]);
    let set = PolicySet {
        policies: vec![block_everywhere],
        ..PolicySet::default()
    };
    let facts = two_admins_and_break_glass();
    let as_is = lint(
        &set,
        &facts,
        &LintOptions {
            enforce_report_only: false,
            ..LintOptions::default()
        },
        datetime!(2026-11-23 08:00 UTC),
    );
    assert!(!as_is.is_refused(), "{:#?}", as_is.findings);
    let turned_on = run(&set, &facts);
    assert!(turned_on.is_refused());
    assert_eq!(
        turned_on.of(LintRule::GlobalAdministratorLockout).count(),
        1
    );
    assert_eq!(turned_on.of(LintRule::BreakGlassLockout).count(), 1);
    // Refusals come first.
    assert_eq!(turned_on.findings[0].severity, LintSeverity::Refusal);
}

#[test]
fn a_compliant_device_requirement_locks_out_admins_without_devices() {
    let compliant = template(
        "compliant-device-all-users",
        &["state=enabled", &format!("excludeUsers={BREAK_GLASS}")],
    );
    let set = PolicySet {
        policies: vec![compliant],
        ..PolicySet::default()
    };
    let no_devices = facts(serde_json::json!({
        "users": [{ "id": ADA, "displayName": "Ada", "roles": [GLOBAL_ADMINISTRATOR], "devices": [] }],
        "breakGlassAccounts": [BREAK_GLASS]
    }));
    let report = run(&set, &no_devices);
    let refusal = report
        .of(LintRule::GlobalAdministratorLockout)
        .next()
        .expect("refused");
    assert!(
        refusal.message.starts_with("the only Global Administrator, Ada (")
            && refusal.message.contains("'Require compliant device' stops 20 of them (enabled; it requires compliantDevice for All users except 1 user, 1 role on All resources)"),
        "{}",
        refusal.message
    );
    // The structural check says the same thing in its own words.
    assert_eq!(report.of(LintRule::UnsatisfiableControl).count(), 1);
    // With unknown devices, the compliant-device probes get through.
    let unknown = facts(serde_json::json!({
        "users": [{ "id": ADA, "roles": [GLOBAL_ADMINISTRATOR] }],
        "breakGlassAccounts": [BREAK_GLASS]
    }));
    assert!(!run(&set, &unknown).is_refused());
}

#[test]
fn a_strength_no_admin_can_meet_locks_them_out() {
    let set = PolicySet {
        policies: vec![template("phishing-resistant-mfa-admins", &[])],
        ..PolicySet::default()
    };
    let without_key = facts(serde_json::json!({
        "users": [{ "id": ADA, "roles": [GLOBAL_ADMINISTRATOR], "methods": ["password", "sms"] }]
    }));
    assert!(run(&set, &without_key).is_refused());
    let with_key = facts(serde_json::json!({
        "users": [{ "id": ADA, "roles": [GLOBAL_ADMINISTRATOR], "methods": ["password", "fido2"] }]
    }));
    assert!(!run(&set, &with_key).is_refused());
}

#[test]
fn no_global_administrator_is_reported() {
    let report = run(&PolicySet::default(), &DirectoryFacts::default());
    assert_eq!(report.of(LintRule::NoGlobalAdministrator).count(), 1);
    assert!(!report.is_refused());
}
