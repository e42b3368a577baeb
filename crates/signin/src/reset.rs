//! Self-service password reset, pure: which verifications a reset has passed, what the
//! user may do next, and the effects (codes to send, TOTP steps to record) the edge
//! carries out. Choosing and storing the new password is the edge's (the password rules
//! need I/O: leaked-password ranges).
//!
//! ```text
//! begin(name, user?) ─▶ Verifying { verified 0 of N }
//!   TotpCode(code)          ─▶ an authenticator app of the user's verifies it (±1 step,
//!                              never a used step again)
//!   SendCode(Email | Sms)   ─▶ a code to the user's registered email / phone (throttled)
//!   OneTimeCode(code)       ─▶ checks the code last sent
//! verified N distinct methods ─▶ ChoosePassword
//! too many wrong answers      ─▶ Failed
//! ```
//!
//! Never revealing whether an account exists: an unknown name, a disabled account, or a
//! method the user does not have all behave exactly like a wrong answer ("if this method
//! is on the account, we sent a code"; every code is then wrong). The answers, the
//! number of steps and the effects visible to the caller are the same.

use portcullis_authn::CryptoRng;
use portcullis_authn::methods::MethodKind;
use portcullis_authn::otp_code::{OtpChallenge, OtpCodePolicy, VerifyOutcome};
use portcullis_core::{CredentialId, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::effect::Effect;
use crate::methods_policy::AuthenticationMethodsPolicy;
use crate::subject::{MethodMaterial, PhoneChannel, UserRecord};

/// Wrong answers allowed in one reset before it ends.
pub const MAX_RESET_FAILURES: u32 = 5;

/// How many different methods a reset must verify (Entra: 1 or 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetPolicy {
    pub methods_required: u8,
}

impl Default for ResetPolicy {
    fn default() -> Self {
        Self {
            methods_required: 1,
        }
    }
}

/// Where a code goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ResetChannel {
    Email,
    Sms,
}

impl ResetChannel {
    fn kind(self) -> MethodKind {
        match self {
            ResetChannel::Email => MethodKind::Email,
            ResetChannel::Sms => MethodKind::Sms,
        }
    }
}

/// One answer of the user.
#[derive(Clone, PartialEq, Eq)]
pub enum ResetInput {
    TotpCode(String),
    SendCode(ResetChannel),
    OneTimeCode(String),
}

impl std::fmt::Debug for ResetInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResetInput::TotpCode(_) => f.write_str("TotpCode(redacted)"),
            ResetInput::SendCode(channel) => write!(f, "SendCode({channel:?})"),
            ResetInput::OneTimeCode(_) => f.write_str("OneTimeCode(redacted)"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PendingResetCode {
    /// `None`: the "sent" code of a method the account does not have (verifies nothing).
    credential_id: Option<CredentialId>,
    kind: MethodKind,
    challenge: Option<OtpChallenge>,
}

/// A reset in progress, as stored between requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordReset {
    identifier: String,
    /// `None`: no account can be reset under this name (unknown, disabled, or without a
    /// password); the flow still runs, and nothing ever verifies.
    user_id: Option<UserId>,
    /// The kinds verified so far, each once.
    verified: Vec<MethodKind>,
    pending: Option<PendingResetCode>,
    failures: u32,
    #[serde(with = "time::serde::rfc3339")]
    started_at: OffsetDateTime,
}

/// Where a reset stands after a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ResetStage {
    #[serde(rename_all = "camelCase")]
    Verifying {
        verified: u8,
        required: u8,
        /// A code was (or, for a method the account lacks, seemed to be) sent there.
        code_sent: Option<ResetChannel>,
        /// The last answer was wrong (or the code expired).
        wrong_answer: bool,
    },
    ChoosePassword,
    Failed,
}

/// What a step is judged with.
#[derive(Debug, Clone, Copy)]
pub struct ResetEnvironment<'a> {
    pub policy: &'a ResetPolicy,
    /// Must enable a method for the user for it to count.
    pub methods: &'a AuthenticationMethodsPolicy,
    pub codes: &'a OtpCodePolicy,
    pub now: OffsetDateTime,
}

/// What one step decided.
#[derive(Debug, Clone, PartialEq)]
pub struct ResetStep {
    pub stage: ResetStage,
    pub effects: Vec<Effect>,
}

impl PasswordReset {
    /// Begins a reset for `identifier`. `user` is the account under that name that may
    /// reset its password (enabled, with a password), if any.
    pub fn begin(identifier: &str, user: Option<&UserRecord>, now: OffsetDateTime) -> Self {
        Self {
            identifier: identifier.to_owned(),
            user_id: user
                .filter(|user| user.account_enabled && user.password.is_some())
                .map(|user| user.id.clone()),
            verified: Vec::new(),
            pending: None,
            failures: 0,
            started_at: now,
        }
    }

    pub fn identifier(&self) -> &str {
        &self.identifier
    }

    /// The account being reset, once it is verified enough to choose a password.
    pub fn verified_user(&self, policy: &ResetPolicy) -> Option<&UserId> {
        (self.stage(policy) == ResetStage::ChoosePassword)
            .then_some(self.user_id.as_ref())
            .flatten()
    }

    /// The account named at the start (edge use: loading its record for the next step).
    pub fn user_id(&self) -> Option<&UserId> {
        self.user_id.as_ref()
    }

    pub fn stage(&self, policy: &ResetPolicy) -> ResetStage {
        if self.failures >= MAX_RESET_FAILURES {
            return ResetStage::Failed;
        }
        let required = policy.methods_required.clamp(1, 2);
        let verified = u8::try_from(self.verified.len()).unwrap_or(u8::MAX);
        if self.user_id.is_some() && verified >= required {
            return ResetStage::ChoosePassword;
        }
        ResetStage::Verifying {
            verified,
            required,
            code_sent: None,
            wrong_answer: false,
        }
    }

