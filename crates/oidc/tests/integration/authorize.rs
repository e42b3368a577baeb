//! Authorization request validation, against the OpenID basic certification
//! checklist (testing.md).
#![allow(clippy::unwrap_used)]

use crate::support;
use portcullis_oidc::Params;
use portcullis_oidc::acr::AcrValue;
use portcullis_oidc::authorize::{
    AuthorizationResponse, AuthorizeError, ErrorPageReason, ResponseMode,
    validate_authorization_request,
};
use portcullis_oidc::{ClientConfig, ErrorCode, OAuthError};
use support::*;

fn base() -> Vec<(&'static str, &'static str)> {
    vec![
        ("response_type", "code"),
        ("client_id", "web-app"),
        ("redirect_uri", REDIRECT),
        ("scope", "openid profile"),
        ("state", "xyz"),
        ("nonce", "n-0S6"),
    ]
}

fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut pairs = base();
    for (name, value) in extra {
        pairs.retain(|(n, _)| n != name);
        pairs.push((name, value));
    }
    pairs
}

fn run(
    pairs: &[(&str, &str)],
    client: &ClientConfig,
) -> Result<portcullis_oidc::authorize::AuthorizationRequest, AuthorizeError> {
    validate_authorization_request(
        &Params::from_pairs(pairs.iter().copied()),
        Some(client),
        ISSUER,
    )
}

/// The redirect error's code and state, or a panic if the error is not a redirect.
fn redirected(result: Result<impl std::fmt::Debug, AuthorizeError>) -> AuthorizationResponse {
    match result {
        Err(AuthorizeError::Redirect(response)) => *response,
        other => panic!("expected an error redirect, got {other:?}"),
    }
}

