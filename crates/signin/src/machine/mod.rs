//! The state machine: one `step` per user action, answering with an outcome and the
//! effects the edge must carry out. Exactly one sign-in log entry per step.

mod context;
mod decide;
mod first_factor;
mod offers;
mod phone_sign_in;
mod second_factor;
mod step_up;

use portcullis_authn::CryptoRng;
use portcullis_core::SignInId;
use portcullis_policy::evaluate::{Decision, SignInContext};
use time::OffsetDateTime;

pub use context::{evaluation_context, session_evaluation_context};
pub use step_up::{StepUpSession, begin_step_up};

use crate::campaign::CampaignProgress;
use crate::config::{PolicyEnvironment, SignInConfig};
use crate::effect::Effect;
use crate::error_code::ErrorCode;
use crate::input::Input;
use crate::log::{self, LogFacts};
use crate::outcome::Outcome;
use crate::request::RequestContext;
use crate::subject::Subject;
use crate::transaction::{SignInTransaction, Stage};

/// Everything a step reads besides the transaction and the input.
#[derive(Debug, Clone, Copy)]
pub struct StepEnvironment<'a> {
    pub config: &'a SignInConfig,
    pub policy: PolicyEnvironment<'a>,
    pub request: &'a RequestContext,
    /// The user, loaded afresh for this step.
    pub subject: &'a Subject,
    pub now: OffsetDateTime,
}

/// The answer to one step.
#[derive(Debug, Clone)]
pub struct Step {
    pub outcome: Outcome,
    /// To carry out in order; contains exactly one `AppendSignInLog`.
    pub effects: Vec<Effect>,
    /// The step verified the dummy hash (unknown user, or a user without a password), so
    /// it cost what a wrong password costs. For metrics and timing tests only: never
    /// show it to the caller.
    pub dummy_hash_spent: bool,
}

/// Runs one step of `transaction`. Pure: the result depends only on the arguments
/// (randomness comes from `rng`: one-time codes and the log record's ID).
///
/// Argon2 verification happens inside (password, Temporary Access Pass), so an async
/// edge runs this on a blocking thread.
pub fn step<R: CryptoRng + ?Sized>(
    transaction: &mut SignInTransaction,
    environment: &StepEnvironment<'_>,
    input: Input,
    rng: &mut R,
) -> Step {
    let mut run = Run::new(environment);
    let outcome = run.dispatch(transaction, input, rng);
    finish(run, transaction, outcome, rng)
}

/// Turns a step's outcome into the transaction's next stage, the session effect and the
/// one log entry (shared by [`step`] and [`begin_step_up`]).
pub(crate) fn finish<R: CryptoRng + ?Sized>(
    mut run: Run<'_, '_>,
    transaction: &mut SignInTransaction,
    outcome: Outcome,
    rng: &mut R,
) -> Step {
    let environment = run.env;
    transaction.stage = match &outcome {
        Outcome::Done(_) => Stage::Done,
        Outcome::Blocked { .. } => Stage::Failed,
        Outcome::Challenge(_) => Stage::Challenge,
        Outcome::RegistrationRequired(prompt) => Stage::Registration {
            skippable: prompt.skippable_until.is_some(),
        },
        Outcome::PasswordChangeRequired { .. } => Stage::PasswordChange,
    };
    if !matches!(outcome, Outcome::Challenge(_)) {
        transaction.offered.clear();
    }
    transaction.registration_offered = match &outcome {
        Outcome::RegistrationRequired(prompt) => prompt.methods.clone(),
        _ => Vec::new(),
    };
    if let Outcome::Done(completed) = &outcome {
        run.effects
            .push(Effect::CreateSession(Box::new(completed.clone())));
    }
    let log_code = run.code.or(match &outcome {
        Outcome::Done(_) => None,
        Outcome::Challenge(challenge) => Some(
            challenge
                .error
                .unwrap_or(ErrorCode::StrongAuthenticationInterrupt),
        ),
        Outcome::RegistrationRequired(_) => Some(ErrorCode::RegistrationInterrupt),
        Outcome::PasswordChangeRequired { .. } => Some(ErrorCode::PasswordChangeInterrupt),
        Outcome::Blocked { code } => Some(*code),
    });
    let entry = log::build(&LogFacts {
        id: SignInId::from_uuid(time_ordered_id(environment.now, rng)),
        now: environment.now,
        transaction,
        request: environment.request,
        user: environment.subject.user(),
        code: log_code,
        additional_details: run.details.take(),
        decision: run.decision.as_ref(),
        evaluation_input: run.evaluation_input.as_ref(),
    });
    run.effects.push(Effect::AppendSignInLog(Box::new(entry)));
    Step {
        outcome,
        effects: run.effects,
        dummy_hash_spent: run.dummy_hash_spent,
    }
}

/// A log entry's id: time-ordered, so the log's id index is appended to
/// ([`portcullis_core::ids::time_ordered_uuid`]).
fn time_ordered_id<R: CryptoRng + ?Sized>(now: OffsetDateTime, rng: &mut R) -> uuid::Uuid {
    let mut random = [0u8; 10];
    rng.fill_bytes(&mut random);
    portcullis_core::ids::time_ordered_uuid(now, random)
}

/// One step in progress: what it has decided so far.
pub(crate) struct Run<'e, 'a> {
    pub(crate) env: &'e StepEnvironment<'a>,
    pub(crate) effects: Vec<Effect>,
    /// The internal code for the log, when it differs from what the outcome implies.
    pub(crate) code: Option<ErrorCode>,
    pub(crate) details: Option<String>,
    /// The last Conditional Access decision of this step (the one logged).
    pub(crate) decision: Option<Decision<'a>>,
    pub(crate) evaluation_input: Option<SignInContext>,
    pub(crate) dummy_hash_spent: bool,
}

