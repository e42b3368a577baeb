//! Passwordless phone sign-in: the user typed their name and chose "Approve a request in
//! Portcullis Authenticator" instead of the password.
//!
//! ```text
//! start_phone_sign_in(transaction)  ─▶ a number to show (always), and a push to the
//!                                      user's enabled devices when there are any
//! phone_sign_in_state(…, wait)      ─▶ pending / approved / denied / … (long-poll)
//! finish_phone_sign_in(…, wait)     ─▶ the pipeline's step: Input::PhoneSignInApproved
//!                                      or Input::OutOfBandDeclined at the first factor
//! withdraw_phone_sign_in(…)         ─▶ "use my password instead": the push is withdrawn
//! ```
//!
//! No user enumeration: every name gets a number and the same wait. When nothing can be
//! sent — no such user, no device enabled for phone sign-in, the methods policy has it
//! off for them, or the fatigue defences refuse (logged) — the number belongs to a
//! request that was never sent: it can never be approved and simply expires, and the
//! sign-in then fails exactly like an ignored request. The request (sent or not) is kept
//! in the stored transaction, so the page's wait may reach any node.

use std::time::Duration;

use portcullis_authn::methods::MethodKind;
use portcullis_core::{CredentialId, UserId};
use portcullis_push::{
    ApprovalId, ApprovalPurpose, ApprovalState, DEFAULT_APPROVAL_LIFETIME, MatchNumber,
};
use portcullis_signin::{Input, OutOfBandDecline, Stage};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::SignInService;
use super::subject::{LoadFor, Who, load_subject};
use super::types::{SignInError, SignInProgress, TransactionId};
use crate::push::signin::approval_context;
use crate::push::{PushError, PushService};

/// The passwordless request a transaction waits on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PhoneSignInWait {
    approval_id: ApprovalId,
    number: MatchNumber,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    /// `false`: nothing was sent (see the module comment); the wait only runs out.
    sent: bool,
}

/// What the sign-in page shows while waiting. Deliberately no device count: it would
/// tell a visitor whether the name has devices.
#[derive(Debug, Clone)]
pub struct PhoneSignIn {
    pub approval_id: ApprovalId,
    pub number: MatchNumber,
    pub expires_at: OffsetDateTime,
}

impl From<&PhoneSignInWait> for PhoneSignIn {
    fn from(wait: &PhoneSignInWait) -> Self {
        PhoneSignIn {
            approval_id: wait.approval_id,
            number: wait.number,
            expires_at: wait.expires_at,
        }
    }
}

fn push_failure(error: PushError) -> SignInError {
    SignInError::Internal(format!("passwordless sign-in: {error}"))
}

fn decline_of(state: &ApprovalState) -> OutOfBandDecline {
    match state {
        ApprovalState::Denied { .. } => OutOfBandDecline::Denied,
        ApprovalState::WrongNumber { .. } => OutOfBandDecline::WrongNumber,
        ApprovalState::Reported { .. } => OutOfBandDecline::FraudReported,
        // Cancelled (withdrawn on another tab) reads as unanswered: the sign-in fails
        // like an expired request rather than staying open.
        ApprovalState::Expired
        | ApprovalState::Cancelled
        | ApprovalState::Pending
        | ApprovalState::Approved { .. } => OutOfBandDecline::Expired,
    }
}

/// The shortest time in which a passwordless request is answered: well above what the
/// work takes on a healthy node (a few milliseconds), well below what a person notices.
const RESPONSE_FLOOR: Duration = Duration::from_millis(100);

