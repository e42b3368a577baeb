//! `portcullis policy lint`: refusals (exit 1), warnings (exit 0), bad input (exit 2).

use crate::support;
use portcullis_policy_cli::Status;
use support::{
    ADA, BREAK_GLASS, CORPUS_BREAK_GLASS_GROUP, GLOBAL_ADMINISTRATOR, corpus_locations,
    corpus_policies, policy, write,
};

fn directory(break_glass_in_group: bool) -> String {
    let groups: Vec<&str> = if break_glass_in_group {
        vec![CORPUS_BREAK_GLASS_GROUP]
    } else {
        Vec::new()
    };
    serde_json::json!({
        "users": [
            { "id": ADA, "displayName": "Ada", "roles": [GLOBAL_ADMINISTRATOR] },
            { "id": BREAK_GLASS, "displayName": "BG1", "roles": [GLOBAL_ADMINISTRATOR], "groups": groups }
        ]
    })
    .to_string()
}

#[test]
fn the_corpus_passes_with_one_warning_about_ca006() {
    let dir = tempfile::tempdir().expect("temp dir");
    let facts = write(dir.path(), "directory.json", directory(true));
    let outcome = policy(&[
        &"lint",
        &"--policies",
        &corpus_policies(),
        &"--named-locations",
        &corpus_locations(),
        &"--directory",
        &facts,
        &"--break-glass",
        &BREAK_GLASS,
    ]);
    assert_eq!(
        outcome.status,
        Status::Success,
        "{}{}",
        outcome.out,
        outcome.err
    );
    let lines: Vec<&str> = outcome.out.lines().collect();
    assert_eq!(lines.len(), 3, "{}", outcome.out);
    assert!(
        lines[0].starts_with(
            "warning [tooFewBreakGlassAccounts]: only one break-glass account is known"
        )
    );
    assert!(
        lines[1].starts_with("warning [breakGlassNotExcluded]: 'CA006-Global-DataProtection-Office365-AnyPlatform-Browser-Unmanaged-AppEnforceRestrictions' (enabled) applies to break-glass account BG1"),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2], "ok: no lockout found (36 policies, 2 findings)");
}

#[test]
fn a_lockout_is_refused_with_exit_status_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let facts = write(dir.path(), "directory.json", directory(false));
    // Turning the block-by-location template on with no trusted location blocks
    // everyone everywhere; BG1 is not excluded.
    let template = policy(&[&"template", &"block-by-location"]);
    let block = write(dir.path(), "block.json", &template.out);
    let outcome = policy(&[
        &"lint",
        &"--policies",
        &block,
        &"--directory",
        &facts,
        &"--break-glass",
        &BREAK_GLASS,
    ]);
    assert_eq!(outcome.status, Status::Findings, "{}", outcome.out);
    assert!(
        outcome.out.starts_with(
            "refused [globalAdministratorLockout]: all 2 Global Administrators (Ada ("
        ),
        "{}",
        outcome.out
    );
    assert!(
        outcome
            .out
            .contains("refused [breakGlassLockout]: the only break-glass account, BG1 (")
    );
    assert!(outcome.out.contains("'Block access by location' stops"));
    assert!(outcome.out.ends_with(
        "refused: this policy set would lock out every Global Administrator or every break-glass account (1 policy, 4 findings)\n"
    ), "{}", outcome.out);

    // Judged as it is (report-only), it locks nobody out.
    let as_is = policy(&[
        &"lint",
        &"--policies",
        &block,
        &"--directory",
        &facts,
        &"--break-glass",
        &BREAK_GLASS,
        &"--as-is",
    ]);
    assert_eq!(as_is.status, Status::Success, "{}", as_is.out);

    // JSON report.
    let json = policy(&[
        &"lint",
        &"--policies",
        &block,
        &"--directory",
        &facts,
        &"--json",
    ]);
    assert_eq!(json.status, Status::Findings);
    let report = json.json();
    assert_eq!(report["findings"][0]["severity"], "refusal");
    assert_eq!(report["findings"][0]["rule"], "globalAdministratorLockout");
}

#[test]
fn lint_refuses_to_guess_about_unknown_named_locations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let facts = write(dir.path(), "directory.json", directory(true));
    let outcome = policy(&[
        &"lint",
        &"--policies",
        &corpus_policies(),
        &"--directory",
        &facts,
    ]);
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(
        outcome.err,
        "error: CA001-Global-AttackSurfaceReduction-AnyApp-AnyPlatform-BLOCK-CountryWhitelist: conditions.locations names 185c993e-10a9-44fa-98d1-230c8f72f497, which no --named-locations file defines (pass the named locations the policies use)\n"
    );
}

#[test]
fn lint_rejects_malformed_directories() {
    let dir = tempfile::tempdir().expect("temp dir");
    let facts = write(
        dir.path(),
        "directory.json",
        r#"{"users":[{"id":"a","methods":["pass word"]}]}"#,
    );
    let outcome = policy(&[
        &"lint",
        &"--policies",
        &corpus_policies(),
        &"--named-locations",
        &corpus_locations(),
        &"--directory",
        &facts,
    ]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(
        outcome.err.contains("directory.json: not a directory"),
        "{}",
        outcome.err
    );
    let missing = dir.path().join("missing.json");
    let outcome = policy(&[
        &"lint",
        &"--policies",
        &corpus_policies(),
        &"--named-locations",
        &corpus_locations(),
        &"--directory",
        &missing,
    ]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(
        outcome.err.contains("missing.json: cannot read: "),
        "{}",
        outcome.err
    );
}
