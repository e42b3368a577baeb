//! End-to-end scenarios through the machine with real policies, real argon2 (cheap
//! parameters), real TOTP and Temporary Access Passes.

#![allow(clippy::unwrap_used)]

use crate::support;
use portcullis_authn::lockout::Familiarity;
use portcullis_authn::methods::MethodKind;
use portcullis_policy::strength::{MULTIFACTOR_AUTHENTICATION_ID, PHISHING_RESISTANT_MFA_ID};
use portcullis_signin::{
    ChallengePurpose, DeliverableCodes, Effect, ErrorCode, Input, Outcome, PasskeyAssertion,
    PasswordChangeReason, Protocol, Stage, Subject,
};
use serde_json::json;
use support::*;

fn mfa_for_all() -> World {
    World::with_policies(vec![policy("Require MFA for all users", json!({}))])
}

fn known(user: portcullis_signin::UserRecord) -> Subject {
    Subject::Known(Box::new(user))
}

fn challenge(outcome: &Outcome) -> &portcullis_signin::Challenge {
    match outcome {
        Outcome::Challenge(challenge) => challenge,
        other => panic!("expected a challenge, got {other:?}"),
    }
}

fn totp_now() -> String {
    totp().code_at(now()).unwrap()
}

#[test]
fn password_then_totp_under_a_policy_requiring_mfa() {
    let world = mfa_for_all();
    let mut driver = Driver::new(
        &world,
        request(Protocol::Browser),
        known(with_totp(user(), None)),
    );
    let first = driver.submit(Input::Password(PASSWORD.into()));
    let offered = challenge(&first.outcome);
    assert_eq!(offered.purpose, ChallengePurpose::SignIn);
    assert_eq!(offered.methods.len(), 1);
    assert_eq!(offered.methods[0].kind, MethodKind::Totp);
    assert_eq!(log_code(first), 50074);
    assert_eq!(log_entries(first).len(), 1);

    let second = driver.submit(Input::TotpCode {
        credential_id: None,
        code: totp_now(),
    });
    let Outcome::Done(done) = &second.outcome else {
        panic!("expected done, got {:?}", second.outcome);
    };
    assert_eq!(done.amr, ["pwd", "otp", "mfa"]);
    assert_eq!(done.acr.as_deref(), Some(MULTIFACTOR_AUTHENTICATION_ID));
    assert!(
        second
            .effects
            .iter()
            .any(|effect| matches!(effect, Effect::RecordTotpStep { .. }))
    );
    assert!(
        second
            .effects
            .iter()
            .any(|effect| matches!(effect, Effect::CreateSession(_)))
    );
    let entry = log_entries(second)[0];
    assert_eq!(entry.record.status.error_code, 0);
    assert_eq!(
        entry.record.authentication_requirement.as_deref(),
        Some("multiFactorAuthentication")
    );
    assert_eq!(
        entry.record.applied_conditional_access_policies[0]["result"],
        "success"
    );
    let details = entry.record.authentication_details.as_array().unwrap();
    assert_eq!(details.len(), 2);
    assert_eq!(details[1]["authenticationMethod"], "OATH verification code");
    assert!(
        entry
            .evaluation_input
            .as_deref()
            .unwrap()
            .contains("softwareOath")
    );
    assert_eq!(driver.transaction.stage(), Stage::Done);
}

#[test]
fn replayed_totp_is_refused_and_a_fresh_one_accepted() {
    let world = mfa_for_all();
    let current = totp().step_at(now()).unwrap();
    let mut driver = Driver::new(
        &world,
        request(Protocol::Browser),
        known(with_totp(user(), Some(current))),
    );
    driver.submit(Input::Password(PASSWORD.into()));
    let replay = driver.submit(Input::TotpCode {
        credential_id: None,
        code: totp_now(),
    });
    assert_eq!(
        challenge(&replay.outcome).error,
        Some(ErrorCode::StrongAuthenticationFailed)
    );
    assert_eq!(log_code(replay), 500121);
    assert!(
        !replay
            .effects
            .iter()
            .any(|effect| matches!(effect, Effect::RecordTotpStep { .. }))
    );
    // The next step's code is fresh (within the ±1 drift).
    let next = totp().code_at_step(current + 1).unwrap();
    let accepted = driver.submit(Input::TotpCode {
        credential_id: None,
        code: next,
    });
    assert!(
        matches!(accepted.outcome, Outcome::Done(_)),
        "{:?}",
        accepted.outcome
    );
}

#[test]
fn too_many_wrong_codes_end_the_sign_in() {
    let world = mfa_for_all();
    let mut driver = Driver::new(
        &world,
        request(Protocol::Browser),
        known(with_totp(user(), None)),
    );
    driver.submit(Input::Password(PASSWORD.into()));
    for _ in 0..2 {
        let wrong = driver.submit(Input::TotpCode {
            credential_id: None,
            code: "000000".into(),
        });
        assert!(matches!(wrong.outcome, Outcome::Challenge(_)));
    }
    let last = driver.submit(Input::TotpCode {
        credential_id: None,
        code: "000000".into(),
    });
    assert_eq!(
        last.outcome,
        Outcome::Blocked {
            code: ErrorCode::StrongAuthenticationFailed
        }
    );
}

/// Registration policy: from outside the trusted location, registering security info
/// needs a Temporary Access Pass.
fn onboarding_world() -> World {
    World::with_policies(vec![
        policy("Require MFA for all users", json!({})),
        policy(
            "Register security info with a TAP or from the office",
            json!({
                "conditions": {
                    "applications": {"includeApplications": [], "includeUserActions": ["urn:user:registersecurityinfo"]},
                    "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}
                },
                "grantControls": {"operator": "OR", "builtInControls": [],
                    "authenticationStrength": {"id": "7a9b0000-0000-0000-0000-00000000aaaa"}}
            }),
        ),
    ])
}

