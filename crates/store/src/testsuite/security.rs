//! Credentials, sessions, refresh tokens, devices, risk events, signing keys.

use std::sync::Arc;

use portcullis_core::{
    ClientId, Credential, CredentialId, CredentialKind, Device, DeviceId, RefreshToken,
    RefreshTokenId, RiskEvent, RiskEventId, SecretHash, Session, SessionId, SigningKey,
    SigningKeyState, UserId,
};
use time::Duration;
use uuid::Uuid;

use super::{TestBackend, commit, create_user, t0};
use crate::{Batch, Change, RefreshTokenUse, StoreError};

pub(crate) fn credential(user: &UserId) -> Credential {
    Credential {
        id: CredentialId::from_uuid(Uuid::new_v4()),
        user_id: user.clone(),
        kind: CredentialKind::SoftwareOath,
        display_name: Some("Phone".into()),
        payload: serde_json::json!({"secret": "protected", "lastStep": 0}),
        metadata: serde_json::json!({}),
        created_date_time: t0(),
        last_used_date_time: None,
        revision: 0,
    }
}

pub(crate) fn session(user: &UserId, cookie: &str) -> Session {
    Session {
        id: SessionId::from_uuid(Uuid::new_v4()),
        user_id: user.clone(),
        token_hash: SecretHash::of(cookie),
        created_date_time: t0(),
        authenticated_date_time: t0(),
        last_seen_date_time: t0(),
        expires_date_time: t0() + Duration::hours(8),
        persistent: false,
        amr: vec!["pwd".into(), "otp".into()],
        acr: None,
        device_id: None,
        ip_address: Some("192.0.2.7".into()),
        user_agent: None,
        revoked_date_time: None,
    }
}

/// Updates must name the revision they read; the loser of a race gets a conflict.
pub async fn credential_revisions_guard_concurrent_updates(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await;
    let original = credential(&ada.id);
    commit(&*store, Change::AddCredential(original.clone())).await;
    let read = store.get_credential(&original.id).await.unwrap();
    assert_eq!(read, original);

    let mut first = read.clone();
    first.payload["lastStep"] = 100.into();
    commit(&*store, Change::UpdateCredential(first)).await;
    let mut stale = read.clone();
    stale.payload["lastStep"] = 99.into();
    let err = store
        .commit(Batch::new().change(Change::UpdateCredential(stale)))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let now = store.get_credential(&original.id).await.unwrap();
    assert_eq!(
        (now.revision, now.payload["lastStep"].as_i64()),
        (1, Some(100))
    );

    let second = credential(&ada.id);
    commit(&*store, Change::AddCredential(second.clone())).await;
    assert_eq!(store.list_credentials(&ada.id).await.unwrap().len(), 2);
    commit(&*store, Change::DeleteCredential(second.id.clone())).await;
    assert_eq!(store.list_credentials(&ada.id).await.unwrap(), vec![now]);
    let missing = store
        .commit(Batch::new().change(Change::UpdateCredential(second)))
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound(_)), "{missing:?}");
}

pub async fn sessions_and_revocation(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await;
    let mut one = session(&ada.id, "cookie-1");
    let two = session(&ada.id, "cookie-2");
    store.create_session(&one).await.unwrap();
    store.create_session(&two).await.unwrap();
    let dup = store
        .create_session(&session(&ada.id, "cookie-1"))
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup:?}");

    assert_eq!(
        store
            .find_session_by_token_hash(&SecretHash::of("cookie-1"))
            .await
            .unwrap(),
        Some(one.clone())
    );
    assert_eq!(
        store
            .find_session_by_token_hash(&SecretHash::of("nope"))
            .await
            .unwrap(),
        None
    );

    one.last_seen_date_time = t0() + Duration::minutes(5);
    one.amr.push("mfa".into());
    store.update_session(&one).await.unwrap();
    assert_eq!(store.get_session(&one.id).await.unwrap(), one);

    store
        .revoke_session(&two.id, t0() + Duration::minutes(1))
        .await
        .unwrap();
    let revoked = store.get_session(&two.id).await.unwrap();
    assert!(!revoked.is_active(t0() + Duration::minutes(2)));
    // Updating a revoked session (a request racing the sign-out) does not revive it.
    store.update_session(&two).await.unwrap();
    assert!(
        store
            .get_session(&two.id)
            .await
            .unwrap()
            .revoked_date_time
            .is_some()
    );

    let token = refresh_token(&ada.id, "rt-1", None);
    store.insert_refresh_token(&token).await.unwrap();
    commit(
        &*store,
        Change::RevokeUserSessions {
            user: ada.id.clone(),
            at: t0() + Duration::minutes(3),
        },
    )
    .await;
    for s in store.list_sessions(&ada.id).await.unwrap() {
        assert!(
            !s.is_active(t0() + Duration::minutes(4)),
            "session {} still active",
            s.id
        );
    }
    assert_eq!(
        store
            .use_refresh_token(&SecretHash::of("rt-1"), t0() + Duration::minutes(4))
            .await
            .unwrap(),
        RefreshTokenUse::Invalid
    );
    assert_eq!(
        store
            .purge_expired_sessions(t0() + Duration::hours(9))
            .await
            .unwrap(),
        2
    );
    assert!(store.list_sessions(&ada.id).await.unwrap().is_empty());
}

