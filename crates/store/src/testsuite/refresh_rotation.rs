//! A refresh grant's rotation committed with its sign-in log entry
//! ([`crate::RefreshRotation`] in a [`SignInStepWrite`]): the presented token is claimed,
//! its successor inserted and the entry appended in one commit, or — when the token was
//! used, revoked or expired meanwhile — none of the three.

use portcullis_core::{RefreshToken, SecretHash, SignIn};
use time::Duration;

use super::logs::sign_in;
use super::security::{refresh_token, session};
use super::{TestBackend, create_user, t0};
use crate::{LoggedSignIn, RefreshRotation, RefreshTokenUse, SignInStepWrite, Store, StoreError};

fn rotation_step(presented: &str, successor: &RefreshToken, entry: &SignIn) -> SignInStepWrite {
    SignInStepWrite {
        sign_ins: vec![LoggedSignIn {
            record: entry.clone(),
            evaluation_input: None,
        }],
        refresh_rotation: Some(RefreshRotation {
            presented: SecretHash::of(presented),
            at: t0() + Duration::minutes(1),
            successor: Some(successor.clone()),
        }),
        ..SignInStepWrite::default()
    }
}

async fn stored(store: &dyn Store, value: &str) -> Option<RefreshToken> {
    store
        .find_refresh_token(&SecretHash::of(value))
        .await
        .unwrap()
}

async fn logged(store: &dyn Store, entry: &SignIn) -> bool {
    match store.get_sign_in(&entry.id).await {
        Ok(_) => true,
        Err(StoreError::NotFound(_)) => false,
        Err(other) => panic!("reading sign-in {}: {other}", entry.id),
    }
}

pub async fn refresh_rotation_commits_with_its_sign_in_step(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await;
    let first = refresh_token(&ada.id, "rt-1", None);
    store.insert_refresh_token(&first).await.unwrap();
    let at = t0() + Duration::minutes(1);

    // A fresh token: claimed, succeeded and logged in one commit.
    let second = refresh_token(&ada.id, "rt-2", Some(&first.family_id));
    let granted = sign_in(Some(&ada.id), "ada@example.com", 1, 0);
    let results = store
        .commit_sign_in_steps(&[rotation_step("rt-1", &second, &granted)])
        .await
        .unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let claimed = stored(&*store, "rt-1").await.unwrap();
    assert_eq!(claimed.used_date_time, Some(at));
    let successor = stored(&*store, "rt-2").await.unwrap();
    assert_eq!(successor.id, second.id);
    assert_eq!(successor.family_id, first.family_id);
    assert_eq!(successor.used_date_time, None);
    assert!(logged(&*store, &granted).await);

    // The same token again (a replay racing the first use): the claim finds it used, so
    // no successor and no log entry are written, and the neighbour in the same group
    // commits regardless.
    let stolen = refresh_token(&ada.id, "rt-stolen", Some(&first.family_id));
    let replayed = sign_in(Some(&ada.id), "ada@example.com", 2, 0);
    let third = refresh_token(&ada.id, "rt-3", Some(&first.family_id));
    let neighbour = sign_in(Some(&ada.id), "ada@example.com", 3, 0);
    let results = store
        .commit_sign_in_steps(&[
            rotation_step("rt-1", &stolen, &replayed),
            rotation_step("rt-2", &third, &neighbour),
        ])
        .await
        .unwrap();
    assert!(
        matches!(results[0], Err(StoreError::Conflict(_))),
        "a used token must not be claimed again: {results:?}"
    );
    assert!(results[1].is_ok(), "{results:?}");
    assert!(stored(&*store, "rt-stolen").await.is_none());
    assert!(!logged(&*store, &replayed).await);
    assert!(stored(&*store, "rt-3").await.is_some());
    assert!(logged(&*store, &neighbour).await);

    // Presenting the used token as before is reuse: the whole family is revoked,
    // including the successors the rotations inserted.
    assert_eq!(
        store
            .use_refresh_token(&SecretHash::of("rt-1"), at)
            .await
            .unwrap(),
        RefreshTokenUse::Reused {
            family: first.family_id.clone()
        }
    );
    assert!(
        stored(&*store, "rt-3")
            .await
            .unwrap()
            .revoked_date_time
            .is_some()
    );

    // A revoked token (rt-3, with its family) and an expired one claim nothing either.
    let fourth = refresh_token(&ada.id, "rt-4", Some(&first.family_id));
    let after_revoke = sign_in(Some(&ada.id), "ada@example.com", 4, 0);
    let results = store
        .commit_sign_in_steps(&[rotation_step("rt-3", &fourth, &after_revoke)])
        .await
        .unwrap();
    assert!(
        matches!(results[0], Err(StoreError::Conflict(_))),
        "{results:?}"
    );
    assert!(stored(&*store, "rt-4").await.is_none());
    assert!(!logged(&*store, &after_revoke).await);

    let mut late = refresh_token(&ada.id, "rt-late", None);
    late.expires_date_time = t0();
    store.insert_refresh_token(&late).await.unwrap();
    let late_successor = refresh_token(&ada.id, "rt-late-2", Some(&late.family_id));
    let late_entry = sign_in(Some(&ada.id), "ada@example.com", 5, 0);
    let results = store
        .commit_sign_in_steps(&[rotation_step("rt-late", &late_successor, &late_entry)])
        .await
        .unwrap();
    assert!(
        matches!(results[0], Err(StoreError::Conflict(_))),
        "{results:?}"
    );
    assert!(stored(&*store, "rt-late-2").await.is_none());
    assert_eq!(
        stored(&*store, "rt-late").await.unwrap().used_date_time,
        None
    );
}

