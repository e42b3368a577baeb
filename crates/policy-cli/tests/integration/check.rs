//! `portcullis policy check`: real corpus files, collections, and broken files of every
//! kind.

use crate::support;
use portcullis_policy_cli::Status;
use support::{corpus, corpus_policies, policy, utf16le, write};

const VALID: &str = r#"{
  "displayName": "Require MFA for admins",
  "state": "enabledForReportingButNotEnforced",
  "conditions": {
    "users": { "includeRoles": ["62e90394-69f5-4237-9190-012177145e10"] },
    "applications": { "includeApplications": ["All"] },
    "clientAppTypes": ["all"]
  },
  "grantControls": { "operator": "OR", "builtInControls": ["mfa"] }
}"#;

const MFA_WITH_STRENGTH: &str = r#"{
  "displayName": "Broken",
  "state": "enabled",
  "conditions": {
    "users": { "includeUsers": ["All"] },
    "applications": { "includeApplications": ["All"] }
  },
  "grantControls": { "operator": "OR", "builtInControls": ["mfa"],
                     "authenticationStrength": { "id": "00000000-0000-0000-0000-000000000002" } }
}"#;

#[test]
fn the_corpus_policies_are_all_valid() {
    let outcome = policy(&[&"check", &corpus_policies()]);
    assert_eq!(
        outcome.status,
        Status::Success,
        "{}{}",
        outcome.out,
        outcome.err
    );
    // The one warning of the corpus: CA104 targets no resource.
    let warnings: Vec<&str> = outcome
        .out
        .lines()
        .filter(|l| l.contains(": warning: "))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", outcome.out);
    assert!(
        warnings[0].contains("CA104-Admins-IdentityProtection-AllApps-AnyPlatform-ContinuousAccessEvaluation.json: warning: ")
            && warnings[0].ends_with("[targetsNoResource]"),
        "{}",
        warnings[0]
    );
    assert!(
        outcome
            .out
            .ends_with("checked 36 files: 36 policies, 0 named locations, 0 authentication strengths; 0 errors, 1 warning\n"),
        "{}",
        outcome.out
    );
    assert!(outcome.err.is_empty());
}

#[test]
fn the_whole_export_checks_policies_and_named_locations_together() {
    // The root folder mixes policies and named locations; location references are then
    // checked against the locations found.
    let outcome = policy(&[&"check", &corpus()]);
    assert_eq!(
        outcome.status,
        Status::Success,
        "{}{}",
        outcome.out,
        outcome.err
    );
    assert!(
        outcome.out.ends_with(
            "checked 39 files: 36 policies, 3 named locations, 0 authentication strengths; 0 errors, 2 warnings\n"
        ),
        "{}",
        outcome.out
    );
}

#[test]
fn a_missing_named_location_is_an_error_when_locations_are_given() {
    let dir = tempfile::tempdir().expect("temp dir");
    let other = write(
        dir.path(),
        "other.json",
        r##"{"@odata.type":"#microsoft.graph.countryNamedLocation","id":"11111111-1111-4111-8111-111111111111","displayName":"Other","countriesAndRegions":["DE"]}"##,
    );
    let outcome = policy(&[
        &"check",
        &corpus_policies().join(
            "CA001-Global-AttackSurfaceReduction-AnyApp-AnyPlatform-BLOCK-CountryWhitelist.json",
        ),
        &"--named-locations",
        &other,
    ]);
    assert_eq!(outcome.status, Status::Findings, "{}", outcome.out);
    assert!(
        outcome.out.contains(": error: conditions.locations.excludeLocations[0]: no named location has the ID '185c993e-10a9-44fa-98d1-230c8f72f497' [unknownReference]"),
        "{}",
        outcome.out
    );
}

#[test]
fn errors_name_the_file_and_the_json_path_inside_a_collection() {
    let dir = tempfile::tempdir().expect("temp dir");
    let collection = write(
        dir.path(),
        "policies.json",
        format!(r#"{{"@odata.context":"x","value":[{VALID},{MFA_WITH_STRENGTH}]}}"#),
    );
    let outcome = policy(&[&"check", &collection]);
    assert_eq!(outcome.status, Status::Findings);
    let expected = format!(
        "{}: error: value[1].grantControls.builtInControls: 'mfa' cannot be combined with authenticationStrength",
        collection.display()
    );
    assert!(outcome.out.contains(&expected), "{}", outcome.out);
    assert!(outcome.out.contains("[mfaWithAuthenticationStrength]"));
    // A plain array: the item is [n].
    let array = write(
        dir.path(),
        "array.json",
        format!("[{VALID},{MFA_WITH_STRENGTH}]"),
    );
    let outcome = policy(&[&"check", &array]);
    assert!(
        outcome
            .out
            .contains(": error: [1].grantControls.builtInControls: "),
        "{}",
        outcome.out
    );
    // A single object: no item prefix.
    let single = write(dir.path(), "single.json", MFA_WITH_STRENGTH);
    let outcome = policy(&[&"check", &single]);
    assert!(
        outcome
            .out
            .contains("single.json: error: grantControls.builtInControls: "),
        "{}",
        outcome.out
    );
}

#[test]
fn utf16_and_bom_files_are_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "utf16.json", utf16le(VALID));
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(VALID.replace('\n', "\r\n").as_bytes());
    write(dir.path(), "bom.json", bom);
    let outcome = policy(&[&"check", &dir.path()]);
    assert_eq!(
        outcome.status,
        Status::Success,
        "{}{}",
        outcome.out,
        outcome.err
    );
    assert!(
        outcome.out.contains("checked 2 files: 2 policies"),
        "{}",
        outcome.out
    );
}

