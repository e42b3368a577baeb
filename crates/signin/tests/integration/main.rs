//! Every integration test of `signin` in one binary: each file beside this one is a
//! module, so the suite links once instead of once per file (each link of a test
//! binary is large, and CI has little disk).
#![allow(clippy::unwrap_used, clippy::expect_used)]

// Shared helpers.
mod support;

// The tests.
mod out_of_band;
mod phone_sign_in;
mod properties;
mod purity;
mod reset;
mod scenarios;
mod step_up;
