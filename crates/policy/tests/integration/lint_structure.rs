//! The structural lint checks on the real corpus and on small hand-made sets:
//! break-glass exclusions (directly, by nested group, by role) and controls no admin can
//! satisfy.

use std::fs;
use std::path::{Path, PathBuf};

use portcullis_policy::import::import_policies;
use portcullis_policy::lint::{
    DirectoryFacts, LintRule, LintSeverity, break_glass_ids, check_structure,
};
use portcullis_policy::model::ConditionalAccessPolicy;
use portcullis_policy::templates::{self, TemplateParameters};

/// The group every corpus policy but the service-account ones excludes.
const CORPUS_BREAK_GLASS_GROUP: &str = "2802b872-ccfb-4b29-a9a9-459808dfb11b";
const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
const BREAK_GLASS: &str = "0b0b0b0b-0000-4000-8000-000000000001";
const ADA: &str = "0a0a0a0a-0000-4000-8000-000000000002";

fn corpus() -> Vec<ConditionalAccessPolicy> {
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/conditional-access/j0eyv-baseline/ConditionalAccess");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("corpus directory")
        .map(|entry| entry.expect("entry").path())
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|path| import_policies(&fs::read(path).expect("readable")).expect("imports"))
        .collect()
}

fn facts(json: serde_json::Value) -> DirectoryFacts {
    serde_json::from_value(json).expect("directory facts")
}

fn flagged(report: &portcullis_policy::lint::LintReport, rule: LintRule) -> Vec<String> {
    report
        .of(rule)
        .flat_map(|finding| {
            finding
                .policies
                .iter()
                .map(|p| p.display_name[..5].to_owned())
        })
        .collect()
}

#[test]
fn the_corpus_excludes_its_break_glass_group_everywhere_but_in_ca006() {
    let facts = facts(serde_json::json!({
        "users": [{ "id": BREAK_GLASS, "displayName": "BG1", "groups": ["bg-nested"],
                    "roles": [GLOBAL_ADMINISTRATOR] }],
        // Nested: the account is in a group that is a member of the excluded group.
        "groups": [{ "id": "bg-nested", "memberOf": [CORPUS_BREAK_GLASS_GROUP] }],
        "breakGlassAccounts": [BREAK_GLASS]
    }));
    let ids = break_glass_ids(&facts, &[]);
    let report = check_structure(&corpus(), &facts, &ids);
    // A real finding: CA006 (app-enforced restrictions in browsers, enabled) excludes
    // another group but not the break-glass group every other policy excludes.
    assert_eq!(flagged(&report, LintRule::BreakGlassNotExcluded), ["CA006"]);
    // Besides it, only the advice to keep a second break-glass account.
    let rules: Vec<LintRule> = report.findings.iter().map(|f| f.rule).collect();
    assert_eq!(
        rules,
        [
            LintRule::TooFewBreakGlassAccounts,
            LintRule::BreakGlassNotExcluded
        ]
    );
    assert!(
        report.findings[1].message.contains("applies to break-glass account BG1 (0b0b0b0b-0000-4000-8000-000000000001), included as one of All users; it excludes it neither directly nor through a group or role"),
        "{}",
        report.findings[1].message
    );
}

#[test]
fn a_break_glass_account_outside_the_group_is_flagged_on_every_policy_that_covers_it() {
    let facts = facts(serde_json::json!({
        "users": [{ "id": BREAK_GLASS, "displayName": "BG1", "roles": [GLOBAL_ADMINISTRATOR] }]
    }));
    let report = check_structure(&corpus(), &facts, &[BREAK_GLASS.to_owned()]);
    assert!(!report.is_refused());
    // All-users policies (CA000–CA006) and the admin-role policies (CA100–CA105, the
    // report-only CA105 included); not the group-, guest- or agent-scoped ones.
    assert_eq!(
        flagged(&report, LintRule::BreakGlassNotExcluded),
        [
            "CA000", "CA001", "CA002", "CA003", "CA004", "CA005", "CA006", "CA100", "CA101",
            "CA102", "CA103", "CA104", "CA105"
        ]
    );
    let ca001 = report
        .of(LintRule::BreakGlassNotExcluded)
        .find(|f| f.policies[0].display_name.starts_with("CA001"))
        .expect("CA001 flagged");
    assert_eq!(ca001.severity, LintSeverity::Warning);
    assert!(
        ca001
            .message
            .contains("(enabled) applies to break-glass account BG1 (")
            && ca001.message.contains("as one of All users"),
        "{}",
        ca001.message
    );
    let ca100 = report
        .of(LintRule::BreakGlassNotExcluded)
        .find(|f| f.policies[0].display_name.starts_with("CA100"))
        .expect("CA100 flagged");
    assert!(
        ca100
            .message
            .contains("through the Global Administrator role"),
        "{}",
        ca100.message
    );
}

