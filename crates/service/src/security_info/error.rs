//! What can go wrong on My security info, so the pages can answer each case properly
//! (a step-up, a refusal naming the policy, a form error).

use crate::error::ServiceError;

#[derive(Debug, thiserror::Error)]
pub enum SecurityInfoError {
    /// A Conditional Access policy on `urn:user:registersecurityinfo` blocks
    /// registration from here (e.g. outside a trusted location).
    #[error("registering security information is blocked by: {policies}")]
    RegistrationBlocked { policies: String },
    /// Conditional Access needs more than the session proved (MFA, a strength such as a
    /// Temporary Access Pass): sign in again for `urn:user:registersecurityinfo`.
    #[error("registering security information needs a stronger sign-in: {reason}")]
    StepUpRequired { reason: String },
    /// Removing the last strong method, or adding a passkey, needs a strong sign-in
    /// within the last few minutes.
    #[error("this change needs a multifactor sign-in within the last {minutes} minutes")]
    FreshSignInRequired { minutes: i64 },
    /// The authentication methods policy does not enable this method for the user.
    #[error("{method} is not enabled for this user by the authentication methods policy")]
    MethodNotAllowed { method: &'static str },
    /// Nothing to finish: never started, expired, or already finished.
    #[error("no {what} registration is in progress (it may have expired); start again")]
    NoPendingRegistration { what: &'static str },
    /// The first TOTP code did not verify.
    #[error("the code is wrong or has expired; enter the code the app shows now")]
    WrongCode,
    /// A passkey ceremony failed (refused response, UV missing, model not allowed …).
    #[error(transparent)]
    Passkey(#[from] portcullis_passkeys::PasskeyError),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<portcullis_store::StoreError> for SecurityInfoError {
    fn from(err: portcullis_store::StoreError) -> Self {
        SecurityInfoError::Service(err.into())
    }
}

pub type SecurityInfoResult<T> = Result<T, SecurityInfoError>;
