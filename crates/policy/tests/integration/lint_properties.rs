//! Properties of the lockout lint over random policy sets built from the templates with
//! random states and exclusions.

use portcullis_policy::evaluate::PolicySet;
use portcullis_policy::lint::{DirectoryFacts, LintOptions, LintRule, LintSeverity, lint};
use portcullis_policy::model::ConditionalAccessPolicy;
use portcullis_policy::templates::{self, TemplateParameters};
use proptest::prelude::*;
use time::macros::datetime;

const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
const BREAK_GLASS_GROUP: &str = "b9b9b9b9-0000-4000-8000-000000000009";
const BREAK_GLASS: &str = "0c0c0c0c-0000-4000-8000-000000000003";

const STATES: [&str; 3] = ["enabled", "disabled", "enabledForReportingButNotEnforced"];

fn facts() -> DirectoryFacts {
    serde_json::from_value(serde_json::json!({
        "users": [
            { "id": "0a0a0a0a-0000-4000-8000-000000000001", "displayName": "Ada",
              "roles": [GLOBAL_ADMINISTRATOR] },
            { "id": "0b0b0b0b-0000-4000-8000-000000000002", "displayName": "Bob",
              "roles": [GLOBAL_ADMINISTRATOR], "devices": [], "methods": ["password", "sms"] },
            { "id": BREAK_GLASS, "displayName": "BG1", "roles": [GLOBAL_ADMINISTRATOR],
              "groups": [BREAK_GLASS_GROUP], "methods": ["fido2"] }
        ],
        "breakGlassAccounts": [BREAK_GLASS]
    }))
    .expect("facts")
}

/// (template index, state index, exclude the break-glass group)
fn policy_specs() -> impl Strategy<Value = Vec<(usize, usize, bool)>> {
    let count = templates::all().len();
    prop::collection::vec((0..count, 0..STATES.len(), any::<bool>()), 0..7)
}

fn build(specs: &[(usize, usize, bool)]) -> Vec<ConditionalAccessPolicy> {
    let all = templates::all();
    specs
        .iter()
        .map(|(template, state, exclude)| {
            let mut parameters = TemplateParameters::new().with("state", STATES[*state]);
            if *exclude {
                parameters = parameters.with("breakGlassGroup", BREAK_GLASS_GROUP);
            }
            all[*template].instantiate(&parameters).expect("instance")
        })
        .collect()
}

fn run(
    policies: Vec<ConditionalAccessPolicy>,
    enforce_report_only: bool,
) -> portcullis_policy::lint::LintReport {
    let set = PolicySet {
        policies,
        ..PolicySet::default()
    };
    lint(
        &set,
        &facts(),
        &LintOptions {
            enforce_report_only,
            ..LintOptions::default()
        },
        datetime!(2026-11-23 08:00 UTC),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_lint_is_deterministic_and_every_refusal_names_existing_policies(specs in policy_specs()) {
        let policies = build(&specs);
        let names: Vec<String> = policies.iter().map(|p| p.display_name.clone()).collect();
        let report = run(policies.clone(), true);
        prop_assert_eq!(&report, &run(policies, true));
        for finding in &report.findings {
            if finding.severity == LintSeverity::Refusal {
                prop_assert!(!finding.policies.is_empty(), "{}", finding.message);
                for policy in &finding.policies {
                    prop_assert!(names.contains(&policy.display_name));
                }
            }
        }
        // Refusals come before warnings.
        let first_warning = report.findings.iter().position(|f| f.severity == LintSeverity::Warning);
        if let Some(first_warning) = first_warning {
            prop_assert!(report.findings[first_warning..].iter().all(|f| f.severity == LintSeverity::Warning));
        }
    }

    #[test]
    fn excluding_the_break_glass_group_everywhere_keeps_everyone_safe(specs in policy_specs()) {
        let excluded: Vec<_> = specs.iter().map(|(t, s, _)| (*t, *s, true)).collect();
        let report = run(build(&excluded), true);
        prop_assert!(!report.is_refused(), "{:#?}", report.findings);
        prop_assert_eq!(report.of(LintRule::BreakGlassNotExcluded).count(), 0);
    }

    #[test]
    fn without_enabled_policies_nothing_is_refused_when_judged_as_is(specs in policy_specs()) {
        let not_enabled: Vec<_> = specs.iter().map(|(t, s, e)| (*t, 1 + s % 2, *e)).collect();
        let report = run(build(&not_enabled), false);
        prop_assert!(!report.is_refused(), "{:#?}", report.findings);
    }

    #[test]
    fn a_break_glass_warning_exactly_when_a_covering_policy_lacks_the_exclusion(specs in policy_specs()) {
        let policies = build(&specs);
        let report = run(policies, true);
        let flagged = report.of(LintRule::BreakGlassNotExcluded).count();
        // Every template but the guest-only one covers a member Global Administrator.
        let all = templates::all();
        let expected = specs
            .iter()
            .filter(|(template, state, exclude)| {
                *state != 1 && !*exclude && all[*template].slug != "mfa-guests"
            })
            .count();
        prop_assert_eq!(flagged, expected);
    }
}
