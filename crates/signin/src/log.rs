//! The sign-in log record: a pure function from the step's facts to the Graph `signIn`
//! shape, plus a compact copy of the evaluation input so a draft policy can later be
//! replayed over past sign-ins (`portcullis_policy::evaluate::evaluate` over the stored
//! `SignInContext`).

use portcullis_core::SignInId;
use portcullis_core::signin::{ConditionalAccessStatus, SignIn, SignInStatus};
use portcullis_policy::evaluate::{self, Decision, SignInContext};
use portcullis_policy::model::OpenEnum;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::error_code::ErrorCode;
use crate::request::RequestContext;
use crate::subject::UserRecord;
use crate::transaction::SignInTransaction;

/// One `authenticationDetail` (Graph beta).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationStep {
    /// `Password`, `Temporary Access Pass`, `Passkey (FIDO2)`, `OATH verification code`, …
    pub authentication_method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_method_detail: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub authentication_step_date_time: OffsetDateTime,
    /// `Primary authentication`, `Multifactor authentication` or `Registration`.
    pub authentication_step_requirement: String,
    /// e.g. `Correct password`, `Invalid verification code`, `OTP code reused`.
    pub authentication_step_result_detail: String,
    pub succeeded: bool,
}

/// What [`Effect::AppendSignInLog`](crate::Effect::AppendSignInLog) carries.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInLogEntry {
    /// The Graph `signIn` record.
    pub record: SignIn,
    /// The Conditional Access input this step was judged on, as compact JSON (the
    /// evaluator's own `SignInContext` format); `None` when the step ended before
    /// Conditional Access (wrong password, lockout, unknown user).
    pub evaluation_input: Option<String>,
}

/// The facts of one step that the log needs.
pub(crate) struct LogFacts<'a> {
    pub(crate) id: SignInId,
    pub(crate) now: OffsetDateTime,
    pub(crate) transaction: &'a SignInTransaction,
    pub(crate) request: &'a RequestContext,
    pub(crate) user: Option<&'a UserRecord>,
    /// `None`: success.
    pub(crate) code: Option<ErrorCode>,
    pub(crate) additional_details: Option<String>,
    pub(crate) decision: Option<&'a Decision<'a>>,
    pub(crate) evaluation_input: Option<&'a SignInContext>,
}

/// Builds the log entry for one step.
pub(crate) fn build(facts: &LogFacts<'_>) -> SignInLogEntry {
    let request = facts.request;
    let status = match facts.code {
        None => SignInStatus::success(),
        Some(code) => SignInStatus {
            error_code: code.code(),
            failure_reason: Some(code.failure_reason().to_owned()),
            additional_details: facts.additional_details.clone(),
        },
    };
    let (conditional_access_status, applied) = match facts.decision {
        Some(decision) => (
            match decision.conditional_access_status {
                evaluate::ConditionalAccessStatus::Success => ConditionalAccessStatus::Success,
                evaluate::ConditionalAccessStatus::Failure => ConditionalAccessStatus::Failure,
                evaluate::ConditionalAccessStatus::NotApplied => {
                    ConditionalAccessStatus::NotApplied
                }
            },
            serde_json::to_value(&decision.applied_conditional_access_policies)
                .unwrap_or(Value::Array(Vec::new())),
        ),
        None => (
            ConditionalAccessStatus::NotApplied,
            Value::Array(Vec::new()),
        ),
    };
    let risk_level = request
        .risk
        .sign_in_risk_level
        .as_ref()
        .map_or("none", OpenEnum::as_str)
        .to_owned();
    let at_risk = !matches!(risk_level.as_str(), "none" | "hidden");
    let (risk_state, risk_detail) = risk_state_and_detail(&request.risk, at_risk);
    let mut extra = Map::new();
    extra.insert(
        "authenticationProtocol".into(),
        json!(request.protocol.authentication_protocol()),
    );
    extra.insert(
        "signInEventTypes".into(),
        json!([if request.protocol.is_interactive() {
            "interactiveUser"
        } else {
            "nonInteractiveUser"
        }]),
    );
    extra.insert(
        "riskEventTypes_v2".into(),
        json!(request.risk.sign_in_risk_reasons),
    );
    if let Some(user) = facts.user {
        extra.insert("userType".into(), json!(user.user_type.as_str()));
    }
    extra.insert(
        "signInIdentifier".into(),
        json!(facts.transaction.identifier),
    );
    if let Some(decision) = facts.decision
        && !decision.baseline_requirements.is_empty()
    {
        extra.insert(
            "baselineRequirements".into(),
            serde_json::to_value(&decision.baseline_requirements).unwrap_or(Value::Null),
        );
    }
    let record = SignIn {
        id: facts.id.clone(),
        created_date_time: facts.now,
        correlation_id: Some(facts.transaction.correlation_id.clone()),
        user_id: facts.user.map(|user| user.id.clone()),
        user_principal_name: Some(facts.user.map_or_else(
            || facts.transaction.identifier.clone(),
            |user| user.user_principal_name.clone(),
        )),
        user_display_name: facts.user.map(|user| user.display_name.clone()),
        app_id: request.target.app_id().map(str::to_owned),
        app_display_name: request.app_display_name.clone(),
        ip_address: request.ip_address.map(|ip| ip.to_string()),
        client_app_used: Some(request.protocol.client_app_used().to_owned()),
        user_agent: request.user_agent.clone(),
        is_interactive: request.protocol.is_interactive(),
        status,
        conditional_access_status,
        applied_conditional_access_policies: applied,
        risk_level_during_sign_in: Some(risk_level.clone()),
        risk_level_aggregated: Some(
            request
                .risk
                .user_risk_level
                .as_ref()
                .map_or("none", OpenEnum::as_str)
                .to_owned(),
        ),
        risk_state: Some(risk_state.to_owned()),
        risk_detail: Some(risk_detail.to_owned()),
        location: Some(request.location.clone()),
        device_detail: Some(request.device_detail.clone()),
        authentication_details: serde_json::to_value(&facts.transaction.steps)
            .unwrap_or(Value::Array(Vec::new())),
        authentication_requirement: Some(
            if facts.transaction.multi_factor_required {
                "multiFactorAuthentication"
            } else {
                "singleFactorAuthentication"
            }
            .to_owned(),
        ),
        extra,
    };
    SignInLogEntry {
        record,
        evaluation_input: facts.evaluation_input.and_then(compact_input),
    }
}

