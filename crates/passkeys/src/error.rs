//! Why a ceremony failed, in words fit for a log line; none of them reveal key material.

use portcullis_core::CredentialId;
use thiserror::Error;
use uuid::Uuid;

use crate::stored::StoredPasskey;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum PasskeyError {
    #[error("relying party configuration: {0}")]
    Config(String),
    #[error("the passkey ceremony expired; start again")]
    CeremonyExpired,
    #[error("the passkey response belongs to another ceremony or user")]
    WrongCeremony,
    #[error("the passkey response is malformed: {0}")]
    MalformedResponse(String),
    #[error("the stored passkey ceremony state is unreadable: {0}")]
    State(String),
    #[error("the authenticator did not verify the user (PIN or biometric), which is required")]
    UserVerificationMissing,
    /// The signature counter did not increase: two copies of the private key may exist.
    /// `flagged` is the credential marked as clone-suspected; save it so it is refused
    /// from now on.
    #[error("the passkey's signature counter went backwards: it may have been cloned")]
    CloneSuspected {
        credential_id: CredentialId,
        flagged: Box<StoredPasskey>,
    },
    /// Flagged earlier as possibly cloned.
    #[error("this passkey was flagged as possibly cloned and cannot be used")]
    Flagged { credential_id: CredentialId },
    #[error("passkeys of this model ({}) are not allowed by policy", describe(.aaguid))]
    AaguidRefused { aaguid: Option<Uuid> },
    #[error("the passkey is not registered to this user")]
    UnknownCredential,
    #[error("the user has no usable passkey")]
    NoUsablePasskey,
    #[error("the passkey did not return a valid user handle")]
    InvalidUserHandle,
    /// webauthn-rs refused the response (signature, origin, challenge, RP ID …).
    #[error("the passkey response was refused: {0}")]
    Rejected(String),
}

fn describe(aaguid: &Option<Uuid>) -> String {
    aaguid.map_or_else(|| "unknown model".to_owned(), |id| id.to_string())
}

impl PasskeyError {
    /// Maps webauthn-rs's verdicts onto ours; the ones the pipeline acts on get their own
    /// variant, the rest keep webauthn-rs's wording.
    pub(crate) fn from_webauthn(err: webauthn_rs::prelude::WebauthnError) -> Self {
        use webauthn_rs::prelude::WebauthnError as W;
        match err {
            W::UserNotVerified => PasskeyError::UserVerificationMissing,
            W::CredentialNotFound => PasskeyError::UnknownCredential,
            other => PasskeyError::Rejected(other.to_string()),
        }
    }
}
