//! The bridge to the sign-in service: send the push the user chose for a waiting
//! sign-in, wait for it, and feed how it ended to the pipeline —
//! `Input::OutOfBandApproved` for the answering device, or `Input::OutOfBandDeclined`
//! with the reason — which logs the step and re-evaluates Conditional Access.

use std::time::Duration;

use portcullis_core::UserId;
use portcullis_push::{ApprovalContext, ApprovalId, ApprovalPurpose, ApprovalState};
use portcullis_signin::{Input, OutOfBandDecline, RequestContext, SignInTransaction, Stage};
use serde::Deserialize;
use thiserror::Error;
use time::OffsetDateTime;

use super::approvals::approval_of;
use super::error::PushError;
use super::{PushService, StartedPush};
use crate::signin::{SignInError, SignInProgress, SignInService, TransactionId};

/// What became of a sign-in waiting for a push.
#[derive(Debug)]
pub enum PushSignInStep {
    /// The push ended (approved, or not): the pipeline's next progress — `Done`, a
    /// further challenge, the challenge again with an error, or the end of the sign-in.
    Progress(Box<SignInProgress>),
    /// Still unanswered after the wait: the page waits again.
    Waiting,
}

#[derive(Debug, Error)]
pub enum PushSignInError {
    #[error(transparent)]
    Push(#[from] PushError),
    #[error("sign-in: {0}")]
    SignIn(#[from] SignInError),
    /// The transaction is not waiting for a second factor (over, or not yet at MFA).
    #[error("the sign-in is not waiting for a second factor")]
    NotChallenged,
    /// The approval does not belong to this sign-in.
    #[error("push approval {0} was not sent for this sign-in")]
    ForeignApproval(String),
}

/// The parts of the sign-in service's stored transaction a push needs. Read-only: the
/// sign-in service stays the only writer (unknown fields are ignored, so its document
/// may grow freely).
#[derive(Deserialize)]
struct TransactionView {
    request: RequestContext,
    transaction: SignInTransaction,
}

/// Who a waiting sign-in's push goes to, and what the app should show about it.
struct PushTarget {
    user: UserId,
    correlation_id: String,
    context: ApprovalContext,
}

fn reason_of(state: &ApprovalState) -> Option<OutOfBandDecline> {
    match state {
        ApprovalState::Denied { .. } => Some(OutOfBandDecline::Denied),
        ApprovalState::WrongNumber { .. } => Some(OutOfBandDecline::WrongNumber),
        ApprovalState::Reported { .. } => Some(OutOfBandDecline::FraudReported),
        ApprovalState::Expired => Some(OutOfBandDecline::Expired),
        ApprovalState::Cancelled => Some(OutOfBandDecline::Withdrawn),
        ApprovalState::Approved { .. } | ApprovalState::Pending => None,
    }
}

fn location_text(request: &RequestContext) -> Option<String> {
    let location = &request.location;
    let parts: Vec<&str> = [&location.city, &location.country_or_region]
        .into_iter()
        .filter_map(|part| part.as_deref())
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// What the app shows about a sign-in's request (application, IP, location, time).
pub(crate) fn approval_context(request: &RequestContext, now: OffsetDateTime) -> ApprovalContext {
    ApprovalContext {
        application: request
            .app_display_name
            .clone()
            .unwrap_or_else(|| "Portcullis".to_owned()),
        ip_address: request.ip_address.map(|ip| ip.to_string()),
        location: location_text(request),
        requested_at: now,
    }
}

impl PushService {
    async fn push_target(
        &self,
        transaction: &TransactionId,
        now: OffsetDateTime,
    ) -> Result<PushTarget, PushSignInError> {
        let stored = self
            .store
            .get_sign_in_transaction(&transaction.hash())
            .await
            .map_err(PushError::from)?
            .filter(|stored| stored.expires_at > now)
            .ok_or(SignInError::UnknownTransaction)?;
        let view: TransactionView = serde_json::from_value(stored.doc)
            .map_err(|e| PushError::Corrupt(format!("sign-in transaction: {e}")))?;
        let user = match (view.transaction.stage(), view.transaction.user_id()) {
            (Stage::Challenge, Some(user)) => user.clone(),
            _ => return Err(PushSignInError::NotChallenged),
        };
        Ok(PushTarget {
            user,
            correlation_id: view.transaction.correlation_id().to_string(),
            context: approval_context(&view.request, now),
        })
    }

    /// Sends a push for the sign-in waiting on `transaction` (its user, application, IP
    /// and location). The fatigue defences may refuse it (`PushError::Refused`).
    pub async fn start_sign_in_push(
        &self,
        transaction: &TransactionId,
        now: OffsetDateTime,
    ) -> Result<StartedPush, PushSignInError> {
        let target = self.push_target(transaction, now).await?;
        Ok(self
            .start_push(
                &target.user,
                ApprovalPurpose::SignIn {
                    correlation_id: target.correlation_id,
                },
                target.context,
                now,
            )
            .await?)
    }

    /// The push sent for this sign-in (number and expiry, to show the wait again), after
    /// checking it belongs to the sign-in.
    pub async fn sign_in_push(
        &self,
        transaction: &TransactionId,
        approval: &ApprovalId,
    ) -> Result<StartedPush, PushSignInError> {
        let sent = self
            .check_belongs(transaction, approval, OffsetDateTime::now_utc())
            .await?;
        Ok(StartedPush {
            approval_id: sent.id,
            number: sent.number,
            expires_at: sent.expires_at,
            devices: self.devices(&sent.user_id).await?.len(),
        })
    }

    /// Waits up to `wait` for the sign-in's push to be answered and says how it stands,
    /// without moving the sign-in on (the page then posts its wait form).
    pub async fn sign_in_push_state(
        &self,
        transaction: &TransactionId,
        approval: &ApprovalId,
        wait: Duration,
    ) -> Result<ApprovalState, PushSignInError> {
        self.check_belongs(transaction, approval, OffsetDateTime::now_utc())
            .await?;
        Ok(self.wait_for_answer(approval, wait).await?)
    }

    /// Checks that `approval` was sent for this sign-in: same user, same correlation id.
    async fn check_belongs(
        &self,
        transaction: &TransactionId,
        approval: &ApprovalId,
        now: OffsetDateTime,
    ) -> Result<portcullis_push::PendingApproval, PushSignInError> {
        let target = self.push_target(transaction, now).await?;
        let record = self
            .store
            .get_push_approval(&approval.to_string())
            .await
            .map_err(PushError::from)?
            .ok_or_else(|| PushError::UnknownApproval(approval.to_string()))?;
        let sent = approval_of(&record)?;
        let same_sign_in = matches!(
            &sent.purpose,
            ApprovalPurpose::SignIn { correlation_id } if *correlation_id == target.correlation_id
        );
        if sent.user_id != target.user || !same_sign_in {
            return Err(PushSignInError::ForeignApproval(approval.to_string()));
        }
        Ok(sent)
    }

    /// Waits up to `wait` for the approval, then completes the sign-in step with how it
    /// ended. An expiry noticed here is settled here (`wait_for_answer` closes it).
    pub async fn await_sign_in_push(
        &self,
        signin: &SignInService,
        transaction: &TransactionId,
        approval: &ApprovalId,
        wait: Duration,
    ) -> Result<PushSignInStep, PushSignInError> {
        self.check_belongs(transaction, approval, OffsetDateTime::now_utc())
            .await?;
        let state = self.wait_for_answer(approval, wait).await?;
        let input = match &state {
            ApprovalState::Pending => return Ok(PushSignInStep::Waiting),
            ApprovalState::Approved { device_id } => Input::OutOfBandApproved {
                credential_id: device_id.clone(),
            },
            settled => Input::OutOfBandDeclined {
                credential_id: device_of(settled),
                reason: reason_of(settled).unwrap_or(OutOfBandDecline::Withdrawn),
            },
        };
        let progress = signin.step(transaction, input).await?;
        Ok(PushSignInStep::Progress(Box::new(progress)))
    }

    /// "Use another method": the push is withdrawn (devices drop it) and the sign-in
    /// offers its challenge again. If an answer got there first, that answer counts.
    pub async fn withdraw_sign_in_push(
        &self,
        signin: &SignInService,
        transaction: &TransactionId,
        approval: &ApprovalId,
    ) -> Result<SignInProgress, PushSignInError> {
        let now = OffsetDateTime::now_utc();
        self.check_belongs(transaction, approval, now).await?;
        self.cancel(approval, now).await?;
        match self
            .await_sign_in_push(signin, transaction, approval, Duration::ZERO)
            .await?
        {
            PushSignInStep::Progress(progress) => Ok(*progress),
            // `cancel` settled it or an answer did: never pending here, but if the store
            // disagrees the challenge is offered again all the same.
            PushSignInStep::Waiting => Ok(signin
                .step(
                    transaction,
                    Input::OutOfBandDeclined {
                        credential_id: None,
                        reason: OutOfBandDecline::Withdrawn,
                    },
                )
                .await?),
        }
    }
}

fn device_of(state: &ApprovalState) -> Option<portcullis_core::CredentialId> {
    match state {
        ApprovalState::Approved { device_id }
        | ApprovalState::Denied { device_id }
        | ApprovalState::WrongNumber { device_id }
        | ApprovalState::Reported { device_id } => Some(device_id.clone()),
        ApprovalState::Pending | ApprovalState::Expired | ApprovalState::Cancelled => None,
    }
}
