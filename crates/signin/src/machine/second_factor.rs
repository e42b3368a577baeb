//! Answers to a challenge: only methods the current challenge offered are accepted.
//! A wrong answer counts against the transaction and re-offers the challenge; too many
//! end it (500121).

use portcullis_authn::CryptoRng;
use portcullis_authn::methods::MethodKind;
use portcullis_authn::otp_code::{OtpChallenge, VerifyOutcome};
use portcullis_authn::tap::TapRedeemError;
use portcullis_authn::totp::TotpError;
use portcullis_core::CredentialId;
use portcullis_policy::evaluate::UsedMethod;
use uuid::Uuid;

use super::Run;
use super::first_factor::{mode_of, registered_passkey, used};
use crate::effect::Effect;
use crate::error_code::ErrorCode;
use crate::input::{OutOfBandDecline, PasskeyAssertion};
use crate::outcome::Outcome;
use crate::subject::{MethodMaterial, UserRecord};
use crate::transaction::{PendingCode, SignInTransaction};

const MULTIFACTOR: &str = "Multifactor authentication";

fn method_label(kind: MethodKind) -> &'static str {
    match kind {
        MethodKind::Password => "Password",
        MethodKind::Totp => "OATH verification code",
        MethodKind::Fido2 => "Passkey (FIDO2)",
        MethodKind::AuthenticatorPush => "Mobile app notification",
        MethodKind::PasswordlessPhoneSignIn => "Passwordless phone sign-in",
        MethodKind::Sms => "Text message",
        MethodKind::Voice => "Phone call",
        MethodKind::Email => "Email verification code",
        MethodKind::TemporaryAccessPassOneTime | MethodKind::TemporaryAccessPassMultiUse => {
            "Temporary Access Pass"
        }
    }
}

impl Run<'_, '_> {
    fn is_offered(
        transaction: &SignInTransaction,
        kind: MethodKind,
        credential_id: &CredentialId,
    ) -> bool {
        transaction
            .offered
            .iter()
            .any(|(offered_kind, offered_id)| *offered_kind == kind && offered_id == credential_id)
    }

    fn not_offered(&mut self, kind: MethodKind) -> Outcome {
        self.fail(
            ErrorCode::InvalidRequest,
            format!(
                "{} was not offered by the current challenge",
                method_label(kind)
            ),
        )
    }

    /// A wrong answer: re-offer the challenge with an error, or end the transaction when
    /// the user has run out of tries.
    fn second_factor_failed(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
        kind: MethodKind,
        detail: &str,
    ) -> Outcome {
        transaction.second_factor_failures = transaction.second_factor_failures.saturating_add(1);
        self.record_step(transaction, method_label(kind), MULTIFACTOR, detail, false);
        if transaction.second_factor_failures >= self.env.config.max_second_factor_failures {
            return self.fail(
                ErrorCode::StrongAuthenticationFailed,
                format!(
                    "{} wrong answers to the challenge",
                    transaction.second_factor_failures
                ),
            );
        }
        let mut outcome = self.decide(transaction, user);
        if let Outcome::Challenge(challenge) = &mut outcome {
            challenge.error = Some(ErrorCode::StrongAuthenticationFailed);
            self.code = Some(ErrorCode::StrongAuthenticationFailed);
            self.details = Some(detail.to_owned());
        }
        outcome
    }

    fn second_factor_succeeded(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
        kind: MethodKind,
        method: UsedMethod,
        credential_id: &CredentialId,
        detail: &str,
    ) -> Outcome {
        transaction.session.methods.push(method);
        self.record_step(transaction, method_label(kind), MULTIFACTOR, detail, true);
        self.effects.push(Effect::RecordCredentialUse {
            user_id: user.id.clone(),
            credential_id: credential_id.clone(),
            at: self.env.now,
        });
        self.decide(transaction, user)
    }

    pub(crate) fn totp(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
        credential_id: Option<&CredentialId>,
        code: &str,
    ) -> Outcome {
        let chosen = credential_id.cloned().or_else(|| {
            transaction
                .offered
                .iter()
                .find(|(kind, _)| *kind == MethodKind::Totp)
                .map(|(_, id)| id.clone())
        });
        let Some(credential_id) = chosen else {
            return self.not_offered(MethodKind::Totp);
        };
        if !Self::is_offered(transaction, MethodKind::Totp, &credential_id) {
            return self.not_offered(MethodKind::Totp);
        }
        let Some(MethodMaterial::Totp {
            totp,
            last_used_step,
        }) = user.method(&credential_id).map(|method| &method.material)
        else {
            return self.not_offered(MethodKind::Totp);
        };
        match totp.verify(code, self.env.now, *last_used_step) {
            Ok(step) => {
                self.effects.push(Effect::RecordTotpStep {
                    user_id: user.id.clone(),
                    credential_id: credential_id.clone(),
                    step,
                });
                self.second_factor_succeeded(
                    transaction,
                    user,
                    MethodKind::Totp,
                    used(mode_of(MethodKind::Totp), self.env.now),
                    &credential_id,
                    "MFA completed",
                )
            }
            Err(TotpError::Replayed { .. }) => {
                self.second_factor_failed(transaction, user, MethodKind::Totp, "OTP code reused")
            }
            Err(_) => self.second_factor_failed(
                transaction,
                user,
                MethodKind::Totp,
                "Invalid verification code",
            ),
        }
    }

