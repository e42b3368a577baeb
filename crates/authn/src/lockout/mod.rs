//! Smart lockout (entra.md §12.1): a threshold of failed passwords, a lockout that grows
//! with each further failure, separate counters for familiar and unfamiliar locations so an
//! attacker elsewhere cannot lock the real user out, and repeats of a recent wrong password
//! not counted again.

mod fingerprint;
mod policy;
mod state;

pub use fingerprint::{FingerprintKey, PasswordFingerprint};
pub use policy::{LockoutPolicy, LockoutPolicyError};
pub use state::{Familiarity, LockoutDecision, LockoutReset, LockoutState};
