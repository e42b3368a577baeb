//! Passwordless phone sign-in as the first factor: it meets the built-in Passwordless
//! MFA strength (`deviceBasedPush`) and plain MFA on its own, is refused when the
//! methods policy turns it off or the device is not the user's, and every unapproved
//! ending answers exactly like a wrong password — for a real user and an unknown name.

#![allow(clippy::unwrap_used)]

use crate::support;
use portcullis_authn::methods::MethodKind;
use portcullis_policy::strength::PASSWORDLESS_MFA_ID;
use portcullis_signin::{
    ErrorCode, Input, MethodConfiguration, MethodMaterial, OutOfBandDecline, Outcome, Protocol,
    RegisteredMethod, Subject, UserRecord,
};
use serde_json::json;
use support::*;

fn with_app(mut user: UserRecord) -> UserRecord {
    user.methods.push(RegisteredMethod {
        credential_id: credential(9),
        display_name: Some("Phone".into()),
        material: MethodMaterial::AuthenticatorPush,
    });
    user
}

fn approved() -> Input {
    Input::PhoneSignInApproved {
        credential_id: credential(9),
    }
}

fn passwordless_required() -> World {
    World::with_policies(vec![policy(
        "Passwordless MFA",
        json!({"grantControls": {"operator": "OR", "builtInControls": [],
               "authenticationStrength": {"id": PASSWORDLESS_MFA_ID}}}),
    )])
}

fn last_step(step: &portcullis_signin::Step) -> serde_json::Value {
    let entry = log_entries(step)[0];
    entry
        .record
        .authentication_details
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone()
}

#[test]
fn an_approval_meets_passwordless_mfa_alone() {
    let world = passwordless_required();
    let mut driver = Driver::new(
        &world,
        request(Protocol::Browser),
        Subject::Known(Box::new(with_app(user()))),
    );
    let step = driver.submit(approved()).clone();
    let Outcome::Done(done) = &step.outcome else {
        panic!("expected done, got {:?}", step.outcome);
    };
    assert_eq!(done.amr, ["swk", "user", "mfa"]);
    let detail = last_step(&step);
    assert_eq!(detail["authenticationMethod"], "Passwordless phone sign-in");
    assert_eq!(
        detail["authenticationStepRequirement"],
        "Primary authentication"
    );
    assert_eq!(detail["succeeded"], true);
    assert_eq!(log_code(&step), 0);
}

#[test]
fn an_approval_meets_plain_mfa_without_a_second_challenge() {
    let world = World::with_policies(vec![policy("Require MFA for all users", json!({}))]);
    let mut driver = Driver::new(
        &world,
        request(Protocol::Browser),
        Subject::Known(Box::new(with_app(user()))),
    );
    let step = driver.submit(approved()).clone();
    assert!(
        matches!(step.outcome, Outcome::Done(_)),
        "{:?}",
        step.outcome
    );
}

#[test]
fn a_password_does_not_meet_passwordless_mfa() {
    let world = passwordless_required();
    let mut driver = Driver::new(
        &world,
        request(Protocol::Browser),
        Subject::Known(Box::new(with_app(user()))),
    );
    let step = driver.submit(Input::Password(PASSWORD.into())).clone();
    assert!(
        !matches!(step.outcome, Outcome::Done(_)),
        "a password alone must not meet the passwordless strength"
    );
}

#[test]
fn the_methods_policy_can_turn_it_off() {
    let mut world = passwordless_required();
    world.methods.methods.insert(
        MethodKind::PasswordlessPhoneSignIn,
        MethodConfiguration {
            enabled: false,
            ..MethodConfiguration::default()
        },
    );
    let mut driver = Driver::new(
        &world,
        request(Protocol::Browser),
        Subject::Known(Box::new(with_app(user()))),
    );
    let step = driver.submit(approved()).clone();
    assert_eq!(
        step.outcome,
        Outcome::Blocked {
            code: ErrorCode::InvalidUserNameOrPassword
        }
    );
    assert_eq!(
        last_step(&step)["authenticationStepResultDetail"],
        "Method disabled by policy"
    );
}

#[test]
fn a_device_that_is_not_the_users_is_refused() {
    let world = passwordless_required();
    let mut driver = Driver::new(
        &world,
        request(Protocol::Browser),
        Subject::Known(Box::new(user())),
    );
    let step = driver.submit(approved()).clone();
    assert_eq!(
        step.outcome,
        Outcome::Blocked {
            code: ErrorCode::InvalidUserNameOrPassword
        }
    );
}

#[test]
fn every_unapproved_ending_looks_like_a_wrong_password_for_known_and_unknown_names() {
    let world = passwordless_required();
    for reason in [
        OutOfBandDecline::Denied,
        OutOfBandDecline::WrongNumber,
        OutOfBandDecline::FraudReported,
        OutOfBandDecline::Expired,
    ] {
        let mut known = Driver::new(
            &world,
            request(Protocol::Browser),
            Subject::Known(Box::new(with_app(user()))),
        );
        let known_step = known
            .submit(Input::OutOfBandDeclined {
                credential_id: Some(credential(9)),
                reason,
            })
            .clone();
        let mut unknown = Driver::new(&world, request(Protocol::Browser), Subject::Unknown);
        let unknown_step = unknown
            .submit(Input::OutOfBandDeclined {
                credential_id: None,
                reason: OutOfBandDecline::Expired,
            })
            .clone();
        assert_eq!(known_step.outcome, unknown_step.outcome, "{reason:?}");
        assert_eq!(
            known_step.outcome,
            Outcome::Blocked {
                code: ErrorCode::InvalidUserNameOrPassword
            }
        );
        // Only the log tells them apart.
        assert_eq!(log_code(&known_step), 50126);
        assert_eq!(log_code(&unknown_step), 50034);
        assert_eq!(
            last_step(&known_step)["authenticationStepResultDetail"],
            reason.result_detail()
        );
    }
}

#[test]
fn an_approval_for_an_unknown_name_fails() {
    let world = passwordless_required();
    let mut driver = Driver::new(&world, request(Protocol::Browser), Subject::Unknown);
    let step = driver.submit(approved()).clone();
    assert_eq!(
        step.outcome,
        Outcome::Blocked {
            code: ErrorCode::InvalidUserNameOrPassword
        }
    );
    assert_eq!(log_code(&step), 50034);
}
