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
    /// Not an international phone number (E.164: `+`, country code, 8 to 15 digits).
    #[error("{number:?} is not an international phone number such as +31 20 123 4567")]
    InvalidPhoneNumber { number: String },
    /// Not an email address.
    #[error("{address:?} is not an email address")]
    InvalidEmailAddress { address: String },
    /// The user already has this kind of contact method (one email, one phone per
    /// channel): remove it first.
    #[error("you already have {what}; remove it first to register another")]
    AlreadyRegistered { what: &'static str },
    /// A wrong code for a phone or email address; the verification goes on.
    #[error("the code is not right; {attempts_left} attempts left")]
    WrongVerificationCode { attempts_left: u32 },
    /// The typed text cannot be a code (it does not use an attempt).
    #[error("enter the {digits}-digit code you received")]
    MalformedVerificationCode { digits: usize },
    /// The code expired or too many wrong codes were entered: start again.
    #[error("the code expired or was entered wrongly too often; start again")]
    VerificationEnded,
    /// Codes were sent too recently (resend throttling); retry in a while.
    #[error("a code was sent recently; wait {seconds} seconds before asking for another")]
    SendThrottled { seconds: i64 },
    /// The provider did not take the code (or none is configured for the channel).
    #[error("the code could not be sent: {reason}")]
    CodeNotSent { reason: String },
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
