//! Typed access to the store's OAuth protocol state (`OAuthStateStore`): each kind of
//! record is a serde type under a kind name, keyed by the SHA-256 of the bearer value
//! (codes, device codes) or by a random id.

use portcullis_core::SecretHash;
use portcullis_store::{OAuthRecord, Store};
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use super::error::OidcError;

/// Authorization codes, by the hash of the code.
pub(crate) const CODE: &str = "code";
/// Device authorizations, by the hash of the device code.
pub(crate) const DEVICE: &str = "device";
/// User code → the hash of its device code.
pub(crate) const USER_CODE: &str = "user_code";
/// `private_key_jwt` assertion ids seen, by `client_id` and `jti`.
pub(crate) const ASSERTION_JTI: &str = "assertion_jti";
/// Facts of a refresh-token family (how the user authenticated), by family id.
pub(crate) const FAMILY: &str = "refresh_family";
/// Revoked access tokens, by `jti`.
pub(crate) const REVOKED_ACCESS_TOKEN: &str = "revoked_access_token";

/// The store key of a bearer value: its SHA-256, never the value.
pub(crate) fn bearer_key(value: &str) -> String {
    SecretHash::of(value).as_str().to_owned()
}

/// A decoded record with the version to compare-and-set against.
pub(crate) struct Versioned<T> {
    pub value: T,
    pub version: i64,
    pub expires: OffsetDateTime,
}

pub(crate) async fn insert<T: Serialize>(
    store: &dyn Store,
    kind: &str,
    key: &str,
    value: &T,
    expires: OffsetDateTime,
) -> Result<bool, OidcError> {
    let doc = serde_json::to_value(value).map_err(|e| OidcError::internal(kind, e))?;
    Ok(store
        .insert_oauth_record(&OAuthRecord {
            kind: kind.to_owned(),
            key: key.to_owned(),
            version: 1,
            expires_date_time: expires,
            doc,
        })
        .await?)
}

pub(crate) async fn get<T: DeserializeOwned>(
    store: &dyn Store,
    kind: &str,
    key: &str,
) -> Result<Option<Versioned<T>>, OidcError> {
    let Some(record) = store.get_oauth_record(kind, key).await? else {
        return Ok(None);
    };
    let value = serde_json::from_value(record.doc).map_err(|e| OidcError::internal(kind, e))?;
    Ok(Some(Versioned {
        value,
        version: record.version,
        expires: record.expires_date_time,
    }))
}

/// Replaces the record if it is still at `version`; `false` when another writer won.
pub(crate) async fn replace<T: Serialize>(
    store: &dyn Store,
    kind: &str,
    key: &str,
    version: i64,
    value: &T,
    expires: OffsetDateTime,
) -> Result<bool, OidcError> {
    let doc = serde_json::to_value(value).map_err(|e| OidcError::internal(kind, e))?;
    Ok(store
        .replace_oauth_record(&OAuthRecord {
            kind: kind.to_owned(),
            key: key.to_owned(),
            version,
            expires_date_time: expires,
            doc,
        })
        .await?)
}

/// Unix seconds to a timestamp (saturating: protocol times come from our own records).
pub(crate) fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
