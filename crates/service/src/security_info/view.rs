//! A registered method as My security info and the Graph API show it: no secrets.

use portcullis_authn::tap::TemporaryAccessPass;
use portcullis_core::{Credential, CredentialId, CredentialKind};
use portcullis_passkeys::{PasskeyType, StoredPasskey};
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

/// Metadata key marking the user's default (preferred) sign-in method.
pub(crate) const DEFAULT_KEY: &str = "isDefault";

/// One method.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityMethod {
    pub id: CredentialId,
    pub kind: CredentialKind,
    pub display_name: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_date_time: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_date_time: Option<OffsetDateTime>,
    /// The method the user prefers to be asked for first.
    pub is_default: bool,
    pub detail: MethodDetail,
}

/// Kind-specific, non-secret facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum MethodDetail {
    Password,
    AuthenticatorApp,
    Passkey {
        aaguid: Option<Uuid>,
        passkey_type: Option<PasskeyType>,
        /// A counter regression flagged it; it no longer signs in.
        clone_suspected: bool,
    },
    Phone {
        phone_number: Option<String>,
        /// Graph's `phoneType`: `mobile` (texts) or `office` (calls).
        phone_type: &'static str,
    },
    Email {
        email_address: Option<String>,
    },
    PushApp,
    TemporaryAccessPass {
        #[serde(with = "time::serde::rfc3339")]
        start_date_time: OffsetDateTime,
        lifetime_in_minutes: i64,
        is_usable_once: bool,
        is_usable: bool,
        method_usability_reason: &'static str,
    },
    /// The stored payload did not decode (shown so an admin can remove it).
    Unreadable,
}

impl SecurityMethod {
    pub(crate) fn from_credential(credential: &Credential, now: OffsetDateTime) -> Self {
        Self {
            id: credential.id.clone(),
            kind: credential.kind,
            display_name: credential.display_name.clone(),
            created_date_time: credential.created_date_time,
            last_used_date_time: credential.last_used_date_time,
            is_default: credential.metadata.get(DEFAULT_KEY) == Some(&Value::Bool(true)),
            detail: detail(credential, now),
        }
    }
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn detail(credential: &Credential, now: OffsetDateTime) -> MethodDetail {
    match credential.kind {
        CredentialKind::Password => MethodDetail::Password,
        CredentialKind::SoftwareOath => MethodDetail::AuthenticatorApp,
        CredentialKind::MicrosoftAuthenticator => MethodDetail::PushApp,
        CredentialKind::Phone => MethodDetail::Phone {
            phone_number: text(&credential.payload, "phoneNumber"),
            phone_type: match text(&credential.payload, "channel").as_deref() {
                Some("voice") => "office",
                _ => "mobile",
            },
        },
        CredentialKind::Email => MethodDetail::Email {
            email_address: text(&credential.payload, "emailAddress"),
        },
        CredentialKind::Fido2 => match StoredPasskey::from_payload(&credential.payload) {
            Ok(stored) => MethodDetail::Passkey {
                aaguid: stored.aaguid,
                passkey_type: Some(stored.passkey_type),
                clone_suspected: stored.is_clone_suspected(),
            },
            Err(_) => MethodDetail::Unreadable,
        },
        CredentialKind::TemporaryAccessPass => match temporary_access_pass(credential) {
            Some(pass) => {
                let (is_usable, reason) = pass.graph_usability(now);
                MethodDetail::TemporaryAccessPass {
                    start_date_time: pass.start_at(),
                    lifetime_in_minutes: pass.lifetime_in_minutes(),
                    is_usable_once: pass.is_usable_once(),
                    is_usable,
                    method_usability_reason: reason,
                }
            }
            None => MethodDetail::Unreadable,
        },
    }
}

/// The pass in a `temporaryAccessPass` credential (`{"pass": {…}}`, the sign-in
/// service's payload shape).
pub(crate) fn temporary_access_pass(credential: &Credential) -> Option<TemporaryAccessPass> {
    serde_json::from_value(credential.payload.get("pass")?.clone()).ok()
}

/// Whether this method alone or as a second factor satisfies multifactor authentication
/// (what "strong" means for "removing the last strong method").
pub(crate) fn is_strong(kind: CredentialKind) -> bool {
    matches!(
        kind,
        CredentialKind::SoftwareOath
            | CredentialKind::Fido2
            | CredentialKind::MicrosoftAuthenticator
            | CredentialKind::Phone
    )
}
