//! Property tests: no parser panics on arbitrary input, the invariants of redirect
//! matching and Basic credentials hold for any values, and a refresh family never has
//! two live tokens whatever order its tokens are presented in.
#![allow(clippy::unwrap_used)]

use crate::support;
use base64::Engine;
use proptest::prelude::*;

use portcullis_oidc::Params;
use portcullis_oidc::acr::parse_acr_values;
use portcullis_oidc::authorize::{AuthorizeError, validate_authorization_request};
use portcullis_oidc::client_assertion::unverified_issuer;
use portcullis_oidc::client_auth::{ClientCredentials, parse_client_credentials};
use portcullis_oidc::device::{UserCode, parse_device_authorization_request};
use portcullis_oidc::error::is_valid_description;
use portcullis_oidc::introspection::parse_token_and_hint;
use portcullis_oidc::logout::EndSessionParams;
use portcullis_oidc::pkce::CodeChallenge;
use portcullis_oidc::redirect_uri::redirect_uri_matches;
use portcullis_oidc::refresh::{
    NewFamily, RefreshFamily, RefreshPolicy, RefreshRedemption, RefreshTokenRecord,
};
use portcullis_oidc::scope::Scope;
use portcullis_oidc::token::parse_token_request;
use support::*;

const NAMES: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "prompt",
    "max_age",
    "login_hint",
    "id_token_hint",
    "acr_values",
    "response_mode",
    "code_challenge",
    "code_challenge_method",
    "request",
    "request_uri",
    "grant_type",
    "code",
    "code_verifier",
    "refresh_token",
    "device_code",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "token",
    "token_type_hint",
    "post_logout_redirect_uri",
];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(NAMES).prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(
            &[
                "code",
                "openid",
                "openid profile",
                "web-app",
                REDIRECT,
                "none",
                "none login",
                "S256",
                "plain",
                CHALLENGE,
                VERIFIER,
                "form_post",
                "fragment",
                "0",
                "-1",
                "authorization_code",
                "refresh_token",
                "client_credentials",
                "urn:ietf:params:oauth:grant-type:device_code",
                "c1 c99 c100",
            ][..]
        )
        .prop_map(str::to_owned),
        any::<String>(),
        "[ -~]{0,64}",
    ]
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec((name(), value()), 0..16)
}

