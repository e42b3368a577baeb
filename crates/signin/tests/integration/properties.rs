//! Properties of the whole machine over random policy sets, users, protocols and input
//! sequences.

#![allow(clippy::unwrap_used)]

use crate::support;
use portcullis_authn::methods::MethodKind;
use portcullis_policy::evaluate::{Outcome as PolicyOutcome, SignInContext, evaluate};
use portcullis_policy::model::RiskLevel;
use portcullis_policy::strength::PHISHING_RESISTANT_MFA_ID;
use portcullis_signin::{
    Effect, Input, Outcome, PasskeyAssertion, Protocol, SignInTransaction, Subject,
};
use proptest::prelude::*;
use serde_json::{Value, json};
use support::*;

fn policy_menu() -> Vec<Value> {
    vec![
        policy("mfa", json!({})),
        policy(
            "block legacy",
            json!({"conditions": {"clientAppTypes": ["exchangeActiveSync", "other"]},
                   "grantControls": {"operator": "OR", "builtInControls": ["block"]}}),
        ),
        policy(
            "phishing resistant",
            json!({"grantControls": {"operator": "OR", "builtInControls": [],
                   "authenticationStrength": {"id": PHISHING_RESISTANT_MFA_ID}}}),
        ),
        policy(
            "report-only block",
            json!({"state": "enabledForReportingButNotEnforced",
                   "grantControls": {"operator": "OR", "builtInControls": ["block"]}}),
        ),
        policy(
            "device or mfa",
            json!({"grantControls": {"operator": "OR", "builtInControls": ["compliantDevice", "mfa"]}}),
        ),
        policy(
            "password change for risky users",
            json!({"conditions": {"userRiskLevels": ["high"]},
                   "grantControls": {"operator": "AND", "builtInControls": ["mfa", "passwordChange"]}}),
        ),
        policy(
            "registration needs tap off-site",
            json!({"conditions": {
                    "applications": {"includeApplications": [], "includeUserActions": ["urn:user:registersecurityinfo"]},
                    "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}},
                   "grantControls": {"operator": "OR", "builtInControls": [],
                    "authenticationStrength": {"id": "7a9b0000-0000-0000-0000-00000000aaaa"}}}),
        ),
        policy(
            "disabled block",
            json!({"state": "disabled", "grantControls": {"operator": "OR", "builtInControls": ["block"]}}),
        ),
    ]
}

#[derive(Debug, Clone)]
enum Action {
    /// Whatever fits the current outcome, answered correctly (the n-th offered method).
    Fitting(u8),
    RightPassword,
    WrongPassword(u8),
    RightTotp,
    ReplayedTotp,
    WrongTotp,
    Passkey(bool),
    RightTap,
    WrongTap,
    SendSms,
    LastSmsCode,
    Skip,
    PasswordChanged,
    RegisterTotp,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        30 => any::<u8>().prop_map(Action::Fitting),
        3 => Just(Action::RightPassword),
        1 => any::<u8>().prop_map(Action::WrongPassword),
        2 => Just(Action::RightTotp),
        1 => Just(Action::ReplayedTotp),
        1 => Just(Action::WrongTotp),
        1 => any::<bool>().prop_map(Action::Passkey),
        1 => Just(Action::RightTap),
        1 => Just(Action::WrongTap),
        1 => Just(Action::SendSms),
        1 => Just(Action::LastSmsCode),
        1 => Just(Action::Skip),
        1 => Just(Action::PasswordChanged),
        1 => Just(Action::RegisterTotp),
    ]
}

#[derive(Debug, Clone)]
struct Scenario {
    policies: Vec<usize>,
    security_defaults: bool,
    totp: bool,
    passkey: bool,
    sms: bool,
    tap: bool,
    must_change: bool,
    enabled: bool,
    protocol: Protocol,
    trusted_ip: bool,
    risky: bool,
    actions: Vec<Action>,
}