impl SignInService {
    /// Sends the passwordless request for the name this transaction was begun with (or
    /// prepares one that is never sent) and returns the number to show. A second call
    /// replaces the first request.
    pub async fn start_phone_sign_in(
        &self,
        push: &PushService,
        transaction: &TransactionId,
    ) -> Result<PhoneSignIn, SignInError> {
        // Answered no sooner than RESPONSE_FLOOR after it was asked, whatever happened:
        // the store calls below are the same for every name, and the floor hides what
        // differences remain (an insert more, a cached row) behind a wait nobody notices.
        let answer_at = tokio::time::Instant::now() + RESPONSE_FLOOR;
        let shown = self.start_phone_sign_in_now(push, transaction).await;
        tokio::time::sleep_until(answer_at).await;
        shown
    }

    async fn start_phone_sign_in_now(
        &self,
        push: &PushService,
        transaction: &TransactionId,
    ) -> Result<PhoneSignIn, SignInError> {
        let (stored, mut doc) = self.open_transaction(transaction).await?;
        if doc.transaction.stage() != Stage::FirstFactor {
            return Err(SignInError::Invalid(
                "passwordless sign-in is a first factor; this sign-in is past it".to_owned(),
            ));
        }
        // Each request is a push to someone's phone: bound like a password attempt.
        self.inner
            .limits
            .check(doc.request.ip_address, Some(doc.transaction.identifier()))
            .map_err(|retry_after| SignInError::RateLimited { retry_after })?;
        let now = OffsetDateTime::now_utc();
        if let Some(previous) = doc.phone_sign_in.take()
            && previous.sent
        {
            push.cancel(&previous.approval_id, now)
                .await
                .map_err(push_failure)?;
        }
        let loaded = load_subject(
            self.inner.store.as_ref(),
            Who::Name(doc.transaction.identifier()),
            &doc.request,
            // Only whether a request can be sent is decided here; the step that ends
            // the request judges the place.
            LoadFor::Record,
        )
        .await?;
        let policy = self
            .policy()
            .await
            .map_err(|err| SignInError::Internal(err.to_string()))?;
        // A request that is sent and one that is not make the same store calls — the
        // same one read (a name nobody has costs it too: `load_subject`), and one commit
        // of the transaction (with the approval in it when sent) — so how long the
        // number takes to appear tells nothing about the name.
        let mut devices_read = false;
        let eligible = match loaded.subject.user() {
            Some(user)
                if policy
                    .environment()
                    .methods
                    .allows(MethodKind::PasswordlessPhoneSignIn, user) =>
            {
                let enabled = push
                    .phone_sign_in_devices(&user.id)
                    .await
                    .map_err(push_failure)?;
                devices_read = true;
                (!enabled.is_empty()).then_some(&user.id)
            }
            _ => None,
        };
        let prepared = match eligible {
            Some(user) => {
                let purpose = ApprovalPurpose::PasswordlessSignIn {
                    correlation_id: doc.transaction.correlation_id().to_string(),
                };
                let context = approval_context(&doc.request, now);
                match push.prepare_push(user, purpose, context, now).await {
                    Ok(prepared) => Some(prepared),
                    // Refused by the fatigue defences (already logged and counted by
                    // prepare_push): the visitor sees the same wait as for anyone else.
                    Err(PushError::Refused(_) | PushError::NoDevice) => None,
                    Err(other) => return Err(push_failure(other)),
                }
            }
            None => {
                if !devices_read {
                    push.phone_sign_in_devices(&UserId::from_uuid(uuid::Uuid::new_v4()))
                        .await
                        .map_err(push_failure)?;
                }
                push.rehearse_prepare().await.map_err(push_failure)?;
                None
            }
        };
        let wait = match &prepared {
            Some(prepared) => PhoneSignInWait {
                approval_id: prepared.started.approval_id,
                number: prepared.started.number,
                expires_at: prepared.started.expires_at,
                sent: true,
            },
            None => {
                let mut rng = rand::rng();
                let expires_at = now + DEFAULT_APPROVAL_LIFETIME;
                PhoneSignInWait {
                    approval_id: ApprovalId::generate(&mut rng),
                    number: MatchNumber::generate(&mut rng),
                    expires_at: expires_at.replace_nanosecond(0).unwrap_or(expires_at),
                    sent: false,
                }
            }
        };
        let shown = PhoneSignIn::from(&wait);
        doc.phone_sign_in = Some(wait);
        let approvals = prepared
            .as_ref()
            .map(|prepared| vec![prepared.record.clone()])
            .unwrap_or_default();
        self.rewrite_with(&stored, &doc, approvals).await?;
        if let Some(prepared) = prepared {
            push.announce(prepared);
        }
        Ok(shown)
    }

