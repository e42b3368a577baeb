//! The crate stays pure (ARCHITECTURE.md invariant 2): no I/O or async dependencies, and
//! no source line that reads the clock, the operating system's randomness, files or the
//! network. Time and randomness must come in as arguments.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

const FORBIDDEN_DEPENDENCIES: [&str; 9] = [
    "tokio",
    "sqlx",
    "axum",
    "hyper",
    "reqwest",
    "async-trait",
    "futures",
    "getrandom",
    "rand",
];

const FORBIDDEN_CALLS: [&str; 10] = [
    "now_utc(",
    "SystemTime::now",
    "Instant::now",
    "OsRng",
    "thread_rng",
    "rand::rng(",
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn no_io_dependencies() {
    let manifest = std::fs::read_to_string(manifest_dir().join("Cargo.toml")).unwrap();
    let dependencies = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap();
    let names: Vec<&str> = dependencies
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split(['=', '.', ' ']).next())
        .collect();
    assert!(
        names.contains(&"argon2"),
        "parsed the wrong section: {names:?}"
    );
    for name in names {
        assert!(
            !FORBIDDEN_DEPENDENCIES.contains(&name),
            "{name} is not allowed in a pure crate"
        );
    }
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn no_clock_randomness_or_io_in_sources() {
    let mut files = Vec::new();
    rust_files(&manifest_dir().join("src"), &mut files);
    assert!(files.len() > 20, "found only {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Comments may name what callers pass in (e.g. `rand::rng()`); code may not call it.
        let code_lines = text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim_start().starts_with("//"));
        for (number, line) in code_lines {
            for call in FORBIDDEN_CALLS {
                assert!(
                    !line.contains(call),
                    "{}:{}: `{call}` does I/O or reads the clock/OS randomness",
                    file.display(),
                    number + 1
                );
            }
        }
    }
}
