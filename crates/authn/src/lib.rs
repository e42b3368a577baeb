//! Pure authentication ceremonies for Portcullis.
//!
//! Nothing here does I/O: no clock, no operating-system randomness, no files, no network.
//! Time is passed in (`OffsetDateTime`), randomness comes through an injected
//! [`rand_core::CryptoRng`] (rand 0.9's `rand::rng()` in production, a seeded generator in
//! tests), and state that must survive between requests is returned as plain serde-able
//! structs for the store to persist. That keeps every ceremony deterministic under test and
//! lets the one sign-in pipeline drive them from any protocol.
//!
//! | module | what |
//! |---|---|
//! | [`password`] | argon2id hashing and rehash detection, the dummy hash for unknown users, password rules (length, common list, banned words), leaked-password range files |
//! | [`totp`] | RFC 6238 codes, drift and replay protection, secrets, `otpauth://` URIs |
//! | [`otp_code`] | email/SMS/voice one-time codes: lifetime, attempts, resend throttling |
//! | [`tap`] | Temporary Access Pass |
//! | [`lockout`] | smart lockout |
//! | [`methods`] | method catalogue, Graph mode names, system-preferred MFA order |

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod lockout;
pub mod methods;
pub mod otp_code;
pub mod password;
pub mod tap;
pub mod totp;

mod clock;
mod random;
mod salted_digest;

pub use rand_core::CryptoRng;
pub use salted_digest::SaltedDigest;
