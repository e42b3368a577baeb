//! Every integration test of `portal` in one binary: each file beside this one is a
//! module, so the suite links once instead of once per file (each link of a test
//! binary is large, and CI has little disk).
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Shared helpers.
mod common;

// The tests.
mod admin_actions;
mod break_glass_alerts;
mod break_glass_and_unlock;
mod locations_and_apps;
mod methods_policy;
mod portal;
mod sign_in_risk;
mod user_risk;
