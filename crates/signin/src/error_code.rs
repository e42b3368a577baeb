//! The error codes a sign-in can end or pause with. Where Entra has an `AADSTS` number
//! for the same situation, Portcullis uses it, so admins and helpdesk scripts that know
//! Entra read the log the same way.
//!
//! | code | name | when | caller sees |
//! |---:|---|---|---|
//! | 0 | success | signed in | — |
//! | 50034 | UserAccountNotFound | the name resolved to no user (**log only**) | 50126 |
//! | 50126 | InvalidUserNameOrPassword | wrong password / pass / passkey, unknown user, disabled user before the credential is proven | 50126 |
//! | 50053 | IdsLocked | smart lockout holds this location class | 50053 |
//! | 50057 | UserDisabled | account disabled, shown only after a correct first factor | 50057 |
//! | 50055 | InvalidPasswordExpiredPassword | expired password on a protocol that cannot change it | 50055 |
//! | 50125 | PasswordResetRegistrationInterrupt | interrupt: the password must be changed (expired, `passwordChange` grant, risk remediation) | interrupt |
//! | 50074 | UserStrongAuthClientAuthNRequiredInterrupt | interrupt: a method challenge is shown | interrupt |
//! | 50076 | UserStrongAuthClientAuthNRequired | MFA required on a protocol that cannot be challenged (legacy, non-interactive) | 50076 |
//! | 50072 | UserStrongAuthEnrollmentRequiredInterrupt | interrupt: MFA registration is shown | interrupt |
//! | 50079 | UserStrongAuthEnrollmentRequired | MFA registration required on a protocol that cannot show it | 50079 |
//! | 500121 | AuthenticationFailedDuringStrongAuthenticationRequest | wrong or replayed second-factor code, passkey without user verification, too many tries | 500121 |
//! | 53003 | BlockedByConditionalAccess | a policy (or security defaults) blocks, or registration is blocked by a policy on `urn:user:registersecurityinfo` | 53003 |
//! | 53004 | ProofUpBlockedDueToRisk | registration needed but the sign-in is risky (a thief must not enrol a factor) | 53004 |
//! | 53000 | DeviceNotCompliant | `compliantDevice` is required and the device is not | 53000 |
//! | 53001 | DeviceNotDomainJoined | `domainJoinedDevice` is required | 53001 |
//! | 53002 | ApplicationUsedIsNotAnApprovedApp | `approvedApplication` is required | 53002 |
//! | 53005 | ApplicationNeedsToEnforceIntuneProtectionPolicies | `compliantApplication` is required | 53005 |
//! | 50158 | ExternalSecurityChallenge | terms of use or a custom control is required (not offered by Portcullis yet) | 50158 |
//! | 50133 | SessionInvalidDueToPasswordChange / reauth | sign-in frequency asks for a fresh first factor | 50133 |
//! | 50089 | FlowTokenExpired | the transaction is older than its lifetime | 50089 |
//! | 90100 | InvalidRequestParameter | an input that does not fit the current step (a bug or a tampered client) | 90100 |
//!
//! Entra's own mapping of each failure to these numbers is not fully documented
//! (entra.md §8.1 lists 53004 and 50053 as checked); the rest follow Entra's published
//! AADSTS error list by name.

use serde::{Deserialize, Serialize};

/// One documented sign-in error (or interrupt) code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    UserAccountNotFound,
    InvalidUserNameOrPassword,
    AccountLocked,
    UserDisabled,
    PasswordExpired,
    PasswordChangeInterrupt,
    StrongAuthenticationInterrupt,
    StrongAuthenticationRequired,
    RegistrationInterrupt,
    RegistrationRequired,
    StrongAuthenticationFailed,
    BlockedByConditionalAccess,
    RegistrationBlockedDueToRisk,
    DeviceNotCompliant,
    DeviceNotDomainJoined,
    ApplicationNotApproved,
    ApplicationProtectionRequired,
    ExternalSecurityChallenge,
    ReauthenticationRequired,
    TransactionExpired,
    InvalidRequest,
}

impl ErrorCode {
    /// The numeric code (`signIn.status.errorCode`).
    pub fn code(self) -> i32 {
        match self {
            ErrorCode::UserAccountNotFound => 50034,
            ErrorCode::InvalidUserNameOrPassword => 50126,
            ErrorCode::AccountLocked => 50053,
            ErrorCode::UserDisabled => 50057,
            ErrorCode::PasswordExpired => 50055,
            ErrorCode::PasswordChangeInterrupt => 50125,
            ErrorCode::StrongAuthenticationInterrupt => 50074,
            ErrorCode::StrongAuthenticationRequired => 50076,
            ErrorCode::RegistrationInterrupt => 50072,
            ErrorCode::RegistrationRequired => 50079,
            ErrorCode::StrongAuthenticationFailed => 500121,
            ErrorCode::BlockedByConditionalAccess => 53003,
            ErrorCode::RegistrationBlockedDueToRisk => 53004,
            ErrorCode::DeviceNotCompliant => 53000,
            ErrorCode::DeviceNotDomainJoined => 53001,
            ErrorCode::ApplicationNotApproved => 53002,
            ErrorCode::ApplicationProtectionRequired => 53005,
            ErrorCode::ExternalSecurityChallenge => 50158,
            ErrorCode::ReauthenticationRequired => 50133,
            ErrorCode::TransactionExpired => 50089,
            ErrorCode::InvalidRequest => 90100,
        }
    }