#[test]
fn exclusion_by_user_id_or_role_counts() {
    let by_user = templates::instantiate(
        "mfa-all-users",
        &TemplateParameters::new().with("excludeUsers", BREAK_GLASS),
    )
    .expect("instance");
    let by_role = templates::instantiate(
        "compliant-device-all-users",
        &TemplateParameters::new().with("excludeRoles", GLOBAL_ADMINISTRATOR),
    )
    .expect("instance");
    let not_excluded =
        templates::instantiate("block-legacy-authentication", &TemplateParameters::new())
            .expect("instance");
    let facts = facts(serde_json::json!({
        "users": [{ "id": BREAK_GLASS, "roles": [GLOBAL_ADMINISTRATOR] }]
    }));
    let report = check_structure(
        &[by_user, by_role, not_excluded],
        &facts,
        &[BREAK_GLASS.to_owned()],
    );
    let flagged: Vec<_> = report
        .of(LintRule::BreakGlassNotExcluded)
        .map(|f| f.policies[0].display_name.clone())
        .collect();
    assert_eq!(flagged, ["Block legacy authentication"]);
}

#[test]
fn disabled_policies_are_not_flagged() {
    let disabled = templates::instantiate(
        "block-legacy-authentication",
        &TemplateParameters::new().with("state", "disabled"),
    )
    .expect("instance");
    let report = check_structure(
        &[disabled],
        &DirectoryFacts::default(),
        &[BREAK_GLASS.to_owned()],
    );
    assert_eq!(flagged(&report, LintRule::BreakGlassNotExcluded).len(), 0);
    // The unknown account itself is reported.
    assert_eq!(report.of(LintRule::UnknownBreakGlassAccount).count(), 1);
}

#[test]
fn missing_break_glass_accounts_are_reported() {
    let report = check_structure(&corpus(), &DirectoryFacts::default(), &[]);
    assert_eq!(report.of(LintRule::NoBreakGlassAccount).count(), 1);
}

#[test]
fn break_glass_ids_merge_the_facts_and_the_arguments() {
    let facts = facts(serde_json::json!({ "breakGlassAccounts": [BREAK_GLASS] }));
    let ids = break_glass_ids(
        &facts,
        &[BREAK_GLASS.to_uppercase(), ADA.to_owned(), " ".to_owned()],
    );
    assert_eq!(ids, [BREAK_GLASS, ADA]);
}

#[test]
fn a_compliant_device_policy_with_no_enrolled_admin_device_is_flagged() {
    let facts = facts(serde_json::json!({
        "users": [
            { "id": ADA, "displayName": "Ada", "roles": [GLOBAL_ADMINISTRATOR], "devices": [] },
            { "id": BREAK_GLASS, "roles": [GLOBAL_ADMINISTRATOR],
              "devices": [{ "isCompliant": false, "trustType": "Workplace" }] }
        ]
    }));
    let admins_device = templates::instantiate(
        "compliant-or-hybrid-device-admins",
        &TemplateParameters::new().with("state", "enabled"),
    )
    .expect("instance");
    let report = check_structure(std::slice::from_ref(&admins_device), &facts, &[]);
    let finding = report
        .of(LintRule::UnsatisfiableControl)
        .next()
        .expect("flagged");
    assert!(
        finding
            .message
            .contains("requires a compliant device / a hybrid joined device")
            && finding
                .message
                .contains("none of the 2 admins it applies to"),
        "{}",
        finding.message
    );

    // One admin with a compliant device is enough.
    let facts_with_device = facts_with(
        ADA,
        serde_json::json!([{ "isCompliant": true, "trustType": "AzureAD" }]),
    );
    let report = check_structure(
        std::slice::from_ref(&admins_device),
        &facts_with_device,
        &[],
    );
    assert_eq!(report.of(LintRule::UnsatisfiableControl).count(), 0);

    // Unknown devices are not judged.
    let unknown = facts_without_devices();
    let report = check_structure(&[admins_device], &unknown, &[]);
    assert_eq!(report.of(LintRule::UnsatisfiableControl).count(), 0);

    // MFA OR compliant device can be satisfied by MFA.
    let either = templates::instantiate(
        "compliant-hybrid-or-mfa-all-users",
        &TemplateParameters::new(),
    )
    .expect("instance");
    let report = check_structure(&[either], &facts, &[]);
    assert_eq!(report.of(LintRule::UnsatisfiableControl).count(), 0);
}

