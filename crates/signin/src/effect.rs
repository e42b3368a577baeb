//! What the edge must carry out after a step, in order, in one store transaction where
//! it can (the sign-in log entry must be committed before the answer is sent).

use portcullis_authn::lockout::LockoutState;
use portcullis_authn::otp_code::{IssuedCode, SendThrottle};
use portcullis_authn::tap::TemporaryAccessPass;
use portcullis_core::{CredentialId, UserId};
use time::OffsetDateTime;

use crate::campaign::CampaignProgress;
use crate::log::SignInLogEntry;
use crate::outcome::Completed;

/// One side effect requested by the machine.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Store the user's smart lockout counters.
    PersistLockoutState {
        user_id: UserId,
        state: LockoutState,
    },
    /// The stored password hash uses old parameters: replace it with this one.
    ReplacePasswordHash { user_id: UserId, phc: String },
    /// Store the TOTP step just accepted as the credential's last used step (in the same
    /// transaction as the log entry, with the credential's revision check, so a
    /// concurrent replay loses).
    RecordTotpStep {
        user_id: UserId,
        credential_id: CredentialId,
        step: u64,
    },
    /// Store the Temporary Access Pass after a use (a one-time pass is now spent).
    PersistTemporaryAccessPass {
        user_id: UserId,
        credential_id: CredentialId,
        pass: TemporaryAccessPass,
    },
    /// Deliver a one-time code (SMS, voice or email) and drop it.
    SendOneTimeCode {
        user_id: UserId,
        credential_id: CredentialId,
        destination: String,
        code: IssuedCode,
    },
    /// Store a destination's send throttle.
    PersistSendThrottle {
        user_id: UserId,
        credential_id: CredentialId,
        throttle: SendThrottle,
    },
    /// Set the credential's `lastUsedDateTime`.
    RecordCredentialUse {
        user_id: UserId,
        credential_id: CredentialId,
        at: OffsetDateTime,
    },
    /// Security defaults: record the first interactive sign-in after enablement (starts
    /// the 14-day registration grace).
    StartRegistrationGrace { user_id: UserId, at: OffsetDateTime },
    /// The user snoozed the registration campaign: store the new progress.
    SnoozeRegistrationCampaign {
        user_id: UserId,
        progress: CampaignProgress,
    },
    /// Append this entry to the sign-in log. Exactly one per step.
    AppendSignInLog(Box<SignInLogEntry>),
    /// Create the SSO session (new session ID) for the completed sign-in.
    CreateSession(Box<Completed>),
}

impl Effect {
    /// Whether this is the sign-in log entry.
    pub fn is_log(&self) -> bool {
        matches!(self, Effect::AppendSignInLog(_))
    }
}
