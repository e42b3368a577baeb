//! Every integration test of `authn` in one binary: each file beside this one is a
//! module, so the suite links once instead of once per file (each link of a test
//! binary is large, and CI has little disk).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod lockout_properties;
mod oathtool_cross_check;
mod purity;
mod pyotp_cross_check;
mod range_file_properties;
mod robustness_properties;
mod totp_properties;
