//! Break-glass marks and the admin's audited write of a user's sign-in state (unlock).

use serde_json::json;
use time::Duration;

use super::{TestBackend, audit, commit, create_user, t0, user_id};
use crate::{Batch, BreakGlassAccount, Change, StoreError, UserStateWrite};

pub async fn break_glass_marks_round_trip(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await.id;
    let grace = create_user(&*store, "grace@example.com", "Grace").await.id;
    assert!(store.list_break_glass_accounts().await.unwrap().is_empty());
    let mark = |user: &portcullis_core::UserId, minutes| Change::MarkBreakGlass {
        user: user.clone(),
        at: t0() + Duration::minutes(minutes),
    };
    commit(&*store, mark(&grace, 1)).await;
    commit(&*store, mark(&ada, 2)).await;
    // Marking again keeps the first mark.
    commit(&*store, mark(&grace, 3)).await;
    let expected = vec![
        BreakGlassAccount {
            user_id: grace.clone(),
            marked_date_time: t0() + Duration::minutes(1),
        },
        BreakGlassAccount {
            user_id: ada.clone(),
            marked_date_time: t0() + Duration::minutes(2),
        },
    ];
    assert_eq!(store.list_break_glass_accounts().await.unwrap(), expected);
    assert_eq!(
        store.policy_version().await.unwrap(),
        3,
        "one version per mark"
    );

    // An unknown user cannot be marked, and nothing of the batch is stored.
    let unknown = store
        .commit(Batch::single(mark(&user_id(), 4), audit("mark", "x")))
        .await;
    assert!(
        matches!(unknown, Err(StoreError::Conflict(_))),
        "{unknown:?}"
    );

    // Marks travel with the policy configuration: each change moves its version.
    let version = store.policy_version().await.unwrap();
    commit(&*store, Change::UnmarkBreakGlass(ada.clone())).await;
    assert_eq!(store.policy_version().await.unwrap(), version + 1);
    commit(&*store, mark(&ada, 5)).await;
    assert_eq!(store.policy_version().await.unwrap(), version + 2);
    commit(&*store, Change::UnmarkBreakGlass(ada.clone())).await;
    let again = store
        .commit(Batch::single(
            Change::UnmarkBreakGlass(ada.clone()),
            audit("unmark", "x"),
        ))
        .await;
    assert!(matches!(again, Err(StoreError::NotFound(_))), "{again:?}");
    // Deleting a user removes their mark.
    commit(&*store, Change::DeleteUser(grace.clone())).await;
    assert!(store.list_break_glass_accounts().await.unwrap().is_empty());
}

pub async fn admin_user_sign_in_state_write_is_revision_checked(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await.id;
    let write = |expected_revision, n: i64| {
        Change::PutUserSignInState(UserStateWrite {
            user_id: ada.clone(),
            expected_revision,
            doc: json!({ "n": n }),
        })
    };
    commit(&*store, write(None, 1)).await;
    commit(&*store, write(Some(0), 2)).await;
    let stale = store
        .commit(Batch::single(write(Some(0), 3), audit("unlock", "x")))
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let read = store.get_user_sign_in_state(&ada).await.unwrap().unwrap();
    assert_eq!((read.revision, read.doc), (1, json!({"n": 2})));
}
