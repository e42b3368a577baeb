//! A push that ends without approval: each reason logged as Entra words it, a fraud
//! report ending the sign-in, a withdrawal re-offering the challenge without counting,
//! and a decline for a push the challenge never offered refused.

#![allow(clippy::unwrap_used)]

use crate::support;
use portcullis_authn::methods::MethodKind;
use portcullis_signin::{
    ErrorCode, Input, MethodMaterial, OutOfBandDecline, Outcome, Protocol, RegisteredMethod,
    Subject,
};
use serde_json::json;
use support::*;

fn with_push(mut user: portcullis_signin::UserRecord) -> portcullis_signin::UserRecord {
    user.methods.push(RegisteredMethod {
        credential_id: credential(9),
        display_name: Some("Laptop".into()),
        material: MethodMaterial::AuthenticatorPush,
    });
    user
}

fn challenged(world: &World, user: portcullis_signin::UserRecord) -> Driver<'_> {
    let mut driver = Driver::new(
        world,
        request(Protocol::Browser),
        Subject::Known(Box::new(user)),
    );
    let first = driver.submit(Input::Password(PASSWORD.into()));
    let Outcome::Challenge(challenge) = &first.outcome else {
        panic!("expected a challenge, got {:?}", first.outcome);
    };
    assert!(
        challenge
            .methods
            .iter()
            .any(|m| m.kind == MethodKind::AuthenticatorPush)
    );
    driver
}

fn declined(reason: OutOfBandDecline) -> Input {
    Input::OutOfBandDeclined {
        credential_id: Some(credential(9)),
        reason,
    }
}

fn last_step_detail(step: &portcullis_signin::Step) -> (String, bool) {
    let entry = log_entries(step)[0];
    let details = entry.record.authentication_details.as_array().unwrap();
    let last = details.last().unwrap();
    (
        last["authenticationStepResultDetail"]
            .as_str()
            .unwrap()
            .to_owned(),
        last["succeeded"].as_bool().unwrap(),
    )
}

fn mfa_for_all() -> World {
    World::with_policies(vec![policy("Require MFA for all users", json!({}))])
}

#[test]
fn denial_wrong_number_and_expiry_fail_the_step_and_re_offer_the_challenge() {
    let world = mfa_for_all();
    for reason in [
        OutOfBandDecline::Denied,
        OutOfBandDecline::WrongNumber,
        OutOfBandDecline::Expired,
    ] {
        let mut driver = challenged(&world, with_push(with_totp(user(), None)));
        let step = driver.submit(declined(reason));
        let Outcome::Challenge(again) = &step.outcome else {
            panic!(
                "{reason:?}: expected the challenge again, got {:?}",
                step.outcome
            );
        };
        assert_eq!(again.error, Some(ErrorCode::StrongAuthenticationFailed));
        assert_eq!(
            last_step_detail(step),
            (reason.result_detail().to_owned(), false)
        );
    }
}

#[test]
fn three_declines_end_the_sign_in() {
    let world = mfa_for_all();
    let mut driver = challenged(&world, with_push(user()));
    driver.submit(declined(OutOfBandDecline::Denied));
    driver.submit(declined(OutOfBandDecline::Expired));
    let third = driver.submit(declined(OutOfBandDecline::WrongNumber));
    assert_eq!(
        third.outcome,
        Outcome::Blocked {
            code: ErrorCode::StrongAuthenticationFailed
        }
    );
}

#[test]
fn a_fraud_report_ends_the_sign_in_at_once() {
    let world = mfa_for_all();
    let mut driver = challenged(&world, with_push(with_totp(user(), None)));
    let step = driver.submit(declined(OutOfBandDecline::FraudReported));
    assert_eq!(
        step.outcome,
        Outcome::Blocked {
            code: ErrorCode::StrongAuthenticationFailed
        }
    );
    assert_eq!(log_code(step), 500121);
    assert_eq!(
        last_step_detail(step),
        ("MFA denied; Fraud Code Entered".to_owned(), false)
    );
}

#[test]
fn a_withdrawal_re_offers_the_challenge_without_an_error() {
    let world = mfa_for_all();
    let mut driver = challenged(&world, with_push(with_totp(user(), None)));
    for _ in 0..5 {
        let step = driver.submit(declined(OutOfBandDecline::Withdrawn));
        let Outcome::Challenge(again) = &step.outcome else {
            panic!("expected the challenge again, got {:?}", step.outcome);
        };
        assert_eq!(again.error, None);
    }
    let code = totp().code_at(now()).unwrap();
    let done = driver.submit(Input::TotpCode {
        credential_id: None,
        code,
    });
    assert!(
        matches!(done.outcome, Outcome::Done(_)),
        "{:?}",
        done.outcome
    );
}

#[test]
fn a_decline_without_an_offered_push_is_refused() {
    let world = mfa_for_all();
    let mut driver = challenged(&world, with_push(user()));
    // A user without the app: the challenge offers TOTP only.
    let mut other = Driver::new(
        &world,
        request(Protocol::Browser),
        Subject::Known(Box::new(with_totp(user(), None))),
    );
    other.submit(Input::Password(PASSWORD.into()));
    let refused = other.submit(declined(OutOfBandDecline::Denied));
    assert_eq!(
        refused.outcome,
        Outcome::Blocked {
            code: ErrorCode::InvalidRequest
        }
    );
    // The first driver still works.
    assert!(matches!(
        driver.submit(declined(OutOfBandDecline::Withdrawn)).outcome,
        Outcome::Challenge(_)
    ));
}