#[test]
fn tap_onboarding_of_a_user_without_methods_is_allowed_to_register() {
    let world = onboarding_world();
    let mut newcomer = user();
    newcomer.password = None;
    let (newcomer, pass) = with_tap(newcomer, true);
    let mut driver = Driver::new(&world, registration_request(), known(newcomer));
    let result = driver.submit(Input::TemporaryAccessPass(pass.clone()));
    let Outcome::Done(done) = &result.outcome else {
        panic!("expected done, got {:?}", result.outcome);
    };
    assert!(
        done.not_after.is_some(),
        "sessions must not outlive the pass"
    );
    assert!(
        result
            .effects
            .iter()
            .any(|effect| matches!(effect, Effect::PersistTemporaryAccessPass { .. }))
    );
    let entry = log_entries(result)[0];
    assert_eq!(
        entry.record.applied_conditional_access_policies[1]["result"],
        "success"
    );

    // The one-time pass is spent: a second use fails like a wrong password.
    let mut again = Driver::new(&world, registration_request(), driver.subject.clone());
    let second = again.submit(Input::TemporaryAccessPass(pass));
    assert_eq!(
        second.outcome,
        Outcome::Blocked {
            code: ErrorCode::InvalidUserNameOrPassword
        }
    );
}

#[test]
fn a_password_thief_cannot_register_from_an_untrusted_location() {
    let world = onboarding_world();
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(user()));
    let result = driver.submit(Input::Password(PASSWORD.into()));
    assert_eq!(
        result.outcome,
        Outcome::Blocked {
            code: ErrorCode::BlockedByConditionalAccess
        }
    );
    let mut direct = Driver::new(&world, registration_request(), known(user()));
    let result = direct.submit(Input::Password(PASSWORD.into()));
    assert_eq!(
        result.outcome,
        Outcome::Blocked {
            code: ErrorCode::BlockedByConditionalAccess
        }
    );
}

#[test]
fn from_the_office_registration_interrupts_and_completes_the_sign_in() {
    let world = onboarding_world();
    let mut office = request(Protocol::Browser);
    office.ip_address = Some(TRUSTED_IP.parse().unwrap());
    let mut driver = Driver::new(&world, office, known(user()));
    let first = driver.submit(Input::Password(PASSWORD.into()));
    let Outcome::RegistrationRequired(prompt) = &first.outcome else {
        panic!("expected registration, got {:?}", first.outcome);
    };
    assert_eq!(prompt.skippable_until, None);
    assert_eq!(prompt.methods[0], MethodKind::Fido2);
    assert!(prompt.methods.contains(&MethodKind::Totp));
    assert_eq!(log_code(first), 50072);
    // The edge registered a TOTP app (verified with a code) and reloaded the user.
    if let Subject::Known(user) = &mut driver.subject {
        **user = with_totp((**user).clone(), None);
    }
    let done = driver.submit(Input::MethodRegistered {
        credential_id: credential(1),
        kind: MethodKind::Totp,
        aaguid: None,
    });
    assert!(
        matches!(done.outcome, Outcome::Done(_)),
        "{:?}",
        done.outcome
    );
}

#[test]
fn tap_is_offered_as_second_factor() {
    let world = mfa_for_all();
    let (with_pass, pass) = with_tap(with_totp(user(), None), false);
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(with_pass));
    let first = driver.submit(Input::Password(PASSWORD.into()));
    let kinds: Vec<MethodKind> = challenge(&first.outcome)
        .methods
        .iter()
        .map(|m| m.kind)
        .collect();
    assert_eq!(
        kinds,
        [MethodKind::TemporaryAccessPassMultiUse, MethodKind::Totp]
    );
    let done = driver.submit(Input::TemporaryAccessPass(pass));
    assert!(
        matches!(done.outcome, Outcome::Done(_)),
        "{:?}",
        done.outcome
    );
}

#[test]
fn legacy_client_is_blocked_where_a_browser_is_challenged() {
    let world = mfa_for_all();
    for protocol in [
        Protocol::LdapBind,
        Protocol::Radius,
        Protocol::ExchangeActiveSync,
    ] {
        let mut driver = Driver::new(&world, request(protocol), known(with_totp(user(), None)));
        let result = driver.submit(Input::Password(PASSWORD.into()));
        assert_eq!(
            result.outcome,
            Outcome::Blocked {
                code: ErrorCode::StrongAuthenticationRequired
            },
            "{protocol:?}"
        );
        let entry = log_entries(result)[0];
        assert_eq!(entry.record.status.error_code, 50076);
        assert_eq!(
            entry.record.client_app_used.as_deref(),
            Some(protocol.client_app_used())
        );
    }
    let mut browser = Driver::new(
        &world,
        request(Protocol::Browser),
        known(with_totp(user(), None)),
    );
    assert!(matches!(
        browser.submit(Input::Password(PASSWORD.into())).outcome,
        Outcome::Challenge(_)
    ));
}

