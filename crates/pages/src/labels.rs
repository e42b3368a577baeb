//! Words shown to people: method names and what each sign-in error code means for the
//! person in front of the page (the log keeps the admin's wording).

use portcullis_authn::methods::MethodKind;
use portcullis_signin::ErrorCode;

/// A method's name as the user knows it.
pub fn method_name(kind: MethodKind) -> &'static str {
    match kind {
        MethodKind::Password => "Password",
        MethodKind::Totp => "Authenticator app code",
        MethodKind::Fido2 => "Passkey or security key",
        MethodKind::AuthenticatorPush => "Approve a request in Portcullis Authenticator",
        MethodKind::PasswordlessPhoneSignIn => "Portcullis Authenticator sign-in",
        MethodKind::Sms => "Text a code",
        MethodKind::Voice => "Call me",
        MethodKind::Email => "Email a code",
        MethodKind::TemporaryAccessPassOneTime | MethodKind::TemporaryAccessPassMultiUse => {
            "Temporary Access Pass"
        }
    }
}

/// The message under a form after a failed attempt, or the body of the error page.
pub fn error_message(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::UserAccountNotFound | ErrorCode::InvalidUserNameOrPassword => {
            "Your account or password is incorrect."
        }
        ErrorCode::AccountLocked => {
            "Your account is temporarily locked to prevent unauthorized use. Try again later."
        }
        ErrorCode::UserDisabled => "Your account has been disabled. Contact your helpdesk.",
        ErrorCode::PasswordExpired => "Your password has expired.",
        ErrorCode::StrongAuthenticationFailed => {
            "That code or verification was not accepted. Check it and try again."
        }
        ErrorCode::BlockedByConditionalAccess => {
            "You cannot access this right now: your organisation's policy blocks this sign-in."
        }
        ErrorCode::RegistrationBlockedDueToRisk => {
            "Security information cannot be registered from this sign-in because it looks risky. \
             Contact your helpdesk."
        }
        ErrorCode::DeviceNotCompliant
        | ErrorCode::DeviceNotDomainJoined
        | ErrorCode::ApplicationNotApproved
        | ErrorCode::ApplicationProtectionRequired => {
            "Your organisation requires a managed device or app for this, and this one does not qualify."
        }
        ErrorCode::StrongAuthenticationRequired | ErrorCode::RegistrationRequired => {
            "This sign-in needs more verification than this client can ask for."
        }
        ErrorCode::TransactionExpired => "This sign-in took too long. Start again.",
        ErrorCode::ReauthenticationRequired => "Please sign in again.",
        ErrorCode::ExternalSecurityChallenge => {
            "This sign-in needs a control Portcullis does not offer."
        }
        ErrorCode::PasswordChangeInterrupt
        | ErrorCode::StrongAuthenticationInterrupt
        | ErrorCode::RegistrationInterrupt
        | ErrorCode::InvalidRequest => "Something about this sign-in was not right. Start again.",
    }
}

/// A short title for the error page.
pub fn error_title(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::AccountLocked => "Account locked",
        ErrorCode::UserDisabled => "Account disabled",
        ErrorCode::BlockedByConditionalAccess
        | ErrorCode::RegistrationBlockedDueToRisk
        | ErrorCode::DeviceNotCompliant
        | ErrorCode::DeviceNotDomainJoined
        | ErrorCode::ApplicationNotApproved
        | ErrorCode::ApplicationProtectionRequired => "You cannot access this right now",
        _ => "Sign-in failed",
    }
}
