//! Guards the crate's purity: no I/O, async, clock or OS randomness, in its
//! dependencies or its sources (ARCHITECTURE.md, "Pure cores").
#![allow(clippy::unwrap_used)]

use std::path::Path;

const FORBIDDEN_DEPENDENCIES: &[&str] = &[
    "tokio",
    "axum",
    "hyper",
    "http",
    "sqlx",
    "reqwest",
    "rand",
    "getrandom",
    "jsonwebtoken",
    "aws-lc-rs",
];
const FORBIDDEN_SOURCE: &[&str] = &[
    "SystemTime",
    "Instant::now",
    "OffsetDateTime::now",
    "std::fs",
    "std::net",
    "thread_rng",
    "OsRng",
    "std::env",
    "async fn",
];

#[test]
fn manifest_has_no_io_dependencies() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let dependencies = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap();
    for line in dependencies
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
    {
        let name = line.split(['=', '.']).next().unwrap_or("").trim();
        assert!(
            !FORBIDDEN_DEPENDENCIES.contains(&name),
            "dependency {name} breaks purity"
        );
    }
}

#[test]
fn sources_use_no_clock_randomness_or_io() {
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files += 1;
                let text = std::fs::read_to_string(&path).unwrap();
                for needle in FORBIDDEN_SOURCE {
                    assert!(!text.contains(needle), "{} uses {needle}", path.display());
                }
            }
        }
    }
    assert!(files > 10, "found only {files} source files");
}
