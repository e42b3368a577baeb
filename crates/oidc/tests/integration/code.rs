//! Authorization codes: single use, reuse revokes, binding to client, redirect URI and
//! PKCE, expiry.
#![allow(clippy::unwrap_used)]

use crate::support;
use portcullis_oidc::ErrorCode;
use portcullis_oidc::code::{
    AuthorizationCode, CODE_LIFETIME_SECS, CodeEffect, CodeGrant, CodeRedemption, CodeState,
};
use portcullis_oidc::pkce::CodeChallenge;
use portcullis_oidc::scope::Scope;
use support::*;

const NOW: i64 = 1_800_000_000;

fn code(with_pkce: bool) -> AuthorizationCode {
    AuthorizationCode::issue(
        "code-1".into(),
        CodeGrant {
            client_id: "web-app".into(),
            redirect_uri: REDIRECT.into(),
            code_challenge: with_pkce
                .then(|| CodeChallenge::parse(CHALLENGE, Some("S256")).unwrap()),
            nonce: Some("n".into()),
            scope: Scope::parse("openid email").unwrap(),
            subject: "user-1".into(),
            auth_time: NOW - 5,
            session_id: "sid-1".into(),
            amr: vec!["pwd".into(), "otp".into()],
            acr: Some("c1".into()),
        },
        NOW,
    )
}

fn redemption(now: i64) -> CodeRedemption<'static> {
    CodeRedemption {
        client_id: "web-app",
        redirect_uri: Some(REDIRECT),
        code_verifier: Some(VERIFIER),
        now,
    }
}

#[test]
fn first_redemption_succeeds_and_marks_the_code() {
    let redeemed = code(true).redeem(&redemption(NOW + 1)).unwrap();
    assert_eq!(redeemed.code.state, CodeState::Redeemed { at: NOW + 1 });
    assert_eq!(redeemed.effect, CodeEffect::MarkRedeemed("code-1".into()));
}

#[test]
fn second_redemption_fails_and_revokes_what_the_code_issued() {
    let redeemed = code(true).redeem(&redemption(NOW + 1)).unwrap().code;
    let again = redeemed.redeem(&redemption(NOW + 2)).unwrap_err();
    assert_eq!(again.error.code, ErrorCode::InvalidGrant);
    assert_eq!(
        again.effect,
        Some(CodeEffect::RevokeIssuedFrom("code-1".into()))
    );
    // Even a reuse by another client, after expiry, revokes.
    let other = CodeRedemption {
        client_id: "someone",
        ..redemption(NOW + 999)
    };
    assert_eq!(
        redeemed.redeem(&other).unwrap_err().effect,
        Some(CodeEffect::RevokeIssuedFrom("code-1".into()))
    );
}

#[test]
fn expired_code_is_refused_without_side_effects() {
    let rejection = code(true)
        .redeem(&redemption(NOW + CODE_LIFETIME_SECS))
        .unwrap_err();
    assert_eq!(rejection.error.code, ErrorCode::InvalidGrant);
    assert!(rejection.error.description.contains("expired"));
    assert_eq!(rejection.effect, None);
    assert!(
        code(true)
            .redeem(&redemption(NOW + CODE_LIFETIME_SECS - 1))
            .is_ok()
    );
}

#[test]
fn redirect_uri_must_be_identical() {
    for presented in [
        None,
        Some("https://app.example/callback/"),
        Some("https://app.example/other"),
    ] {
        let request = CodeRedemption {
            redirect_uri: presented,
            ..redemption(NOW)
        };
        let rejection = code(true).redeem(&request).unwrap_err();
        assert_eq!(
            rejection.error.code,
            ErrorCode::InvalidGrant,
            "{presented:?}"
        );
    }
}

#[test]
fn pkce_mismatch_missing_or_downgrade_is_refused() {
    let wrong = CodeRedemption {
        code_verifier: Some("eBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        ..redemption(NOW)
    };
    assert!(
        code(true)
            .redeem(&wrong)
            .unwrap_err()
            .error
            .description
            .contains("does not match")
    );
    let missing = CodeRedemption {
        code_verifier: None,
        ..redemption(NOW)
    };
    assert_eq!(
        code(true).redeem(&missing).unwrap_err().error.code,
        ErrorCode::InvalidGrant
    );
    // A verifier for a code issued without a challenge is a downgrade attempt.
    assert!(code(false).redeem(&redemption(NOW)).is_err());
    assert!(code(false).redeem(&missing).is_ok());
}

#[test]
fn another_client_cannot_redeem_or_burn_the_code() {
    let other = CodeRedemption {
        client_id: "attacker",
        ..redemption(NOW)
    };
    let rejection = code(true).redeem(&other).unwrap_err();
    assert_eq!(rejection.error.code, ErrorCode::InvalidGrant);
    assert_eq!(rejection.effect, None);
}
