//! Every integration test of `authenticator` in one binary: each file beside this one is a
//! module, so the suite links once instead of once per file (each link of a test
//! binary is large, and CI has little disk).
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Shared helpers.
mod common;

// The tests.
mod passwordless;
mod server;
