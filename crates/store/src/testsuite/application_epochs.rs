//! Application secrets move the directory-wide security epoch (a node's cache of a
//! client's secret hashes is keyed by it), whichever way the secret changes, and
//! `configuration_versions` reads it with the policy version.

use portcullis_core::{ApplicationKind, ApplicationSecret, SecretHash, SecretId};
use uuid::Uuid;

use super::{TestBackend, application, commit, t0};
use crate::{Change, Store};

/// The directory-wide epoch, read both ways (they must agree), with the policy version
/// checked against its own read.
async fn global_epoch(store: &dyn Store) -> i64 {
    let polled = store.security_changes_since(0, 100).await.unwrap();
    let versions = store.configuration_versions().await.unwrap();
    assert_eq!(versions.global_epoch, polled.global_epoch);
    assert_eq!(
        versions.policy_version,
        store.policy_version().await.unwrap()
    );
    versions.global_epoch
}

pub async fn application_secret_writes_move_the_directory_wide_epoch(backend: &dyn TestBackend) {
    let store = backend.store();
    let store = &*store;
    let app = application("Automation", ApplicationKind::Automation);
    commit(store, Change::CreateApplication(app.clone())).await;
    let created = global_epoch(store).await;

    let secret = ApplicationSecret {
        key_id: SecretId::from_uuid(Uuid::new_v4()),
        application_id: app.id.clone(),
        display_name: "ci".into(),
        hint: "abc".into(),
        secret_hash: SecretHash::of("pcs_secret"),
        start_date_time: t0(),
        end_date_time: None,
    };
    commit(store, Change::AddApplicationSecret(secret.clone())).await;
    let added = global_epoch(store).await;
    assert!(added > created, "adding a secret: {created} → {added}");

    commit(
        store,
        Change::RemoveApplicationSecret {
            application: app.id.clone(),
            key_id: secret.key_id.clone(),
        },
    )
    .await;
    let removed = global_epoch(store).await;
    assert!(removed > added, "removing a secret: {added} → {removed}");
    assert!(
        store
            .list_application_secrets(&app.id)
            .await
            .unwrap()
            .is_empty()
    );

    // A policy change moves the policy version the same read answers.
    let before = store.configuration_versions().await.unwrap();
    commit(
        store,
        Change::PutPolicy {
            kind: crate::PolicyKind::NamedLocation,
            id: "office".into(),
            json: serde_json::json!({"id": "office", "displayName": "Office"}),
            precondition: crate::Precondition::None,
            at: t0(),
        },
    )
    .await;
    let after = store.configuration_versions().await.unwrap();
    assert!(after.policy_version > before.policy_version, "{after:?}");
}
