//! Security epochs: which writes move a user's epoch, the directory-wide epoch, paging.

use portcullis_core::{Application, ApplicationKind, MemberRef, RiskEvent, RiskEventId, UserId};
use time::Duration;
use uuid::Uuid;

use super::security::{credential, session};
use super::{TestBackend, application, commit, create_group, create_user, t0};
use crate::{Change, SecurityChanges, Store};

async fn changes(store: &dyn Store, after: i64) -> SecurityChanges {
    store.security_changes_since(after, 100).await.unwrap()
}

fn moved(last: &mut i64, now: i64, what: &str) {
    assert!(
        now > *last,
        "{what} did not move the epoch ({now} <= {last})"
    );
    *last = now;
}

async fn epoch_of(store: &dyn Store, user: &UserId) -> i64 {
    store.user_epoch(user).await.unwrap().0
}

/// Each kind of security-relevant write moves the user's epoch past the last one; the
/// feed lists the user once, at their newest epoch.
pub async fn security_epochs_follow_user_changes(backend: &dyn TestBackend) {
    let store = backend.store();
    let store = &*store;
    let start = changes(store, 0).await;
    assert!(start.users.is_empty() && !start.truncated, "{start:?}");

    let mut ada = create_user(store, "ada@example.com", "Ada").await;
    let cookie = session(&ada.id, "cookie-ada");
    store.create_session(&cookie).await.unwrap();
    assert_eq!(
        epoch_of(store, &ada.id).await,
        0,
        "creating a session is no change"
    );

    let mut last = 0;

    ada.account_enabled = false;
    commit(store, Change::UpdateUser(ada.clone())).await;
    moved(
        &mut last,
        epoch_of(store, &ada.id).await,
        "disabling the user",
    );

    let method = credential(&ada.id);
    commit(store, Change::AddCredential(method.clone())).await;
    moved(&mut last, epoch_of(store, &ada.id).await, "adding a method");
    commit(store, Change::DeleteCredential(method.id.clone())).await;
    moved(
        &mut last,
        epoch_of(store, &ada.id).await,
        "removing a method",
    );

    store
        .append_risk_event(&RiskEvent {
            id: RiskEventId::from_uuid(Uuid::new_v4()),
            user_id: Some(ada.id.clone()),
            user_principal_name: Some(ada.user_principal_name.clone()),
            risk_event_type: "leakedCredentials".into(),
            risk_level: "high".into(),
            risk_state: "atRisk".into(),
            risk_detail: None,
            detection_timing_type: "offline".into(),
            detected_date_time: t0(),
            ip_address: None,
            sign_in_id: None,
            additional_info: serde_json::json!({}),
        })
        .await
        .unwrap();
    moved(
        &mut last,
        epoch_of(store, &ada.id).await,
        "a risk detection",
    );

    let group = create_group(store, "Pilot").await;
    commit(
        store,
        Change::AddMember {
            group: group.id.clone(),
            member: MemberRef::User(ada.id.clone()),
        },
    )
    .await;
    moved(&mut last, epoch_of(store, &ada.id).await, "joining a group");

    let mut stepped_up = cookie.clone();
    stepped_up.amr.push("hwk".into());
    store.update_session(&stepped_up).await.unwrap();
    moved(
        &mut last,
        epoch_of(store, &ada.id).await,
        "a session step-up",
    );
    // The same document again is no change.
    store.update_session(&stepped_up).await.unwrap();
    assert_eq!(
        epoch_of(store, &ada.id).await,
        last,
        "a no-op update moved the epoch"
    );

    store
        .revoke_session(&cookie.id, t0() + Duration::minutes(5))
        .await
        .unwrap();
    moved(
        &mut last,
        epoch_of(store, &ada.id).await,
        "revoking the session",
    );

    let feed = changes(store, 0).await;
    assert_eq!(feed.head, last, "{feed:?}");
    assert_eq!(feed.users.len(), 1, "{feed:?}");
    assert_eq!(
        (&feed.users[0].user_id, feed.users[0].epoch),
        (&ada.id, last)
    );
    assert!(changes(store, last).await.users.is_empty());

    // Deleting the user is a change even though their sessions go with them.
    commit(store, Change::DeleteUser(ada.id.clone())).await;
    moved(
        &mut last,
        epoch_of(store, &ada.id).await,
        "deleting the user",
    );
}

/// Users without an active session are not tracked (nothing can be cached for them).
pub async fn security_epochs_skip_users_without_sessions(backend: &dyn TestBackend) {
    let store = backend.store();
    let store = &*store;
    let mut bob = create_user(store, "bob@example.com", "Bob").await;
    bob.display_name = "Robert".into();
    commit(store, Change::UpdateUser(bob.clone())).await;
    commit(store, Change::AddCredential(credential(&bob.id))).await;
    assert_eq!(epoch_of(store, &bob.id).await, 0);
    assert!(changes(store, 0).await.users.is_empty());
}

/// Applications and group nesting move the directory-wide epoch; the feed reports the
/// policy version beside it and pages by its limit.
pub async fn security_epochs_directory_wide_and_paging(backend: &dyn TestBackend) {
    let store = backend.store();
    let store = &*store;
    let before = changes(store, 0).await;
    let app = Application {
        settings: serde_json::json!({"host": "wiki.example.com"}),
        ..application("Wiki", ApplicationKind::ForwardAuth)
    };
    commit(store, Change::CreateApplication(app)).await;
    let after_app = changes(store, 0).await;
    assert!(
        after_app.global_epoch > before.global_epoch,
        "{after_app:?}"
    );
    assert_eq!(after_app.global_epoch, after_app.head);

    let outer = create_group(store, "Outer").await;
    let inner = create_group(store, "Inner").await;
    commit(
        store,
        Change::AddMember {
            group: outer.id.clone(),
            member: MemberRef::Group(inner.id.clone()),
        },
    )
    .await;
    let after_nesting = changes(store, 0).await;
    assert!(after_nesting.global_epoch > after_app.global_epoch);
    assert_eq!(
        after_nesting.policy_version,
        store.policy_version().await.unwrap()
    );

    let mut users = Vec::new();
    for n in 0..3 {
        let user = create_user(store, &format!("u{n}@example.com"), "U").await;
        store
            .create_session(&session(&user.id, &format!("cookie-{n}")))
            .await
            .unwrap();
        store
            .revoke_session(
                &store.list_sessions(&user.id).await.unwrap()[0].id,
                t0() + Duration::minutes(1),
            )
            .await
            .unwrap();
        users.push(user.id);
    }
    let page = store
        .security_changes_since(after_nesting.head, 2)
        .await
        .unwrap();
    assert!(page.truncated, "{page:?}");
    assert_eq!(page.users.len(), 2);
    assert_eq!(page.users[0].user_id, users[0], "oldest change first");
    let all = changes(store, after_nesting.head).await;
    assert!(!all.truncated);
    let listed: Vec<_> = all.users.iter().map(|u| u.user_id.clone()).collect();
    assert_eq!(listed, users);
}