#[test]
fn broken_files_are_reported_with_their_file_and_what_is_wrong() {
    let dir = tempfile::tempdir().expect("temp dir");
    let truncated = write(dir.path(), "truncated.json", &VALID[..VALID.len() / 2]);
    let outcome = policy(&[&"check", &truncated]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(
        outcome
            .err
            .starts_with(&format!("error: {}: line ", truncated.display()))
            && outcome.err.contains("EOF while parsing"),
        "{}",
        outcome.err
    );

    let latin1 = write(
        dir.path(),
        "latin1.json",
        b"{\"displayName\": \"Caf\xe9\"}".as_slice(),
    );
    let outcome = policy(&[&"check", &latin1]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(
        outcome
            .err
            .contains("latin1.json: not valid UTF-8: invalid byte sequence at byte offset 20"),
        "{}",
        outcome.err
    );

    let garbage: Vec<u8> = (0..512u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let binary = write(dir.path(), "garbage.json", garbage);
    let outcome = policy(&[&"check", &binary]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(outcome.err.contains("garbage.json: "), "{}", outcome.err);

    let wrong_type = write(
        dir.path(),
        "type.json",
        r#"{"displayName": 42, "state": "enabled", "conditions": {}}"#,
    );
    let outcome = policy(&[&"check", &wrong_type]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(
        outcome.err.contains("type.json: line 1, column ") && outcome.err.contains("invalid type"),
        "{}",
        outcome.err
    );

    let empty = write(dir.path(), "empty.json", "  \r\n");
    let outcome = policy(&[&"check", &empty]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(
        outcome.err.contains("empty.json: the input is empty"),
        "{}",
        outcome.err
    );

    let scalar = write(dir.path(), "scalar.json", "42");
    let outcome = policy(&[&"check", &scalar]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(
        outcome.err.contains("scalar.json: expected an object"),
        "{}",
        outcome.err
    );
}

#[test]
fn one_bad_file_in_a_folder_does_not_hide_the_others() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a-good.json", VALID);
    write(dir.path(), "b-bad.json", "{\"displayName\": ");
    write(dir.path(), "c-invalid.json", MFA_WITH_STRENGTH);
    write(
        dir.path(),
        "notes.txt",
        "not JSON, and not a .json file: skipped",
    );
    let outcome = policy(&[&"check", &dir.path()]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(
        outcome.err.contains("b-bad.json: line 1, column"),
        "{}",
        outcome.err
    );
    assert!(
        outcome
            .out
            .contains("c-invalid.json: error: grantControls.builtInControls"),
        "{}",
        outcome.out
    );
    assert!(
        outcome.out.ends_with("checked 3 files: 2 policies, 0 named locations, 0 authentication strengths; 1 error, 0 warnings, 1 unreadable file\n"),
        "{}",
        outcome.out
    );
}

#[test]
fn missing_paths_and_empty_folders_are_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let outcome = policy(&[&"check", &dir.path().join("nope.json")]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(
        outcome.err.contains("nope.json: cannot read: "),
        "{}",
        outcome.err
    );
    let outcome = policy(&[&"check", &dir.path()]);
    assert_eq!(outcome.status, Status::Failed);
    assert!(
        outcome.err.contains("the folder holds no .json file"),
        "{}",
        outcome.err
    );
}

#[test]
fn strength_references_are_checked_when_strengths_are_given() {
    let dir = tempfile::tempdir().expect("temp dir");
    let custom = write(
        dir.path(),
        "strength.json",
        r#"{"id":"5f8c1f6b-0000-4000-8000-00000000aaaa","displayName":"Keys only","policyType":"custom","allowedCombinations":["fido2"]}"#,
    );
    let uses_unknown = write(
        dir.path(),
        "policy.json",
        MFA_WITH_STRENGTH
            .replace(
                r#""builtInControls": ["mfa"],"#,
                r#""builtInControls": [],"#,
            )
            .replace(
                "00000000-0000-0000-0000-000000000002",
                "5f8c1f6b-0000-4000-8000-00000000bbbb",
            ),
    );
    let outcome = policy(&[&"check", &custom, &uses_unknown]);
    assert_eq!(
        outcome.status,
        Status::Findings,
        "{}{}",
        outcome.out,
        outcome.err
    );
    assert!(
        outcome.out.contains("policy.json: error: grantControls.authenticationStrength.id: no authentication strength has the ID '5f8c1f6b-0000-4000-8000-00000000bbbb' [unknownReference]"),
        "{}",
        outcome.out
    );
    assert!(
        outcome.out.contains("1 authentication strength;"),
        "{}",
        outcome.out
    );
    // Built-in strengths are always known.
    let builtin = write(
        dir.path(),
        "builtin.json",
        MFA_WITH_STRENGTH.replace(
            r#""builtInControls": ["mfa"],"#,
            r#""builtInControls": [],"#,
        ),
    );
    let outcome = policy(&[&"check", &custom, &builtin]);
    assert_eq!(
        outcome.status,
        Status::Success,
        "{}{}",
        outcome.out,
        outcome.err
    );
}