pub(crate) fn refresh_token(
    user: &UserId,
    value: &str,
    family: Option<&RefreshTokenId>,
) -> RefreshToken {
    let id = RefreshTokenId::from_uuid(Uuid::new_v4());
    RefreshToken {
        family_id: family.cloned().unwrap_or_else(|| id.clone()),
        id,
        token_hash: SecretHash::of(value),
        client_id: ClientId::from_uuid(Uuid::nil()),
        user_id: Some(user.clone()),
        session_id: None,
        scopes: vec!["openid".into()],
        created_date_time: t0(),
        expires_date_time: t0() + Duration::days(1),
        used_date_time: None,
        revoked_date_time: None,
    }
}

/// Rotation: first use is fresh; a second use of the same token revokes the family.
pub async fn refresh_token_rotation_and_reuse(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await;
    let first = refresh_token(&ada.id, "rt-1", None);
    store.insert_refresh_token(&first).await.unwrap();
    let at = t0() + Duration::minutes(1);
    let RefreshTokenUse::Fresh(used) = store
        .use_refresh_token(&SecretHash::of("rt-1"), at)
        .await
        .unwrap()
    else {
        panic!("first use must be fresh");
    };
    assert_eq!(used.id, first.id);
    assert_eq!(used.used_date_time, Some(at));

    let second = refresh_token(&ada.id, "rt-2", Some(&first.family_id));
    store.insert_refresh_token(&second).await.unwrap();
    // The stolen first token is replayed: reuse, and the successor dies with the family.
    assert_eq!(
        store
            .use_refresh_token(&SecretHash::of("rt-1"), at)
            .await
            .unwrap(),
        RefreshTokenUse::Reused {
            family: first.family_id.clone()
        }
    );
    assert_eq!(
        store
            .use_refresh_token(&SecretHash::of("rt-2"), at)
            .await
            .unwrap(),
        RefreshTokenUse::Invalid
    );
    assert_eq!(
        store
            .use_refresh_token(&SecretHash::of("unknown"), at)
            .await
            .unwrap(),
        RefreshTokenUse::Invalid
    );

    let late = refresh_token(&ada.id, "rt-3", None);
    store.insert_refresh_token(&late).await.unwrap();
    let expired_at = t0() + Duration::days(2);
    assert_eq!(
        store
            .use_refresh_token(&SecretHash::of("rt-3"), expired_at)
            .await
            .unwrap(),
        RefreshTokenUse::Invalid
    );
    assert_eq!(
        store
            .revoke_refresh_token_family(&late.family_id, expired_at)
            .await
            .unwrap(),
        1
    );
}

/// Ten concurrent presentations of one token: exactly one wins.
pub async fn concurrent_refresh_token_use_has_one_winner(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await;
    store
        .insert_refresh_token(&refresh_token(&ada.id, "contested", None))
        .await
        .unwrap();
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                store
                    .use_refresh_token(&SecretHash::of("contested"), t0())
                    .await
            })
        })
        .collect();
    let mut fresh = 0;
    for task in tasks {
        if let RefreshTokenUse::Fresh(_) = task.await.unwrap().unwrap() {
            fresh += 1;
        }
    }
    assert_eq!(fresh, 1);
}

