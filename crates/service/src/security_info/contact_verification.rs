//! A user adds a phone (text messages or calls) or an email address to their own
//! security info: the number or address is checked, a one-time code goes to it through
//! the configured provider, and the method is saved only once that code comes back.
//!
//! Like every registration, each step is judged by Conditional Access as
//! `urn:user:registersecurityinfo` and needs the authentication methods policy to enable
//! the method for the user. The code is kept only as a salted hash
//! (`portcullis_authn::otp_code`), with the code rules of the sign-in service: short
//! lifetime, a few wrong attempts (kept across resends), and the send throttle every
//! code goes through (`signin::codes::claim_code_send`: per destination and per user,
//! claimed atomically in the store), kept apart from the pending verification so that
//! starting again does not reset it.

use std::sync::Arc;

use portcullis_authn::methods::MethodKind;
use portcullis_authn::otp_code::{
    IssuedCode, OtpChallenge, OtpChallengeStatus, OtpCodePolicy, ResendOutcome, SendThrottle,
    Throttled, VerifyOutcome,
};
use portcullis_core::audit::category;
use portcullis_core::{Credential, CredentialId, CredentialKind, UserId};
use portcullis_signin::PhoneChannel;
use portcullis_store::{Batch, Change};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::SecurityInfoService;
use super::contact_methods::{has_email, has_phone, normalize_e164, normalize_email};
use super::context::RegistrationContext;
use super::error::{SecurityInfoError, SecurityInfoResult};
use super::gate::judge_registration;
use super::manage::method_target;
use super::pending::{PendingKind, pending_change};
use super::view::SecurityMethod;
use crate::error::ServiceError;
use crate::services::audit_record;
use crate::signin::codes::{CodeChannel, CodeMessage, CodePurpose, CodeSender, claim_code_send};
use crate::signin::credential_payload::{EmailPayload, PhonePayload};

/// The provider and code rules (the sign-in service's: `SignInService::one_time_codes`).
#[derive(Clone)]
pub struct ContactCodes {
    pub sender: Arc<dyn CodeSender>,
    pub policy: OtpCodePolicy,
}

/// A phone number or email address a user wants to add, already validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ContactMethod {
    #[serde(rename_all = "camelCase")]
    Phone {
        /// E.164.
        number: String,
        channel: PhoneChannel,
    },
    #[serde(rename_all = "camelCase")]
    Email { address: String },
}

impl ContactMethod {
    /// A phone, if `number` is an international number (spaces, dashes and brackets
    /// are dropped).
    pub fn phone(number: &str, channel: PhoneChannel) -> SecurityInfoResult<Self> {
        let number =
            normalize_e164(number).ok_or_else(|| SecurityInfoError::InvalidPhoneNumber {
                number: number.trim().chars().take(40).collect(),
            })?;
        Ok(ContactMethod::Phone { number, channel })
    }

    /// An email method, if `address` is an email address.
    pub fn email(address: &str) -> SecurityInfoResult<Self> {
        let address =
            normalize_email(address).ok_or_else(|| SecurityInfoError::InvalidEmailAddress {
                address: address.trim().chars().take(80).collect(),
            })?;
        Ok(ContactMethod::Email { address })
    }

    pub fn destination(&self) -> &str {
        match self {
            ContactMethod::Phone { number, .. } => number,
            ContactMethod::Email { address } => address,
        }
    }

    pub fn method_kind(&self) -> MethodKind {
        match self {
            ContactMethod::Phone {
                channel: PhoneChannel::Sms,
                ..
            } => MethodKind::Sms,
            ContactMethod::Phone {
                channel: PhoneChannel::Voice,
                ..
            } => MethodKind::Voice,
            ContactMethod::Email { .. } => MethodKind::Email,
        }
    }

    pub fn code_channel(&self) -> CodeChannel {
        match self {
            ContactMethod::Phone {
                channel: PhoneChannel::Sms,
                ..
            } => CodeChannel::Sms,
            ContactMethod::Phone {
                channel: PhoneChannel::Voice,
                ..
            } => CodeChannel::Voice,
            ContactMethod::Email { .. } => CodeChannel::Email,
        }
    }

