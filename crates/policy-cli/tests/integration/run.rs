//! The entry point the binary calls, end to end: `run` with parsed arguments and real
//! output streams gives the process exit code.

use std::process::ExitCode;

use clap::Parser;
use portcullis_policy_cli::{PolicyArgs, Status, run};

fn corpus_policies() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/conditional-access/j0eyv-baseline/ConditionalAccess")
}

#[test]
fn run_returns_the_exit_code_of_the_command() {
    let args = PolicyArgs::try_parse_from([
        std::ffi::OsString::from("policy"),
        "check".into(),
        corpus_policies().into_os_string(),
    ])
    .expect("parses");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(run(args, &mut out, &mut err), ExitCode::SUCCESS);
    assert!(String::from_utf8_lossy(&out).contains("checked 36 files"));

    let args = PolicyArgs::try_parse_from(["policy", "template", "nope"]).expect("parses");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(run(args, &mut out, &mut err), ExitCode::from(2));
    assert!(!err.is_empty());
}

#[test]
fn exit_statuses_are_stable() {
    assert_eq!(Status::Success.code(), 0);
    assert_eq!(Status::Findings.code(), 1);
    assert_eq!(Status::Failed.code(), 2);
}

#[test]
fn the_command_line_contract_parses() {
    for argv in [
        vec!["policy", "check", "a.json", "folder"],
        vec![
            "policy",
            "whatif",
            "--policies",
            "p",
            "q",
            "--named-locations",
            "n",
            "--directory",
            "d.json",
            "--request",
            "r.json",
        ],
        vec![
            "policy",
            "evaluate",
            "--policies",
            "p",
            "--context",
            "c.json",
        ],
        vec!["policy", "templates"],
        vec![
            "policy",
            "template",
            "mfa-admins",
            "--param",
            "breakGlassGroup=x",
            "--param",
            "excludeUsers=y",
        ],
        vec![
            "policy",
            "lint",
            "--policies",
            "p",
            "--directory",
            "d.json",
            "--break-glass",
            "a",
            "--break-glass",
            "b",
        ],
    ] {
        assert!(PolicyArgs::try_parse_from(&argv).is_ok(), "{argv:?}");
    }
    // Required inputs are required.
    assert!(PolicyArgs::try_parse_from(["policy", "check"]).is_err());
    assert!(PolicyArgs::try_parse_from(["policy", "whatif", "--policies", "p"]).is_err());
    assert!(PolicyArgs::try_parse_from(["policy", "lint", "--policies", "p"]).is_err());
}
