//! Turning an accepted answer into the approval's final state and the list of things the
//! edge must carry out, in one place, so every protocol (browser sign-in, RADIUS
//! out-of-band MFA, helpdesk verification) reacts to an answer the same way.

use portcullis_core::{CredentialId, UserId};

use crate::answer::Verdict;
use crate::approval::{ApprovalId, ApprovalPurpose, ApprovalState, PendingApproval};
use crate::fatigue::{FatigueEvent, FatiguePolicy, FatigueState};

/// The Graph risk detection for "this wasn't me" (entra.md §12.3).
pub const REPORTED_RISK_EVENT_TYPE: &str = "userReportedSuspiciousActivity";
/// The audit activity Entra writes when a user reports fraud and pushes are blocked.
pub const FRAUD_AUDIT_ACTIVITY: &str = "Fraud reported - user is blocked for MFA";

/// What the sign-in log records as the step's result detail (Graph
/// `authenticationStepResultDetail` wording).
pub const DETAIL_APPROVED: &str = "MFA successfully completed";
pub const DETAIL_DENIED: &str = "MFA denied; user declined the authentication";
pub const DETAIL_WRONG_NUMBER: &str = "MFA denied; user did not select the correct number";
pub const DETAIL_FRAUD: &str = "MFA denied; Fraud Code Entered";
pub const DETAIL_EXPIRED: &str = "MFA denied; user did not respond to mobile app notification";

/// Everything a fraud report obliges the edge to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FraudReport {
    pub user_id: UserId,
    pub approval_id: ApprovalId,
    pub device_id: CredentialId,
    /// The sign-in to mark as fraud, when the push belonged to one.
    pub sign_in_correlation_id: Option<String>,
    /// Append a risk detection of this type, level high, source "End user reported",
    /// and set the user's risk to high (Conditional Access user-risk conditions read it).
    pub risk_event_type: &'static str,
    /// Raise the "fraud report" alert.
    pub alert: &'static str,
    /// Append this audit activity.
    pub audit_activity: &'static str,
}

/// One thing the edge must do after an answer was accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeAction {
    /// Feed `Input::OutOfBandApproved { credential_id: device_id }` to the sign-in.
    CompleteSignIn {
        correlation_id: String,
        device_id: CredentialId,
    },
    /// End the waiting sign-in as failed with this result detail.
    FailSignIn {
        correlation_id: String,
        detail: &'static str,
    },
    /// Show the helpdesk agent the answer and audit it.
    HelpdeskVerified {
        requested_by: String,
        verified: bool,
        detail: &'static str,
    },
    Fraud(FraudReport),
    /// Persist the user's new fatigue state and log this explanation.
    RecordFatigue(FatigueEvent),
}

/// The outcome of an accepted answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// Store this state with a compare-and-set on `Pending`.
    pub state: ApprovalState,
    pub fatigue: FatigueState,
    pub actions: Vec<EdgeAction>,
}

/// Settles `approval` with `verdict`, updating the user's fatigue state.
pub fn settle(
    approval: &PendingApproval,
    verdict: &Verdict,
    fatigue: &FatigueState,
    policy: &FatiguePolicy,
    now: time::OffsetDateTime,
) -> Settlement {
    let mut fatigue = fatigue.clone();
    let event = fatigue.record(policy, verdict, now);
    let detail = match verdict {
        Verdict::Approved { .. } => DETAIL_APPROVED,
        Verdict::Denied { .. } => DETAIL_DENIED,
        Verdict::WrongNumber { .. } => DETAIL_WRONG_NUMBER,
        Verdict::Reported { .. } => DETAIL_FRAUD,
    };
    let mut actions = Vec::new();
    match (&approval.purpose, verdict) {
        (
            ApprovalPurpose::SignIn { correlation_id }
            | ApprovalPurpose::PasswordlessSignIn { correlation_id },
            Verdict::Approved { device_id },
        ) => {
            actions.push(EdgeAction::CompleteSignIn {
                correlation_id: correlation_id.clone(),
                device_id: device_id.clone(),
            });
        }
        (
            ApprovalPurpose::SignIn { correlation_id }
            | ApprovalPurpose::PasswordlessSignIn { correlation_id },
            _,
        ) => {
            actions.push(EdgeAction::FailSignIn {
                correlation_id: correlation_id.clone(),
                detail,
            });
        }
        (ApprovalPurpose::HelpdeskVerification { requested_by }, verdict) => {
            actions.push(EdgeAction::HelpdeskVerified {
                requested_by: requested_by.clone(),
                verified: matches!(verdict, Verdict::Approved { .. }),
                detail,
            });
        }
    }
    if let Verdict::Reported { device_id } = verdict {
        actions.push(EdgeAction::Fraud(FraudReport {
            user_id: approval.user_id.clone(),
            approval_id: approval.id,
            device_id: device_id.clone(),
            sign_in_correlation_id: approval.purpose.sign_in_correlation_id().map(str::to_owned),
            risk_event_type: REPORTED_RISK_EVENT_TYPE,
            alert: "fraudReport",
            audit_activity: FRAUD_AUDIT_ACTIVITY,
        }));
    }
    actions.push(EdgeAction::RecordFatigue(event));
    Settlement {
        state: verdict.settled_state(),
        fatigue,
        actions,
    }
}
