//! Email and phone methods an administrator registers for a user (Graph
//! `POST …/authentication/emailMethods` and `…/phoneMethods`), as Entra lets admins
//! pre-register contact methods for password reset and codes. One email method, and one
//! phone per type; audited like every method change.

use portcullis_core::audit::category;
use portcullis_core::{Credential, CredentialId, CredentialKind, Permission, UserId};
use portcullis_signin::PhoneChannel;
use portcullis_store::{Batch, Change};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::SecurityInfoService;
use super::admin::is_self;
use super::error::SecurityInfoResult;
use super::manage::method_target;
use super::view::SecurityMethod;
use crate::caller::Caller;
use crate::error::ServiceError;
use crate::services::audit_record;
use crate::signin::credential_payload::{EmailPayload, PhonePayload};

/// Longest email address (RFC 5321's path limit).
const MAX_EMAIL_CHARS: usize = 254;

/// Graph's `phoneType`: a mobile receives text messages, an office phone calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneType {
    Mobile,
    Office,
}

impl PhoneType {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "mobile" => Some(PhoneType::Mobile),
            "office" => Some(PhoneType::Office),
            _ => None,
        }
    }

    fn channel(self) -> PhoneChannel {
        match self {
            PhoneType::Mobile => PhoneChannel::Sms,
            PhoneType::Office => PhoneChannel::Voice,
        }
    }
}

impl SecurityInfoService {
    /// Registers the user's email method (for password reset and one-time codes).
    pub async fn add_email_method(
        &self,
        caller: &Caller,
        user: &UserId,
        address: &str,
    ) -> SecurityInfoResult<SecurityMethod> {
        self.authorize_on_user(caller, Permission::UserAuthMethodsManage, user)
            .await?;
        let address = address.trim();
        if normalize_email(address).is_none() {
            return Err(ServiceError::Invalid(format!(
                "emailAddress {address:?} is not an email address"
            ))
            .into());
        }
        let existing = self.store().list_credentials(user).await?;
        if has_email(&existing) {
            return Err(ServiceError::Conflict(
                "the user already has an email method; delete it first".into(),
            )
            .into());
        }
        let payload = serde_json::to_value(EmailPayload {
            email_address: address.to_owned(),
            throttle: Default::default(),
        })
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        self.add_contact(caller, user, CredentialKind::Email, payload, "email")
            .await
    }

    /// Registers a phone (E.164) for text messages (mobile) or calls (office).
    pub async fn add_phone_method(
        &self,
        caller: &Caller,
        user: &UserId,
        number: &str,
        phone_type: PhoneType,
    ) -> SecurityInfoResult<SecurityMethod> {
        self.authorize_on_user(caller, Permission::UserAuthMethodsManage, user)
            .await?;
        let number = normalize_e164(number).ok_or_else(|| {
            ServiceError::Invalid(format!(
                "phoneNumber {number:?} is not an international number such as +31 20 123 4567"
            ))
        })?;
        let channel = phone_type.channel();
        let existing = self.store().list_credentials(user).await?;
        if has_phone(&existing, channel) {
            return Err(ServiceError::Conflict(
                "the user already has a phone of this type; delete it first".into(),
            )
            .into());
        }
        let payload = serde_json::to_value(PhonePayload {
            phone_number: number,
            channel,
            throttle: Default::default(),
        })
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        self.add_contact(caller, user, CredentialKind::Phone, payload, "phone")
            .await
    }

    async fn add_contact(
        &self,
        caller: &Caller,
        user: &UserId,
        kind: CredentialKind,
        payload: serde_json::Value,
        method_type: &str,
    ) -> SecurityInfoResult<SecurityMethod> {
        let now = OffsetDateTime::now_utc();
        let credential = Credential {
            id: CredentialId::from_uuid(Uuid::new_v4()),
            user_id: user.clone(),
            kind,
            display_name: None,
            payload,
            metadata: json!({}),
            created_date_time: now,
            last_used_date_time: None,
            revision: 0,
        };
        let activity = if is_self(caller, user) {
            "User registered security info"
        } else {
            "Admin registered security info"
        };
        let audit = audit_record(
            caller,
            category::USER_AUTHENTICATION_METHOD,
            activity,
            "Add",
        )
        .with_target(method_target(&credential))
        .with_detail("methodType", method_type)
        .with_detail("userId", user.as_str());
        self.store()
            .commit(Batch::single(
                Change::AddCredential(credential.clone()),
                audit,
            ))
            .await?;
        Ok(SecurityMethod::from_credential(&credential, now))
    }
}

/// Whether the user already has an email method (one per user).
pub(crate) fn has_email(credentials: &[Credential]) -> bool {
    credentials
        .iter()
        .any(|credential| credential.kind == CredentialKind::Email)
}

/// Whether the user already has a phone for `channel` (one per channel).
pub(crate) fn has_phone(credentials: &[Credential], channel: PhoneChannel) -> bool {
    credentials.iter().any(|credential| {
        credential.kind == CredentialKind::Phone
            && serde_json::from_value::<PhonePayload>(credential.payload.clone())
                .is_ok_and(|payload| payload.channel == channel)
    })
}

/// The address trimmed, if it is an email address of at most 254 characters.
pub(crate) fn normalize_email(address: &str) -> Option<String> {
    let address = address.trim();
    let valid =
        address.chars().count() <= MAX_EMAIL_CHARS && address.parse::<lettre::Address>().is_ok();
    valid.then(|| address.to_owned())
}

/// `+` and 8–15 digits (spaces, dashes and brackets dropped), or `None`.
pub(crate) fn normalize_e164(number: &str) -> Option<String> {
    let trimmed = number.trim();
    let digits: String = trimmed
        .strip_prefix('+')?
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    let valid = (8..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0');
    valid.then(|| format!("+{digits}"))
}

#[cfg(test)]
mod tests {
    use super::normalize_e164;

    #[test]
    fn phone_numbers_are_e164() {
        assert_eq!(
            normalize_e164("+31 (20) 123-4567").as_deref(),
            Some("+31201234567")
        );
        assert_eq!(normalize_e164("0201234567"), None, "a national number");
        assert_eq!(normalize_e164("+0123456789"), None);
        assert_eq!(normalize_e164("+31 2x 123"), None);
        assert_eq!(normalize_e164("+1234567890123456"), None, "too long");
    }
}
