//! A user's registered authentication methods. The method-specific data (argon2 PHC
//! string, TOTP secret, WebAuthn credential, phone number, TAP hash …) is a JSON payload
//! owned by the method's code; the store only keeps it and guards concurrent updates.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{CredentialId, UserId};

/// The kind of method, named after Graph's `authenticationMethod` subtypes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CredentialKind {
    Password,
    SoftwareOath,
    Fido2,
    MicrosoftAuthenticator,
    Phone,
    Email,
    TemporaryAccessPass,
}

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Password => "password",
            CredentialKind::SoftwareOath => "softwareOath",
            CredentialKind::Fido2 => "fido2",
            CredentialKind::MicrosoftAuthenticator => "microsoftAuthenticator",
            CredentialKind::Phone => "phone",
            CredentialKind::Email => "email",
            CredentialKind::TemporaryAccessPass => "temporaryAccessPass",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credential {
    pub id: CredentialId,
    pub user_id: UserId,
    pub kind: CredentialKind,
    pub display_name: Option<String>,
    /// Method-specific secret material and state. Secrets inside are hashed or, where the
    /// method needs the secret (TOTP), protected by the method's code.
    pub payload: serde_json::Value,
    /// Non-secret facts shown to admins (AAGUID, phone type, device name …).
    pub metadata: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    pub created_date_time: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub last_used_date_time: Option<OffsetDateTime>,
    /// Optimistic concurrency: an update must name the revision it read and fails with a
    /// conflict if another writer got there first (e.g. TOTP replay protection).
    pub revision: i64,
}
