//! The entry point the web layer and the CLI hold: one [`Services`] over one store.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use portcullis_core::audit::{AuditRecord, TargetResource, category};
use portcullis_core::{AuditId, SigningKeyState};
use portcullis_store::{Batch, Change, Store};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::tokens::key_rotation::{SigningKeySettings, still_published};
use crate::tokens::signing_key::TokenKey;

/// Setting holding this installation's tenant id (the `tid` claim).
pub const TENANT_ID_SETTING: &str = "tenant.id";

/// Settings the services need from the server's configuration.
#[derive(Debug, Clone)]
pub struct ServiceSettings {
    /// The URL clients reach Portcullis at; the token issuer and link base.
    pub public_url: String,
    pub access_token_lifetime: Duration,
    /// Signing key algorithms, rotation schedule and encryption at rest.
    pub signing_keys: SigningKeySettings,
}

/// Loaded signing keys. Keys never change once written (rotation adds keys), so the
/// cache only grows; an unknown `kid` triggers a reload from the store, which keeps
/// several nodes on one database in agreement.
#[derive(Default)]
pub(crate) struct KeyCache {
    pub(crate) keys: Vec<(SigningKeyState, TokenKey)>,
    /// Unix time of this node's next rotation check (`tokens::key_rotation`).
    pub(crate) next_maintenance: i64,
}

/// Application services over one store.
#[derive(Clone)]
pub struct Services {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) settings: Arc<ServiceSettings>,
    pub(crate) tenant_id: Arc<str>,
    pub(crate) keys: Arc<RwLock<KeyCache>>,
    pub(crate) push: crate::push::PushService,
    pub(crate) sessions: crate::sessions::SessionService,
    /// The token endpoint's clients with their secret hashes, per directory-wide epoch.
    pub(crate) clients: Arc<crate::tokens::client_cache::ClientCache>,
    /// Refresh-token families' facts, immutable once written (`oidc::family_facts`).
    pub(crate) refresh_families: Arc<crate::oidc::family_facts::FamilyFactsCache>,
    /// Rules for passwords set by administrators and at bootstrap.
    pub(crate) set_passwords: crate::admin::user_passwords::SetPasswordRules,
}

impl Services {
    /// Opens the services, creating the tenant id and the first signing key when the
    /// store has none (first start). Both creations are audited.
    pub async fn start(store: Arc<dyn Store>, settings: ServiceSettings) -> ServiceResult<Self> {
        let tenant_id = ensure_tenant_id(store.as_ref()).await?;
        let sessions = crate::sessions::SessionService::new(
            store.clone(),
            crate::sessions::SessionSettings::default(),
        );
        let push = crate::push::PushService::new(
            store.clone(),
            &settings.public_url,
            portcullis_push::FatiguePolicy::default(),
        );
        let services = Services {
            set_passwords: crate::admin::user_passwords::SetPasswordRules::defaults()?,
            push,
            store,
            sessions,
            clients: Arc::default(),
            refresh_families: Arc::default(),
            settings: Arc::new(settings),
            tenant_id: tenant_id.into(),
            keys: Arc::new(RwLock::new(KeyCache::default())),
        };
        services
            .maintain_signing_keys(OffsetDateTime::now_utc())
            .await?;
        Ok(services)
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Browser SSO sessions: validation (with continuous access evaluation), listing,
    /// sign-out and revoke.
    pub fn sessions(&self) -> &crate::sessions::SessionService {
        &self.sessions
    }

    pub fn settings(&self) -> &ServiceSettings {
        &self.settings
    }

    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// The token issuer (`iss`): the public URL.
    pub fn issuer(&self) -> &str {
        &self.settings.public_url
    }

    /// Readiness: the store answers.
    pub async fn ready(&self) -> ServiceResult<()> {
        self.store.ping().await.map_err(ServiceError::from)
    }

    pub(crate) async fn reload_keys(&self) -> ServiceResult<()> {
        let records = self.store.list_signing_keys().await?;
        let mut loaded = Vec::with_capacity(records.len());
        let now = OffsetDateTime::now_utc();
        let settings = &self.settings.signing_keys;
        for record in records.iter().filter(|r| still_published(r, settings, now)) {
            match TokenKey::from_record(record, settings.encryption.as_ref()) {
                Ok(key) => loaded.push((record.state, key)),
                // One bad key must not take the server down; it just cannot be used.
                Err(e) => {
                    tracing::error!(kid = %record.kid, error = %e, "skipping unusable signing key")
                }
            }
        }
        let mut cache = self.keys.write().map_err(|_| poisoned())?;
        cache.keys = loaded;
        Ok(())
    }

    pub(crate) fn active_key(&self) -> Option<TokenKey> {
        let cache = self.keys.read().ok()?;
        // Newest first from the store: the first active ES256 key signs admin tokens.
        cache
            .keys
            .iter()
            .find(|(state, key)| {
                *state == SigningKeyState::Active
                    && key.algorithm() == crate::tokens::signing_key::SIGNING_ALGORITHM
            })
            .map(|(_, key)| key.clone())
    }

    pub(crate) fn key_by_kid(&self, kid: &str) -> Option<TokenKey> {
        let cache = self.keys.read().ok()?;
        cache
            .keys
            .iter()
            .find(|(_, key)| key.kid() == kid)
            .map(|(_, key)| key.clone())
    }

    /// Every published public key, for `/.well-known/jwks.json`.
    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = self
            .keys
            .read()
            .map(|cache| {
                cache
                    .keys
                    .iter()
                    .filter_map(|(_, key)| serde_json::to_value(key.public_jwk()).ok())
                    .collect()
            })
            .unwrap_or_default();
        serde_json::json!({ "keys": keys })
    }
}

async fn ensure_tenant_id(store: &dyn Store) -> ServiceResult<String> {
    if let Some(Value::String(id)) = store.get_setting(TENANT_ID_SETTING).await? {
        return Ok(id);
    }
    let id = Uuid::new_v4().to_string();
    let caller = Caller::system("Portcullis first start");
    let audit = audit_record(
        &caller,
        category::DIRECTORY_MANAGEMENT,
        "Initialize directory",
        "Add",
    )
    .with_target(target("Directory", &id, Some("tenant")));
    store
        .commit(Batch::single(
            Change::PutSetting {
                key: TENANT_ID_SETTING.to_owned(),
                value: Value::String(id),
            },
            audit,
        ))
        .await?;
    // Another node may have won the race; the stored value is the one that counts.
    match store.get_setting(TENANT_ID_SETTING).await? {
        Some(Value::String(id)) => Ok(id),
        _ => Err(ServiceError::Internal("tenant id was not stored".into())),
    }
}

fn poisoned() -> ServiceError {
    ServiceError::Internal("signing key cache lock poisoned".into())
}

/// A fresh audit record initiated by `caller`.
pub(crate) fn audit_record(
    caller: &Caller,
    category: &str,
    activity: &str,
    operation: &str,
) -> AuditRecord {
    AuditRecord::new(
        AuditId::from_uuid(Uuid::new_v4()),
        OffsetDateTime::now_utc(),
        category,
        activity,
        operation,
        caller.initiated_by.clone(),
    )
    .with_correlation_id(caller.correlation_id.clone())
}

/// A target resource without modified properties.
pub(crate) fn target(kind: &str, id: &str, display_name: Option<&str>) -> TargetResource {
    TargetResource {
        id: id.to_owned(),
        display_name: display_name.map(str::to_owned),
        resource_type: kind.to_owned(),
        user_principal_name: None,
        modified_properties: Vec::new(),
    }
}