/// `riskState` and `riskDetail` of the record. A user whose risk is open (`atRisk`,
/// `confirmedCompromised`) shows it; otherwise a risky sign-in is `atRisk`; otherwise the
/// user's own state stands (`remediated`, `dismissed`, … with its detail), or `none`.
fn risk_state_and_detail(risk: &crate::request::RiskInput, sign_in_at_risk: bool) -> (&str, &str) {
    let user_state = risk.user_risk_state.as_deref().unwrap_or("none");
    let user_detail = risk.user_risk_detail.as_deref().unwrap_or("none");
    let user_open = matches!(user_state, "atRisk" | "confirmedCompromised");
    if user_open || !sign_in_at_risk {
        (user_state, user_detail)
    } else {
        ("atRisk", "none")
    }
}

/// The evaluation input as JSON without `null`s and empty lists: every such field of
/// `SignInContext` defaults to exactly that when read back, so nothing is lost and the
/// 10-million-row log stays small.
fn compact_input(context: &SignInContext) -> Option<String> {
    fn prune(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.retain(|_, field| {
                    !(field.is_null() || field.as_array().is_some_and(Vec::is_empty))
                });
                map.values_mut().for_each(prune);
            }
            Value::Array(items) => items.iter_mut().for_each(prune),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(context).ok()?;
    prune(&mut value);
    serde_json::to_string(&value).ok()
}

/// Why a stored evaluation input could not be read back.
#[derive(Debug, thiserror::Error)]
#[error("the stored evaluation input is not a valid sign-in context: {0}")]
pub struct ReplayInputError(#[from] serde_json::Error);

/// Reads a stored [`SignInLogEntry::evaluation_input`] back, to judge a past sign-in
/// against another (draft) policy set with `portcullis_policy::evaluate::evaluate`.
pub fn replay_input(stored: &str) -> Result<SignInContext, ReplayInputError> {
    Ok(serde_json::from_str(stored)?)
}

trait TargetApp {
    fn app_id(&self) -> Option<&str>;
}

impl TargetApp for portcullis_policy::evaluate::SignInTarget {
    fn app_id(&self) -> Option<&str> {
        match self {
            Self::Application { app_id } => Some(app_id),
            Self::AuthenticationContext { app_id, .. } => app_id.as_deref(),
            Self::UserAction { user_action } => Some(user_action.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::risk_state_and_detail;
    use crate::request::RiskInput;

    fn user(state: &str, detail: &str) -> RiskInput {
        RiskInput {
            user_risk_state: Some(state.into()),
            user_risk_detail: Some(detail.into()),
            ..RiskInput::default()
        }
    }

    #[test]
    fn risk_state_prefers_open_user_risk_then_sign_in_risk() {
        assert_eq!(
            risk_state_and_detail(&RiskInput::default(), false),
            ("none", "none")
        );
        assert_eq!(
            risk_state_and_detail(&RiskInput::default(), true),
            ("atRisk", "none")
        );
        let compromised = user("confirmedCompromised", "adminConfirmedUserCompromised");
        assert_eq!(
            risk_state_and_detail(&compromised, true),
            ("confirmedCompromised", "adminConfirmedUserCompromised")
        );
        let remediated = user("remediated", "userPerformedSecuredPasswordReset");
        assert_eq!(
            risk_state_and_detail(&remediated, false),
            ("remediated", "userPerformedSecuredPasswordReset")
        );
        assert_eq!(risk_state_and_detail(&remediated, true), ("atRisk", "none"));
    }
}
