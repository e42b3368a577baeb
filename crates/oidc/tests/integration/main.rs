//! Every integration test of `oidc` in one binary: each file beside this one is a
//! module, so the suite links once instead of once per file (each link of a test
//! binary is large, and CI has little disk).
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Shared helpers.
mod support;

// The tests.
mod authorize;
mod certification_flow;
mod code;
mod device;
mod interaction;
mod logout;
mod properties;
mod purity;
mod refresh;
