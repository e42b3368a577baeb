//! A device's signed answer and the rules that accept or refuse it.
//!
//! The checks run in a fixed order and the first failure is the reason given. A refused
//! answer changes nothing: the approval stays pending for its real owner, so an attacker
//! posting garbage cannot cancel or settle someone's push. An accepted answer settles the
//! approval exactly once; the edge stores the settlement with a compare-and-set on the
//! `Pending` state, which is what makes a replay of the same answer fail.

use portcullis_core::CredentialId;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use thiserror::Error;
use time::OffsetDateTime;

use crate::approval::{ApprovalId, ApprovalState, PendingApproval};
use crate::device::Device;
use crate::key::AnswerSignature;
use crate::message::{AnswerFields, Decision};
use crate::number::MatchNumber;

/// What the app posts to answer a push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedAnswer {
    pub approval_id: ApprovalId,
    pub device_id: CredentialId,
    pub decision: Decision,
    /// The number typed by the user (required to approve).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<MatchNumber>,
    /// The app's local unlock happened (signed inside the canonical message); required
    /// to approve a passwordless sign-in.
    #[serde(default)]
    pub local_unlock: bool,
    /// Over [`AnswerFields::canonical_bytes`] with the approval's nonce and expiry.
    pub signature: AnswerSignature,
}

/// Why an answer was refused. None of these settle the approval.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AnswerRefused {
    #[error("the answer names approval {answered}, not {expected}")]
    WrongApproval {
        answered: ApprovalId,
        expected: ApprovalId,
    },
    #[error("the approval was already settled ({0}); an answer is accepted once")]
    AlreadySettled(&'static str),
    #[error("the approval expired at {0}")]
    Expired(OffsetDateTime),
    #[error("the answering device is not the device that was loaded for it")]
    DeviceMismatch,
    #[error("the device belongs to another user")]
    ForeignDevice,
    #[error("the device was removed and can no longer answer")]
    DeviceRemoved,
    #[error("the signature does not verify with the device's key over this approval")]
    BadSignature,
    #[error("an approval must carry the number shown on the sign-in screen")]
    NumberMissing,
    #[error("a denial or report carries no number")]
    UnexpectedNumber,
    #[error(
        "a passwordless sign-in is approved only after the app's local unlock (passphrase or local confirmation)"
    )]
    LocalUnlockMissing,
}

/// An accepted answer: what the approval becomes and what the edge must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Number matched: the sign-in gets `Input::OutOfBandApproved` for this device.
    Approved { device_id: CredentialId },
    /// The user said no.
    Denied { device_id: CredentialId },
    /// Signed, but the typed number was wrong: the sign-in fails (one guess per push, so
    /// an attacker's victim cannot be walked through the 90 numbers).
    WrongNumber { device_id: CredentialId },
    /// "This wasn't me": deny and report (see [`crate::report`]).
    Reported { device_id: CredentialId },
}

impl Verdict {
    /// The state the approval is settled in.
    pub fn settled_state(&self) -> ApprovalState {
        match self {
            Verdict::Approved { device_id } => ApprovalState::Approved {
                device_id: device_id.clone(),
            },
            Verdict::Denied { device_id } => ApprovalState::Denied {
                device_id: device_id.clone(),
            },
            Verdict::WrongNumber { device_id } => ApprovalState::WrongNumber {
                device_id: device_id.clone(),
            },
            Verdict::Reported { device_id } => ApprovalState::Reported {
                device_id: device_id.clone(),
            },
        }
    }

    /// Counts toward the fatigue defences' denial window.
    pub fn is_denial(&self) -> bool {
        !matches!(self, Verdict::Approved { .. })
    }
}

/// Checks `answer` for `approval`, as answered by `device` (loaded by `answer.device_id`).
pub fn verify_answer(
    approval: &PendingApproval,
    device: &Device,
    answer: &SignedAnswer,
    now: OffsetDateTime,
) -> Result<Verdict, AnswerRefused> {
    if answer.approval_id != approval.id {
        return Err(AnswerRefused::WrongApproval {
            answered: answer.approval_id,
            expected: approval.id,
        });
    }
    if approval.state != ApprovalState::Pending {
        return Err(AnswerRefused::AlreadySettled(approval.state.name()));
    }
    if now >= approval.expires_at {
        return Err(AnswerRefused::Expired(approval.expires_at));
    }
    if answer.device_id != device.id {
        return Err(AnswerRefused::DeviceMismatch);
    }
    if device.user_id != approval.user_id {
        return Err(AnswerRefused::ForeignDevice);
    }
    if !device.is_active() {
        return Err(AnswerRefused::DeviceRemoved);
    }
    match (answer.decision, answer.number) {
        (Decision::Approve, None) => return Err(AnswerRefused::NumberMissing),
        (Decision::Deny | Decision::Report, Some(_)) => {
            return Err(AnswerRefused::UnexpectedNumber);
        }
        _ => {}
    }
    // The device is the only thing a passwordless sign-in proves possession of, so the
    // second factor is the app's unlock; without it the approval is refused (and the
    // approval stays pending, so the real user can still answer properly).
    if answer.decision == Decision::Approve
        && approval.purpose.is_passwordless()
        && !answer.local_unlock
    {
        return Err(AnswerRefused::LocalUnlockMissing);
    }
    let signed = AnswerFields {
        approval_id: approval.id,
        device_id: &device.id,
        decision: answer.decision,
        number: answer.number,
        nonce: &approval.nonce,
        expires_at: approval.expires_at,
        local_unlock: answer.local_unlock,
    };
    if !device
        .public_key
        .verify(&signed.canonical_bytes(), &answer.signature)
    {
        return Err(AnswerRefused::BadSignature);
    }
    let device_id = device.id.clone();
    Ok(match (answer.decision, answer.number) {
        (Decision::Approve, Some(typed)) => {
            // Constant time: the number is a secret of the sign-in screen until settled.
            if bool::from(typed.value().ct_eq(&approval.number.value())) {
                Verdict::Approved { device_id }
            } else {
                Verdict::WrongNumber { device_id }
            }
        }
        (Decision::Report, _) => Verdict::Reported { device_id },
        _ => Verdict::Denied { device_id },
    })
}

/// The state an unanswered approval is in at `now`: pending approvals past their expiry
/// read as expired, so nothing acts on them even before a sweeper rewrites the row.
pub fn effective_state(approval: &PendingApproval, now: OffsetDateTime) -> ApprovalState {
    if approval.state == ApprovalState::Pending && now >= approval.expires_at {
        ApprovalState::Expired
    } else {
        approval.state.clone()
    }
}
