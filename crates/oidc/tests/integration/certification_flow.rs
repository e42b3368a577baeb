//! The OpenID basic certification checklist (testing.md) as one walk through the
//! protocol: authorize → code → token with client_secret_basic → ID token claims →
//! refresh → reuse detection, with the glue's store played by local variables.
#![allow(clippy::unwrap_used)]

use crate::support;
use base64::Engine;
use portcullis_oidc::authorize::{AuthorizationResponse, validate_authorization_request};
use portcullis_oidc::claims::{IdTokenClaims, IdTokenInput, SigningAlgorithm, UserProfile};
use portcullis_oidc::client_auth::parse_client_credentials;
use portcullis_oidc::code::{AuthorizationCode, CodeEffect, CodeGrant, CodeRedemption};
use portcullis_oidc::refresh::{
    NewFamily, RefreshFamily, RefreshPolicy, RefreshRedemption, RefreshTokenRecord,
};
use portcullis_oidc::token::{TokenGrantRequest, check_grant_allowed, parse_token_request};
use portcullis_oidc::{ErrorCode, Params, TokenEndpointAuthMethod};
use support::*;

const NOW: i64 = 1_800_000_000;

#[test]
fn code_flow_with_pkce_basic_auth_refresh_and_reuse_detection() {
    // 1. POST to authorize, with an unknown parameter that must be ignored.
    let body = format!(
        "response_type=code&client_id=web-app&redirect_uri={}&scope=openid+email&state=s1&nonce=n1&max_age=3600&acr_values=c1&code_challenge={CHALLENGE}&code_challenge_method=S256&vendor_extension=1",
        form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
    );
    let params = Params::from_urlencoded(&body);
    let client = confidential();
    let request = validate_authorization_request(&params, Some(&client), ISSUER).unwrap();

    // 2. Sign-in happened (the pipeline's job); issue a code and redirect.
    let code = AuthorizationCode::issue(
        "code-id-1".into(),
        CodeGrant {
            client_id: request.client_id.clone(),
            redirect_uri: request.redirect_uri.clone(),
            code_challenge: request.code_challenge.clone(),
            nonce: request.nonce.clone(),
            scope: request.scope.clone(),
            subject: "user-1".into(),
            auth_time: NOW - 10,
            session_id: "sid-1".into(),
            amr: vec!["pwd".into(), "otp".into()],
            acr: Some("c1".into()),
        },
        NOW,
    );
    let redirect = AuthorizationResponse::success(&request, "opaque-code", ISSUER).redirect_url();
    assert!(redirect.starts_with("https://app.example/callback?code=opaque-code&state=s1"));

    // 3. Token request with client_secret_basic; the secret contains ':' (sent as %3A).
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("web-app:pa%3Ass%2Bword")
    );
    let token_params = Params::from_pairs([
        ("grant_type", "authorization_code"),
        ("code", "opaque-code"),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ]);
    let credentials = parse_client_credentials(Some(&basic), &token_params).unwrap();
    assert_eq!(credentials.client_id(), Some("web-app"));
    assert_eq!(credentials.secret(), Some("pa:ss+word"));
    assert_eq!(
        credentials.method(),
        TokenEndpointAuthMethod::ClientSecretBasic
    );
    credentials.check_registered_method(&client).unwrap();
    let grant = parse_token_request(&token_params).unwrap();
    check_grant_allowed(&client, grant.grant_type()).unwrap();
    let TokenGrantRequest::AuthorizationCode {
        redirect_uri,
        code_verifier,
        ..
    } = &grant
    else {
        panic!("expected an authorization code grant");
    };
    let redemption = CodeRedemption {
        client_id: credentials.client_id().unwrap(),
        redirect_uri: redirect_uri.as_deref(),
        code_verifier: code_verifier.as_deref(),
        now: NOW + 2,
    };
    let redeemed = code.redeem(&redemption).unwrap();
    assert_eq!(
        redeemed.effect,
        CodeEffect::MarkRedeemed("code-id-1".into())
    );

    // 4. ID token claims carry nonce, auth_time, acr, amr, sid.
    let g = &redeemed.code.grant;
    let id_token = IdTokenClaims::build(&IdTokenInput {
        issuer: ISSUER,
        client_id: &g.client_id,
        subject: &g.subject,
        now: NOW + 2,
        lifetime_secs: 300,
        auth_time: g.auth_time,
        nonce: g.nonce.as_deref(),
        acr: g.acr.as_deref(),
        amr: &g.amr,
        session_id: Some(&g.session_id),
        access_token: Some("access"),
        algorithm: SigningAlgorithm::Es256,
        scope: &g.scope,
        profile: &UserProfile::default(),
    });
    assert_eq!(id_token.nonce.as_deref(), Some("n1"));
    assert_eq!(id_token.acr.as_deref(), Some("c1"));

    // 5. The code again: refused, and what it issued is revoked.
    let reuse = redeemed
        .code
        .redeem(&CodeRedemption {
            now: NOW + 3,
            ..redemption
        })
        .unwrap_err();
    assert_eq!(reuse.error.code, ErrorCode::InvalidGrant);
    assert_eq!(
        reuse.effect,
        Some(CodeEffect::RevokeIssuedFrom("code-id-1".into()))
    );

    // 6. Refresh rotates; replaying the old refresh token kills the family.
    let policy = RefreshPolicy::default();
    let mut family = RefreshFamily::start(RefreshTokenRecord::start_family(
        "rt-1".into(),
        NewFamily {
            client_id: g.client_id.clone(),
            subject: Some(g.subject.clone()),
            session_id: Some(g.session_id.clone()),
            scope: g.scope.clone(),
            origin_code_id: Some(redeemed.code.id.clone()),
        },
        &policy,
        NOW + 2,
    ));
    let at = |now| RefreshRedemption {
        client_id: "web-app",
        scope: None,
        now,
    };
    let second = family
        .refresh("rt-1", &at(NOW + 100), "rt-2".into(), &policy)
        .unwrap();
    assert!(
        family
            .refresh("rt-1", &at(NOW + 200), "rt-3".into(), &policy)
            .is_err()
    );
    assert!(
        family
            .refresh(&second.id, &at(NOW + 201), "rt-4".into(), &policy)
            .is_err()
    );
    assert_eq!(family.live_tokens(NOW + 201).count(), 0);
}