#[test]
fn legacy_client_may_use_out_of_band_push() {
    let world = mfa_for_all();
    let mut radius = request(Protocol::Radius);
    radius.out_of_band_available = true;
    let mut pushed = with_totp(user(), None);
    pushed.methods.push(portcullis_signin::RegisteredMethod {
        credential_id: credential(9),
        display_name: None,
        material: portcullis_signin::MethodMaterial::AuthenticatorPush,
    });
    let mut driver = Driver::new(&world, radius, known(pushed));
    let first = driver.submit(Input::Password(PASSWORD.into()));
    let offered = challenge(&first.outcome);
    assert_eq!(offered.methods.len(), 1);
    assert_eq!(offered.methods[0].kind, MethodKind::AuthenticatorPush);
    let done = driver.submit(Input::OutOfBandApproved {
        credential_id: credential(9),
    });
    assert!(matches!(done.outcome, Outcome::Done(_)));
}

#[test]
fn report_only_policy_never_changes_the_outcome_but_is_logged() {
    let world = World::with_policies(vec![policy(
        "Report-only block",
        json!({"state": "enabledForReportingButNotEnforced",
               "grantControls": {"operator": "OR", "builtInControls": ["block"]}}),
    )]);
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(user()));
    let result = driver.submit(Input::Password(PASSWORD.into()));
    assert!(
        matches!(result.outcome, Outcome::Done(_)),
        "{:?}",
        result.outcome
    );
    let record = &log_entries(result)[0].record;
    assert_eq!(
        record.applied_conditional_access_policies[0]["result"],
        "reportOnlyFailure"
    );
    assert_eq!(record.conditional_access_status.as_str(), "notApplied");
    assert_eq!(
        record.authentication_requirement.as_deref(),
        Some("singleFactorAuthentication")
    );
}

#[test]
fn blocking_policy_answers_53003() {
    let world = World::with_policies(vec![policy(
        "Block everyone",
        json!({"grantControls": {"operator": "OR", "builtInControls": ["block"]}}),
    )]);
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(user()));
    let result = driver.submit(Input::Password(PASSWORD.into()));
    assert_eq!(
        result.outcome,
        Outcome::Blocked {
            code: ErrorCode::BlockedByConditionalAccess
        }
    );
    let record = &log_entries(result)[0].record;
    assert_eq!(record.conditional_access_status.as_str(), "failure");
    assert!(
        record
            .status
            .additional_details
            .as_deref()
            .unwrap()
            .contains("Block everyone")
    );
}

#[test]
fn locked_account_is_refused_without_checking_the_password() {
    let world = mfa_for_all();
    let mut locked = user();
    for attempt in 0..10 {
        let fingerprint = locked.lockout.fingerprint(
            &portcullis_authn::lockout::FingerprintKey::new([9; 32]),
            &format!("guess {attempt}"),
        );
        locked.lockout.record_failure(
            &Default::default(),
            now() - time::Duration::seconds(5),
            Familiarity::Familiar,
            fingerprint,
        );
    }
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(locked));
    let result = driver.submit(Input::Password(PASSWORD.into()));
    assert_eq!(
        result.outcome,
        Outcome::Blocked {
            code: ErrorCode::AccountLocked
        }
    );
    assert!(!result.dummy_hash_spent);
    assert_eq!(log_code(result), 50053);
    assert!(
        !result
            .effects
            .iter()
            .any(|effect| matches!(effect, Effect::PersistLockoutState { .. }))
    );
}

#[test]
fn wrong_then_right_password() {
    let world = World::with_policies(Vec::new());
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(user()));
    let wrong = driver.submit(Input::Password("Tr0ub4dor&3".into()));
    assert_eq!(
        wrong.outcome,
        Outcome::Blocked {
            code: ErrorCode::InvalidUserNameOrPassword
        }
    );
    let subject = driver.subject.clone();
    assert_eq!(
        subject
            .user()
            .unwrap()
            .lockout
            .failures(Familiarity::Familiar),
        1
    );

    let mut retry = Driver::new(&world, request(Protocol::Browser), subject);
    let right = retry.submit(Input::Password(PASSWORD.into()));
    assert!(matches!(right.outcome, Outcome::Done(_)));
    assert_eq!(
        retry
            .subject
            .user()
            .unwrap()
            .lockout
            .failures(Familiarity::Familiar),
        0
    );
}

#[test]
fn unknown_user_is_answered_like_a_wrong_password() {
    let world = World::with_policies(Vec::new());
    let mut unknown = Driver::new(&world, request(Protocol::Browser), Subject::Unknown);
    let unknown_step = unknown.submit(Input::Password(PASSWORD.into())).clone();
    let mut wrong = Driver::new(&world, request(Protocol::Browser), known(user()));
    let wrong_step = wrong.submit(Input::Password("not it".into())).clone();
    assert_eq!(unknown_step.outcome, wrong_step.outcome);
    assert!(unknown_step.dummy_hash_spent);
    // Only the admin's log tells them apart.
    assert_eq!(log_code(&unknown_step), 50034);
    assert_eq!(log_code(&wrong_step), 50126);
    assert!(log_entries(&unknown_step)[0].record.user_id.is_none());
}

#[test]
fn disabled_user_learns_it_only_with_the_right_password() {
    let world = World::with_policies(Vec::new());
    let mut disabled = user();
    disabled.account_enabled = false;
    let mut wrong = Driver::new(&world, request(Protocol::Browser), known(disabled.clone()));
    assert_eq!(
        wrong.submit(Input::Password("nope".into())).outcome,
        Outcome::Blocked {
            code: ErrorCode::InvalidUserNameOrPassword
        }
    );
    let mut right = Driver::new(&world, request(Protocol::Browser), known(disabled));
    assert_eq!(
        right.submit(Input::Password(PASSWORD.into())).outcome,
        Outcome::Blocked {
            code: ErrorCode::UserDisabled
        }
    );
}

