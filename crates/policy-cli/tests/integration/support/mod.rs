//! Drives the commands the way the binary does: parse the arguments, run, capture output.

#![allow(dead_code)] // each test file uses part of this

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use clap::Parser;
use portcullis_policy_cli::{PolicyArgs, Status, execute};

/// What a command did.
pub struct Outcome {
    pub status: Status,
    pub out: String,
    pub err: String,
}

impl Outcome {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.out)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.out))
    }
}

/// Runs `portcullis policy ARGS…`.
pub fn policy(args: &[&dyn AsRef<OsStr>]) -> Outcome {
    let mut argv: Vec<OsString> = vec!["policy".into()];
    argv.extend(args.iter().map(|arg| arg.as_ref().to_owned()));
    let parsed = PolicyArgs::try_parse_from(argv).expect("arguments parse");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = execute(parsed, &mut out, &mut err);
    Outcome {
        status,
        out: String::from_utf8(out).expect("stdout is UTF-8"),
        err: String::from_utf8(err).expect("stderr is UTF-8"),
    }
}

/// The real Entra export corpus.
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/conditional-access/j0eyv-baseline")
}

pub fn corpus_policies() -> PathBuf {
    corpus().join("ConditionalAccess")
}

pub fn corpus_locations() -> PathBuf {
    corpus().join("NamedLocations")
}

/// Writes `contents` to `name` in `dir` and returns the path.
pub fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("writable temp dir");
    path
}

/// UTF-16 LE with a byte-order mark, as PowerShell 5 writes.
pub fn utf16le(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
pub const CORPUS_BREAK_GLASS_GROUP: &str = "2802b872-ccfb-4b29-a9a9-459808dfb11b";
pub const ADA: &str = "0a0a0a0a-0000-4000-8000-000000000001";
pub const BREAK_GLASS: &str = "0c0c0c0c-0000-4000-8000-000000000003";