impl<'e, 'a> Run<'e, 'a> {
    pub(crate) fn new(env: &'e StepEnvironment<'a>) -> Self {
        Self {
            env,
            effects: Vec::new(),
            code: None,
            details: None,
            decision: None,
            evaluation_input: None,
            dummy_hash_spent: false,
        }
    }

    /// Ends the transaction with `code` (logged as is; the caller sees its public form).
    pub(crate) fn fail(&mut self, code: ErrorCode, details: impl Into<Option<String>>) -> Outcome {
        self.code = Some(code);
        if let Some(details) = details.into() {
            self.details = Some(details);
        }
        Outcome::Blocked {
            code: code.public(),
        }
    }

    fn dispatch<R: CryptoRng + ?Sized>(
        &mut self,
        transaction: &mut SignInTransaction,
        input: Input,
        rng: &mut R,
    ) -> Outcome {
        let env = self.env;
        if matches!(transaction.stage, Stage::Done | Stage::Failed) {
            return self.fail(
                ErrorCode::InvalidRequest,
                format!("the transaction is over; {} arrived", input.name()),
            );
        }
        if env.now - transaction.started_at > env.config.transaction_lifetime {
            return self.fail(ErrorCode::TransactionExpired, None);
        }
        if transaction.stage == Stage::FirstFactor {
            return match input {
                Input::Password(password) => self.password(transaction, &password, rng),
                Input::TemporaryAccessPass(pass) => self.first_factor_pass(transaction, &pass),
                Input::Passkey(assertion) => self.first_factor_passkey(transaction, &assertion),
                Input::PasskeyRefused { reason } => {
                    self.first_factor_passkey_refused(transaction, &reason)
                }
                Input::PhoneSignInApproved { credential_id } => {
                    self.first_factor_phone_sign_in(transaction, &credential_id)
                }
                Input::OutOfBandDeclined { reason, .. } => {
                    self.first_factor_phone_sign_in_declined(transaction, reason)
                }
                other => self.fail(
                    ErrorCode::InvalidRequest,
                    format!("{} is not a first factor", other.name()),
                ),
            };
        }
        // After the first factor the subject must be the user who proved it.
        let user = match (env.subject.user(), &transaction.user_id) {
            (Some(user), Some(id)) if &user.id == id => user,
            _ => {
                return self.fail(
                    ErrorCode::InvalidRequest,
                    "the subject is not the user of this transaction".to_owned(),
                );
            }
        };
        match (transaction.stage, input) {
            (
                Stage::Challenge,
                Input::TotpCode {
                    credential_id,
                    code,
                },
            ) => self.totp(transaction, user, credential_id.as_ref(), &code),
            (Stage::Challenge, Input::TemporaryAccessPass(pass)) => {
                self.second_factor_pass(transaction, user, &pass)
            }
            (Stage::Challenge, Input::Passkey(assertion)) => {
                self.second_factor_passkey(transaction, user, &assertion)
            }
            (Stage::Challenge, Input::PasskeyRefused { reason }) => {
                self.second_factor_passkey_refused(transaction, user, &reason)
            }
            (Stage::Challenge, Input::SendCode { credential_id }) => {
                self.send_code(transaction, user, &credential_id, rng)
            }
            (Stage::Challenge, Input::OneTimeCode(code)) => {
                self.one_time_code(transaction, user, &code)
            }
            (Stage::Challenge, Input::OutOfBandApproved { credential_id }) => {
                self.out_of_band(transaction, user, &credential_id)
            }
            (Stage::Challenge, Input::OutOfBandDeclined { reason, .. }) => {
                self.out_of_band_declined(transaction, user, reason)
            }
            (Stage::PasswordChange, Input::PasswordChanged) => {
                transaction.password_changed = true;
                self.record_step(
                    transaction,
                    "Password",
                    "Password change",
                    "Password changed",
                    true,
                );
                self.decide(transaction, user)
            }
            (
                Stage::Registration { .. },
                Input::MethodRegistered {
                    credential_id,
                    kind,
                    aaguid,
                },
            ) => self.registered(transaction, user, &credential_id, kind, aaguid),
            (Stage::Registration { skippable: true }, Input::SkipRegistration) => {
                if transaction.campaign_prompted {
                    let campaign = &env.policy.methods.registration_campaign;
                    self.effects.push(Effect::SnoozeRegistrationCampaign {
                        user_id: user.id.clone(),
                        progress: CampaignProgress {
                            snoozes: user.registration_campaign.snoozes.saturating_add(1),
                            snoozed_until: campaign.snooze_until(user, env.now),
                        },
                    });
                }
                transaction.registration_skipped = true;
                transaction.campaign_prompted = false;
                self.decide(transaction, user)
            }
            (stage, other) => self.fail(
                ErrorCode::InvalidRequest,
                format!("{} does not fit the stage {stage:?}", other.name()),
            ),
        }
    }

    /// Appends an `authenticationDetail`.
    pub(crate) fn record_step(
        &mut self,
        transaction: &mut SignInTransaction,
        method: &str,
        requirement: &str,
        result: &str,
        succeeded: bool,
    ) {
        transaction.steps.push(log::AuthenticationStep {
            authentication_method: method.to_owned(),
            authentication_method_detail: None,
            authentication_step_date_time: self.env.now,
            authentication_step_requirement: requirement.to_owned(),
            authentication_step_result_detail: result.to_owned(),
            succeeded,
        });
    }
}
