//! Scheduled signing-key rotation with overlap, per algorithm.
//!
//! Each algorithm in use has one `Active` key that signs. Before it is due, a `Next`
//! key is published (JWKS) for `overlap`, so relying parties that cache the JWKS
//! already know it when it starts signing; then it becomes `Active` and the old key
//! `Retired`, still published for `overlap` so tokens it signed keep verifying. Retired
//! keys older than that are no longer loaded. Every node runs the same idempotent check
//! (at start and every few minutes from the token endpoint); the store serialises the
//! commits, and a node that lost a race just reloads.

use std::time::Duration;

use jsonwebtoken::Algorithm;
use portcullis_core::{SigningKey as StoredSigningKey, SigningKeyState};
use portcullis_store::{Batch, Change};
use time::OffsetDateTime;
use uuid::Uuid;

use super::key_protection::KeyEncryptionKey;
use super::signing_key::{TokenKey, algorithm_name, generate_record_for, parse_algorithm};
use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::services::{Services, audit_record, target};
use portcullis_core::audit::category;

/// How often a node re-reads the keys and checks whether a rotation step is due.
const MAINTENANCE_INTERVAL_SECS: i64 = 300;

/// Signing key configuration.
#[derive(Debug, Clone)]
pub struct SigningKeySettings {
    /// Encrypts private keys at rest; `None` stores them as plain PEM (tests, or an
    /// operator who protects the database otherwise).
    pub encryption: Option<KeyEncryptionKey>,
    /// Age at which an active key is replaced.
    pub rotate_after: Duration,
    /// How long a key is published before it signs, and after it stops signing.
    pub overlap: Duration,
    /// Algorithms kept ready: ES256 always; RS256 for clients registered for it;
    /// EdDSA when turned on.
    pub algorithms: Vec<Algorithm>,
}

impl Default for SigningKeySettings {
    fn default() -> Self {
        SigningKeySettings {
            encryption: None,
            rotate_after: Duration::from_secs(90 * 24 * 3600),
            overlap: Duration::from_secs(2 * 24 * 3600),
            algorithms: vec![Algorithm::ES256, Algorithm::RS256],
        }
    }
}

fn seconds(duration: Duration) -> time::Duration {
    time::Duration::seconds(i64::try_from(duration.as_secs()).unwrap_or(i64::MAX / 2))
}

/// Whether a stored key should still be loaded (published and accepted) at `now`.
pub(crate) fn still_published(
    record: &StoredSigningKey,
    settings: &SigningKeySettings,
    now: OffsetDateTime,
) -> bool {
    match (record.state, record.retired_date_time) {
        (SigningKeyState::Retired, Some(retired)) => retired + seconds(settings.overlap) > now,
        _ => true,
    }
}

/// One rotation step for one algorithm, decided from the stored keys.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    Nothing,
    /// No key at all: create an active one at once (first start, nothing cached yet).
    CreateActive,
    CreateNext,
    /// Make this `Next` key active; retire the others of the algorithm.
    Promote(String),
}

fn decide(keys: &[&StoredSigningKey], settings: &SigningKeySettings, now: OffsetDateTime) -> Step {
    // The store lists newest first.
    let active = keys.iter().find(|k| k.state == SigningKeyState::Active);
    let next = keys.iter().find(|k| k.state == SigningKeyState::Next);
    let rotate_after = seconds(settings.rotate_after);
    let overlap = seconds(settings.overlap);
    match (active, next) {
        (None, None) => Step::CreateActive,
        (None, Some(next)) => Step::Promote(next.kid.clone()),
        (Some(active), None) if active.created_date_time + rotate_after - overlap <= now => {
            Step::CreateNext
        }
        (Some(active), Some(next))
            if active.created_date_time + rotate_after <= now
                && next.created_date_time + overlap <= now =>
        {
            Step::Promote(next.kid.clone())
        }
        _ => Step::Nothing,
    }
}

impl Services {
    /// Runs whatever rotation step is due for every configured algorithm, then reloads
    /// the key cache. Idempotent; safe to call from every node.
    pub async fn maintain_signing_keys(&self, now: OffsetDateTime) -> ServiceResult<()> {
        let records = self.store.list_signing_keys().await?;
        for algorithm in &self.settings.signing_keys.algorithms {
            let name = algorithm_name(*algorithm);
            let of_algorithm: Vec<&StoredSigningKey> =
                records.iter().filter(|r| r.algorithm == name).collect();
            match decide(&of_algorithm, &self.settings.signing_keys, now) {
                Step::Nothing => {}
                Step::CreateActive => {
                    self.add_signing_key(*algorithm, SigningKeyState::Active, now)
                        .await?
                }
                Step::CreateNext => {
                    self.add_signing_key(*algorithm, SigningKeyState::Next, now)
                        .await?
                }
                Step::Promote(kid) => self.promote_signing_key(&of_algorithm, &kid, now).await?,
            }
        }
        self.reload_keys().await
    }

    /// Calls [`Services::maintain_signing_keys`] when this node has not for a while.
    /// Cheap otherwise (one atomic read), so the token endpoint can call it each time.
    pub async fn maintain_signing_keys_if_due(&self) {
        let now = OffsetDateTime::now_utc();
        // A shared read first: every token request passes here, and the write lock
        // would serialise them all on both cores.
        let maybe_due = self
            .keys
            .read()
            .is_ok_and(|cache| now.unix_timestamp() >= cache.next_maintenance);
        if !maybe_due {
            return;
        }
        let due = {
            let Ok(mut cache) = self.keys.write() else {
                return;
            };
            if now.unix_timestamp() < cache.next_maintenance {
                false
            } else {
                cache.next_maintenance = now.unix_timestamp() + MAINTENANCE_INTERVAL_SECS;
                true
            }
        };
        if due && let Err(e) = self.maintain_signing_keys(now).await {
            tracing::error!(error = %e, "signing key maintenance failed");
        }
    }