#[test]
fn phishing_resistant_strength_offers_only_passkeys() {
    let world = World::with_policies(vec![policy(
        "Phishing-resistant MFA",
        json!({"grantControls": {"operator": "OR", "builtInControls": [],
               "authenticationStrength": {"id": PHISHING_RESISTANT_MFA_ID}}}),
    )]);
    let full = with_sms(with_passkey(with_totp(user(), None)));
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(full));
    let first = driver.submit(Input::Password(PASSWORD.into()));
    let offered = challenge(&first.outcome);
    assert_eq!(offered.methods.len(), 1);
    assert_eq!(offered.methods[0].kind, MethodKind::Fido2);
    // A wrong method is refused outright.
    let mut other = driver.transaction.clone();
    let environment = world.environment(&driver.request, &driver.subject, now());
    let refused = portcullis_signin::step(
        &mut other,
        &environment,
        Input::TotpCode {
            credential_id: None,
            code: totp_now(),
        },
        &mut rng(),
    );
    assert_eq!(
        refused.outcome,
        Outcome::Blocked {
            code: ErrorCode::InvalidRequest
        }
    );
    // Without user verification the passkey does not count.
    let no_uv = driver.submit(Input::Passkey(PasskeyAssertion {
        credential_id: credential(2),
        user_verified: false,
        aaguid: None,
    }));
    assert_eq!(
        challenge(&no_uv.outcome).error,
        Some(ErrorCode::StrongAuthenticationFailed)
    );
    let done = driver.submit(Input::Passkey(PasskeyAssertion {
        credential_id: credential(2),
        user_verified: true,
        aaguid: None,
    }));
    let Outcome::Done(done) = &done.outcome else {
        panic!("{:?}", done.outcome)
    };
    assert_eq!(done.acr.as_deref(), Some(PHISHING_RESISTANT_MFA_ID));

    // Without a passkey the user must register one, after proving the authenticator
    // app they already have: a password alone must not enrol a passkey.
    let mut without = Driver::new(
        &world,
        request(Protocol::Browser),
        known(with_totp(user(), None)),
    );
    let first = without.submit(Input::Password(PASSWORD.into()));
    let existing = challenge(&first.outcome);
    assert_eq!(existing.purpose, ChallengePurpose::RegisterSecurityInfo);
    assert_eq!(existing.requirement, portcullis_signin::Requirement::Mfa);
    assert_eq!(existing.methods[0].kind, MethodKind::Totp);
    let proved = without.submit(Input::TotpCode {
        credential_id: None,
        code: totp_now(),
    });
    let Outcome::RegistrationRequired(prompt) = &proved.outcome else {
        panic!("expected registration, got {:?}", proved.outcome);
    };
    assert_eq!(prompt.methods, [MethodKind::Fido2]);
    // The passkey registered in the interrupt completes the sign-in as phishing-resistant.
    without.subject = known(with_passkey(with_totp(user(), None)));
    let registered = without.submit(Input::MethodRegistered {
        credential_id: credential(2),
        kind: MethodKind::Fido2,
        aaguid: None,
    });
    let Outcome::Done(done) = &registered.outcome else {
        panic!("expected done, got {:?}", registered.outcome);
    };
    assert_eq!(done.acr.as_deref(), Some(PHISHING_RESISTANT_MFA_ID));
}

#[test]
fn a_method_the_edge_did_not_store_is_refused_in_the_interrupt() {
    let world = mfa_for_all();
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(user()));
    driver.submit(Input::Password(PASSWORD.into()));
    let forged = driver.submit(Input::MethodRegistered {
        credential_id: credential(1),
        kind: MethodKind::Totp,
        aaguid: None,
    });
    assert_eq!(
        forged.outcome,
        Outcome::Blocked {
            code: ErrorCode::InvalidRequest
        }
    );
}

#[test]
fn a_user_without_methods_registers_in_the_interrupt_and_finishes_signing_in() {
    let world = mfa_for_all();
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(user()));
    let first = driver.submit(Input::Password(PASSWORD.into()));
    let Outcome::RegistrationRequired(prompt) = &first.outcome else {
        panic!("expected registration, got {:?}", first.outcome);
    };
    assert!(prompt.methods.contains(&MethodKind::Totp));
    assert_eq!(log_code(first), 50072);
    // The edge saved the app (verified by its first code) and reloads the user with it.
    driver.subject = known(with_totp(user(), None));
    let done = driver.submit(Input::MethodRegistered {
        credential_id: credential(1),
        kind: MethodKind::Totp,
        aaguid: None,
    });
    let Outcome::Done(completed) = &done.outcome else {
        panic!("expected done, got {:?}", done.outcome);
    };
    assert_eq!(completed.amr, ["pwd", "otp", "mfa"]);
}

#[test]
fn passwordless_passkey_sign_in() {
    let world = World::with_policies(vec![policy(
        "Phishing-resistant MFA",
        json!({"grantControls": {"operator": "OR", "builtInControls": [],
               "authenticationStrength": {"id": PHISHING_RESISTANT_MFA_ID}}}),
    )]);
    let mut driver = Driver::new(
        &world,
        request(Protocol::Browser),
        known(with_passkey(user())),
    );
    let result = driver.submit(Input::Passkey(PasskeyAssertion {
        credential_id: credential(2),
        user_verified: true,
        aaguid: None,
    }));
    let Outcome::Done(done) = &result.outcome else {
        panic!("{:?}", result.outcome)
    };
    assert_eq!(done.amr, ["hwk", "user", "mfa"]);
}