fn protocol() -> impl Strategy<Value = Protocol> {
    prop_oneof![
        Just(Protocol::Browser),
        Just(Protocol::NativeApp),
        Just(Protocol::ExchangeActiveSync),
        Just(Protocol::LdapBind),
        Just(Protocol::Radius),
    ]
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        proptest::collection::vec(0..policy_menu().len(), 0..4),
        any::<bool>(),
        any::<[bool; 6]>(),
        protocol(),
        any::<[bool; 2]>(),
        proptest::collection::vec(action(), 1..8),
        proptest::bool::weighted(0.9),
    )
        .prop_map(
            |(
                policies,
                security_defaults,
                flags,
                protocol,
                [trusted_ip, risky],
                actions,
                enabled,
            )| {
                Scenario {
                    policies,
                    security_defaults,
                    totp: flags[0],
                    passkey: flags[1],
                    sms: flags[2],
                    tap: flags[3],
                    must_change: flags[4] && flags[5],
                    enabled,
                    protocol,
                    trusted_ip,
                    risky,
                    actions,
                }
            },
        )
}

fn world_for(scenario: &Scenario) -> World {
    let menu = policy_menu();
    let mut world = World::with_policies(
        scenario
            .policies
            .iter()
            .map(|index| menu[*index].clone())
            .collect(),
    );
    if scenario.security_defaults {
        world.set.security_defaults.is_enabled = true;
        world.compiled = world.set.compile();
    }
    world
}

