//! Browser sessions and OAuth2 refresh tokens. Both are looked up by the SHA-256 of the
//! bearer value; the value itself is never stored.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{ClientId, DeviceId, RefreshTokenId, SessionId, UserId};
use crate::secret::SecretHash;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    /// Hash of the cookie value.
    pub token_hash: SecretHash,
    #[serde(with = "time::serde::rfc3339")]
    pub created_date_time: OffsetDateTime,
    /// When the user last proved each factor; drives sign-in frequency.
    #[serde(with = "time::serde::rfc3339")]
    pub authenticated_date_time: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_date_time: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_date_time: OffsetDateTime,
    pub persistent: bool,
    /// Authentication methods references (`pwd`, `otp`, `hwk`, …).
    pub amr: Vec<String>,
    pub acr: Option<String>,
    pub device_id: Option<DeviceId>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub revoked_date_time: Option<OffsetDateTime>,
}

impl Session {
    pub fn is_active(&self, now: OffsetDateTime) -> bool {
        self.revoked_date_time.is_none() && now < self.expires_date_time
    }
}

/// A refresh token. Rotation issues a new token in the same `family_id`; presenting an
/// already used token revokes the whole family (reuse detection).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshToken {
    pub id: RefreshTokenId,
    pub token_hash: SecretHash,
    pub family_id: RefreshTokenId,
    pub client_id: ClientId,
    pub user_id: Option<UserId>,
    pub session_id: Option<SessionId>,
    pub scopes: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_date_time: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_date_time: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub used_date_time: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub revoked_date_time: Option<OffsetDateTime>,
}
