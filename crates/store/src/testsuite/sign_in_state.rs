//! Sign-in transactions, users' sign-in state and the group commit of sign-in steps.

use std::sync::Arc;

use portcullis_core::{SecretHash, SignInId, UserId};
use serde_json::json;
use time::Duration;
use uuid::Uuid;

use super::logs::sign_in;
use super::security::{credential, session};
use super::{TestBackend, commit, create_user, t0};
use crate::{
    Change, LoggedSignIn, NewSignInSession, SignInStepWrite, StoreError, StoredSignInTransaction,
    TransactionSubject, TransactionWrite, UserStateWrite,
};

fn transaction(handle: &str) -> StoredSignInTransaction {
    StoredSignInTransaction {
        id_hash: SecretHash::of(handle),
        revision: 0,
        created_at: t0(),
        expires_at: t0() + Duration::minutes(10),
        doc: json!({"stage": "firstFactor"}),
        subject: TransactionSubject::default(),
    }
}

fn update(handle: &str, expected_revision: i64, stage: &str) -> SignInStepWrite {
    SignInStepWrite {
        transaction: Some(TransactionWrite::Update {
            id_hash: SecretHash::of(handle),
            expected_revision,
            doc: json!({ "stage": stage }),
            subject: TransactionSubject::default(),
        }),
        ..SignInStepWrite::default()
    }
}

fn logged(user: Option<&UserId>, minutes: i64, input: Option<&str>) -> LoggedSignIn {
    LoggedSignIn {
        record: sign_in(user, "ada@example.com", minutes, 0),
        evaluation_input: input.map(str::to_owned),
    }
}

async fn commit_one(store: &dyn crate::Store, write: SignInStepWrite) -> Result<(), StoreError> {
    let mut results = store.commit_sign_in_steps(&[write]).await.unwrap();
    assert_eq!(results.len(), 1);
    results.remove(0)
}

/// Create, read, revision-checked update, duplicate create, purge.
pub async fn sign_in_transactions_round_trip(backend: &dyn TestBackend) {
    let store = backend.store();
    let created = transaction("handle-1");
    commit_one(
        store.as_ref(),
        SignInStepWrite {
            transaction: Some(TransactionWrite::Create(created.clone())),
            ..SignInStepWrite::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        store
            .get_sign_in_transaction(&created.id_hash)
            .await
            .unwrap(),
        Some(created.clone())
    );
    assert_eq!(
        store
            .get_sign_in_transaction(&SecretHash::of("other"))
            .await
            .unwrap(),
        None
    );
    let duplicate = commit_one(
        store.as_ref(),
        SignInStepWrite {
            transaction: Some(TransactionWrite::Create(created.clone())),
            ..SignInStepWrite::default()
        },
    )
    .await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict(_))),
        "{duplicate:?}"
    );

    commit_one(store.as_ref(), update("handle-1", 0, "challenge"))
        .await
        .unwrap();
    let stale = commit_one(store.as_ref(), update("handle-1", 0, "done")).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let read = store
        .get_sign_in_transaction(&created.id_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.revision, 1);
    assert_eq!(read.doc, json!({"stage": "challenge"}));

    let purged = store
        .purge_expired_sign_in_transactions(t0() + Duration::minutes(11))
        .await
        .unwrap();
    assert_eq!(purged, 1);
    assert_eq!(
        store
            .get_sign_in_transaction(&created.id_hash)
            .await
            .unwrap(),
        None
    );
}

