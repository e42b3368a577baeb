//! What If (entra.md §2.7): the Graph `POST /identity/conditionalAccess/evaluate`
//! contract. Takes the Graph request body plus directory facts and answers with Graph's
//! `{"value":[whatIfAnalysisResult…]}`.
//!
//! Semantics, with the documented strictness of the new API:
//! * Only `enabled` and report-only policies are evaluated; disabled ones are listed with
//!   `policyApplies: false` and `policyNotEnabled`.
//! * A policy without conditions is `invalidPolicy`; one with neither grant nor session
//!   controls `emptyPolicy`.
//! * A policy applies when every condition it configures matches, exactly as in a
//!   sign-in ([`crate::evaluate`]), except that **a condition whose signal the request
//!   lacks does not match** (client app, platform, device, network, any risk level,
//!   authentication flow) and is reported as `notEnoughInformation`; app groups
//!   (`Office365`, `MicrosoftAdminPortals`) never match a concrete app ID; application
//!   and service-principal filters (custom security attributes) cannot be decided
//!   (`notEnoughInformation`); a device filter that does not parse is `invalidCondition`.
//! * Otherwise `analysisReasons` names the **first** unmet condition in this order:
//!   users / workloadIdentities, application / userActions / authenticationContext,
//!   devicePlatform, devices, clientApps, location, signInRisk, userRisk, service
//!   principal risk (reported as `workloadIdentities`, Graph has no closer member),
//!   insiderRisk, authenticationFlow.
//! * With several `includeApplications`, a policy applies when it applies to any of them;
//!   the reason comes from the first.
//! * The user's groups are the transitive closure of the directory's memberships; a user
//!   of type guest is a guest (`b2bCollaborationGuest` unless the request's
//!   `externalUserType` says otherwise).

mod directory;
mod request;
mod response;

pub use directory::{Directory, DirectoryGroup, DirectoryUser};
pub use request::{
    AuthenticationFlowWire, EvaluateRequest, SignInConditions, SignInContextWire,
    SignInIdentityWire,
};
pub use response::{AnalysisReason, WhatIfAnalysisResult, WhatIfResponse};

use serde_json::Value;
use thiserror::Error;
use time::OffsetDateTime;

use crate::evaluate::applicability::{self, Status};
use crate::evaluate::compiled::Mode;
use crate::evaluate::prepared::{PreparedSignIn, Strictness};
use crate::evaluate::{
    Condition, PolicySet, SessionFacts, SessionState, SignInContext, SignInIdentity, SignInTarget,
    UserIdentity, UserType,
};
use crate::model::{ConditionalAccessPolicy, UserAction};

/// Why a What If request cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WhatIfError {
    #[error(
        "signInIdentity: a userSignIn needs userId and a servicePrincipalSignIn needs servicePrincipalId"
    )]
    MissingIdentity,
    #[error(
        "signInContext: an applicationContext needs includeApplications, a userActionContext a userAction, an authContext an authenticationContextValue"
    )]
    MissingContext,
    #[error(
        "signInContext.userAction: {0:?} is not registerSecurityInformation or registerOrJoinDevices"
    )]
    UnknownUserAction(String),
    #[error("cannot serialize policy {0:?} to JSON")]
    Serialize(String),
}

/// Runs the What If analysis over `set` for `request`.
pub fn what_if(
    set: &PolicySet,
    directory: &Directory,
    request: &EvaluateRequest,
) -> Result<WhatIfResponse, WhatIfError> {
    let compiled = set.compile();
    let contexts = sign_in_contexts(directory, request)?;
    let prepared: Vec<PreparedSignIn<'_>> = contexts
        .iter()
        .map(|context| PreparedSignIn::new(&compiled, context, Strictness::WhatIf))
        .collect();
    let mut value = Vec::with_capacity(set.policies.len());
    for (index, (policy, compiled_policy)) in
        set.policies.iter().zip(&compiled.policies).enumerate()
    {
        let reason = if compiled_policy.mode == Mode::Disabled {
            AnalysisReason::PolicyNotEnabled
        } else if policy.conditions.is_none() {
            AnalysisReason::InvalidPolicy
        } else if policy.configured_grant_controls().is_none()
            && policy.configured_session_controls().is_none()
        {
            AnalysisReason::EmptyPolicy
        } else {
            let results: Vec<_> = prepared
                .iter()
                .map(|sign_in| applicability::evaluate(compiled_policy, index, sign_in))
                .collect();
            if results.iter().any(|result| result.applies()) {
                AnalysisReason::NotSet
            } else {
                results
                    .first()
                    .and_then(|result| result.first_unmet())
                    .map(|(condition, status)| reason_for(policy, condition, status))
                    .unwrap_or(AnalysisReason::NotEnoughInformation)
            }
        };
        let applies = reason == AnalysisReason::NotSet;
        if request.applied_policies_only && !applies {
            continue;
        }
        value.push(WhatIfAnalysisResult {
            policy: policy_json(policy)?,
            policy_applies: applies,
            analysis_reasons: reason,
        });
    }
    Ok(WhatIfResponse { value })
}

fn policy_json(
    policy: &ConditionalAccessPolicy,
) -> Result<serde_json::Map<String, Value>, WhatIfError> {
    match serde_json::to_value(policy) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(WhatIfError::Serialize(policy.display_name.clone())),
    }
}