    /// The request this transaction waits on, to draw the wait page again.
    pub async fn phone_sign_in(
        &self,
        transaction: &TransactionId,
    ) -> Result<PhoneSignIn, SignInError> {
        let (_, doc) = self.open_transaction(transaction).await?;
        doc.phone_sign_in
            .as_ref()
            .map(PhoneSignIn::from)
            .ok_or(SignInError::UnknownTransaction)
    }

    /// Waits up to `wait` for the request to be answered or to expire, without moving
    /// the sign-in on. A request never sent reads `pending` until its expiry, exactly
    /// like one nobody answers.
    pub async fn phone_sign_in_state(
        &self,
        push: &PushService,
        transaction: &TransactionId,
        wait: Duration,
    ) -> Result<ApprovalState, SignInError> {
        let (_, doc) = self.open_transaction(transaction).await?;
        let request = doc.phone_sign_in.ok_or(SignInError::UnknownTransaction)?;
        if request.sent {
            return push
                .wait_for_answer(&request.approval_id, wait)
                .await
                .map_err(push_failure);
        }
        let until_expiry = (request.expires_at - OffsetDateTime::now_utc())
            .try_into()
            .unwrap_or(Duration::ZERO);
        if until_expiry > wait {
            tokio::time::sleep(wait).await;
            return Ok(ApprovalState::Pending);
        }
        tokio::time::sleep(until_expiry).await;
        Ok(ApprovalState::Expired)
    }

    /// Waits up to `wait`, then feeds how the request ended to the pipeline as the
    /// first factor. `None`: still unanswered (the page waits again).
    pub async fn finish_phone_sign_in(
        &self,
        push: &PushService,
        transaction: &TransactionId,
        wait: Duration,
    ) -> Result<Option<SignInProgress>, SignInError> {
        let state = self.phone_sign_in_state(push, transaction, wait).await?;
        let input = match &state {
            ApprovalState::Pending => return Ok(None),
            ApprovalState::Approved { device_id } => Input::PhoneSignInApproved {
                credential_id: device_id.clone(),
            },
            settled => Input::OutOfBandDeclined {
                credential_id: device_of(settled),
                reason: decline_of(settled),
            },
        };
        self.step(transaction, input).await.map(Some)
    }

    /// "Use my password instead": the request is withdrawn (devices drop it) and the
    /// transaction waits for a first factor again. An answer that got there first is
    /// dropped: the user chose the password.
    pub async fn withdraw_phone_sign_in(
        &self,
        push: &PushService,
        transaction: &TransactionId,
    ) -> Result<(), SignInError> {
        let (stored, mut doc) = self.open_transaction(transaction).await?;
        if let Some(request) = doc.phone_sign_in.take() {
            if request.sent {
                push.cancel(&request.approval_id, OffsetDateTime::now_utc())
                    .await
                    .map_err(push_failure)?;
            }
            self.rewrite(&stored, &doc).await?;
        }
        Ok(())
    }
}

fn device_of(state: &ApprovalState) -> Option<CredentialId> {
    match state {
        ApprovalState::Approved { device_id }
        | ApprovalState::Denied { device_id }
        | ApprovalState::WrongNumber { device_id }
        | ApprovalState::Reported { device_id } => Some(device_id.clone()),
        ApprovalState::Pending | ApprovalState::Expired | ApprovalState::Cancelled => None,
    }
}
