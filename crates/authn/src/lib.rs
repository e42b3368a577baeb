//! Pure authentication ceremonies for Portcullis.
//!
//! Nothing here does I/O: no clock, no operating-system randomness, no files, no network.
//! Time is passed in (`OffsetDateTime`), randomness comes through an injected
//! [`rand_core::CryptoRng`], and state that must survive between requests is returned as
//! plain serde-able structs for the store to persist. That keeps every ceremony
//! deterministic under test and lets the sign-in pipeline drive them from any protocol.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod password;
pub mod totp;

mod random;
mod salted_digest;
pub use salted_digest::SaltedDigest;
pub mod lockout;
pub mod otp_code;
pub mod tap;
