//! RP-initiated logout validation.
#![allow(clippy::unwrap_used)]

use crate::support;
use portcullis_oidc::Params;
use portcullis_oidc::logout::{
    EndSessionParams, IdTokenHintCheck, LogoutError, validate_end_session,
};
use support::*;

fn hint() -> IdTokenHintCheck {
    IdTokenHintCheck::Valid {
        audience: "web-app".into(),
        subject: "u1".into(),
        session_id: Some("sid-1".into()),
    }
}

fn parse(pairs: &[(&str, &str)]) -> EndSessionParams {
    EndSessionParams::parse(&Params::from_pairs(pairs.iter().copied())).unwrap()
}

#[test]
fn registered_redirect_with_state_and_valid_hint() {
    let params = parse(&[
        ("id_token_hint", "eyJ..."),
        ("post_logout_redirect_uri", "https://app.example/bye"),
        ("state", "a b"),
    ]);
    assert_eq!(params.client_to_look_up(&hint()), Some("web-app"));
    let decision = validate_end_session(&params, &hint(), Some(&confidential())).unwrap();
    assert_eq!(
        decision.redirect.as_deref(),
        Some("https://app.example/bye?state=a+b")
    );
    assert_eq!(decision.subject_hint.as_deref(), Some("u1"));
    assert_eq!(decision.session_hint.as_deref(), Some("sid-1"));
    assert!(!decision.ask_user_to_confirm);
}

#[test]
fn unregistered_or_unidentified_redirects_are_refused() {
    let near = parse(&[
        ("client_id", "web-app"),
        ("post_logout_redirect_uri", "https://app.example/bye/"),
    ]);
    assert_eq!(
        validate_end_session(&near, &IdTokenHintCheck::Absent, Some(&confidential())),
        Err(LogoutError::RedirectNotRegistered)
    );
    let anonymous = parse(&[("post_logout_redirect_uri", "https://app.example/bye")]);
    assert_eq!(
        validate_end_session(&anonymous, &IdTokenHintCheck::Absent, None),
        Err(LogoutError::RedirectWithoutClient)
    );
    // The authorization redirect URI is not a logout URI.
    let login_uri = parse(&[
        ("client_id", "web-app"),
        ("post_logout_redirect_uri", REDIRECT),
    ]);
    assert!(
        validate_end_session(&login_uri, &IdTokenHintCheck::Absent, Some(&confidential())).is_err()
    );
}

#[test]
fn hint_problems_and_mismatches() {
    let params = parse(&[("client_id", "other-app"), ("id_token_hint", "x")]);
    assert_eq!(
        validate_end_session(&params, &hint(), Some(&confidential())),
        Err(LogoutError::ClientMismatch)
    );
    assert_eq!(
        validate_end_session(&params, &IdTokenHintCheck::Invalid, None),
        Err(LogoutError::InvalidIdTokenHint)
    );
    let unknown = parse(&[("client_id", "ghost")]);
    assert_eq!(
        validate_end_session(&unknown, &IdTokenHintCheck::Absent, None),
        Err(LogoutError::UnknownClient)
    );
}

#[test]
fn without_a_hint_the_user_confirms() {
    let decision = validate_end_session(&parse(&[]), &IdTokenHintCheck::Absent, None).unwrap();
    assert!(decision.ask_user_to_confirm);
    assert_eq!(decision.redirect, None);
    let dup = Params::from_pairs([("state", "a"), ("state", "b")]);
    assert_eq!(
        EndSessionParams::parse(&dup),
        Err(LogoutError::MalformedParameter("state".into()))
    );
}