#[test]
fn a_phone_is_neither_offered_nor_proposed_when_no_provider_can_reach_it() {
    let mut world = mfa_for_all();
    world.config.deliverable_codes = DeliverableCodes {
        sms: false,
        voice: false,
        email: true,
    };
    // Registered phone, nothing to send its code with: the challenge cannot use it, so
    // the user registers something that works instead of meeting a failed send.
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(with_sms(user())));
    let first = driver.submit(Input::Password(PASSWORD.into()));
    let Outcome::RegistrationRequired(prompt) = &first.outcome else {
        panic!("expected registration, got {:?}", first.outcome);
    };
    assert!(
        prompt.methods.contains(&MethodKind::Totp),
        "{:?}",
        prompt.methods
    );
    assert!(
        !prompt.methods.contains(&MethodKind::Sms) && !prompt.methods.contains(&MethodKind::Voice),
        "{:?}",
        prompt.methods
    );
    // With a provider, the same user and policy get the text-message challenge.
    let reachable = mfa_for_all();
    let mut driver = Driver::new(
        &reachable,
        request(Protocol::Browser),
        known(with_sms(user())),
    );
    let first = driver.submit(Input::Password(PASSWORD.into()));
    assert_eq!(challenge(&first.outcome).methods[0].kind, MethodKind::Sms);
}

#[test]
fn sms_code_is_sent_and_verified() {
    let world = mfa_for_all();
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(with_sms(user())));
    let first = driver.submit(Input::Password(PASSWORD.into()));
    assert_eq!(challenge(&first.outcome).methods[0].kind, MethodKind::Sms);
    let sent = driver.submit(Input::SendCode {
        credential_id: credential(3),
    });
    assert_eq!(challenge(&sent.outcome).code_sent_to, Some(credential(3)));
    let code = sent
        .effects
        .iter()
        .find_map(|effect| match effect {
            Effect::SendOneTimeCode {
                code, destination, ..
            } => {
                assert_eq!(destination, "+31600000000");
                Some(code.as_str().to_owned())
            }
            _ => None,
        })
        .unwrap();
    // SMS-only users are nudged towards the Authenticator app (Microsoft-managed campaign).
    let nudge = driver.submit(Input::OneTimeCode(code)).clone();
    let Outcome::RegistrationRequired(prompt) = &nudge.outcome else {
        panic!("expected the campaign nudge, got {:?}", nudge.outcome);
    };
    assert!(prompt.campaign);
    assert_eq!(prompt.methods, [MethodKind::AuthenticatorPush]);
    assert_eq!(
        prompt.skippable_until,
        Some(now() + time::Duration::days(1))
    );
    let done = driver.submit(Input::SkipRegistration);
    assert!(
        matches!(done.outcome, Outcome::Done(_)),
        "{:?}",
        done.outcome
    );
    assert!(done
        .effects
        .iter()
        .any(|effect| matches!(effect, Effect::SnoozeRegistrationCampaign { progress, .. } if progress.snoozes == 1)));
    // Snoozed: the next sign-in is not nudged.
    let snoozed = driver.subject.clone();
    let mut again = Driver::new(&world, request(Protocol::Browser), snoozed);
    again.submit(Input::Password(PASSWORD.into()));
    let sent = again
        .submit(Input::SendCode {
            credential_id: credential(3),
        })
        .clone();
    let code = sent
        .effects
        .iter()
        .find_map(|effect| match effect {
            Effect::SendOneTimeCode { code, .. } => Some(code.as_str().to_owned()),
            _ => None,
        })
        .unwrap();
    assert!(matches!(
        again.submit(Input::OneTimeCode(code)).outcome,
        Outcome::Done(_)
    ));
}

#[test]
fn campaign_becomes_mandatory_after_the_allowed_snoozes_and_skips_phones() {
    let world = mfa_for_all();
    let mut snoozed_out = with_sms(user());
    snoozed_out.registration_campaign.snoozes = 3;
    let sign_in = |request: portcullis_signin::RequestContext,
                   user: &portcullis_signin::UserRecord| {
        let mut driver = Driver::new(&world, request, known(user.clone()));
        driver.submit(Input::Password(PASSWORD.into()));
        let sent = driver
            .submit(Input::SendCode {
                credential_id: credential(3),
            })
            .clone();
        let code = sent
            .effects
            .iter()
            .find_map(|effect| match effect {
                Effect::SendOneTimeCode { code, .. } => Some(code.as_str().to_owned()),
                _ => None,
            })
            .unwrap();
        driver.submit(Input::OneTimeCode(code)).outcome.clone()
    };
    let Outcome::RegistrationRequired(prompt) = sign_in(request(Protocol::Browser), &snoozed_out)
    else {
        panic!("expected the nudge");
    };
    assert_eq!(prompt.skippable_until, None);
    let mut phone = request(Protocol::NativeApp);
    phone.device_platform = Some(portcullis_policy::model::DevicePlatform::IOs);
    assert!(matches!(sign_in(phone, &snoozed_out), Outcome::Done(_)));
}

#[test]
fn expired_password_must_be_changed_after_mfa() {
    let world = mfa_for_all();
    let mut expired = with_totp(user(), None);
    if let Some(password) = &mut expired.password {
        password.must_change = true;
    }
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(expired.clone()));
    assert!(matches!(
        driver.submit(Input::Password(PASSWORD.into())).outcome,
        Outcome::Challenge(_)
    ));
    let change = driver.submit(Input::TotpCode {
        credential_id: None,
        code: totp_now(),
    });
    assert_eq!(
        change.outcome,
        Outcome::PasswordChangeRequired {
            reason: PasswordChangeReason::Expired
        }
    );
    assert_eq!(log_code(change), 50125);
    let done = driver.submit(Input::PasswordChanged);
    assert!(matches!(done.outcome, Outcome::Done(_)));

    let open = World::with_policies(Vec::new());
    let mut ldap = Driver::new(&open, request(Protocol::LdapBind), known(expired));
    assert_eq!(
        ldap.submit(Input::Password(PASSWORD.into())).outcome,
        Outcome::Blocked {
            code: ErrorCode::PasswordExpired
        }
    );
}