    pub(crate) fn second_factor_pass(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
        typed: &str,
    ) -> Outcome {
        let Some((credential_id, pass)) = user.temporary_access_pass() else {
            return self.not_offered(MethodKind::TemporaryAccessPassOneTime);
        };
        let kind = user
            .method(credential_id)
            .map_or(MethodKind::TemporaryAccessPassOneTime, |method| {
                method.material.kind()
            });
        if !Self::is_offered(transaction, kind, credential_id) {
            return self.not_offered(kind);
        }
        let mut pass = pass.clone();
        match pass.redeem(&self.env.config.hasher, typed, self.env.now) {
            Ok(expires_at) => {
                self.effects.push(Effect::PersistTemporaryAccessPass {
                    user_id: user.id.clone(),
                    credential_id: credential_id.clone(),
                    pass,
                });
                transaction.not_after = Some(
                    transaction
                        .not_after
                        .map_or(expires_at, |earlier| earlier.min(expires_at)),
                );
                self.second_factor_succeeded(
                    transaction,
                    user,
                    kind,
                    used(mode_of(kind), self.env.now),
                    credential_id,
                    "Temporary Access Pass accepted",
                )
            }
            Err(TapRedeemError::Mismatch) => {
                self.second_factor_failed(transaction, user, kind, "Invalid Temporary Access Pass")
            }
            Err(TapRedeemError::Unusable(reason)) => {
                self.second_factor_failed(transaction, user, kind, &reason.to_string())
            }
            Err(TapRedeemError::Hash(_)) => {
                self.second_factor_failed(transaction, user, kind, "Invalid Temporary Access Pass")
            }
        }
    }

    /// A passkey answer the edge could not verify, in a challenge offering the passkey:
    /// a failed answer like a wrong code (it counts toward the limit).
    pub(crate) fn second_factor_passkey_refused(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
        reason: &str,
    ) -> Outcome {
        if !transaction
            .offered
            .iter()
            .any(|(kind, _)| *kind == MethodKind::Fido2)
        {
            return self.not_offered(MethodKind::Fido2);
        }
        self.second_factor_failed(transaction, user, MethodKind::Fido2, reason)
    }

    pub(crate) fn second_factor_passkey(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
        assertion: &PasskeyAssertion,
    ) -> Outcome {
        let Some(aaguid) = registered_passkey(user, assertion) else {
            return self.not_offered(MethodKind::Fido2);
        };
        if !Self::is_offered(transaction, MethodKind::Fido2, &assertion.credential_id)
            || !self
                .env
                .policy
                .methods
                .fido2_key_restrictions
                .permits(aaguid)
        {
            return self.not_offered(MethodKind::Fido2);
        }
        if !assertion.user_verified {
            return self.second_factor_failed(
                transaction,
                user,
                MethodKind::Fido2,
                "User verification required",
            );
        }
        let mut method = used(mode_of(MethodKind::Fido2), self.env.now);
        method.aaguid = aaguid;
        self.second_factor_succeeded(
            transaction,
            user,
            MethodKind::Fido2,
            method,
            &assertion.credential_id,
            "Passkey verified",
        )
    }

    pub(crate) fn send_code<R: CryptoRng + ?Sized>(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
        credential_id: &CredentialId,
        rng: &mut R,
    ) -> Outcome {
        let Some(method) = user.method(credential_id) else {
            return self.not_offered(MethodKind::Sms);
        };
        let kind = method.material.kind();
        let (destination, throttle) = match &method.material {
            MethodMaterial::Phone {
                number, throttle, ..
            } => (number, throttle),
            MethodMaterial::Email { address, throttle } => (address, throttle),
            _ => return self.not_offered(kind),
        };
        if !Self::is_offered(transaction, kind, credential_id) {
            return self.not_offered(kind);
        }
        let mut throttle = throttle.clone();
        let policy = &self.env.config.otp_codes;
        match OtpChallenge::issue(policy, &mut throttle, self.env.now, rng) {
            Ok((challenge, code)) => {
                transaction.pending_code = Some(PendingCode {
                    credential_id: credential_id.clone(),
                    kind,
                    challenge,
                });
                self.effects.push(Effect::SendOneTimeCode {
                    user_id: user.id.clone(),
                    credential_id: credential_id.clone(),
                    destination: destination.clone(),
                    code,
                });
                self.effects.push(Effect::PersistSendThrottle {
                    user_id: user.id.clone(),
                    credential_id: credential_id.clone(),
                    throttle,
                });
                let mut outcome = self.decide(transaction, user);
                if let Outcome::Challenge(challenge) = &mut outcome {
                    challenge.code_sent_to = Some(credential_id.clone());
                }
                outcome
            }
            Err(throttled) => {
                let mut outcome = self.decide(transaction, user);
                if let Outcome::Challenge(challenge) = &mut outcome {
                    challenge.code_throttled_until = Some(throttled.retry_at);
                }
                outcome
            }
        }
    }