#[test]
fn a_valid_request_keeps_every_parameter() {
    let req = run(
        &with(&[
            ("prompt", "login consent"),
            ("max_age", "300"),
            ("login_hint", "ada@example.org"),
            ("id_token_hint", "eyJ.x.y"),
            ("acr_values", "c3 phishing-resistant"),
            ("response_mode", "form_post"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ]),
        &confidential(),
    )
    .unwrap();
    assert_eq!(req.client_id, "web-app");
    assert_eq!(req.redirect_uri, REDIRECT);
    assert_eq!(req.state.as_deref(), Some("xyz"));
    assert_eq!(req.nonce.as_deref(), Some("n-0S6"));
    assert!(req.prompt.login && req.prompt.consent);
    assert_eq!(req.max_age, Some(300));
    assert_eq!(req.login_hint.as_deref(), Some("ada@example.org"));
    assert_eq!(req.id_token_hint.as_deref(), Some("eyJ.x.y"));
    assert_eq!(
        req.acr_values,
        vec![
            AcrValue::AuthenticationContext(3),
            AcrValue::Strength("phishing-resistant".into())
        ]
    );
    assert_eq!(req.response_mode, ResponseMode::FormPost);
    assert_eq!(req.code_challenge.unwrap().as_str(), CHALLENGE);
}

#[test]
fn unknown_parameters_are_ignored() {
    assert!(
        run(
            &with(&[("foo", "bar"), ("claims_locales", "de")]),
            &confidential()
        )
        .is_ok()
    );
}

#[test]
fn duplicated_parameters_are_rejected_with_a_redirect() {
    let mut pairs = base();
    pairs.push(("scope", "openid"));
    let response = redirected(run(&pairs, &confidential()));
    assert_eq!(response.param("error"), Some("invalid_request"));
    assert_eq!(response.param("state"), Some("xyz"));
    assert!(
        response
            .param("error_description")
            .unwrap()
            .contains("scope")
    );
}

#[test]
fn duplicated_client_id_or_redirect_uri_never_redirects() {
    for name in ["client_id", "redirect_uri"] {
        let mut pairs = base();
        let value = pairs.iter().find(|(n, _)| *n == name).unwrap().1;
        pairs.push((name, value));
        assert!(matches!(
            run(&pairs, &confidential()),
            Err(AuthorizeError::ShowErrorPage(_))
        ));
    }
}

#[test]
fn bad_client_or_redirect_uri_shows_an_error_page() {
    let page = |r| match r {
        Err(AuthorizeError::ShowErrorPage(reason)) => reason,
        other => panic!("expected an error page, got {other:?}"),
    };
    let params = Params::from_pairs(base());
    assert_eq!(
        page(validate_authorization_request(&params, None, ISSUER)),
        ErrorPageReason::UnknownClient
    );
    let mut other = confidential();
    other.client_id = "someone-else".into();
    assert_eq!(
        page(validate_authorization_request(
            &params,
            Some(&other),
            ISSUER
        )),
        ErrorPageReason::UnknownClient
    );
    assert_eq!(
        page(run(
            &with(&[("redirect_uri", "https://app.example/callback/")]),
            &confidential()
        )),
        ErrorPageReason::RedirectUriNotRegistered
    );
    assert_eq!(
        page(run(
            &with(&[("redirect_uri", "https://evil.example/callback")]),
            &confidential()
        )),
        ErrorPageReason::RedirectUriNotRegistered
    );
    let no_redirect: Vec<_> = base()
        .into_iter()
        .filter(|(n, _)| *n != "redirect_uri")
        .collect();
    assert_eq!(
        page(run(&no_redirect, &confidential())),
        ErrorPageReason::MissingRedirectUri
    );
    let no_client: Vec<_> = base()
        .into_iter()
        .filter(|(n, _)| *n != "client_id")
        .collect();
    assert_eq!(
        page(run(&no_client, &confidential())),
        ErrorPageReason::MissingClientId
    );
}

#[test]
fn loopback_port_exception_only_for_clients_that_opt_in() {
    let native = with(&[
        ("redirect_uri", "http://127.0.0.1:49152/native"),
        ("client_id", "native-app"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]);
    assert!(run(&native, &public()).is_ok());
    let mut strict = public();
    strict.loopback_redirect_any_port = false;
    assert!(matches!(
        run(&native, &strict),
        Err(AuthorizeError::ShowErrorPage(_))
    ));
}

#[test]
fn only_response_type_code() {
    for other in ["token", "id_token", "code id_token"] {
        let response = redirected(run(&with(&[("response_type", other)]), &confidential()));
        assert_eq!(response.param("error"), Some("unsupported_response_type"));
    }
    let missing: Vec<_> = base()
        .into_iter()
        .filter(|(n, _)| *n != "response_type")
        .collect();
    assert_eq!(
        redirected(run(&missing, &confidential())).param("error"),
        Some("invalid_request")
    );
}

#[test]
fn scope_must_include_openid() {
    let response = redirected(run(&with(&[("scope", "profile email")]), &confidential()));
    assert_eq!(response.param("error"), Some("invalid_scope"));
}

#[test]
fn prompt_none_with_others_is_an_error() {
    let response = redirected(run(&with(&[("prompt", "none login")]), &confidential()));
    assert_eq!(response.param("error"), Some("invalid_request"));
    assert!(
        run(&with(&[("prompt", "none")]), &confidential())
            .unwrap()
            .prompt
            .none
    );
}

#[test]
fn max_age_forces_a_fresh_login_when_the_session_is_older() {
    let req = run(&with(&[("max_age", "60")]), &confidential()).unwrap();
    assert!(!req.requires_fresh_login(1_000, 1_060));
    assert!(req.requires_fresh_login(1_000, 1_061));
    let zero = run(&with(&[("max_age", "0")]), &confidential()).unwrap();
    assert!(zero.requires_fresh_login(1_000, 1_000));
    let login = run(&with(&[("prompt", "login")]), &confidential()).unwrap();
    assert!(login.requires_fresh_login(1_000, 1_000));
    let plain = run(&base(), &confidential()).unwrap();
    assert!(!plain.requires_fresh_login(0, i64::MAX));
    for bad in ["-1", "abc", "1.5"] {
        let response = redirected(run(&with(&[("max_age", bad)]), &confidential()));
        assert_eq!(response.param("error"), Some("invalid_request"));
    }
}

#[test]
fn public_clients_need_pkce_s256() {
    let public_pairs = with(&[("client_id", "native-app")]);
    let response = redirected(run(&public_pairs, &public()));
    assert_eq!(response.param("error"), Some("invalid_request"));
    let mut plain = public_pairs.clone();
    plain.extend([
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "plain"),
    ]);
    assert_eq!(
        redirected(run(&plain, &public())).param("error"),
        Some("invalid_request")
    );
    let mut no_method = public_pairs.clone();
    no_method.push(("code_challenge", CHALLENGE));
    assert_eq!(
        redirected(run(&no_method, &public())).param("error"),
        Some("invalid_request")
    );
    let mut short = public_pairs.clone();
    short.extend([("code_challenge", "abc"), ("code_challenge_method", "S256")]);
    assert_eq!(
        redirected(run(&short, &public())).param("error"),
        Some("invalid_request")
    );
    let mut good = public_pairs;
    good.extend([
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]);
    assert!(run(&good, &public()).is_ok());
}

#[test]
fn errors_follow_the_requested_response_mode() {
    let response = redirected(run(
        &with(&[("response_mode", "form_post"), ("scope", "email")]),
        &confidential(),
    ));
    assert_eq!(response.response_mode, ResponseMode::FormPost);
    assert_eq!(response.param("iss"), Some(ISSUER));
    let fragment = redirected(run(
        &with(&[("response_mode", "fragment")]),
        &confidential(),
    ));
    assert_eq!(fragment.param("error"), Some("invalid_request"));
}

#[test]
fn request_objects_get_their_own_errors() {
    let response = redirected(run(&with(&[("request", "eyJ...")]), &confidential()));
    assert_eq!(response.param("error"), Some("request_not_supported"));
    let response = redirected(run(&with(&[("request_uri", "urn:x")]), &confidential()));
    assert_eq!(response.param("error"), Some("request_uri_not_supported"));
}

#[test]
fn clients_without_the_code_grant_are_unauthorized() {
    let mut client = confidential();
    client.grant_types = vec![portcullis_oidc::GrantType::ClientCredentials];
    let response = redirected(run(&base(), &client));
    assert_eq!(response.param("error"), Some("unauthorized_client"));
}

#[test]
fn success_response_carries_code_state_and_issuer() {
    let req = run(&base(), &confidential()).unwrap();
    let ok = AuthorizationResponse::success(&req, "the-code", ISSUER);
    assert_eq!(
        ok.redirect_url(),
        "https://app.example/callback?code=the-code&state=xyz&iss=https%3A%2F%2Fidp.example"
    );
    let denied = AuthorizationResponse::error_for(
        &req,
        ISSUER,
        &OAuthError::new(ErrorCode::LoginRequired, "no session"),
    );
    assert_eq!(denied.param("error"), Some("login_required"));
    assert_eq!(denied.param("state"), Some("xyz"));
}

#[test]
fn post_form_bodies_are_parsed_like_queries() {
    let body = "response_type=code&client_id=web-app&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback&scope=openid";
    let params = Params::from_urlencoded(body);
    assert!(validate_authorization_request(&params, Some(&confidential()), ISSUER).is_ok());
}

#[test]
fn the_fixture_clients_are_valid_registrations() {
    assert_eq!(confidential().validate(), Ok(()));
    assert_eq!(public().validate(), Ok(()));
}