#[test]
fn security_defaults_grace_lets_users_skip_registration_for_14_days() {
    let world = World::new(json!({"policies": [], "securityDefaults": {"isEnabled": true}}));
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(user()));
    let first = driver.submit(Input::Password(PASSWORD.into()));
    let Outcome::RegistrationRequired(prompt) = &first.outcome else {
        panic!("{:?}", first.outcome)
    };
    assert_eq!(
        prompt.skippable_until,
        Some(now() + time::Duration::days(14))
    );
    assert_eq!(
        prompt.methods,
        [MethodKind::AuthenticatorPush, MethodKind::Totp]
    );
    assert!(
        first
            .effects
            .iter()
            .any(|effect| matches!(effect, Effect::StartRegistrationGrace { .. }))
    );
    let done = driver.submit(Input::SkipRegistration);
    let Outcome::Done(done) = &done.outcome else {
        panic!("{:?}", done.outcome)
    };
    assert_eq!(
        done.mfa_registration_due_by,
        Some(now() + time::Duration::days(14))
    );

    // After the grace the same user must register, and cannot skip.
    let mut late_user = driver.subject.user().unwrap().clone();
    late_user.security_defaults_first_interactive_sign_in_at =
        Some(now() - time::Duration::days(15));
    let mut late = Driver::new(&world, request(Protocol::Browser), known(late_user));
    let late_step = late.submit(Input::Password(PASSWORD.into())).clone();
    let Outcome::RegistrationRequired(prompt) = &late_step.outcome else {
        panic!(
            "expected registration, got {:?} {:?}",
            late_step.outcome,
            log_entries(&late_step)[0].record.status
        );
    };
    assert_eq!(prompt.skippable_until, None);
    assert_eq!(
        late.submit(Input::SkipRegistration).outcome,
        Outcome::Blocked {
            code: ErrorCode::InvalidRequest
        }
    );
}

#[test]
fn risky_sign_in_cannot_register_a_method() {
    let world = mfa_for_all();
    let mut risky = request(Protocol::Browser);
    risky.risk.sign_in_risk_level = Some(portcullis_policy::model::RiskLevel::High);
    risky.risk.sign_in_risk_reasons = vec!["unfamiliarFeatures".into()];
    let mut driver = Driver::new(&world, risky, known(user()));
    let result = driver.submit(Input::Password(PASSWORD.into()));
    assert_eq!(
        result.outcome,
        Outcome::Blocked {
            code: ErrorCode::RegistrationBlockedDueToRisk
        }
    );
    let record = &log_entries(result)[0].record;
    assert_eq!(record.risk_level_during_sign_in.as_deref(), Some("high"));
    assert_eq!(record.risk_state.as_deref(), Some("atRisk"));
}

#[test]
fn compliant_device_requirement_blocks_with_its_code() {
    let world = World::with_policies(vec![policy(
        "Compliant device",
        json!({"grantControls": {"operator": "OR", "builtInControls": ["compliantDevice"]}}),
    )]);
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(user()));
    assert_eq!(
        driver.submit(Input::Password(PASSWORD.into())).outcome,
        Outcome::Blocked {
            code: ErrorCode::DeviceNotCompliant
        }
    );
}

#[test]
fn expired_transaction_and_steps_after_the_end_fail() {
    let world = World::with_policies(Vec::new());
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(user()));
    driver.now = now() + time::Duration::minutes(16);
    assert_eq!(
        driver.submit(Input::Password(PASSWORD.into())).outcome,
        Outcome::Blocked {
            code: ErrorCode::TransactionExpired
        }
    );
    let after = driver.submit(Input::Password(PASSWORD.into()));
    assert_eq!(
        after.outcome,
        Outcome::Blocked {
            code: ErrorCode::InvalidRequest
        }
    );
    assert_eq!(log_entries(after).len(), 1);
}

#[test]
fn offers_follow_system_preferred_order_and_the_methods_policy() {
    let mut world = mfa_for_all();
    let (everything, _) = with_tap(with_sms(with_passkey(with_totp(user(), None))), false);
    let mut everything = everything;
    everything
        .methods
        .push(portcullis_signin::RegisteredMethod {
            credential_id: credential(9),
            display_name: None,
            material: portcullis_signin::MethodMaterial::AuthenticatorPush,
        });
    let kinds = |world: &World, user: &portcullis_signin::UserRecord| {
        let mut driver = Driver::new(world, request(Protocol::Browser), known(user.clone()));
        let first = driver.submit(Input::Password(PASSWORD.into())).clone();
        challenge(&first.outcome)
            .methods
            .iter()
            .map(|method| method.kind)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        kinds(&world, &everything),
        [
            MethodKind::TemporaryAccessPassMultiUse,
            MethodKind::Fido2,
            MethodKind::AuthenticatorPush,
            MethodKind::Totp,
            MethodKind::Sms,
        ]
    );
    // SMS off for everyone, TAP excluded for one group the user is in.
    world.methods.methods.insert(
        MethodKind::Sms,
        portcullis_signin::MethodConfiguration {
            enabled: false,
            ..Default::default()
        },
    );
    world.methods.methods.insert(
        MethodKind::TemporaryAccessPassMultiUse,
        portcullis_signin::MethodConfiguration {
            exclude_group_ids: vec!["g-contractors".into()],
            ..Default::default()
        },
    );
    everything.group_ids.push("G-CONTRACTORS".into());
    assert_eq!(
        kinds(&world, &everything),
        [
            MethodKind::Fido2,
            MethodKind::AuthenticatorPush,
            MethodKind::Totp
        ]
    );
}

