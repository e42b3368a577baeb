//! The pipeline stays pure (ARCHITECTURE.md invariant 2): no I/O or async crate among its
//! dependencies, and no source that reads the clock, the OS's randomness, files, the
//! network or the environment. The edge passes time and randomness in.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

const IO_CRATES: [&str; 10] = [
    "tokio",
    "sqlx",
    "axum",
    "hyper",
    "reqwest",
    "lettre",
    "async-trait",
    "futures",
    "getrandom",
    "rand",
];

const IMPURE_CALLS: [&str; 11] = [
    "now_utc(",
    "SystemTime::now",
    "Instant::now",
    "new_v4(",
    "OsRng",
    "thread_rng",
    "rand::rng(",
    "std::fs",
    "std::net::TcpStream",
    "std::process",
    "std::env",
];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn dependencies_are_pure() {
    let manifest = std::fs::read_to_string(crate_dir().join("Cargo.toml")).unwrap();
    let section = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap();
    let names: Vec<&str> = section
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split(['=', '.', ' ']).next())
        .collect();
    assert!(
        names.contains(&"portcullis-policy"),
        "wrong section parsed: {names:?}"
    );
    for name in names {
        assert!(
            !IO_CRATES.contains(&name),
            "{name} does I/O; the pipeline must not"
        );
    }
}

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn sources_take_time_and_randomness_as_inputs() {
    let mut files = Vec::new();
    sources(&crate_dir().join("src"), &mut files);
    assert!(files.len() >= 15, "found only {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for call in IMPURE_CALLS {
            assert!(!text.contains(call), "{} uses {call}", file.display());
        }
    }
}