    /// In words, for messages: "a phone for text messages".
    pub fn describe(&self) -> &'static str {
        match self.method_kind() {
            MethodKind::Sms => "a phone for text messages",
            MethodKind::Voice => "a phone for calls",
            _ => "an email address",
        }
    }

    fn name_in_policy(&self) -> &'static str {
        match self.method_kind() {
            MethodKind::Sms => "Text message (SMS)",
            MethodKind::Voice => "Voice call",
            _ => "Email",
        }
    }
}

/// Which contact methods the authentication methods policy lets this user add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContactOffer {
    pub sms: bool,
    pub voice: bool,
    pub email: bool,
}

impl ContactOffer {
    pub fn phone(&self) -> bool {
        self.sms || self.voice
    }
}

/// A code on its way: what the page shows while waiting for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactVerification {
    pub method: ContactMethod,
    pub digits: usize,
    pub expires_at: OffsetDateTime,
}

/// Kept server-side between sending the code and typing it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PendingContact {
    method: ContactMethod,
    digits: usize,
    challenge: OtpChallenge,
    /// The sign-in whose registration interrupt started it (its handle's hash); such a
    /// verification counts as performed in that sign-in only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sign_in: Option<String>,
}

impl PendingContact {
    fn view(&self) -> ContactVerification {
        ContactVerification {
            method: self.method.clone(),
            digits: self.digits,
            expires_at: self.challenge.expires_at(),
        }
    }
}

fn throttled(throttled: Throttled, now: OffsetDateTime) -> SecurityInfoError {
    let wait = throttled.retry_at - now;
    // Rounded up: "wait 0 seconds" would invite a retry that is refused again.
    let seconds = wait.whole_seconds() + i64::from(wait.subsec_nanoseconds() > 0);
    SecurityInfoError::SendThrottled {
        seconds: seconds.max(1),
    }
}

fn internal(error: impl std::fmt::Display) -> SecurityInfoError {
    ServiceError::Internal(error.to_string()).into()
}

impl SecurityInfoService {
    /// Lets users add phones and email addresses, with codes through `codes`.
    pub fn with_contact_codes(mut self, codes: ContactCodes) -> Self {
        self.contact_codes = Some(Arc::new(codes));
        self
    }

    fn contact_codes(&self) -> SecurityInfoResult<&ContactCodes> {
        self.contact_codes
            .as_deref()
            .ok_or_else(|| SecurityInfoError::CodeNotSent {
                reason: "no code provider is configured here".to_owned(),
            })
    }

    /// What the methods policy lets the user add and a configured provider can reach
    /// (nothing when no provider is set).
    pub fn contact_offer(&self, context: &RegistrationContext<'_>) -> ContactOffer {
        let Some(codes) = &self.contact_codes else {
            return ContactOffer::default();
        };
        let offered = |kind, channel| {
            context.policy.methods.allows(kind, context.user) && codes.sender.carries(channel)
        };
        ContactOffer {
            sms: offered(MethodKind::Sms, CodeChannel::Sms),
            voice: offered(MethodKind::Voice, CodeChannel::Voice),
            email: offered(MethodKind::Email, CodeChannel::Email),
        }
    }