fn facts_with(id: &str, devices: serde_json::Value) -> DirectoryFacts {
    facts(serde_json::json!({
        "users": [{ "id": id, "roles": [GLOBAL_ADMINISTRATOR], "devices": devices }]
    }))
}

fn facts_without_devices() -> DirectoryFacts {
    facts(serde_json::json!({ "users": [{ "id": ADA, "roles": [GLOBAL_ADMINISTRATOR] }] }))
}

#[test]
fn a_strength_no_admin_has_methods_for_is_flagged() {
    let policy =
        templates::instantiate("phishing-resistant-mfa-admins", &TemplateParameters::new())
            .expect("instance");
    let without_key = facts(serde_json::json!({
        "users": [{ "id": ADA, "roles": [GLOBAL_ADMINISTRATOR],
                    "methods": ["password", "microsoftAuthenticatorPush"] }]
    }));
    let report = check_structure(std::slice::from_ref(&policy), &without_key, &[]);
    let finding = report
        .of(LintRule::UnsatisfiableControl)
        .next()
        .expect("flagged");
    assert!(
        finding
            .message
            .contains("'Phishing resistant MFA' authentication strength"),
        "{}",
        finding.message
    );
    let with_key = facts(serde_json::json!({
        "users": [{ "id": ADA, "roles": [GLOBAL_ADMINISTRATOR], "methods": ["password", "fido2"] }]
    }));
    let report = check_structure(&[policy], &with_key, &[]);
    assert_eq!(report.of(LintRule::UnsatisfiableControl).count(), 0);
}

#[test]
fn the_corpus_device_policies_are_flagged_for_admins_without_devices_only_when_they_apply() {
    // CA205/CA208 target the internal-users group; an admin outside it is not covered.
    let facts = facts(serde_json::json!({
        "users": [{ "id": ADA, "roles": [GLOBAL_ADMINISTRATOR], "devices": [],
                    "groups": ["ceea0000-not-the-group"] }],
        "breakGlassAccounts": []
    }));
    let report = check_structure(&corpus(), &facts, &[]);
    assert_eq!(report.of(LintRule::UnsatisfiableControl).count(), 0);
}

#[test]
fn one_finding_per_policy_names_every_uncovered_break_glass_account() {
    let second = "0b0b0b0b-0000-4000-8000-000000000009";
    let facts = facts(serde_json::json!({
        "users": [
            { "id": BREAK_GLASS, "displayName": "BG1" },
            { "id": second, "displayName": "BG2" }
        ],
        "breakGlassAccounts": [BREAK_GLASS, second]
    }));
    let policy = templates::instantiate("block-legacy-authentication", &TemplateParameters::new())
        .expect("instance");
    let report = check_structure(&[policy], &facts, &break_glass_ids(&facts, &[]));
    let findings: Vec<_> = report.of(LintRule::BreakGlassNotExcluded).collect();
    assert_eq!(findings.len(), 1);
    assert!(
        findings[0].message.contains(
            "applies to break-glass accounts BG1 (0b0b0b0b-0000-4000-8000-000000000001), included as one of All users; BG2 (0b0b0b0b-0000-4000-8000-000000000009), included as one of All users; it excludes them neither"
        ),
        "{}",
        findings[0].message
    );
}

#[test]
fn a_break_glass_account_must_be_a_global_administrator() {
    let facts = facts(serde_json::json!({
        "users": [{ "id": BREAK_GLASS, "displayName": "BG1", "roles": [] },
                  { "id": ADA, "displayName": "BG2", "roles": [GLOBAL_ADMINISTRATOR] }],
        "breakGlassAccounts": [BREAK_GLASS, ADA]
    }));
    let report = check_structure(&[], &facts, &break_glass_ids(&facts, &[]));
    let rules: Vec<LintRule> = report.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, [LintRule::BreakGlassNotGlobalAdministrator]);
    assert!(
        report.findings[0]
            .message
            .starts_with("break-glass account BG1 (")
    );
}