    /// The key that signs tokens for `algorithm` now, if one is loaded.
    pub fn active_key_for(&self, algorithm: Algorithm) -> Option<TokenKey> {
        let cache = self.keys.read().ok()?;
        cache
            .keys
            .iter()
            .find(|(state, key)| *state == SigningKeyState::Active && key.algorithm() == algorithm)
            .map(|(_, key)| key.clone())
    }

    /// The algorithms with an active key, ES256 first (discovery).
    pub fn signing_algorithms(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self
            .settings
            .signing_keys
            .algorithms
            .iter()
            .filter(|a| self.active_key_for(**a).is_some())
            .map(|a| algorithm_name(*a))
            .collect();
        names.sort_by_key(|name| *name != "ES256");
        names
    }

    /// A published key by `kid` (any state), reloading once from the store when this
    /// node does not know it (another node may have added it).
    pub async fn verification_key(&self, kid: &str) -> Option<TokenKey> {
        if let Some(key) = self.key_by_kid(kid) {
            return Some(key);
        }
        self.reload_keys().await.ok()?;
        self.key_by_kid(kid)
    }

    async fn add_signing_key(
        &self,
        algorithm: Algorithm,
        state: SigningKeyState,
        now: OffsetDateTime,
    ) -> ServiceResult<()> {
        let kid = Uuid::new_v4().simple().to_string();
        let (record, _) = generate_record_for(
            algorithm,
            &kid,
            state,
            now,
            self.settings.signing_keys.encryption.as_ref(),
        )
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let name = algorithm_name(algorithm);
        let caller = Caller::system("Portcullis key management");
        let audit = audit_record(
            &caller,
            category::KEY_MANAGEMENT,
            "Add token signing key",
            "Add",
        )
        .with_target(target(
            "Other",
            &kid,
            Some(&format!("{name} token signing key ({})", state.as_str())),
        ));
        self.store
            .commit(Batch::single(Change::PutSigningKey(record), audit))
            .await?;
        Ok(())
    }

    async fn promote_signing_key(
        &self,
        keys: &[&StoredSigningKey],
        kid: &str,
        now: OffsetDateTime,
    ) -> ServiceResult<()> {
        let caller = Caller::system("Portcullis key management");
        let mut batch = Batch::new();
        for key in keys {
            let mut updated = (*key).clone();
            if key.kid == kid {
                updated.state = SigningKeyState::Active;
            } else if key.state != SigningKeyState::Retired {
                updated.state = SigningKeyState::Retired;
                updated.retired_date_time = Some(now);
            } else {
                continue;
            }
            let activity = if key.kid == kid {
                "Activate token signing key"
            } else {
                "Retire token signing key"
            };
            batch = batch.change(Change::PutSigningKey(updated)).audit(
                audit_record(&caller, category::KEY_MANAGEMENT, activity, "Update")
                    .with_target(target("Other", &key.kid, Some(&key.algorithm))),
            );
        }
        self.store.commit(batch).await?;
        Ok(())
    }
}

/// The algorithm a stored record signs with, for callers holding records.
pub fn record_algorithm(record: &StoredSigningKey) -> Option<Algorithm> {
    parse_algorithm(&record.algorithm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn key(kid: &str, state: SigningKeyState, created: OffsetDateTime) -> StoredSigningKey {
        StoredSigningKey {
            kid: kid.into(),
            algorithm: "ES256".into(),
            private_key_pem: String::new(),
            public_jwk: Value::Null,
            state,
            created_date_time: created,
            retired_date_time: None,
        }
    }

    #[test]
    fn rotation_publishes_next_before_it_signs_then_promotes() {
        let settings = SigningKeySettings::default();
        let t0 = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        let day = time::Duration::days(1);
        let active = key("a", SigningKeyState::Active, t0);
        assert_eq!(decide(&[], &settings, t0), Step::CreateActive);
        assert_eq!(decide(&[&active], &settings, t0 + day * 87), Step::Nothing);
        assert_eq!(
            decide(&[&active], &settings, t0 + day * 88),
            Step::CreateNext
        );
        let next = key("n", SigningKeyState::Next, t0 + day * 88);
        // Due, but the next key has not been published for the whole overlap yet.
        assert_eq!(
            decide(&[&next, &active], &settings, t0 + day * 89),
            Step::Nothing
        );
        assert_eq!(
            decide(&[&next, &active], &settings, t0 + day * 90),
            Step::Promote("n".into())
        );
        assert_eq!(
            decide(&[&next], &settings, t0),
            Step::Promote("n".into()),
            "a next key with no active key signs at once"
        );
    }

    #[test]
    fn retired_keys_stay_published_for_the_overlap_only() {
        let settings = SigningKeySettings::default();
        let t0 = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        let mut retired = key("r", SigningKeyState::Retired, t0);
        retired.retired_date_time = Some(t0);
        assert!(still_published(
            &retired,
            &settings,
            t0 + time::Duration::days(1)
        ));
        assert!(!still_published(
            &retired,
            &settings,
            t0 + time::Duration::days(2)
        ));
        assert!(still_published(
            &key("a", SigningKeyState::Active, t0),
            &settings,
            t0 + time::Duration::days(900)
        ));
    }
}
