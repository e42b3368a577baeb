//! Refresh-token rotation, reuse detection and scope narrowing.
#![allow(clippy::unwrap_used)]

use portcullis_oidc::ErrorCode;
use portcullis_oidc::refresh::{
    NewFamily, RefreshEffect, RefreshFamily, RefreshPolicy, RefreshRedemption, RefreshState,
    RefreshTokenRecord,
};
use portcullis_oidc::scope::Scope;

use crate::support;
const NOW: i64 = 1_800_000_000;
const POLICY: RefreshPolicy = RefreshPolicy {
    token_lifetime_secs: 1_000,
    family_lifetime_secs: 2_500,
};

fn first() -> RefreshTokenRecord {
    RefreshTokenRecord::start_family(
        "rt-1".into(),
        NewFamily {
            client_id: "web-app".into(),
            subject: Some("user-1".into()),
            session_id: Some("sid-1".into()),
            scope: Scope::parse("openid email offline_access").unwrap(),
            origin_code_id: Some("code-1".into()),
        },
        &POLICY,
        NOW,
    )
}

fn at(now: i64) -> RefreshRedemption<'static> {
    RefreshRedemption {
        client_id: "web-app",
        scope: None,
        now,
    }
}

#[test]
fn rotation_issues_a_new_token_in_the_same_family() {
    let rotation = first()
        .rotate(&at(NOW + 10), "rt-2".into(), &POLICY)
        .unwrap();
    assert_eq!(
        rotation.rotated.state,
        RefreshState::Rotated { at: NOW + 10 }
    );
    assert_eq!(rotation.issued.family_id, "rt-1");
    assert_eq!(rotation.issued.id, "rt-2");
    assert_eq!(rotation.issued.state, RefreshState::Active);
    assert_eq!(rotation.issued.expires_at, NOW + 1_010);
    assert_eq!(rotation.issued.origin_code_id.as_deref(), Some("code-1"));
}

#[test]
fn reuse_of_a_rotated_token_revokes_the_family() {
    let mut family = RefreshFamily::start(first());
    let second = family
        .refresh("rt-1", &at(NOW + 1), "rt-2".into(), &POLICY)
        .unwrap();
    assert_eq!(family.live_tokens(NOW + 1).count(), 1);
    // The attacker (or the victim) presents the old token again.
    let err = family
        .refresh("rt-1", &at(NOW + 2), "rt-3".into(), &POLICY)
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidGrant);
    assert_eq!(family.live_tokens(NOW + 2).count(), 0);
    // And the legitimate newest token no longer works either.
    assert!(
        family
            .refresh(&second.id, &at(NOW + 3), "rt-4".into(), &POLICY)
            .is_err()
    );
    // The single-record transition reports the effect.
    let rotated = first()
        .rotate(&at(NOW + 1), "x".into(), &POLICY)
        .unwrap()
        .rotated;
    let rejection = rotated
        .rotate(&at(NOW + 2), "y".into(), &POLICY)
        .unwrap_err();
    assert_eq!(
        rejection.effect,
        Some(RefreshEffect::RevokeFamily("rt-1".into()))
    );
}

#[test]
fn scope_may_only_narrow_and_the_family_keeps_its_scope() {
    let narrow = Scope::parse("openid email").unwrap();
    let request = RefreshRedemption {
        scope: Some(&narrow),
        ..at(NOW)
    };
    let rotation = first().rotate(&request, "rt-2".into(), &POLICY).unwrap();
    assert_eq!(rotation.access_scope, narrow);
    assert_eq!(rotation.issued.scope, first().scope);
    let wider = Scope::parse("openid groups").unwrap();
    let request = RefreshRedemption {
        scope: Some(&wider),
        ..at(NOW)
    };
    let rejection = first()
        .rotate(&request, "rt-2".into(), &POLICY)
        .unwrap_err();
    assert_eq!(rejection.error.code, ErrorCode::InvalidScope);
    assert_eq!(rejection.effect, None);
}

#[test]
fn expiry_client_binding_and_revocation() {
    let expired = first()
        .rotate(&at(NOW + 1_000), "x".into(), &POLICY)
        .unwrap_err();
    assert!(expired.error.description.contains("expired"));
    let other = RefreshRedemption {
        client_id: "other",
        ..at(NOW)
    };
    assert_eq!(
        first()
            .rotate(&other, "x".into(), &POLICY)
            .unwrap_err()
            .error
            .code,
        ErrorCode::InvalidGrant
    );
    let mut family = RefreshFamily::start(first());
    family.revoke_all(NOW);
    assert!(
        family
            .refresh("rt-1", &at(NOW + 1), "x".into(), &POLICY)
            .is_err()
    );
}

#[test]
fn the_family_lifetime_caps_sliding_renewal() {
    let mut family = RefreshFamily::start(first());
    let mut current = "rt-1".to_owned();
    let mut now = NOW;
    for n in 2..10 {
        now += 900;
        match family.refresh(&current, &at(now), format!("rt-{n}"), &POLICY) {
            Ok(next) => {
                assert!(next.expires_at <= NOW + POLICY.family_lifetime_secs);
                current = next.id;
            }
            Err(err) => {
                assert!(
                    now >= NOW + POLICY.family_lifetime_secs,
                    "refused early at {now}: {err}"
                );
                return;
            }
        }
    }
    panic!("the family outlived its cap");
}

#[test]
fn refresh_tokens_only_with_offline_access_and_the_grant() {
    use portcullis_oidc::refresh::should_issue_refresh_token;
    let client = support::confidential();
    assert!(should_issue_refresh_token(
        &client,
        &Scope::parse("openid offline_access").unwrap()
    ));
    assert!(!should_issue_refresh_token(
        &client,
        &Scope::parse("openid").unwrap()
    ));
    let mut no_grant = client;
    no_grant
        .grant_types
        .retain(|g| *g != portcullis_oidc::GrantType::RefreshToken);
    assert!(!should_issue_refresh_token(
        &no_grant,
        &Scope::parse("openid offline_access").unwrap()
    ));
}
