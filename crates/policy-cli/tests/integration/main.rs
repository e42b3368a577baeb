//! Every integration test of `policy-cli` in one binary: each file beside this one is a
//! module, so the suite links once instead of once per file (each link of a test
//! binary is large, and CI has little disk).
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Shared helpers.
mod support;

// The tests.
mod check;
mod lint;
mod run;
mod templates;
mod whatif_evaluate;
