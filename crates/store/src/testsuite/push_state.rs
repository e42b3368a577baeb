//! Authenticator state: single-use activation codes, approvals settled once with a
//! change feed, fatigue compare-and-set, purge, and cascade on user deletion.

use std::sync::Arc;

use serde_json::json;
use time::Duration;
use uuid::Uuid;

use super::{TestBackend, create_user, t0};
use crate::Change;
use crate::push_state::{PushActivationRecord, PushApprovalRecord, PushFatigueRecord};
use portcullis_core::UserId;

fn approval(user: &UserId, minutes_from_t0: i64) -> PushApprovalRecord {
    PushApprovalRecord {
        id: Uuid::new_v4().to_string(),
        user_id: user.clone(),
        state: "pending".into(),
        expires_date_time: t0() + Duration::minutes(minutes_from_t0 + 2),
        changed_date_time: t0() + Duration::minutes(minutes_from_t0),
        version: 1,
        doc: json!({"number": 42}),
    }
}

/// An activation code is returned once, then gone.
pub async fn push_activation_codes_are_single_use(backend: &dyn TestBackend) {
    let store = backend.store();
    let alice = create_user(store.as_ref(), "alice@example.org", "Alice").await;
    let record = PushActivationRecord {
        code_hash: "ab".repeat(32),
        user_id: alice.id.clone(),
        expires_date_time: t0() + Duration::minutes(15),
        doc: json!({"k": 1}),
    };
    store.insert_push_activation(&record).await.unwrap();
    assert!(
        store.insert_push_activation(&record).await.is_err(),
        "duplicate code"
    );
    let (a, b) = tokio::join!(
        store.take_push_activation(&record.code_hash),
        store.take_push_activation(&record.code_hash)
    );
    let taken: Vec<_> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
    assert_eq!(taken, vec![record], "exactly one taker");
    assert!(store.take_push_activation("cd").await.unwrap().is_none());
}

/// Pending lists, the change feed and compare-and-set settlement with one winner.
pub async fn push_approvals_settle_once_and_feed_changes(backend: &dyn TestBackend) {
    let store = backend.store();
    let alice = create_user(store.as_ref(), "alice@example.org", "Alice").await;
    let bob = create_user(store.as_ref(), "bob@example.org", "Bob").await;
    let first = approval(&alice.id, 0);
    let second = approval(&alice.id, 1);
    let bobs = approval(&bob.id, 2);
    for record in [&first, &second, &bobs] {
        store.insert_push_approval(record).await.unwrap();
    }
    assert_eq!(
        store.get_push_approval(&first.id).await.unwrap().as_ref(),
        Some(&first)
    );
    let pending = store
        .list_push_approvals(&alice.id, "pending", t0())
        .await
        .unwrap();
    assert_eq!(pending, vec![first.clone(), second.clone()]);
    // `second` expires at t0+3min: not listed as outstanding at t0+3min.
    let later = store
        .list_push_approvals(&alice.id, "pending", t0() + Duration::minutes(3))
        .await
        .unwrap();
    assert!(later.is_empty());

    let feed = store
        .push_approvals_changed_since(t0() + Duration::minutes(1), 10)
        .await
        .unwrap();
    assert_eq!(
        feed,
        vec![second.clone(), bobs.clone()],
        "inclusive, ordered"
    );
    assert_eq!(
        store
            .push_approvals_changed_since(t0(), 1)
            .await
            .unwrap()
            .len(),
        1
    );

    let settled = |state: &str| PushApprovalRecord {
        state: state.into(),
        changed_date_time: t0() + Duration::minutes(5),
        doc: json!({"state": state}),
        ..first.clone()
    };
    let store_a = Arc::clone(&store);
    let store_b = Arc::clone(&store);
    let (approved, denied) = (settled("approved"), settled("denied"));
    let (a, b) = tokio::join!(
        async move { store_a.replace_push_approval(&approved).await.unwrap() },
        async move { store_b.replace_push_approval(&denied).await.unwrap() }
    );
    assert!(a ^ b, "exactly one settlement wins");
    let stored = store.get_push_approval(&first.id).await.unwrap().unwrap();
    assert_eq!(stored.version, 2);
    assert_eq!(stored.state, if a { "approved" } else { "denied" });
    assert!(
        !store
            .replace_push_approval(&settled("denied"))
            .await
            .unwrap(),
        "stale version"
    );
    let feed = store
        .push_approvals_changed_since(t0() + Duration::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(feed.len(), 1);
    assert_eq!(feed[0].id, first.id);
}

/// Fatigue: insert-if-absent, then compare-and-set.
pub async fn push_fatigue_compare_and_set(backend: &dyn TestBackend) {
    let store = backend.store();
    let alice = create_user(store.as_ref(), "alice@example.org", "Alice").await;
    assert!(store.get_push_fatigue(&alice.id).await.unwrap().is_none());
    let fresh = PushFatigueRecord {
        user_id: alice.id.clone(),
        version: 0,
        doc: json!({"recentDenials": []}),
    };
    assert!(store.put_push_fatigue(&fresh).await.unwrap());
    assert!(
        !store.put_push_fatigue(&fresh).await.unwrap(),
        "already inserted"
    );
    let stored = store.get_push_fatigue(&alice.id).await.unwrap().unwrap();
    assert_eq!(stored.version, 1);
    let update = PushFatigueRecord {
        doc: json!({"recentDenials": ["x"]}),
        ..stored.clone()
    };
    assert!(store.put_push_fatigue(&update).await.unwrap());
    assert!(
        !store.put_push_fatigue(&update).await.unwrap(),
        "stale version"
    );
    let stored = store.get_push_fatigue(&alice.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.version, stored.doc),
        (2, json!({"recentDenials": ["x"]}))
    );
}