pub async fn devices_round_trip(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await;
    let mut device = Device {
        id: DeviceId::from_uuid(Uuid::new_v4()),
        display_name: "ada-laptop".into(),
        operating_system: Some("Linux".into()),
        operating_system_version: Some("6.1".into()),
        trust_type: Some("Workplace".into()),
        is_compliant: false,
        is_managed: true,
        owner_user_id: Some(ada.id.clone()),
        public_key: None,
        posture: serde_json::json!({"diskEncryption": true}),
        risk_level: None,
        account_enabled: true,
        registration_date_time: t0(),
        last_seen_date_time: None,
    };
    store.upsert_device(&device).await.unwrap();
    device.is_compliant = true;
    device.last_seen_date_time = Some(t0() + Duration::minutes(1));
    store.upsert_device(&device).await.unwrap();
    assert_eq!(store.get_device(&device.id).await.unwrap(), device);
    assert_eq!(
        store.list_devices(Some(&ada.id)).await.unwrap(),
        vec![device.clone()]
    );
    assert_eq!(store.list_devices(None).await.unwrap().len(), 1);
    device.account_enabled = false;
    commit(&*store, Change::UpdateDevice(device.clone())).await;
    assert!(!store.get_device(&device.id).await.unwrap().account_enabled);
    commit(&*store, Change::DeleteDevice(device.id.clone())).await;
    assert!(matches!(
        store.get_device(&device.id).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn risk_events_and_state(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await;
    let mut events = Vec::new();
    for i in 0..3 {
        let event = RiskEvent {
            id: RiskEventId::from_uuid(Uuid::new_v4()),
            user_id: Some(ada.id.clone()),
            user_principal_name: Some(ada.user_principal_name.clone()),
            risk_event_type: "unfamiliarFeatures".into(),
            risk_level: "medium".into(),
            risk_state: "atRisk".into(),
            risk_detail: None,
            detection_timing_type: "realtime".into(),
            detected_date_time: t0() + Duration::minutes(i),
            ip_address: Some("198.51.100.1".into()),
            sign_in_id: None,
            additional_info: serde_json::json!([]),
        };
        store.append_risk_event(&event).await.unwrap();
        events.push(event);
    }
    let listed = store
        .list_risk_events(Some(&ada.id), None, 10)
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
        events
            .iter()
            .rev()
            .map(|e| e.id.clone())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        store
            .list_risk_events(None, Some(t0() + Duration::minutes(1)), 10)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store.list_risk_events(None, None, 1).await.unwrap().len(),
        1
    );
    commit(
        &*store,
        Change::SetRiskState {
            id: events[0].id.clone(),
            risk_state: "dismissed".into(),
            risk_detail: Some("adminDismissedAllRiskForUser".into()),
        },
    )
    .await;
    let after = store
        .list_risk_events(Some(&ada.id), None, 10)
        .await
        .unwrap();
    assert_eq!(after[2].risk_state, "dismissed");
    assert_eq!(
        after[2].risk_detail.as_deref(),
        Some("adminDismissedAllRiskForUser")
    );
}

pub async fn signing_keys_rotation(backend: &dyn TestBackend) {
    let store = backend.store();
    let key = |kid: &str, state, minutes| SigningKey {
        kid: kid.into(),
        algorithm: "ES256".into(),
        private_key_pem: "-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----\n".into(),
        public_jwk: serde_json::json!({"kty": "EC", "kid": kid}),
        state,
        created_date_time: t0() + Duration::minutes(minutes),
        retired_date_time: None,
    };
    commit(
        &*store,
        Change::PutSigningKey(key("k1", SigningKeyState::Active, 0)),
    )
    .await;
    commit(
        &*store,
        Change::PutSigningKey(key("k2", SigningKeyState::Next, 1)),
    )
    .await;
    let mut retired = key("k1", SigningKeyState::Retired, 0);
    retired.retired_date_time = Some(t0() + Duration::minutes(2));
    store
        .commit(
            Batch::new()
                .change(Change::PutSigningKey(retired.clone()))
                .change(Change::PutSigningKey(key("k2", SigningKeyState::Active, 1))),
        )
        .await
        .unwrap();
    let keys = store.list_signing_keys().await.unwrap();
    assert_eq!(
        keys.iter()
            .map(|k| (k.kid.as_str(), k.state))
            .collect::<Vec<_>>(),
        vec![
            ("k2", SigningKeyState::Active),
            ("k1", SigningKeyState::Retired)
        ]
    );
    assert_eq!(keys[1], retired);
}
