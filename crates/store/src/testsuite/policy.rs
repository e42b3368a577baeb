//! Policy objects, the policy version, settings, and all-or-nothing commits.

use std::sync::Arc;

use serde_json::json;

use super::{TestBackend, audit, commit, create_user, t0, user};
use crate::{Batch, Change, PolicyKind, Precondition, SINGLETON_ID, StoreError};

fn put(kind: PolicyKind, id: &str, json: serde_json::Value, precondition: Precondition) -> Change {
    Change::PutPolicy {
        kind,
        id: id.into(),
        json,
        precondition,
        at: t0(),
    }
}

/// Every policy-object change bumps the store-wide version by one, in the same commit;
/// other changes leave it alone.
pub async fn policy_objects_and_policy_version(backend: &dyn TestBackend) {
    let store = backend.store();
    assert_eq!(store.policy_version().await.unwrap(), 0);
    let policy = json!({"displayName": "MFA for admins", "state": "enabledForReportingButNotEnforced",
        "conditions": {"users": {"includeRoles": ["62e90394-69f5-4237-9190-012177145e10"]}}});
    let receipt = commit(
        &*store,
        put(
            PolicyKind::ConditionalAccessPolicy,
            "p1",
            policy.clone(),
            Precondition::MustNotExist,
        ),
    )
    .await;
    assert_eq!(receipt.policy_version, 1);
    assert_eq!(store.policy_version().await.unwrap(), 1);

    let stored = store
        .get_policy(PolicyKind::ConditionalAccessPolicy, "p1")
        .await
        .unwrap();
    assert_eq!((stored.json.clone(), stored.version), (policy.clone(), 1));

    commit(
        &*store,
        put(
            PolicyKind::NamedLocation,
            "loc",
            json!({"ipRanges": []}),
            Precondition::None,
        ),
    )
    .await;
    commit(
        &*store,
        put(
            PolicyKind::AuthenticationStrength,
            "s",
            json!({"allowedCombinations": ["fido2"]}),
            Precondition::None,
        ),
    )
    .await;
    commit(
        &*store,
        put(
            PolicyKind::SecurityDefaults,
            SINGLETON_ID,
            json!({"isEnabled": false}),
            Precondition::None,
        ),
    )
    .await;
    assert_eq!(store.policy_version().await.unwrap(), 4);

    // Unrelated changes do not move it.
    create_user(&*store, "ada@example.com", "Ada").await;
    assert_eq!(store.policy_version().await.unwrap(), 4);

    let mut changed = policy.clone();
    changed["state"] = "enabled".into();
    commit(
        &*store,
        put(
            PolicyKind::ConditionalAccessPolicy,
            "p1",
            changed.clone(),
            Precondition::Version(1),
        ),
    )
    .await;
    let stored = store
        .get_policy(PolicyKind::ConditionalAccessPolicy, "p1")
        .await
        .unwrap();
    assert_eq!((stored.json, stored.version), (changed, 2));
    assert_eq!(
        store
            .list_policies(PolicyKind::ConditionalAccessPolicy)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .list_policies(PolicyKind::NamedLocation)
            .await
            .unwrap()
            .len(),
        1
    );

    // Two policy changes in one commit count once: the version names a committed state.
    let receipt = store
        .commit(
            Batch::new()
                .change(Change::DeletePolicy {
                    kind: PolicyKind::NamedLocation,
                    id: "loc".into(),
                })
                .change(put(
                    PolicyKind::NamedLocation,
                    "loc2",
                    json!({}),
                    Precondition::None,
                ))
                .audit(audit("Update named locations", "loc")),
        )
        .await
        .unwrap();
    assert_eq!(receipt.policy_version, 6);
    assert!(matches!(
        store.get_policy(PolicyKind::NamedLocation, "loc").await,
        Err(StoreError::NotFound(_))
    ));
    let missing = store
        .commit(Batch::new().change(Change::DeletePolicy {
            kind: PolicyKind::NamedLocation,
            id: "loc".into(),
        }))
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
    assert_eq!(store.policy_version().await.unwrap(), 6);
}