    /// `signIn.status.failureReason`: what happened, for the admin reading the log.
    pub fn failure_reason(self) -> &'static str {
        match self {
            ErrorCode::UserAccountNotFound => "User account not found in the directory.",
            ErrorCode::InvalidUserNameOrPassword => "Invalid username or password.",
            ErrorCode::AccountLocked => {
                "Account is locked because of too many sign-in attempts with a wrong password."
            }
            ErrorCode::UserDisabled => "User account is disabled.",
            ErrorCode::PasswordExpired => "The password has expired.",
            ErrorCode::PasswordChangeInterrupt => {
                "Sign-in was interrupted: the user must change their password."
            }
            ErrorCode::StrongAuthenticationInterrupt => {
                "Strong authentication is required; the user was challenged."
            }
            ErrorCode::StrongAuthenticationRequired => {
                "Multi-factor authentication is required and this client cannot be challenged."
            }
            ErrorCode::RegistrationInterrupt => {
                "Sign-in was interrupted: the user must register security information."
            }
            ErrorCode::RegistrationRequired => {
                "Multi-factor registration is required and this client cannot show it."
            }
            ErrorCode::StrongAuthenticationFailed => {
                "Authentication failed during the strong authentication request."
            }
            ErrorCode::BlockedByConditionalAccess => "Access has been blocked by policy.",
            ErrorCode::RegistrationBlockedDueToRisk => {
                "Security information registration is blocked because the sign-in is risky."
            }
            ErrorCode::DeviceNotCompliant => "The device is not compliant.",
            ErrorCode::DeviceNotDomainJoined => "The device is not hybrid joined.",
            ErrorCode::ApplicationNotApproved => "The client application is not approved.",
            ErrorCode::ApplicationProtectionRequired => {
                "The client application must enforce an app protection policy."
            }
            ErrorCode::ExternalSecurityChallenge => {
                "A terms-of-use or custom control is required and cannot be satisfied."
            }
            ErrorCode::ReauthenticationRequired => {
                "Sign-in frequency requires the user to sign in again."
            }
            ErrorCode::TransactionExpired => "The sign-in took too long and expired.",
            ErrorCode::InvalidRequest => "The request does not fit the sign-in's current step.",
        }
    }

    /// The code the *caller* (browser, API client, LDAP/RADIUS peer) is shown. Only
    /// "user not found" is masked, as a wrong password: no user enumeration.
    pub fn public(self) -> ErrorCode {
        match self {
            ErrorCode::UserAccountNotFound => ErrorCode::InvalidUserNameOrPassword,
            other => other,
        }
    }

    /// Whether the code marks an interrupt (the sign-in goes on after user action) rather
    /// than a failure.
    pub fn is_interrupt(self) -> bool {
        matches!(
            self,
            ErrorCode::PasswordChangeInterrupt
                | ErrorCode::StrongAuthenticationInterrupt
                | ErrorCode::RegistrationInterrupt
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [ErrorCode; 21] = [
        ErrorCode::UserAccountNotFound,
        ErrorCode::InvalidUserNameOrPassword,
        ErrorCode::AccountLocked,
        ErrorCode::UserDisabled,
        ErrorCode::PasswordExpired,
        ErrorCode::PasswordChangeInterrupt,
        ErrorCode::StrongAuthenticationInterrupt,
        ErrorCode::StrongAuthenticationRequired,
        ErrorCode::RegistrationInterrupt,
        ErrorCode::RegistrationRequired,
        ErrorCode::StrongAuthenticationFailed,
        ErrorCode::BlockedByConditionalAccess,
        ErrorCode::RegistrationBlockedDueToRisk,
        ErrorCode::DeviceNotCompliant,
        ErrorCode::DeviceNotDomainJoined,
        ErrorCode::ApplicationNotApproved,
        ErrorCode::ApplicationProtectionRequired,
        ErrorCode::ExternalSecurityChallenge,
        ErrorCode::ReauthenticationRequired,
        ErrorCode::TransactionExpired,
        ErrorCode::InvalidRequest,
    ];

    #[test]
    fn codes_are_distinct_and_documented_numbers() {
        let mut codes: Vec<i32> = ALL.iter().map(|code| code.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ALL.len());
        assert_eq!(ErrorCode::AccountLocked.code(), 50053);
        assert_eq!(ErrorCode::BlockedByConditionalAccess.code(), 53003);
        assert_eq!(ErrorCode::RegistrationBlockedDueToRisk.code(), 53004);
    }

    #[test]
    fn only_unknown_user_is_masked() {
        for code in ALL {
            let public = code.public();
            if code == ErrorCode::UserAccountNotFound {
                assert_eq!(public, ErrorCode::InvalidUserNameOrPassword);
            } else {
                assert_eq!(public, code);
            }
            assert!(!code.failure_reason().is_empty());
        }
    }
}
