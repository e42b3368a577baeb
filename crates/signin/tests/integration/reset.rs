//! Self-service password reset, pure: verifications counted per method kind, one or two
//! required, and an unknown, disabled or method-less account indistinguishable from a
//! real one by its answers.

#![allow(clippy::unwrap_used)]

use crate::support;
use portcullis_authn::otp_code::OtpCodePolicy;
use portcullis_signin::{
    AuthenticationMethodsPolicy, Effect, MAX_RESET_FAILURES, PasswordReset, ResetChannel,
    ResetEnvironment, ResetInput, ResetPolicy, ResetStage, UserRecord,
};
use support::{now, rng, totp, user, with_sms, with_totp};

struct Run {
    reset: PasswordReset,
    policy: ResetPolicy,
    methods: AuthenticationMethodsPolicy,
    codes: OtpCodePolicy,
}

impl Run {
    fn new(user: Option<&UserRecord>, required: u8) -> Self {
        Run {
            reset: PasswordReset::begin("ada@example.org", user, now()),
            policy: ResetPolicy {
                methods_required: required,
            },
            methods: AuthenticationMethodsPolicy::default(),
            codes: OtpCodePolicy::default(),
        }
    }

    fn answer(
        &mut self,
        user: Option<&UserRecord>,
        input: ResetInput,
    ) -> (ResetStage, Vec<Effect>) {
        self.answer_at(user, input, now())
    }

    fn answer_at(
        &mut self,
        user: Option<&UserRecord>,
        input: ResetInput,
        at: time::OffsetDateTime,
    ) -> (ResetStage, Vec<Effect>) {
        let env = ResetEnvironment {
            policy: &self.policy,
            methods: &self.methods,
            codes: &self.codes,
            now: at,
        };
        let step = self.reset.step(&env, user, input, &mut rng());
        (step.stage, step.effects)
    }
}

fn totp_now() -> String {
    totp().code_at(now()).unwrap()
}

fn sent_code(effects: &[Effect]) -> Option<String> {
    effects.iter().find_map(|effect| match effect {
        Effect::SendOneTimeCode { code, .. } => Some(code.as_str().to_owned()),
        _ => None,
    })
}

#[test]
fn one_authenticator_code_lets_the_user_choose_a_password() {
    let ada = with_totp(user(), None);
    let mut run = Run::new(Some(&ada), 1);
    let (stage, _) = run.answer(Some(&ada), ResetInput::TotpCode("000000".into()));
    assert!(matches!(
        stage,
        ResetStage::Verifying {
            wrong_answer: true,
            verified: 0,
            ..
        }
    ));
    let (stage, effects) = run.answer(Some(&ada), ResetInput::TotpCode(totp_now()));
    assert_eq!(stage, ResetStage::ChoosePassword);
    assert!(
        effects
            .iter()
            .any(|effect| matches!(effect, Effect::RecordTotpStep { .. })),
        "the step is recorded so the code cannot be replayed"
    );
    assert_eq!(run.reset.verified_user(&run.policy), Some(&ada.id));
}

#[test]
fn a_used_totp_step_is_refused() {
    let step = totp().verify(&totp_now(), now(), None).unwrap();
    let ada = with_totp(user(), Some(step));
    let mut run = Run::new(Some(&ada), 1);
    let (stage, _) = run.answer(Some(&ada), ResetInput::TotpCode(totp_now()));
    assert!(matches!(
        stage,
        ResetStage::Verifying {
            wrong_answer: true,
            ..
        }
    ));
}

#[test]
fn two_methods_must_be_two_different_kinds() {
    let ada = with_sms(with_totp(user(), None));
    let mut run = Run::new(Some(&ada), 2);
    run.answer(Some(&ada), ResetInput::TotpCode(totp_now()));
    // The same app again does not count twice (even with a fresh code).
    let later = totp().code_at(now() + time::Duration::seconds(30)).unwrap();
    let (stage, _) = run.answer_at(
        Some(&ada),
        ResetInput::TotpCode(later),
        now() + time::Duration::seconds(30),
    );
    assert!(matches!(
        stage,
        ResetStage::Verifying {
            verified: 1,
            required: 2,
            ..
        }
    ));
    let (stage, effects) = run.answer(Some(&ada), ResetInput::SendCode(ResetChannel::Sms));
    assert!(matches!(
        stage,
        ResetStage::Verifying {
            code_sent: Some(ResetChannel::Sms),
            ..
        }
    ));
    let code = sent_code(&effects).expect("a code for the phone");
    let (stage, _) = run.answer(Some(&ada), ResetInput::OneTimeCode(code));
    assert_eq!(stage, ResetStage::ChoosePassword);
}

/// The stages a caller sees for a fixed sequence of answers.
fn observed(user: Option<&UserRecord>) -> Vec<ResetStage> {
    let mut run = Run::new(user, 1);
    let mut stages = Vec::new();
    for input in [
        ResetInput::SendCode(ResetChannel::Email),
        ResetInput::OneTimeCode("123456".into()),
        ResetInput::SendCode(ResetChannel::Sms),
        ResetInput::OneTimeCode("123456".into()),
        ResetInput::TotpCode("123456".into()),
        ResetInput::TotpCode("654321".into()),
        ResetInput::OneTimeCode("123456".into()),
        ResetInput::SendCode(ResetChannel::Email),
    ] {
        stages.push(run.answer(user, input).0);
    }
    stages
}

#[test]
fn unknown_disabled_and_method_less_accounts_answer_alike() {
    let mut disabled = with_sms(user());
    disabled.account_enabled = false;
    let plain = user();
    let unknown = observed(None);
    assert_eq!(observed(Some(&disabled)), unknown);
    assert_eq!(observed(Some(&plain)), unknown);
    // A real phone answers the same as long as the typed codes are wrong.
    assert_eq!(observed(Some(&with_sms(user()))), unknown);
    assert_eq!(
        unknown.last(),
        Some(&ResetStage::Failed),
        "{MAX_RESET_FAILURES} wrong answers end the reset"
    );
}

#[test]
fn a_disabled_account_never_reaches_the_password_even_with_the_right_code() {
    let mut ada = with_totp(user(), None);
    ada.account_enabled = false;
    let mut run = Run::new(Some(&ada), 1);
    let (stage, effects) = run.answer(Some(&ada), ResetInput::TotpCode(totp_now()));
    assert!(matches!(stage, ResetStage::Verifying { .. }));
    assert!(effects.is_empty());
    assert_eq!(run.reset.verified_user(&run.policy), None);
}
