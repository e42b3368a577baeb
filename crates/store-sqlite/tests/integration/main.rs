//! Every integration test of `store-sqlite` in one binary: each file beside this one is a
//! module, so the suite links once instead of once per file (each link of a test
//! binary is large, and CI has little disk).
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Shared helpers.
mod support;

// The tests.
mod backup;
mod conformance;
mod connection_settings;
mod refresh_token_session_migration;
mod session_authentication_migration;
mod sign_in_risk_migration;