    /// Sends a code to the phone or address; the method is not saved yet. Starting
    /// again replaces the previous verification (its code stops working) but not the
    /// send throttle.
    pub async fn begin_contact_verification(
        &self,
        context: &RegistrationContext<'_>,
        method: ContactMethod,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<ContactVerification> {
        self.begin_contact(context, method, None, now).await
    }

    /// `sign_in`: the tag of the sign-in it is started in, if any.
    pub(crate) async fn begin_contact(
        &self,
        context: &RegistrationContext<'_>,
        method: ContactMethod,
        sign_in: Option<&str>,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<ContactVerification> {
        judge_registration(context, now)?;
        if !context
            .policy
            .methods
            .allows(method.method_kind(), context.user)
        {
            return Err(SecurityInfoError::MethodNotAllowed {
                method: method.name_in_policy(),
            });
        }
        let codes = self.contact_codes()?;
        self.refuse_duplicate(&context.user.id, &method).await?;
        self.claim_send(context, &method, now).await?;
        // The claim above is the throttle; the challenge's own is for one-off use.
        let (challenge, code) = OtpChallenge::issue(
            &codes.policy,
            &mut SendThrottle::default(),
            now,
            &mut rand::rng(),
        )
        .map_err(|t| throttled(t, now))?;
        let pending = PendingContact {
            method,
            digits: codes.policy.digits,
            challenge,
            sign_in: sign_in.map(str::to_owned),
        };
        self.save_contact(&context.user.id, &pending).await?;
        self.deliver(context, &pending.method, code).await?;
        Ok(pending.view())
    }

    /// The verification in progress, if any (to show its code form again).
    pub async fn pending_contact_verification(
        &self,
        user: &UserId,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<Option<ContactVerification>> {
        self.pending_contact(user, None, now).await
    }

    /// `sign_in`: only the verification that sign-in started.
    pub(crate) async fn pending_contact(
        &self,
        user: &UserId,
        sign_in: Option<&str>,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<Option<ContactVerification>> {
        let Some(state) = self.peek_pending(user, PendingKind::Contact, now).await? else {
            return Ok(None);
        };
        Ok(serde_json::from_value::<PendingContact>(state)
            .ok()
            .filter(|pending| sign_in.is_none() || pending.sign_in.as_deref() == sign_in)
            .map(|pending| pending.view()))
    }

    /// Sends a new code for the verification in progress (the old code stops working;
    /// wrong attempts are kept).
    pub async fn resend_contact_code(
        &self,
        context: &RegistrationContext<'_>,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<ContactVerification> {
        self.resend_contact(context, None, now).await
    }

    pub(crate) async fn resend_contact(
        &self,
        context: &RegistrationContext<'_>,
        sign_in: Option<&str>,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<ContactVerification> {
        judge_registration(context, now)?;
        let codes = self.contact_codes()?;
        let mut pending = self.take_contact(&context.user.id, sign_in, now).await?;
        if pending.challenge.status() != OtpChallengeStatus::Pending {
            return Err(SecurityInfoError::VerificationEnded);
        }
        if let Err(error) = self.claim_send(context, &pending.method, now).await {
            self.save_contact(&context.user.id, &pending).await?;
            return Err(error);
        }
        // Bound first: the thread-local generator must not live across the awaits below.
        let outcome = pending.challenge.resend(
            &codes.policy,
            &mut SendThrottle::default(),
            now,
            &mut rand::rng(),
        );
        match outcome {
            ResendOutcome::Sent(code) => {
                self.save_contact(&context.user.id, &pending).await?;
                self.deliver(context, &pending.method, code).await?;
                Ok(pending.view())
            }
            ResendOutcome::Throttled(t) => {
                self.save_contact(&context.user.id, &pending).await?;
                Err(throttled(t, now))
            }
            ResendOutcome::Finished(_) => Err(SecurityInfoError::VerificationEnded),
        }
    }

    /// Checks the code and, if right, saves the method with its audit record. A wrong
    /// code uses one of the attempts; the last one ends the verification.
    pub async fn finish_contact_verification(
        &self,
        context: &RegistrationContext<'_>,
        code: &str,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<SecurityMethod> {
        Ok(self.finish_contact(context, code, None, now).await?.0)
    }

    /// The saved method, and what it is (a phone for calls reads like one for texts in
    /// the method view).
    pub(crate) async fn finish_contact(
        &self,
        context: &RegistrationContext<'_>,
        code: &str,
        sign_in: Option<&str>,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<(SecurityMethod, MethodKind)> {
        judge_registration(context, now)?;
        let codes = self.contact_codes()?;
        // Taken, not read: two guesses racing cannot both spend the same attempt.
        let mut pending = self.take_contact(&context.user.id, sign_in, now).await?;
        match pending.challenge.verify(&codes.policy, code, now) {
            VerifyOutcome::Accepted => {}
            VerifyOutcome::Wrong { attempts_left } => {
                self.save_contact(&context.user.id, &pending).await?;
                return Err(SecurityInfoError::WrongVerificationCode { attempts_left });
            }
            VerifyOutcome::Malformed { expected_digits } => {
                self.save_contact(&context.user.id, &pending).await?;
                return Err(SecurityInfoError::MalformedVerificationCode {
                    digits: expected_digits,
                });
            }
            VerifyOutcome::Exhausted | VerifyOutcome::Expired | VerifyOutcome::AlreadyUsed => {
                return Err(SecurityInfoError::VerificationEnded);
            }
        }
        // Registered meanwhile from another window, or by an administrator.
        self.refuse_duplicate(&context.user.id, &pending.method)
            .await?;
        let (kind, payload, method_type) = match &pending.method {
            ContactMethod::Phone { number, channel } => (
                CredentialKind::Phone,
                serde_json::to_value(PhonePayload {
                    phone_number: number.clone(),
                    channel: *channel,
                    throttle: SendThrottle::default(),
                }),
                "phone",
            ),
            ContactMethod::Email { address } => (
                CredentialKind::Email,
                serde_json::to_value(EmailPayload {
                    email_address: address.clone(),
                    throttle: SendThrottle::default(),
                }),
                "email",
            ),
        };
        let credential = Credential {
            id: CredentialId::from_uuid(Uuid::new_v4()),
            user_id: context.user.id.clone(),
            kind,
            display_name: None,
            payload: payload.map_err(internal)?,
            metadata: serde_json::json!({}),
            created_date_time: now,
            last_used_date_time: None,
            revision: 0,
        };
        let audit = audit_record(
            &context.caller(),
            category::USER_AUTHENTICATION_METHOD,
            "User registered security info",
            "Add",
        )
        .with_target(method_target(&credential))
        .with_detail("methodType", method_type)
        .with_detail("verifiedBy", "oneTimeCode");
        self.store()
            .commit(Batch::single(
                Change::AddCredential(credential.clone()),
                audit,
            ))
            .await?;
        Ok((
            SecurityMethod::from_credential(&credential, now),
            pending.method.method_kind(),
        ))
    }

    async fn refuse_duplicate(
        &self,
        user: &UserId,
        method: &ContactMethod,
    ) -> SecurityInfoResult<()> {
        let existing = self.store().list_credentials(user).await?;
        let taken = match method {
            ContactMethod::Phone { channel, .. } => has_phone(&existing, *channel),
            ContactMethod::Email { .. } => has_email(&existing),
        };
        if taken {
            return Err(SecurityInfoError::AlreadyRegistered {
                what: method.describe(),
            });
        }
        Ok(())
    }

    /// Counts the send under the destination and the user, atomically (the throttle
    /// every code goes through).
    async fn claim_send(
        &self,
        context: &RegistrationContext<'_>,
        method: &ContactMethod,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<()> {
        let codes = self.contact_codes()?;
        claim_code_send(
            self.store(),
            &codes.policy,
            &context.user.id,
            method.destination(),
            now,
        )
        .await?
        .map_err(|t| throttled(t, now))
    }

    /// Saves the verification in progress.
    async fn save_contact(
        &self,
        user: &UserId,
        pending: &PendingContact,
    ) -> SecurityInfoResult<()> {
        let state = serde_json::to_value(pending).map_err(internal)?;
        self.store()
            .commit(Batch::new().change(pending_change(
                user,
                PendingKind::Contact,
                state,
                pending.challenge.expires_at(),
            )?))
            .await?;
        Ok(())
    }

    /// `sign_in`: only the verification that sign-in started (another one is put back
    /// untouched).
    async fn take_contact(
        &self,
        user: &UserId,
        sign_in: Option<&str>,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<PendingContact> {
        let none = || SecurityInfoError::NoPendingRegistration {
            what: "phone or email",
        };
        let state = self.take_pending(user, PendingKind::Contact, now).await?;
        let pending: PendingContact = serde_json::from_value(state).map_err(|_| none())?;
        if sign_in.is_some() && pending.sign_in.as_deref() != sign_in {
            self.save_contact(user, &pending).await?;
            return Err(none());
        }
        Ok(pending)
    }

    /// Hands the code to the provider. If it fails, the verification is dropped (no
    /// code form for a code that never left); the throttle still counts the try.
    async fn deliver(
        &self,
        context: &RegistrationContext<'_>,
        method: &ContactMethod,
        code: IssuedCode,
    ) -> SecurityInfoResult<()> {
        let codes = self.contact_codes()?;
        let message = CodeMessage {
            channel: method.code_channel(),
            purpose: CodePurpose::Registration,
            destination: method.destination().to_owned(),
            code,
            user_id: context.user.id.clone(),
            app_display_name: None,
            correlation_id: context.request.correlation_id.clone(),
        };
        if let Err(error) = codes.sender.send(&message).await {
            tracing::warn!(%error, channel = ?message.channel, "a security-info code was not sent");
            let _ = self
                .take_pending(
                    &context.user.id,
                    PendingKind::Contact,
                    OffsetDateTime::now_utc(),
                )
                .await;
            return Err(SecurityInfoError::CodeNotSent {
                reason: error.to_string(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "contact_verification_tests.rs"]
mod tests;