/// Expired state is purged; deleting the user removes the rest.
pub async fn push_state_purge_and_cascade(backend: &dyn TestBackend) {
    let store = backend.store();
    let alice = create_user(store.as_ref(), "alice@example.org", "Alice").await;
    let old = approval(&alice.id, 0);
    let new = approval(&alice.id, 60);
    store.insert_push_approval(&old).await.unwrap();
    store.insert_push_approval(&new).await.unwrap();
    store
        .insert_push_activation(&PushActivationRecord {
            code_hash: "ef".repeat(32),
            user_id: alice.id.clone(),
            expires_date_time: t0() + Duration::minutes(1),
            doc: json!({}),
        })
        .await
        .unwrap();
    let purged = store
        .purge_push_state(t0() + Duration::minutes(10))
        .await
        .unwrap();
    assert_eq!(purged, 2);
    assert!(store.get_push_approval(&old.id).await.unwrap().is_none());
    assert!(store.get_push_approval(&new.id).await.unwrap().is_some());
    store
        .put_push_fatigue(&PushFatigueRecord {
            user_id: alice.id.clone(),
            version: 0,
            doc: json!({}),
        })
        .await
        .unwrap();
    super::commit(store.as_ref(), Change::DeleteUser(alice.id.clone())).await;
    assert!(store.get_push_approval(&new.id).await.unwrap().is_none());
    assert!(store.get_push_fatigue(&alice.id).await.unwrap().is_none());
}

/// A push approval written with a sign-in step lands with it, and goes with it when the
/// step is refused (a stale transaction revision).
pub async fn push_approval_commits_with_its_sign_in_step(backend: &dyn TestBackend) {
    use crate::{
        SignInStepWrite, StoreError, StoredSignInTransaction, TransactionSubject, TransactionWrite,
    };
    use portcullis_core::SecretHash;

    let store = backend.store();
    let alice = create_user(store.as_ref(), "alice@example.org", "Alice").await;
    let handle = SecretHash::of("phone-sign-in");
    let created = StoredSignInTransaction {
        id_hash: handle.clone(),
        revision: 0,
        created_at: t0(),
        expires_at: t0() + Duration::minutes(10),
        doc: json!({"stage": "firstFactor"}),
        subject: TransactionSubject::default(),
    };
    let step = |expected_revision: i64, record: &PushApprovalRecord| SignInStepWrite {
        transaction: Some(TransactionWrite::Update {
            id_hash: handle.clone(),
            expected_revision,
            doc: json!({"stage": "firstFactor", "push": record.id}),
            subject: TransactionSubject::default(),
        }),
        push_approvals: vec![record.clone()],
        ..SignInStepWrite::default()
    };
    let results = store
        .commit_sign_in_steps(&[SignInStepWrite {
            transaction: Some(TransactionWrite::Create(created)),
            ..SignInStepWrite::default()
        }])
        .await
        .unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");

    let sent = approval(&alice.id, 0);
    let stale = approval(&alice.id, 1);
    let results = store
        .commit_sign_in_steps(&[step(0, &sent), step(0, &stale)])
        .await
        .unwrap();
    assert!(results[0].is_ok(), "{results:?}");
    assert!(
        matches!(results[1], Err(StoreError::Conflict(_))),
        "{results:?}"
    );
    assert_eq!(
        store.get_push_approval(&sent.id).await.unwrap(),
        Some(sent.clone())
    );
    assert_eq!(store.get_push_approval(&stale.id).await.unwrap(), None);
    let pending = store
        .list_push_approvals(&alice.id, "pending", t0())
        .await
        .unwrap();
    assert_eq!(pending, vec![sent]);
}