pub async fn policy_preconditions(backend: &dyn TestBackend) {
    let store = backend.store();
    commit(
        &*store,
        put(
            PolicyKind::ConditionalAccessPolicy,
            "p",
            json!({"v": 1}),
            Precondition::MustNotExist,
        ),
    )
    .await;
    let exists = store
        .commit(Batch::new().change(put(
            PolicyKind::ConditionalAccessPolicy,
            "p",
            json!({"v": 2}),
            Precondition::MustNotExist,
        )))
        .await
        .unwrap_err();
    assert!(matches!(exists, StoreError::Conflict(_)), "{exists:?}");
    let stale = store
        .commit(Batch::new().change(put(
            PolicyKind::ConditionalAccessPolicy,
            "p",
            json!({"v": 2}),
            Precondition::Version(7),
        )))
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Conflict(_)), "{stale:?}");
    let absent = store
        .commit(Batch::new().change(put(
            PolicyKind::ConditionalAccessPolicy,
            "q",
            json!({}),
            Precondition::Version(1),
        )))
        .await
        .unwrap_err();
    assert!(matches!(absent, StoreError::NotFound(_)), "{absent:?}");
    let stored = store
        .get_policy(PolicyKind::ConditionalAccessPolicy, "p")
        .await
        .unwrap();
    assert_eq!((stored.json, stored.version), (json!({"v": 1}), 1));
    assert_eq!(
        store.policy_version().await.unwrap(),
        1,
        "failed commits do not bump the version"
    );
}

/// A snapshot's objects match its version even while writers keep changing policies.
pub async fn policy_snapshot_is_consistent(backend: &dyn TestBackend) {
    let store = backend.store();
    let writer = {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            for i in 0..30 {
                let change = put(
                    PolicyKind::ConditionalAccessPolicy,
                    &format!("p{i}"),
                    json!({"n": i}),
                    Precondition::None,
                );
                store.commit(Batch::new().change(change)).await.unwrap();
            }
        })
    };
    for _ in 0..30 {
        let snapshot = store.policy_snapshot().await.unwrap();
        // Each commit adds one policy and bumps the version once.
        assert_eq!(snapshot.objects.len() as i64, snapshot.policy_version);
    }
    writer.await.unwrap();
    let snapshot = store.policy_snapshot().await.unwrap();
    assert_eq!((snapshot.policy_version, snapshot.objects.len()), (30, 30));
}

pub async fn settings_round_trip(backend: &dyn TestBackend) {
    let store = backend.store();
    assert_eq!(
        store.get_setting("audit.retentionDays").await.unwrap(),
        None
    );
    commit(
        &*store,
        Change::PutSetting {
            key: "audit.retentionDays".into(),
            value: json!(365),
        },
    )
    .await;
    commit(
        &*store,
        Change::PutSetting {
            key: "audit.retentionDays".into(),
            value: json!(90),
        },
    )
    .await;
    assert_eq!(
        store.get_setting("audit.retentionDays").await.unwrap(),
        Some(json!(90))
    );
    commit(
        &*store,
        Change::DeleteSetting {
            key: "audit.retentionDays".into(),
        },
    )
    .await;
    assert_eq!(
        store.get_setting("audit.retentionDays").await.unwrap(),
        None
    );
}

/// A batch whose last change fails stores none of its changes and none of its audit.
pub async fn failed_batch_leaves_nothing_half_written(backend: &dyn TestBackend) {
    let store = backend.store();
    let existing = create_user(&*store, "taken@example.com", "Taken").await;
    let head = store.audit_chain_head().await.unwrap();
    let version = store.policy_version().await.unwrap();

    let fresh = user("fresh@example.com", "Fresh");
    let group = super::group("New group");
    let batch = Batch::new()
        .change(Change::CreateUser(fresh.clone()))
        .change(Change::CreateGroup(group.clone()))
        .change(put(
            PolicyKind::ConditionalAccessPolicy,
            "p",
            json!({}),
            Precondition::None,
        ))
        .change(Change::PutSetting {
            key: "k".into(),
            value: json!(1),
        })
        .change(Change::CreateUser(user("TAKEN@example.com", "Clash")))
        .audit(audit("Add user", fresh.id.as_str()))
        .audit(audit("Add group", group.id.as_str()));
    let err = store.commit(batch).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");

    assert!(matches!(
        store.get_user(&fresh.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.get_group(&group.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store
            .get_policy(PolicyKind::ConditionalAccessPolicy, "p")
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.get_setting("k").await.unwrap(), None);
    assert_eq!(store.audit_chain_head().await.unwrap(), head);
    assert_eq!(store.policy_version().await.unwrap(), version);
    assert_eq!(super::read_chain(&*store).await.len() as i64, head.seq);
    assert_eq!(store.get_user(&existing.id).await.unwrap(), existing);

    // The store is fully usable afterwards.
    let receipt = store
        .commit(Batch::single(
            Change::CreateUser(fresh.clone()),
            audit("Add user", fresh.id.as_str()),
        ))
        .await
        .unwrap();
    assert_eq!(receipt.audit[0].seq, head.seq + 1);
}
