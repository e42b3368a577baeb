//! The state of one sign-in between steps. Serialisable (the edge keeps it server-side,
//! keyed by an opaque flow token) and free of secrets: credential material is reloaded
//! with the subject at every step.

use portcullis_authn::methods::MethodKind;
use portcullis_authn::otp_code::OtpChallenge;
use portcullis_core::{CorrelationId, CredentialId, UserId};
use portcullis_policy::evaluate::SessionState;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::log::AuthenticationStep;

/// One sign-in transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInTransaction {
    pub(crate) correlation_id: CorrelationId,
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) started_at: OffsetDateTime,
    /// The name as typed (for the log when it resolved to no one).
    pub(crate) identifier: String,
    /// Set by the first factor.
    pub(crate) user_id: Option<UserId>,
    pub(crate) stage: Stage,
    /// Methods proven so far, as the evaluator reads them.
    pub(crate) session: SessionState,
    /// `authenticationDetails` so far.
    pub(crate) steps: Vec<AuthenticationStep>,
    pub(crate) password_changed: bool,
    pub(crate) registration_skipped: bool,
    /// The current registration prompt is the campaign's nudge.
    #[serde(default)]
    pub(crate) campaign_prompted: bool,
    pub(crate) second_factor_failures: u32,
    /// A policy asked for MFA at some point (`authenticationRequirement`).
    pub(crate) multi_factor_required: bool,
    /// The methods offered by the current challenge.
    pub(crate) offered: Vec<(MethodKind, CredentialId)>,
    /// The methods the current registration prompt lists: only these may be registered
    /// (and counted) in it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) registration_offered: Vec<MethodKind>,
    pub(crate) pending_code: Option<PendingCode>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub(crate) not_after: Option<OffsetDateTime>,
}

/// A one-time code sent in this transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PendingCode {
    pub(crate) credential_id: CredentialId,
    pub(crate) kind: MethodKind,
    pub(crate) challenge: OtpChallenge,
}

/// Where the transaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Stage {
    /// Waiting for the first factor.
    FirstFactor,
    /// Waiting for an offered method.
    Challenge,
    /// Waiting for a registration (or a skip, when `skippable`).
    Registration { skippable: bool },
    /// Waiting for a new password.
    PasswordChange,
    /// Signed in.
    Done,
    /// Failed.
    Failed,
}

impl SignInTransaction {
    /// A new transaction for the name the user typed (empty for a username-less passkey
    /// sign-in).
    pub fn begin(
        identifier: &str,
        correlation_id: CorrelationId,
        now: OffsetDateTime,
    ) -> SignInTransaction {
        SignInTransaction {
            correlation_id,
            started_at: now,
            identifier: identifier.trim().to_owned(),
            user_id: None,
            stage: Stage::FirstFactor,
            session: SessionState::default(),
            steps: Vec::new(),
            password_changed: false,
            registration_skipped: false,
            campaign_prompted: false,
            second_factor_failures: 0,
            multi_factor_required: false,
            offered: Vec::new(),
            registration_offered: Vec::new(),
            pending_code: None,
            not_after: None,
        }
    }

    pub fn stage(&self) -> Stage {
        self.stage
    }

    pub fn correlation_id(&self) -> &CorrelationId {
        &self.correlation_id
    }

    /// The name as typed (trimmed); empty for a username-less passkey sign-in.
    pub fn identifier(&self) -> &str {
        &self.identifier
    }

    /// The user, once the first factor is proven.
    pub fn user_id(&self) -> Option<&UserId> {
        self.user_id.as_ref()
    }

    /// Methods proven so far.
    /// The methods the registration interrupt offers (empty at any other stage).
    pub fn registration_offered(&self) -> &[MethodKind] {
        &self.registration_offered
    }

    pub fn session(&self) -> &SessionState {
        &self.session
    }
}
