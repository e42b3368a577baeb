//! Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP) with SHA-1/256/512, 6 or 8
//! digits, a configurable period, ±1 step of clock drift and replay protection, plus
//! secret generation and `otpauth://` URIs for authenticator apps.

mod config;
mod hotp;
mod qr;
mod secret;
mod uri;
mod verify;

pub use config::{Digits, PERIOD_RANGE, TotpAlgorithm, TotpConfig, TotpConfigError};
pub use hotp::{InvalidHmacKey, hotp};
pub use qr::{QrError, qr_svg};
pub use secret::{TotpSecret, TotpSecretError};
pub use uri::{OtpAuthUri, OtpAuthUriError};
pub use verify::{Totp, TotpError};
