//! Step-up from an existing session: only what is missing is asked for.

#![allow(clippy::unwrap_used)]

use crate::support;
use portcullis_authn::methods::MethodKind;
use portcullis_core::{CorrelationId, UserId};
use portcullis_policy::evaluate::{SessionState, SignInTarget, UsedMethod};
use portcullis_policy::strength::AuthenticationMethodMode;
use portcullis_signin::{
    Effect, ErrorCode, Input, Outcome, Protocol, Stage, StepUpSession, Subject, begin_step_up, step,
};
use serde_json::json;
use support::*;
use time::Duration;
use uuid::Uuid;

/// Policies: MFA for authentication context c1 only; nothing for the app itself.
fn context_world() -> World {
    World::with_policies(vec![policy(
        "MFA for c1",
        json!({"conditions": {"applications": {
            "includeApplications": [],
            "includeAuthenticationContextClassReferences": ["c1"]
        }}}),
    )])
}

fn used(method: AuthenticationMethodMode, minutes_ago: i64) -> UsedMethod {
    UsedMethod {
        method,
        at: now() - Duration::minutes(minutes_ago),
        aaguid: None,
        certificate_issuer_ski: None,
        certificate_policy_oids: Vec::new(),
    }
}

fn password_session(user_id: &UserId) -> StepUpSession {
    StepUpSession {
        user_id: user_id.clone(),
        session: SessionState {
            authenticated_at: Some(now() - Duration::minutes(30)),
            methods: vec![used(AuthenticationMethodMode::Password, 30)],
        },
    }
}

fn context_request() -> portcullis_signin::RequestContext {
    let mut request = request(Protocol::Browser);
    request.target = SignInTarget::AuthenticationContext {
        id: "c1".into(),
        app_id: Some(APP.into()),
    };
    request
}

fn correlation() -> CorrelationId {
    CorrelationId::from_uuid(Uuid::from_u128(7))
}

#[test]
fn a_password_session_is_challenged_only_for_the_second_factor() {
    let world = context_world();
    let user = with_totp(user(), None);
    let session = password_session(&user.id);
    let subject = Subject::Known(Box::new(user));
    let request = context_request();
    let environment = world.environment(&request, &subject, now());
    let (mut transaction, first) = begin_step_up(
        "ada@example.org",
        correlation(),
        session,
        &environment,
        &mut rng(),
    );
    let Outcome::Challenge(challenge) = &first.outcome else {
        panic!("expected a challenge, got {:?}", first.outcome);
    };
    assert_eq!(challenge.methods[0].kind, MethodKind::Totp);
    assert_eq!(transaction.stage(), Stage::Challenge);
    assert_eq!(first.effects.iter().filter(|e| e.is_log()).count(), 1);
    assert!(!first.dummy_hash_spent, "no password was asked for");

    let second = step(
        &mut transaction,
        &environment,
        Input::TotpCode {
            credential_id: None,
            code: totp().code_at(now()).unwrap(),
        },
        &mut rng(),
    );
    let Outcome::Done(done) = &second.outcome else {
        panic!("expected done, got {:?}", second.outcome);
    };
    // The session's first factor and its time carry over.
    assert_eq!(done.auth_time, now() - Duration::minutes(30));
    assert_eq!(done.amr, ["pwd", "otp", "mfa"]);
    assert!(
        second
            .effects
            .iter()
            .any(|e| matches!(e, Effect::CreateSession(_)))
    );
}

#[test]
fn a_session_that_already_satisfies_the_context_completes_at_once() {
    let world = context_world();
    let user = with_totp(user(), None);
    let mut session = password_session(&user.id);
    session
        .session
        .methods
        .push(used(AuthenticationMethodMode::SoftwareOath, 20));
    let subject = Subject::Known(Box::new(user));
    let request = context_request();
    let environment = world.environment(&request, &subject, now());
    let (transaction, first) = begin_step_up(
        "ada@example.org",
        correlation(),
        session,
        &environment,
        &mut rng(),
    );
    assert!(
        matches!(first.outcome, Outcome::Done(_)),
        "{:?}",
        first.outcome
    );
    assert_eq!(transaction.stage(), Stage::Done);
}

#[test]
fn a_disabled_user_or_another_users_session_is_refused() {
    let world = context_world();
    let request = context_request();

    let mut disabled = with_totp(user(), None);
    disabled.account_enabled = false;
    let session = password_session(&disabled.id);
    let subject = Subject::Known(Box::new(disabled));
    let environment = world.environment(&request, &subject, now());
    let (_, step) = begin_step_up(
        "ada@example.org",
        correlation(),
        session,
        &environment,
        &mut rng(),
    );
    assert_eq!(
        step.outcome,
        Outcome::Blocked {
            code: ErrorCode::UserDisabled.public()
        }
    );

    let someone = UserId::from_uuid(Uuid::from_u128(999));
    let subject = Subject::Known(Box::new(with_totp(user(), None)));
    let environment = world.environment(&request, &subject, now());
    let (_, step) = begin_step_up(
        "ada@example.org",
        correlation(),
        password_session(&someone),
        &environment,
        &mut rng(),
    );
    assert!(matches!(step.outcome, Outcome::Blocked { .. }));
    assert_eq!(log_code(&step), 90100);
}

#[test]
fn an_input_after_a_finished_step_up_is_refused() {
    let world = World::with_policies(Vec::new());
    let user = user();
    let session = password_session(&user.id);
    let subject = Subject::Known(Box::new(user));
    let request = request(Protocol::Browser);
    let environment = world.environment(&request, &subject, now());
    let (mut transaction, first) = begin_step_up(
        "ada@example.org",
        correlation(),
        session,
        &environment,
        &mut rng(),
    );
    assert!(matches!(first.outcome, Outcome::Done(_)));
    let again = step(
        &mut transaction,
        &environment,
        Input::Password(PASSWORD.into()),
        &mut rng(),
    );
    assert!(matches!(again.outcome, Outcome::Blocked { .. }));
}