    pub(crate) fn one_time_code(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
        typed: &str,
    ) -> Outcome {
        let Some(mut pending) = transaction.pending_code.take() else {
            return self.fail(
                ErrorCode::InvalidRequest,
                "no one-time code was sent in this sign-in".to_owned(),
            );
        };
        if !Self::is_offered(transaction, pending.kind, &pending.credential_id) {
            return self.not_offered(pending.kind);
        }
        let verdict = pending
            .challenge
            .verify(&self.env.config.otp_codes, typed, self.env.now);
        let kind = pending.kind;
        let credential_id = pending.credential_id.clone();
        match verdict {
            VerifyOutcome::Accepted => self.second_factor_succeeded(
                transaction,
                user,
                kind,
                used(mode_of(kind), self.env.now),
                &credential_id,
                "MFA completed",
            ),
            VerifyOutcome::Exhausted => {
                self.record_step(
                    transaction,
                    method_label(kind),
                    MULTIFACTOR,
                    "Too many wrong codes",
                    false,
                );
                self.fail(
                    ErrorCode::StrongAuthenticationFailed,
                    "the one-time code ran out of attempts".to_owned(),
                )
            }
            VerifyOutcome::Wrong { .. } | VerifyOutcome::Malformed { .. } => {
                transaction.pending_code = Some(pending);
                self.second_factor_failed(transaction, user, kind, "Invalid verification code")
            }
            VerifyOutcome::Expired | VerifyOutcome::AlreadyUsed => {
                self.second_factor_failed(transaction, user, kind, "Verification code expired")
            }
        }
    }

    pub(crate) fn out_of_band(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
        credential_id: &CredentialId,
    ) -> Outcome {
        if !Self::is_offered(transaction, MethodKind::AuthenticatorPush, credential_id) {
            return self.not_offered(MethodKind::AuthenticatorPush);
        }
        self.second_factor_succeeded(
            transaction,
            user,
            MethodKind::AuthenticatorPush,
            used(mode_of(MethodKind::AuthenticatorPush), self.env.now),
            credential_id,
            "MFA completed in the Authenticator app",
        )
    }

    /// The push ended unapproved. A fraud report ends the sign-in at once (the edge has
    /// raised the user's risk); a withdrawal re-offers the challenge without counting.
    pub(crate) fn out_of_band_declined(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
        reason: OutOfBandDecline,
    ) -> Outcome {
        let kind = MethodKind::AuthenticatorPush;
        if !transaction
            .offered
            .iter()
            .any(|(offered, _)| *offered == kind)
        {
            return self.not_offered(kind);
        }
        match reason {
            OutOfBandDecline::Withdrawn => self.decide(transaction, user),
            OutOfBandDecline::FraudReported => {
                self.record_step(
                    transaction,
                    method_label(kind),
                    MULTIFACTOR,
                    reason.result_detail(),
                    false,
                );
                self.fail(
                    ErrorCode::StrongAuthenticationFailed,
                    "the user reported the push as fraud".to_owned(),
                )
            }
            OutOfBandDecline::Denied
            | OutOfBandDecline::WrongNumber
            | OutOfBandDecline::Expired => {
                self.second_factor_failed(transaction, user, kind, reason.result_detail())
            }
        }
    }

    /// The registration interrupt finished: the edge stored and verified a new method.
    pub(crate) fn registered(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
        credential_id: &CredentialId,
        kind: MethodKind,
        aaguid: Option<Uuid>,
    ) -> Outcome {
        let stored = user
            .method(credential_id)
            .is_some_and(|method| method.material.kind() == kind);
        // Only what the prompt offered: the methods policy allows more than the current
        // requirement may accept (security defaults register app methods only).
        let offered = transaction.registration_offered.contains(&kind);
        if !stored || !offered || !self.env.policy.methods.allows(kind, user) {
            return self.fail(
                ErrorCode::InvalidRequest,
                format!(
                    "{} was not registered for this user, is not enabled for them, or was not offered here",
                    method_label(kind)
                ),
            );
        }
        let mut method = used(mode_of(kind), self.env.now);
        method.aaguid = aaguid;
        transaction.campaign_prompted = false;
        transaction.session.methods.push(method);
        self.record_step(
            transaction,
            method_label(kind),
            "Registration",
            "Method registered",
            true,
        );
        self.decide(transaction, user)
    }
}