#[test]
fn transaction_survives_serialisation_between_steps() {
    let world = mfa_for_all();
    let mut driver = Driver::new(
        &world,
        request(Protocol::Browser),
        known(with_totp(user(), None)),
    );
    driver.submit(Input::Password(PASSWORD.into()));
    let stored = serde_json::to_string(&driver.transaction).unwrap();
    assert!(!stored.contains(PASSWORD));
    driver.transaction = serde_json::from_str(&stored).unwrap();
    let done = driver.submit(Input::TotpCode {
        credential_id: None,
        code: totp_now(),
    });
    assert!(matches!(done.outcome, Outcome::Done(_)));
}

#[test]
fn a_different_user_cannot_continue_the_transaction() {
    let world = mfa_for_all();
    let mut driver = Driver::new(
        &world,
        request(Protocol::Browser),
        known(with_totp(user(), None)),
    );
    driver.submit(Input::Password(PASSWORD.into()));
    let mut other = with_totp(user(), None);
    other.id = portcullis_core::UserId::parse(&id(2)).unwrap();
    driver.subject = known(other);
    let result = driver.submit(Input::TotpCode {
        credential_id: None,
        code: totp_now(),
    });
    assert_eq!(
        result.outcome,
        Outcome::Blocked {
            code: ErrorCode::InvalidRequest
        }
    );
}

#[test]
fn stored_evaluation_input_replays_against_a_draft_policy() {
    let world = World::with_policies(Vec::new());
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(user()));
    let done = driver.submit(Input::Password(PASSWORD.into())).clone();
    let stored = log_entries(&done)[0].evaluation_input.clone().unwrap();
    assert!(!stored.contains("null"), "{stored}");
    let context = portcullis_signin::replay_input(&stored).unwrap();
    // The draft "require MFA" would have challenged this password-only sign-in.
    let draft = mfa_for_all();
    let decision = portcullis_policy::evaluate::evaluate(&draft.compiled, &context);
    assert_eq!(decision.outcome.kind(), "needsControls");
    assert!(portcullis_signin::replay_input("{").is_err());
}

#[test]
fn an_existing_session_is_judged_with_the_same_mapping() {
    let world = World::with_policies(vec![policy(
        "Every time",
        json!({"grantControls": {"operator": "OR", "builtInControls": []},
               "sessionControls": {"signInFrequency": {"isEnabled": true,
                   "frequencyInterval": "everyTime",
                   "authenticationType": "primaryAndSecondaryAuthentication"}}}),
    )]);
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(user()));
    let Outcome::Done(done) = driver
        .submit(Input::Password(PASSWORD.into()))
        .outcome
        .clone()
    else {
        panic!("expected done");
    };
    assert!(
        done.session_controls
            .sign_in_frequency
            .is_some_and(|frequency| frequency.every_time)
    );
    let session = portcullis_policy::evaluate::SessionState {
        authenticated_at: Some(done.auth_time),
        methods: done.methods.clone(),
    };
    let judge = |minutes: i64| {
        let context = portcullis_signin::session_evaluation_context(
            &driver.request,
            &world
                .environment(&driver.request, &driver.subject, now())
                .policy,
            driver.subject.user().unwrap(),
            &session,
            false,
            driver.request.target.clone(),
            now() + time::Duration::minutes(minutes),
        );
        portcullis_policy::evaluate::evaluate(&world.compiled, &context)
            .outcome
            .kind()
    };
    // Within the 5-minute tolerance of "every time", then due.
    assert_eq!(judge(4), "allow");
    assert_eq!(judge(10), "needsControls");
}

#[test]
fn fido2_key_restrictions_apply_at_sign_in() {
    let mut world = World::with_policies(vec![policy(
        "Phishing-resistant MFA",
        json!({"grantControls": {"operator": "OR", "builtInControls": [],
               "authenticationStrength": {"id": PHISHING_RESISTANT_MFA_ID}}}),
    )]);
    world.methods.fido2_key_restrictions = portcullis_signin::KeyRestrictions {
        is_enforced: true,
        enforcement_type: portcullis_signin::KeyEnforcement::Allow,
        aa_guids: vec![uuid::Uuid::from_u128(7)],
    };
    let holder = with_passkey(user());
    let mut passwordless = Driver::new(&world, request(Protocol::Browser), known(holder.clone()));
    let refused = passwordless.submit(Input::Passkey(PasskeyAssertion {
        credential_id: credential(2),
        user_verified: true,
        aaguid: None,
    }));
    assert_eq!(
        refused.outcome,
        Outcome::Blocked {
            code: ErrorCode::InvalidUserNameOrPassword
        }
    );
    let mut with_password = Driver::new(&world, request(Protocol::Browser), known(holder));
    assert!(matches!(
        with_password
            .submit(Input::Password(PASSWORD.into()))
            .outcome,
        Outcome::RegistrationRequired(_)
    ));
}