/// Of several steps racing on one transaction revision, exactly one is stored.
pub async fn concurrent_sign_in_steps_have_one_winner(backend: &dyn TestBackend) {
    let store = backend.store();
    commit_one(
        store.as_ref(),
        SignInStepWrite {
            transaction: Some(TransactionWrite::Create(transaction("race"))),
            ..SignInStepWrite::default()
        },
    )
    .await
    .unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store: Arc<dyn crate::Store> = store.clone();
            tokio::spawn(async move {
                let mut write = update("race", 0, &format!("step {i}"));
                write.sign_ins.push(logged(None, i, None));
                commit_one(store.as_ref(), write).await
            })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => winners += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    assert_eq!(winners, 1);
    // Only the winner's log entry is stored.
    let page = store
        .query_sign_ins(&crate::SignInQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
}

/// A relaxed-durability commit (a just-begun sign-in) is visible to the next read at
/// once, even from another connection, and a stale write in a relaxed group fails alone
/// as in a durable one.
pub async fn relaxed_sign_in_commits_are_visible_at_once_and_fail_alone(backend: &dyn TestBackend) {
    let store = backend.store();
    let begun = transaction("relaxed-1");
    let results = store
        .commit_sign_in_steps_relaxed(&[SignInStepWrite {
            transaction: Some(TransactionWrite::Create(begun.clone())),
            ..SignInStepWrite::default()
        }])
        .await
        .unwrap();
    assert!(results[0].is_ok(), "{:?}", results[0]);
    let read = store
        .get_sign_in_transaction(&begun.id_hash)
        .await
        .unwrap()
        .expect("a relaxed commit is visible at once");
    assert_eq!(read.doc, begun.doc);
    // The same transaction begun twice: the second fails alone and changes nothing.
    let mut again = begun.clone();
    again.doc = json!({"stage": "replayed"});
    let results = store
        .commit_sign_in_steps_relaxed(&[SignInStepWrite {
            transaction: Some(TransactionWrite::Create(again)),
            ..SignInStepWrite::default()
        }])
        .await
        .unwrap();
    assert!(
        matches!(results.as_slice(), [Err(StoreError::Conflict(_))]),
        "{results:?}"
    );
    let read = store
        .get_sign_in_transaction(&begun.id_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.doc, begun.doc);
    // The next step, committed durably, builds on it.
    commit_one(store.as_ref(), update("relaxed-1", 0, "secondFactor"))
        .await
        .unwrap();

    let second = transaction("relaxed-2");
    let results = store
        .commit_sign_in_steps_relaxed(&[
            update("relaxed-1", 0, "stale"),
            SignInStepWrite {
                transaction: Some(TransactionWrite::Create(second.clone())),
                ..SignInStepWrite::default()
            },
        ])
        .await
        .unwrap();
    assert!(
        matches!(results[0], Err(StoreError::Conflict(_))),
        "{:?}",
        results[0]
    );
    assert!(results[1].is_ok(), "{:?}", results[1]);
    let first = store
        .get_sign_in_transaction(&begun.id_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.revision, 1);
    assert_eq!(first.doc, json!({"stage": "secondFactor"}));
    assert!(
        store
            .get_sign_in_transaction(&second.id_hash)
            .await
            .unwrap()
            .is_some()
    );
}

/// One group, three steps: the stale one is rolled back alone (its log entry too), the
/// others commit with everything they carry.
pub async fn sign_in_group_commit_isolates_a_failed_step(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(store.as_ref(), "ada@example.com", "Ada").await;
    let totp = credential(&ada.id);
    commit(store.as_ref(), Change::AddCredential(totp.clone())).await;
    commit_one(
        store.as_ref(),
        SignInStepWrite {
            transaction: Some(TransactionWrite::Create(transaction("group"))),
            ..SignInStepWrite::default()
        },
    )
    .await
    .unwrap();

    let first = SignInStepWrite {
        user_state: Some(UserStateWrite {
            user_id: ada.id.clone(),
            expected_revision: None,
            doc: json!({"lockout": {"failures": 1}}),
        }),
        sign_ins: vec![logged(Some(&ada.id), 1, None)],
        ..SignInStepWrite::default()
    };
    let mut stale = update("group", 5, "challenge");
    let lost = logged(Some(&ada.id), 2, Some("{\"lost\":true}"));
    stale.sign_ins.push(lost.clone());
    let mut used = totp.clone();
    used.payload = json!({"secret": "protected", "lastStep": 99});
    let cookie_session = session(&ada.id, "cookie-value");
    let third = SignInStepWrite {
        transaction: update("group", 0, "done").transaction,
        credentials: vec![used],
        sign_ins: vec![logged(Some(&ada.id), 3, Some("{\"target\":\"app\"}"))],
        session: Some(NewSignInSession {
            session: cookie_session.clone(),
            authentication: json!({"amr": ["pwd", "otp"]}),
        }),
        ..SignInStepWrite::default()
    };
    let third_log = third.sign_ins[0].record.id.clone();
    let results = store
        .commit_sign_in_steps(&[first, stale, third])
        .await
        .unwrap();
    assert!(results[0].is_ok(), "{:?}", results[0]);
    assert!(
        matches!(results[1], Err(StoreError::Conflict(_))),
        "{:?}",
        results[1]
    );
    assert!(results[2].is_ok(), "{:?}", results[2]);

    let state = store
        .get_user_sign_in_state(&ada.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.revision, 0);
    assert_eq!(state.doc, json!({"lockout": {"failures": 1}}));
    assert!(matches!(
        store.get_sign_in(&lost.record.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        store
            .get_sign_in_evaluation_input(&third_log)
            .await
            .unwrap(),
        Some("{\"target\":\"app\"}".to_owned())
    );
    assert_eq!(
        store
            .get_sign_in_evaluation_input(&SignInId::from_uuid(Uuid::new_v4()))
            .await
            .unwrap(),
        None
    );
    let stored = store.get_credential(&totp.id).await.unwrap();
    assert_eq!(stored.revision, 1);
    assert_eq!(stored.payload["lastStep"], 99);
    let found = store
        .find_session_by_token_hash(&SecretHash::of("cookie-value"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, cookie_session.id);
    assert_eq!(
        store
            .get_session_authentication(&cookie_session.id)
            .await
            .unwrap(),
        Some(json!({"amr": ["pwd", "otp"]}))
    );
}

/// The user's state is revision-checked too: a stale write or a second first write
/// conflicts; session revocation rides along with a step.
pub async fn user_sign_in_state_revisions_and_revocation(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(store.as_ref(), "ada@example.com", "Ada").await;
    let state = |expected_revision, n: i64| SignInStepWrite {
        user_state: Some(UserStateWrite {
            user_id: ada.id.clone(),
            expected_revision,
            doc: json!({ "n": n }),
        }),
        ..SignInStepWrite::default()
    };
    commit_one(store.as_ref(), state(None, 1)).await.unwrap();
    let again = commit_one(store.as_ref(), state(None, 2)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    commit_one(store.as_ref(), state(Some(0), 3)).await.unwrap();
    let stale = commit_one(store.as_ref(), state(Some(0), 4)).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let read = store
        .get_user_sign_in_state(&ada.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((read.revision, read.doc), (1, json!({"n": 3})));

    let old = session(&ada.id, "old-cookie");
    store.create_session(&old).await.unwrap();
    commit_one(
        store.as_ref(),
        SignInStepWrite {
            revoke_sessions: vec![(old.id.clone(), t0() + Duration::minutes(1))],
            ..SignInStepWrite::default()
        },
    )
    .await
    .unwrap();
    let revoked = store.get_session(&old.id).await.unwrap();
    assert_eq!(revoked.revoked_date_time, Some(t0() + Duration::minutes(1)));

    // Deleting the user removes their sign-in state.
    commit(store.as_ref(), Change::DeleteUser(ada.id.clone())).await;
    assert_eq!(store.get_user_sign_in_state(&ada.id).await.unwrap(), None);
}
