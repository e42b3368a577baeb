//! The bridge to the sign-in service: wait for the push the user chose, and on approval
//! feed `Input::OutOfBandApproved` for the answering device to the pipeline, which then
//! re-evaluates Conditional Access over the methods proven.

use std::time::Duration;

use portcullis_push::{ApprovalId, ApprovalState};
use portcullis_signin::Input;
use thiserror::Error;

use super::PushService;
use super::error::PushError;
use crate::signin::{SignInError, SignInProgress, SignInService, TransactionId};

/// What became of a sign-in waiting for a push.
#[derive(Debug)]
pub enum PushSignInStep {
    /// Approved: the pipeline's next progress (`Done`, or a further challenge).
    Progress(Box<SignInProgress>),
    /// The push ended without approval (denied, wrong number, reported, expired,
    /// cancelled): show [`super::detail_of`] and offer another method.
    NotApproved(ApprovalState),
    /// Still unanswered after the wait: the page waits again.
    Waiting,
}

#[derive(Debug, Error)]
pub enum PushSignInError {
    #[error(transparent)]
    Push(#[from] PushError),
    #[error("sign-in: {0}")]
    SignIn(#[from] SignInError),
}

impl PushService {
    /// Waits up to `wait` for the approval, then completes the sign-in step with it.
    pub async fn await_sign_in_push(
        &self,
        signin: &SignInService,
        transaction: &TransactionId,
        approval: &ApprovalId,
        wait: Duration,
    ) -> Result<PushSignInStep, PushSignInError> {
        match self.wait_for_answer(approval, wait).await? {
            ApprovalState::Approved { device_id } => {
                let progress = signin
                    .step(
                        transaction,
                        Input::OutOfBandApproved {
                            credential_id: device_id,
                        },
                    )
                    .await?;
                Ok(PushSignInStep::Progress(Box::new(progress)))
            }
            ApprovalState::Pending => Ok(PushSignInStep::Waiting),
            other => Ok(PushSignInStep::NotApproved(other)),
        }
    }
}
