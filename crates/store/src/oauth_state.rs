//! Short-lived OAuth 2.0 / OpenID Connect protocol state: authorization codes, device
//! authorizations, `private_key_jwt` assertion ids seen (replay), refresh-family facts
//! and revoked access-token ids. Each is a small JSON document under `(kind, key)`; the
//! key is the SHA-256 of a bearer value (never the value itself) or a random id.
//!
//! Why one generic table: every one of these is written once, read by key, and changed
//! by compare-and-set on a version (a code is redeemed once, a device code is approved
//! once), then forgotten after it expires. The protocol rules live in `portcullis-oidc`;
//! the store only has to make the state changes atomic across nodes.

use async_trait::async_trait;
use portcullis_core::{RefreshToken, SecretHash};
use serde_json::Value;
use time::OffsetDateTime;

use crate::error::StoreResult;

/// One stored piece of protocol state.
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthRecord {
    /// What it is (`code`, `device`, `user_code`, `jti`, …); chosen by the service.
    pub kind: String,
    /// Unique within `kind`.
    pub key: String,
    /// Starts at 1; every successful [`OAuthStateStore::replace_oauth_record`] adds 1.
    pub version: i64,
    /// After this the record may be purged; readers still check expiry themselves.
    pub expires_date_time: OffsetDateTime,
    pub doc: Value,
}

#[async_trait]
pub trait OAuthStateStore: Send + Sync {
    /// Inserts the record with version 1. Returns `false` (and changes nothing) when a
    /// record with the same kind and key exists: the insert-if-absent that detects a
    /// replayed assertion id.
    async fn insert_oauth_record(&self, record: &OAuthRecord) -> StoreResult<bool>;
    async fn get_oauth_record(&self, kind: &str, key: &str) -> StoreResult<Option<OAuthRecord>>;
    /// Replaces `doc` and `expires_date_time` if the stored version is still
    /// `record.version`, and bumps the version. Returns `false` when another writer won
    /// (or the record is gone): exactly one of several concurrent callers succeeds.
    async fn replace_oauth_record(&self, record: &OAuthRecord) -> StoreResult<bool>;
    /// Deletes records that expired before `before`; returns how many.
    async fn purge_expired_oauth_records(&self, before: OffsetDateTime) -> StoreResult<u64>;
    /// A refresh token by the hash of its value, without using it (revocation and
    /// introspection must not rotate it).
    async fn find_refresh_token(
        &self,
        token_hash: &SecretHash,
    ) -> StoreResult<Option<RefreshToken>>;
}