/// A group of grants that all succeed commits whole: every claim, every successor (with
/// the session it continues) and every log entry — the group's successors and entries
/// are each inserted by one statement, which must keep every row and every column.
pub async fn a_group_of_rotations_commits_every_successor_and_entry(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await;
    let signed_in = session(&ada.id, "cookie-ada");
    store.create_session(&signed_in).await.unwrap();
    let mut steps = Vec::new();
    let mut successors = Vec::new();
    let mut entries = Vec::new();
    for n in 0..5 {
        let presented = refresh_token(&ada.id, &format!("rt-{n}"), None);
        store.insert_refresh_token(&presented).await.unwrap();
        let successor = RefreshToken {
            session_id: Some(signed_in.id.clone()),
            ..refresh_token(&ada.id, &format!("rt-{n}-next"), Some(&presented.family_id))
        };
        let entry = sign_in(Some(&ada.id), "ada@example.com", n, 0);
        steps.push(rotation_step(&format!("rt-{n}"), &successor, &entry));
        successors.push(successor);
        entries.push(entry);
    }
    // A step with two entries and no rotation rides in the same group.
    let failed = sign_in(Some(&ada.id), "ada@example.com", 6, 50126);
    let interrupted = sign_in(Some(&ada.id), "ada@example.com", 7, 50074);
    steps.push(SignInStepWrite {
        sign_ins: [&failed, &interrupted]
            .map(|record| LoggedSignIn {
                record: record.clone(),
                evaluation_input: Some(format!("{{\"entry\":\"{}\"}}", record.id)),
            })
            .into(),
        ..SignInStepWrite::default()
    });
    let results = store.commit_sign_in_steps(&steps).await.unwrap();
    assert_eq!(results.len(), 6);
    assert!(results.iter().all(Result::is_ok), "{results:?}");

    for (n, successor) in successors.iter().enumerate() {
        let claimed = stored(&*store, &format!("rt-{n}")).await.unwrap();
        assert_eq!(claimed.used_date_time, Some(t0() + Duration::minutes(1)));
        assert_eq!(
            stored(&*store, &format!("rt-{n}-next")).await.as_ref(),
            Some(successor)
        );
        // The session column is written with the row: the refresh read finds it.
        let read = super::grant_subject::presented(&*store, &successor.token_hash).await;
        assert_eq!(
            read.subject.session.map(|s| s.id),
            Some(signed_in.id.clone())
        );
    }
    for entry in entries.iter().chain([&failed, &interrupted]) {
        assert_eq!(&store.get_sign_in(&entry.id).await.unwrap(), entry);
    }
    for entry in [&failed, &interrupted] {
        assert_eq!(
            store.get_sign_in_evaluation_input(&entry.id).await.unwrap(),
            Some(format!("{{\"entry\":\"{}\"}}", entry.id))
        );
    }
    // The filtered columns are each row's own.
    let failures = store
        .query_sign_ins(&crate::SignInQuery {
            outcome: Some(crate::SignInOutcome::Failure),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let ids: Vec<_> = failures.items.iter().map(|s| s.id.clone()).collect();
    assert_eq!(ids, vec![interrupted.id.clone(), failed.id.clone()]);

    // One token presented twice in one group (two racing requests): claimed once, so
    // exactly one presentation gets a successor and a log entry.
    let raced = refresh_token(&ada.id, "rt-raced", None);
    store.insert_refresh_token(&raced).await.unwrap();
    let winner = refresh_token(&ada.id, "rt-raced-a", Some(&raced.family_id));
    let loser = refresh_token(&ada.id, "rt-raced-b", Some(&raced.family_id));
    let (won, lost) = (
        sign_in(Some(&ada.id), "ada@example.com", 8, 0),
        sign_in(Some(&ada.id), "ada@example.com", 9, 0),
    );
    let results = store
        .commit_sign_in_steps(&[
            rotation_step("rt-raced", &winner, &won),
            rotation_step("rt-raced", &loser, &lost),
        ])
        .await
        .unwrap();
    assert!(results[0].is_ok(), "{results:?}");
    assert!(
        matches!(results[1], Err(StoreError::Conflict(_))),
        "{results:?}"
    );
    assert!(stored(&*store, "rt-raced-a").await.is_some());
    assert!(stored(&*store, "rt-raced-b").await.is_none());
    assert!(logged(&*store, &won).await && !logged(&*store, &lost).await);
}