fn reason_for(
    policy: &ConditionalAccessPolicy,
    condition: Condition,
    status: Status,
) -> AnalysisReason {
    match status {
        Status::Missing => return AnalysisReason::NotEnoughInformation,
        Status::Invalid => return AnalysisReason::InvalidCondition,
        Status::Satisfied | Status::NotSatisfied => {}
    }
    match condition {
        Condition::Users => AnalysisReason::Users,
        Condition::ServicePrincipals | Condition::ServicePrincipalRisk => {
            AnalysisReason::WorkloadIdentities
        }
        Condition::Application => {
            let applications = policy
                .conditions
                .as_ref()
                .and_then(|conditions| conditions.applications.as_ref());
            match applications {
                Some(apps) if apps.targets_user_actions() => AnalysisReason::UserActions,
                Some(apps)
                    if apps.targets_authentication_contexts()
                        && apps.include_applications.is_empty() =>
                {
                    AnalysisReason::AuthenticationContext
                }
                _ => AnalysisReason::Application,
            }
        }
        Condition::DevicePlatform => AnalysisReason::DevicePlatform,
        Condition::DeviceState => AnalysisReason::Devices,
        Condition::ClientType => AnalysisReason::ClientApps,
        Condition::Location => AnalysisReason::Location,
        Condition::SignInRisk => AnalysisReason::SignInRisk,
        Condition::UserRisk => AnalysisReason::UserRisk,
        Condition::InsiderRisk => AnalysisReason::InsiderRisk,
        Condition::AuthenticationFlows => AnalysisReason::AuthenticationFlow,
    }
}

/// One sign-in context per requested application (one for other targets).
fn sign_in_contexts(
    directory: &Directory,
    request: &EvaluateRequest,
) -> Result<Vec<SignInContext>, WhatIfError> {
    let identity = identity(directory, &request.sign_in_identity)?;
    let wire = &request.sign_in_context;
    let kind = wire.odata_type.as_deref().unwrap_or_default();
    let targets: Vec<SignInTarget> =
        if kind.ends_with("userActionContext") || (kind.is_empty() && wire.user_action.is_some()) {
            let action = wire
                .user_action
                .as_deref()
                .ok_or(WhatIfError::MissingContext)?;
            let user_action = match action {
                "registerSecurityInformation" => UserAction::RegisterSecurityInfo,
                "registerOrJoinDevices" => UserAction::RegisterDevice,
                other => return Err(WhatIfError::UnknownUserAction(other.to_owned())),
            };
            vec![SignInTarget::UserAction { user_action }]
        } else if kind.ends_with("authContext")
            || (kind.is_empty() && wire.authentication_context_value.is_some())
        {
            let id = wire
                .authentication_context_value
                .clone()
                .ok_or(WhatIfError::MissingContext)?;
            vec![SignInTarget::AuthenticationContext { id, app_id: None }]
        } else {
            wire.include_applications
                .iter()
                .map(|app_id| SignInTarget::Application {
                    app_id: app_id.clone(),
                })
                .collect()
        };
    if targets.is_empty() {
        return Err(WhatIfError::MissingContext);
    }
    let conditions = &request.sign_in_conditions;
    Ok(targets
        .into_iter()
        .map(|target| SignInContext {
            identity: identity.clone(),
            target,
            client_app_type: conditions.client_app_type.clone(),
            device_platform: conditions.device_platform.clone(),
            ip_address: conditions.ip_address,
            country: conditions.country.clone(),
            gps_country: None,
            device: conditions.device_info.clone(),
            sign_in_risk_level: conditions.sign_in_risk_level.clone(),
            user_risk_level: conditions.user_risk_level.clone(),
            insider_risk_level: conditions.insider_risk_level.clone(),
            service_principal_risk_level: conditions.service_principal_risk_level.clone(),
            authentication_flow: conditions
                .authentication_flow
                .as_ref()
                .and_then(|flow| flow.transfer_method.clone()),
            session: SessionState::default(),
            facts: SessionFacts::default(),
            // What If judges applicability only; no time-dependent control is checked.
            now: OffsetDateTime::UNIX_EPOCH,
        })
        .collect())
}

fn identity(
    directory: &Directory,
    wire: &SignInIdentityWire,
) -> Result<SignInIdentity, WhatIfError> {
    let kind = wire.odata_type.as_deref().unwrap_or_default();
    let is_service_principal = kind.ends_with("servicePrincipalSignIn")
        || (kind.is_empty() && wire.service_principal_id.is_some());
    if is_service_principal {
        let id = wire
            .service_principal_id
            .clone()
            .ok_or(WhatIfError::MissingIdentity)?;
        return Ok(SignInIdentity::ServicePrincipal { id });
    }
    let user_id = wire.user_id.clone().ok_or(WhatIfError::MissingIdentity)?;
    let known = directory.user(&user_id);
    let user_type = match (&wire.external_user_type, known) {
        (Some(kind), _) if *kind != crate::model::GuestOrExternalUserType::None => UserType::Guest,
        (_, Some(user)) => user.user_type,
        _ => UserType::Member,
    };
    Ok(SignInIdentity::User(UserIdentity {
        id: user_id,
        user_type,
        guest_or_external_user_type: wire.external_user_type.clone(),
        external_tenant_id: wire.external_tenant_id.clone(),
        group_ids: known
            .map(|user| directory.transitive_groups(&user.groups))
            .unwrap_or_default(),
        role_template_ids: known.map(|user| user.roles.clone()).unwrap_or_default(),
    }))
}
