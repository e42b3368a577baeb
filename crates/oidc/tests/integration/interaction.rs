//! prompt=none / prompt=login / max_age / id_token_hint / acr_values / consent
//! decisions at the authorization endpoint.
#![allow(clippy::unwrap_used)]

use crate::support;
use portcullis_oidc::authorize::{
    AuthorizationRequest, InteractionContext, InteractionDecision, SessionFacts, SignInReason,
    decide_interaction, validate_authorization_request,
};
use portcullis_oidc::{ErrorCode, Params};
use support::*;

const NOW: i64 = 1_800_000_000;

fn request(extra: &[(&str, &str)]) -> AuthorizationRequest {
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", "web-app"),
        ("redirect_uri", REDIRECT),
        ("scope", "openid"),
    ];
    pairs.extend_from_slice(extra);
    validate_authorization_request(&Params::from_pairs(pairs), Some(&confidential()), ISSUER)
        .unwrap()
}

fn session(auth_time: i64, acr: Option<&'static str>) -> SessionFacts<'static> {
    SessionFacts {
        subject: "user-1",
        auth_time,
        acr,
    }
}

fn context(session: Option<SessionFacts<'static>>) -> InteractionContext<'static> {
    InteractionContext {
        session,
        hinted_subject: None,
        consent_given: true,
        now: NOW,
    }
}

fn failure(decision: InteractionDecision) -> ErrorCode {
    match decision {
        InteractionDecision::Fail(error) => error.code,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn prompt_none_never_shows_anything() {
    let silent = request(&[("prompt", "none")]);
    assert_eq!(
        failure(decide_interaction(&silent, &context(None))),
        ErrorCode::LoginRequired
    );
    let no_consent = InteractionContext {
        consent_given: false,
        ..context(Some(session(NOW, None)))
    };
    assert_eq!(
        failure(decide_interaction(&silent, &no_consent)),
        ErrorCode::ConsentRequired
    );
    let old = request(&[("prompt", "none"), ("max_age", "60")]);
    assert_eq!(
        failure(decide_interaction(
            &old,
            &context(Some(session(NOW - 61, None)))
        )),
        ErrorCode::LoginRequired
    );
    let step_up = request(&[("prompt", "none"), ("acr_values", "c2")]);
    assert_eq!(
        failure(decide_interaction(
            &step_up,
            &context(Some(session(NOW, Some("c1"))))
        )),
        ErrorCode::InteractionRequired
    );
    assert_eq!(
        decide_interaction(&silent, &context(Some(session(NOW - 9_999, None)))),
        InteractionDecision::UseSession
    );
}

#[test]
fn interactive_requests_sign_in_when_needed() {
    assert_eq!(
        decide_interaction(&request(&[]), &context(None)),
        InteractionDecision::SignIn(SignInReason::NoSession)
    );
    assert_eq!(
        decide_interaction(
            &request(&[("prompt", "login")]),
            &context(Some(session(NOW, None)))
        ),
        InteractionDecision::SignIn(SignInReason::PromptLogin)
    );
    assert_eq!(
        decide_interaction(
            &request(&[("max_age", "60")]),
            &context(Some(session(NOW - 61, None)))
        ),
        InteractionDecision::SignIn(SignInReason::MaxAgeExceeded)
    );
    assert_eq!(
        decide_interaction(
            &request(&[("max_age", "60")]),
            &context(Some(session(NOW - 60, None)))
        ),
        InteractionDecision::UseSession
    );
    assert_eq!(
        decide_interaction(
            &request(&[("acr_values", "c2 c3")]),
            &context(Some(session(NOW, Some("c3"))))
        ),
        InteractionDecision::UseSession
    );
    assert_eq!(
        decide_interaction(
            &request(&[("acr_values", "c2")]),
            &context(Some(session(NOW, None)))
        ),
        InteractionDecision::SignIn(SignInReason::AcrNotMet)
    );
    assert_eq!(
        decide_interaction(
            &request(&[("prompt", "select_account")]),
            &context(Some(session(NOW, None)))
        ),
        InteractionDecision::SignIn(SignInReason::SelectAccount)
    );
}

#[test]
fn id_token_hint_for_another_user_needs_a_sign_in() {
    let hinted = InteractionContext {
        hinted_subject: Some("user-2"),
        ..context(Some(session(NOW, None)))
    };
    assert_eq!(
        decide_interaction(&request(&[]), &hinted),
        InteractionDecision::SignIn(SignInReason::HintedUserDiffers)
    );
    assert_eq!(
        failure(decide_interaction(&request(&[("prompt", "none")]), &hinted)),
        ErrorCode::LoginRequired
    );
    let same = InteractionContext {
        hinted_subject: Some("user-1"),
        ..context(Some(session(NOW, None)))
    };
    assert_eq!(
        decide_interaction(&request(&[]), &same),
        InteractionDecision::UseSession
    );
}

#[test]
fn consent_is_asked_when_missing_or_forced() {
    let none_yet = InteractionContext {
        consent_given: false,
        ..context(Some(session(NOW, None)))
    };
    assert_eq!(
        decide_interaction(&request(&[]), &none_yet),
        InteractionDecision::Consent
    );
    assert_eq!(
        decide_interaction(
            &request(&[("prompt", "consent")]),
            &context(Some(session(NOW, None)))
        ),
        InteractionDecision::Consent
    );
}