/// Runs the scenario and checks the per-step properties; returns every step.
fn run(scenario: &Scenario) -> Result<(), TestCaseError> {
    let world = world_for(scenario);
    let mut person = user();
    if scenario.totp {
        person = with_totp(person, None);
    }
    if scenario.passkey {
        person = with_passkey(person);
    }
    if scenario.sms {
        person = with_sms(person);
    }
    let mut pass = String::from("WRONGPASS");
    if scenario.tap {
        let (with_pass, text) = with_tap(person, false);
        person = with_pass;
        pass = text;
    }
    person.account_enabled = scenario.enabled;
    if let Some(password) = &mut person.password {
        password.must_change = scenario.must_change;
    }
    let mut request = request(scenario.protocol);
    if scenario.trusted_ip {
        request.ip_address = Some(TRUSTED_IP.parse().unwrap());
    }
    if scenario.risky {
        request.risk.user_risk_level = Some(RiskLevel::High);
    }
    let mut driver = Driver::new(&world, request, Subject::Known(Box::new(person)));
    let mut last_code = String::from("000000");
    let mut code_sent = false;
    for action in &scenario.actions {
        let mut last = driver.steps.last().map(|step| step.outcome.clone());
        if matches!(action, Action::Fitting(_)) && last.as_ref().is_some_and(Outcome::is_final) {
            // The user tries again: a new transaction (other actions probe the old one).
            driver.transaction = SignInTransaction::begin(
                "ada@example.org",
                driver.request.correlation_id.clone(),
                driver.now,
            );
            last = None;
        }
        let fitting = match (action, last.as_ref()) {
            (Action::Fitting(n), None) => Some(match n % 4 {
                0 => Action::RightTap,
                1 => Action::Passkey(true),
                _ => Action::RightPassword,
            }),
            (Action::Fitting(n), Some(Outcome::Challenge(challenge))) => {
                let methods = &challenge.methods;
                Some(match methods[usize::from(*n) % methods.len()].kind {
                    MethodKind::Totp => Action::RightTotp,
                    MethodKind::Fido2 => Action::Passkey(true),
                    MethodKind::Sms if code_sent => Action::LastSmsCode,
                    MethodKind::Sms => Action::SendSms,
                    MethodKind::TemporaryAccessPassOneTime
                    | MethodKind::TemporaryAccessPassMultiUse => Action::RightTap,
                    _ => Action::RightPassword,
                })
            }
            (Action::Fitting(n), Some(Outcome::RegistrationRequired(_))) => Some(if n % 2 == 0 {
                Action::RegisterTotp
            } else {
                Action::Skip
            }),
            (Action::Fitting(_), Some(Outcome::PasswordChangeRequired { .. })) => {
                Some(Action::PasswordChanged)
            }
            (Action::Fitting(_), Some(_)) => Some(Action::RightPassword),
            _ => None,
        };
        // Time moves on, so a TOTP code is fresh at each step.
        driver.now += time::Duration::seconds(31);
        let input = match fitting.as_ref().unwrap_or(action) {
            Action::Fitting(_) => Input::SkipRegistration,
            Action::RightPassword => Input::Password(PASSWORD.into()),
            Action::WrongPassword(n) => Input::Password(format!("wrong {n}")),
            Action::RightTotp => Input::TotpCode {
                credential_id: None,
                code: totp().code_at(driver.now).unwrap(),
            },
            Action::ReplayedTotp => {
                let step = totp().step_at(driver.now).unwrap();
                Input::TotpCode {
                    credential_id: None,
                    code: totp().code_at_step(step - 1).unwrap(),
                }
            }
            Action::WrongTotp => Input::TotpCode {
                credential_id: None,
                code: "12345".into(),
            },
            Action::Passkey(verified) => Input::Passkey(PasskeyAssertion {
                credential_id: credential(2),
                user_verified: *verified,
                aaguid: None,
            }),
            Action::RightTap => Input::TemporaryAccessPass(pass.clone()),
            Action::WrongTap => Input::TemporaryAccessPass("ABCDEFGH".into()),
            Action::SendSms => Input::SendCode {
                credential_id: credential(3),
            },
            Action::LastSmsCode => Input::OneTimeCode(last_code.clone()),
            Action::Skip => Input::SkipRegistration,
            Action::PasswordChanged => Input::PasswordChanged,
            Action::RegisterTotp => {
                if let Subject::Known(user) = &mut driver.subject
                    && user.method(&credential(1)).is_none()
                {
                    **user = with_totp((**user).clone(), None);
                }
                Input::MethodRegistered {
                    credential_id: credential(1),
                    kind: MethodKind::Totp,
                    aaguid: None,
                }
            }
        };
        let step = driver.submit(input).clone();
        let logs = log_entries(&step);
        prop_assert_eq!(
            logs.len(),
            1,
            "exactly one log entry per step: {:?}",
            step.effects
        );
        for effect in &step.effects {
            if let Effect::SendOneTimeCode { code, .. } = effect {
                code_sent = true;
                last_code = code.as_str().to_owned();
            }
        }
        if let Outcome::Done(done) = &step.outcome {
            // Done only when the evaluator allows exactly what was proven.
            let input = logs[0].evaluation_input.as_deref();
            prop_assert!(
                input.is_some(),
                "a completed sign-in logs its evaluation input"
            );
            let context: SignInContext = portcullis_signin::replay_input(input.unwrap()).unwrap();
            prop_assert_eq!(&context.session.methods, &done.methods);
            let decision = evaluate(&world.compiled, &context);
            prop_assert!(
                matches!(decision.outcome, PolicyOutcome::Allow { .. }),
                "done although the evaluator says {:?}",
                decision.outcome
            );
            prop_assert_eq!(logs[0].record.status.error_code, 0);
            prop_assert!(
                step.effects
                    .iter()
                    .any(|effect| matches!(effect, Effect::CreateSession(_)))
            );
        } else {
            prop_assert!(logs[0].record.status.error_code != 0);
            prop_assert!(
                !step
                    .effects
                    .iter()
                    .any(|effect| matches!(effect, Effect::CreateSession(_)))
            );
        }
        if !scenario.protocol.is_interactive() {
            prop_assert!(
                matches!(step.outcome, Outcome::Done(_) | Outcome::Blocked { .. })
                    || matches!(&step.outcome, Outcome::Challenge(challenge)
                        if challenge.methods.iter().all(|method| method.kind == MethodKind::AuthenticatorPush)),
                "a legacy protocol was shown {:?}",
                step.outcome
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_step_logs_once_and_done_implies_allowed(scenario in scenario()) {
        run(&scenario)?;
    }

    #[test]
    fn unknown_user_and_wrong_password_are_indistinguishable(
        password in "[ -~]{0,24}",
        protocol in protocol(),
        policies in proptest::collection::vec(0..8usize, 0..3),
        use_pass in any::<bool>(),
    ) {
        prop_assume!(password != PASSWORD);
        let menu = policy_menu();
        let world = World::with_policies(policies.iter().map(|index| menu[*index].clone()).collect());
        let input = || if use_pass {
            Input::TemporaryAccessPass(password.clone())
        } else {
            Input::Password(password.clone())
        };
        let mut unknown = Driver::new(&world, request(protocol), Subject::Unknown);
        let unknown_outcome = unknown.submit(input()).outcome.clone();
        let mut known = Driver::new(&world, request(protocol), Subject::Known(Box::new(with_tap(user(), false).0)));
        let known_step = known.submit(input()).clone();
        prop_assert_eq!(&unknown_outcome, &known_step.outcome);
        prop_assert_eq!(unknown_outcome, Outcome::Blocked { code: portcullis_signin::ErrorCode::InvalidUserNameOrPassword });
        prop_assert!(unknown.steps[0].dummy_hash_spent);
    }
}