proptest! {
    #[test]
    fn request_parsers_never_panic(pairs in pairs(), header in proptest::option::of(any::<String>())) {
        let params = Params::from_pairs(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        for client in [confidential(), public()] {
            if let Err(AuthorizeError::Redirect(response)) =
                validate_authorization_request(&params, Some(&client), ISSUER)
            {
                let description = response.param("error_description").unwrap();
                prop_assert!(is_valid_description(description), "{description:?}");
            }
        }
        if let Err(error) = parse_token_request(&params) {
            prop_assert!(is_valid_description(&error.description), "{:?}", error.description);
        }
        let _ = validate_authorization_request(&params, None, ISSUER);
        let _ = parse_token_request(&params);
        let _ = parse_client_credentials(header.as_deref(), &params);
        let _ = portcullis_oidc::bearer::extract_bearer_token(header.as_deref(), Some(&params));
        let _ = parse_token_and_hint(&params);
        let _ = parse_device_authorization_request(&params);
        let _ = EndSessionParams::parse(&params);
    }

    #[test]
    fn value_parsers_never_panic(s in any::<String>(), m in proptest::option::of(any::<String>())) {
        let _ = Scope::parse(&s);
        let _ = UserCode::parse(&s);
        let _ = parse_acr_values(&s);
        let _ = unverified_issuer(&s);
        let _ = Params::from_urlencoded(&s);
        let _ = portcullis_oidc::registration::check_registered_uri(&s, portcullis_oidc::ClientType::Public);
        let _ = redirect_uri_matches(&[s.clone(), "http://127.0.0.1/cb".into()], &s, true);
        let _ = portcullis_oidc::bearer::www_authenticate(&s, None);
        if let Ok(challenge) = CodeChallenge::parse(&s, m.as_deref()) {
            let _ = challenge.verify(&s);
        }
        let header = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(&s));
        let _ = parse_client_credentials(Some(&header), &Params::default());
    }

    #[test]
    fn successful_authorization_uses_a_registered_redirect_byte_for_byte(pairs in pairs()) {
        let params = Params::from_pairs(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let client = confidential();
        if let Ok(request) = validate_authorization_request(&params, Some(&client), ISSUER) {
            prop_assert!(client.redirect_uris.contains(&request.redirect_uri));
        }
    }

    #[test]
    fn exact_matching_only_accepts_registered_strings(uri in any::<String>()) {
        let registered = confidential().redirect_uris;
        prop_assert_eq!(redirect_uri_matches(&registered, &uri, false), registered.contains(&uri));
    }

    #[test]
    fn basic_credentials_round_trip_through_rfc_6749_encoding(
        id in "[^\u{0}]{1,40}",
        secret in any::<String>(),
    ) {
        let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let raw = format!("{}:{}", encode(&id), encode(&secret));
        let header = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw));
        let parsed = parse_client_credentials(Some(&header), &Params::default()).unwrap();
        prop_assert_eq!(parsed, ClientCredentials::SecretBasic { client_id: id, secret });
    }

    #[test]
    fn a_refresh_family_never_has_two_live_tokens(
        steps in proptest::collection::vec((any::<prop::sample::Index>(), 0i64..400, any::<bool>()), 1..40),
    ) {
        let policy = RefreshPolicy { token_lifetime_secs: 1_000, family_lifetime_secs: 5_000 };
        let mut now = 1_800_000_000;
        let first = RefreshTokenRecord::start_family(
            "rt-0".into(),
            NewFamily {
                client_id: "web-app".into(),
                subject: Some("u".into()),
                session_id: None,
                scope: Scope::parse("openid offline_access").unwrap(),
                origin_code_id: None,
            },
            &policy,
            now,
        );
        let mut family = RefreshFamily::start(first);
        let mut reused = false;
        for (n, (pick, advance, right_client)) in steps.into_iter().enumerate() {
            now += advance;
            let presented = family.tokens[pick.index(family.tokens.len())].clone();
            let was_rotated = matches!(presented.state, portcullis_oidc::refresh::RefreshState::Rotated { .. });
            let request = RefreshRedemption {
                client_id: if right_client { "web-app" } else { "intruder" },
                scope: None,
                now,
            };
            let result = family.refresh(&presented.id, &request, format!("rt-{}", n + 1), &policy);
            if was_rotated {
                prop_assert!(result.is_err());
                reused = true;
            }
            let live = family.live_tokens(now).count();
            prop_assert!(live <= 1, "{live} live tokens");
            if reused {
                prop_assert_eq!(live, 0, "a reuse must leave no live token");
            }
        }
    }
}

proptest! {
    #[test]
    fn a_code_is_redeemed_only_with_its_client_and_verifier(
        verifier in prop_oneof![Just(VERIFIER.to_owned()), "[A-Za-z0-9._~-]{43,128}"],
        client in prop_oneof![Just("web-app".to_owned()), "[a-z-]{1,12}"],
        offset in -5i64..120,
    ) {
        use portcullis_oidc::code::{AuthorizationCode, CodeGrant, CodeRedemption};
        let now = 1_800_000_000;
        let code = AuthorizationCode::issue(
            "c".into(),
            CodeGrant {
                client_id: "web-app".into(),
                redirect_uri: REDIRECT.into(),
                code_challenge: Some(CodeChallenge::parse(CHALLENGE, Some("S256")).unwrap()),
                nonce: None,
                scope: Scope::parse("openid").unwrap(),
                subject: "u".into(),
                auth_time: now,
                session_id: "s".into(),
                amr: vec![],
                acr: None,
            },
            now,
        );
        let result = code.redeem(&CodeRedemption {
            client_id: &client,
            redirect_uri: Some(REDIRECT),
            code_verifier: Some(&verifier),
            now: now + offset,
        });
        let should_succeed = client == "web-app" && verifier == VERIFIER && offset < 60;
        prop_assert_eq!(result.is_ok(), should_succeed);
    }

    #[test]
    fn device_poll_interval_never_decreases(gaps in proptest::collection::vec(0i64..15, 1..30)) {
        use portcullis_oidc::device::DeviceAuthorization;
        let mut now = 1_800_000_000;
        let mut record = DeviceAuthorization::issue(
            "d".into(),
            "tv".into(),
            Scope::default(),
            UserCode::parse("WDJBMJHT").unwrap(),
            now,
        );
        for gap in gaps {
            now += gap;
            let outcome = record.poll("tv", now);
            prop_assert!(outcome.record.interval_secs >= record.interval_secs);
            prop_assert!(outcome.result.is_err());
            record = outcome.record;
        }
    }
}
