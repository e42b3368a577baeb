//! OAuth protocol state: insert-if-absent, compare-and-set with one winner, expiry
//! purge, refresh-token lookup without use.

use std::sync::Arc;

use portcullis_core::{ClientId, RefreshToken, RefreshTokenId, SecretHash};
use serde_json::json;
use time::Duration;
use uuid::Uuid;

use super::{TestBackend, create_user, t0};
use crate::{OAuthRecord, RefreshTokenUse, Store};

fn record(kind: &str, key: &str, minutes: i64) -> OAuthRecord {
    OAuthRecord {
        kind: kind.into(),
        key: key.into(),
        version: 1,
        expires_date_time: t0() + Duration::minutes(minutes),
        doc: json!({"state": "unused", "n": 1}),
    }
}

/// A key is taken once per kind; the same key in another kind is separate.
pub async fn oauth_state_insert_if_absent(backend: &dyn TestBackend) {
    let store = backend.store();
    assert!(
        store
            .insert_oauth_record(&record("jti", "c:1", 10))
            .await
            .unwrap()
    );
    assert!(
        !store
            .insert_oauth_record(&record("jti", "c:1", 10))
            .await
            .unwrap(),
        "a replayed key must be refused"
    );
    assert!(
        store
            .insert_oauth_record(&record("code", "c:1", 10))
            .await
            .unwrap()
    );
    let read = store.get_oauth_record("jti", "c:1").await.unwrap().unwrap();
    assert_eq!(read, record("jti", "c:1", 10));
    assert!(
        store
            .get_oauth_record("jti", "c:2")
            .await
            .unwrap()
            .is_none()
    );
}

/// Compare-and-set: a stale version loses; of concurrent writers exactly one wins.
pub async fn oauth_state_compare_and_set_has_one_winner(backend: &dyn TestBackend) {
    let store = backend.store();
    store
        .insert_oauth_record(&record("code", "k", 1))
        .await
        .unwrap();
    let mut redeemed = record("code", "k", 1);
    redeemed.doc = json!({"state": "redeemed"});
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store: Arc<dyn Store> = store.clone();
            let redeemed = redeemed.clone();
            tokio::spawn(async move { store.replace_oauth_record(&redeemed).await.unwrap() })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        winners += usize::from(task.await.unwrap());
    }
    assert_eq!(winners, 1, "exactly one redemption may win");
    let stored = store.get_oauth_record("code", "k").await.unwrap().unwrap();
    assert_eq!(stored.version, 2);
    assert_eq!(stored.doc, json!({"state": "redeemed"}));
    assert!(
        !store.replace_oauth_record(&redeemed).await.unwrap(),
        "the stale version must lose"
    );
    assert!(
        !store
            .replace_oauth_record(&record("code", "gone", 1))
            .await
            .unwrap(),
        "a missing record cannot be replaced"
    );
}

/// Expired records are purged, live ones kept.
pub async fn oauth_state_purge_expired(backend: &dyn TestBackend) {
    let store = backend.store();
    store
        .insert_oauth_record(&record("code", "old", 1))
        .await
        .unwrap();
    store
        .insert_oauth_record(&record("code", "new", 60))
        .await
        .unwrap();
    let purged = store
        .purge_expired_oauth_records(t0() + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(purged, 1);
    assert!(
        store
            .get_oauth_record("code", "old")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .get_oauth_record("code", "new")
            .await
            .unwrap()
            .is_some()
    );
}

/// Looking a refresh token up does not use it; the lookup shows use and revocation.
pub async fn refresh_token_lookup_without_use(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await;
    let id = RefreshTokenId::from_uuid(Uuid::new_v4());
    let token = RefreshToken {
        family_id: id.clone(),
        id,
        token_hash: SecretHash::of("rt-look"),
        client_id: ClientId::from_uuid(Uuid::nil()),
        user_id: Some(ada.id.clone()),
        session_id: None,
        scopes: vec!["openid".into()],
        created_date_time: t0(),
        expires_date_time: t0() + Duration::days(1),
        used_date_time: None,
        revoked_date_time: None,
    };
    store.insert_refresh_token(&token).await.unwrap();
    let hash = SecretHash::of("rt-look");
    assert_eq!(
        store.find_refresh_token(&hash).await.unwrap(),
        Some(token.clone())
    );
    let at = t0() + Duration::minutes(1);
    assert!(matches!(
        store.use_refresh_token(&hash, at).await.unwrap(),
        RefreshTokenUse::Fresh(_)
    ));
    let found = store.find_refresh_token(&hash).await.unwrap().unwrap();
    assert_eq!(found.used_date_time, Some(at));
    store
        .revoke_refresh_token_family(&token.family_id, at)
        .await
        .unwrap();
    let found = store.find_refresh_token(&hash).await.unwrap().unwrap();
    assert_eq!(found.revoked_date_time, Some(at));
    assert!(
        store
            .find_refresh_token(&SecretHash::of("nope"))
            .await
            .unwrap()
            .is_none()
    );
}