    /// Runs one answer. `user` is the account's current record (`None` for no account).
    pub fn step<R: CryptoRng + ?Sized>(
        &mut self,
        env: &ResetEnvironment<'_>,
        user: Option<&UserRecord>,
        input: ResetInput,
        rng: &mut R,
    ) -> ResetStep {
        let (policy, methods, codes, now) = (env.policy, env.methods, env.codes, env.now);
        let mut effects = Vec::new();
        if !matches!(self.stage(policy), ResetStage::Verifying { .. }) {
            return ResetStep {
                stage: self.stage(policy),
                effects,
            };
        }
        // Only the account named at the start, still eligible.
        let user = user.filter(|user| {
            Some(&user.id) == self.user_id.as_ref()
                && user.account_enabled
                && user.password.is_some()
        });
        let mut code_sent = None;
        let mut wrong_answer = false;
        match input {
            ResetInput::TotpCode(code) => {
                match self.verify_totp(methods, user, &code, now, &mut effects) {
                    true => self.verified_kind(MethodKind::Totp),
                    false => {
                        wrong_answer = true;
                        self.failures += 1;
                    }
                }
            }
            ResetInput::SendCode(channel) => {
                self.send_code(methods, codes, user, channel, now, rng, &mut effects);
                code_sent = Some(channel);
            }
            ResetInput::OneTimeCode(code) => {
                let verified = self.verify_code(codes, &code, now);
                match verified {
                    Some(kind) => self.verified_kind(kind),
                    None => {
                        wrong_answer = true;
                        self.failures += 1;
                    }
                }
            }
        }
        let stage = match self.stage(policy) {
            ResetStage::Verifying {
                verified, required, ..
            } => ResetStage::Verifying {
                verified,
                required,
                code_sent,
                wrong_answer,
            },
            other => other,
        };
        ResetStep { stage, effects }
    }

    fn verified_kind(&mut self, kind: MethodKind) {
        if !self.verified.contains(&kind) {
            self.verified.push(kind);
        }
    }

    fn verify_totp(
        &self,
        methods: &AuthenticationMethodsPolicy,
        user: Option<&UserRecord>,
        code: &str,
        now: OffsetDateTime,
        effects: &mut Vec<Effect>,
    ) -> bool {
        let Some(user) = user.filter(|user| methods.allows(MethodKind::Totp, user)) else {
            return false;
        };
        for method in &user.methods {
            if let MethodMaterial::Totp {
                totp,
                last_used_step,
            } = &method.material
                && let Ok(step) = totp.verify(code, now, *last_used_step)
            {
                effects.push(Effect::RecordTotpStep {
                    user_id: user.id.clone(),
                    credential_id: method.credential_id.clone(),
                    step,
                });
                return true;
            }
        }
        false
    }

    /// Sends a code to the user's method of that kind. A missing method, and a send the
    /// destination's throttle refuses, look exactly like a send (a throttle visible only
    /// for real accounts would reveal them); the code then simply never verifies, and
    /// the page always says how often codes may be sent.
    #[allow(clippy::too_many_arguments)]
    fn send_code<R: CryptoRng + ?Sized>(
        &mut self,
        methods: &AuthenticationMethodsPolicy,
        codes: &OtpCodePolicy,
        user: Option<&UserRecord>,
        channel: ResetChannel,
        now: OffsetDateTime,
        rng: &mut R,
        effects: &mut Vec<Effect>,
    ) {
        let kind = channel.kind();
        let destination = user
            .filter(|user| methods.allows(kind, user))
            .and_then(|user| {
                user.methods
                    .iter()
                    .find_map(|method| match &method.material {
                        MethodMaterial::Email { address, throttle }
                            if kind == MethodKind::Email =>
                        {
                            Some((user, method, address, throttle))
                        }
                        MethodMaterial::Phone {
                            number,
                            channel: PhoneChannel::Sms,
                            throttle,
                        } if kind == MethodKind::Sms => Some((user, method, number, throttle)),
                        _ => None,
                    })
            });
        let unsent = PendingResetCode {
            credential_id: None,
            kind,
            challenge: None,
        };
        let Some((user, method, destination, throttle)) = destination else {
            self.pending = Some(unsent);
            return;
        };
        let mut throttle = throttle.clone();
        let Ok((challenge, code)) = OtpChallenge::issue(codes, &mut throttle, now, rng) else {
            self.pending = Some(unsent);
            return;
        };
        self.pending = Some(PendingResetCode {
            credential_id: Some(method.credential_id.clone()),
            kind,
            challenge: Some(challenge),
        });
        effects.push(Effect::SendOneTimeCode {
            user_id: user.id.clone(),
            credential_id: method.credential_id.clone(),
            destination: destination.clone(),
            code,
        });
        effects.push(Effect::PersistSendThrottle {
            user_id: user.id.clone(),
            credential_id: method.credential_id.clone(),
            throttle,
        });
    }

    /// The kind verified by the code last sent, if the code is right.
    fn verify_code(
        &mut self,
        codes: &OtpCodePolicy,
        typed: &str,
        now: OffsetDateTime,
    ) -> Option<MethodKind> {
        let pending = self.pending.as_mut()?;
        let challenge = pending.challenge.as_mut()?;
        let accepted = challenge.verify(codes, typed, now) == VerifyOutcome::Accepted;
        let kind = pending.kind;
        if accepted || challenge.status() != portcullis_authn::otp_code::OtpChallengeStatus::Pending
        {
            self.pending = None;
        }
        accepted.then_some(kind)
    }
}
