//! One-time codes sent by email, SMS or voice: issue, verify, resend, with a lifetime, an
//! attempt limit and send throttling. Pure state: the caller persists the structs and
//! delivers the plaintext code returned at issue time, which is never stored.

mod challenge;
mod policy;
mod throttle;

pub use challenge::{IssuedCode, OtpChallenge, OtpChallengeStatus, ResendOutcome, VerifyOutcome};
pub use policy::{OtpCodePolicy, OtpCodePolicyError};
pub use throttle::{SendThrottle, Throttled};