#[test]
fn a_hash_with_old_parameters_is_replaced_after_a_correct_password() {
    let world = World::with_policies(Vec::new());
    let mut old = user();
    let weaker =
        portcullis_authn::password::PasswordHasher::new(portcullis_authn::password::Argon2Params {
            memory_kib: 32,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap();
    old.password.as_mut().unwrap().phc = weaker.hash(PASSWORD, &mut rng()).unwrap();
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(old));
    let result = driver.submit(Input::Password(PASSWORD.into()));
    assert!(matches!(result.outcome, Outcome::Done(_)));
    let replaced = result.effects.iter().find_map(|effect| match effect {
        Effect::ReplacePasswordHash { phc, .. } => Some(phc.clone()),
        _ => None,
    });
    let replaced = replaced.expect("the hash is upgraded");
    assert!(hasher().verify(PASSWORD, &replaced).unwrap());
    assert!(!hasher().needs_rehash(&replaced).unwrap());
    // An up-to-date hash is left alone.
    let mut current = Driver::new(&world, request(Protocol::Browser), known(user()));
    let result = current.submit(Input::Password(PASSWORD.into()));
    assert!(
        !result
            .effects
            .iter()
            .any(|effect| matches!(effect, Effect::ReplacePasswordHash { .. }))
    );
}

#[test]
fn per_user_mfa_challenges_modern_clients_and_blocks_legacy_ones() {
    let world = World::new(json!({"policies": [], "perUserMfa": {id(1): "enforced"}}));
    let mut browser = Driver::new(
        &world,
        request(Protocol::Browser),
        known(with_totp(user(), None)),
    );
    assert!(matches!(
        browser.submit(Input::Password(PASSWORD.into())).outcome,
        Outcome::Challenge(_)
    ));
    let mut ldap = Driver::new(
        &world,
        request(Protocol::LdapBind),
        known(with_totp(user(), None)),
    );
    assert_eq!(
        ldap.submit(Input::Password(PASSWORD.into())).outcome,
        Outcome::Blocked {
            code: ErrorCode::StrongAuthenticationRequired
        }
    );
    let record = &log_entries(&ldap.steps[0])[0].record;
    assert_eq!(
        record.extra["baselineRequirements"][0]["rule"],
        "perUserMfa"
    );
}

#[test]
fn a_passkey_refused_at_the_edge_is_a_logged_failure() {
    let world = World::with_policies(vec![policy(
        "Phishing-resistant MFA",
        json!({"grantControls": {"operator": "OR", "builtInControls": [],
               "authenticationStrength": {"id": PHISHING_RESISTANT_MFA_ID}}}),
    )]);
    let mut driver = Driver::new(
        &world,
        request(Protocol::Browser),
        known(with_passkey(user())),
    );
    driver.submit(Input::Password(PASSWORD.into()));
    let refused = driver.submit(Input::PasskeyRefused {
        reason: "the challenge does not match".into(),
    });
    assert_eq!(
        challenge(&refused.outcome).error,
        Some(ErrorCode::StrongAuthenticationFailed),
        "a refused answer counts like a wrong one; the challenge stays"
    );
    assert_eq!(log_code(refused), 500121);

    // As the first factor (username-less), it ends the sign-in like a wrong password.
    let mut first = Driver::new(&world, request(Protocol::Browser), Subject::Unknown);
    let ended = first.submit(Input::PasskeyRefused {
        reason: "unknown credential".into(),
    });
    assert_eq!(
        ended.outcome,
        Outcome::Blocked {
            code: ErrorCode::InvalidUserNameOrPassword
        }
    );
    assert_eq!(log_code(ended), 50126);
}

#[test]
fn only_a_method_the_prompt_offered_can_be_registered_in_the_interrupt() {
    // Security defaults register app methods only: a text-message phone the edge saved
    // (the methods policy allows it) is not counted in this sign-in.
    let world = World::new(json!({"policies": [], "securityDefaults": {"isEnabled": true}}));
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(user()));
    let first = driver.submit(Input::Password(PASSWORD.into()));
    let Outcome::RegistrationRequired(prompt) = &first.outcome else {
        panic!("{:?}", first.outcome)
    };
    assert!(!prompt.methods.contains(&MethodKind::Sms));
    let phone = with_sms(user());
    let phone_id = phone.methods[0].credential_id.clone();
    driver.subject = known(phone);
    let refused = driver.submit(Input::MethodRegistered {
        credential_id: phone_id,
        kind: MethodKind::Sms,
        aaguid: None,
    });
    assert_eq!(
        refused.outcome,
        Outcome::Blocked {
            code: ErrorCode::InvalidRequest
        }
    );

    // Where the requirement's prompt lists text messages, the same phone counts.
    let world = mfa_for_all();
    let mut driver = Driver::new(&world, request(Protocol::Browser), known(user()));
    let first = driver.submit(Input::Password(PASSWORD.into()));
    let Outcome::RegistrationRequired(prompt) = &first.outcome else {
        panic!("{:?}", first.outcome)
    };
    assert!(prompt.methods.contains(&MethodKind::Sms), "{prompt:?}");
    let phone = with_sms(user());
    let phone_id = phone.methods[0].credential_id.clone();
    driver.subject = known(phone);
    let done = driver.submit(Input::MethodRegistered {
        credential_id: phone_id,
        kind: MethodKind::Sms,
        aaguid: None,
    });
    // Counted as the second factor: done, or the campaign's nudge that only follows MFA.
    assert!(
        matches!(&done.outcome, Outcome::Done(_))
            || matches!(&done.outcome, Outcome::RegistrationRequired(p) if p.campaign),
        "{:?}",
        done.outcome
    );
}
