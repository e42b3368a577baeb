//! Graph What If (`POST /identity/conditionalAccess/evaluate`): runs the engine's What If
//! analysis over the stored policies for one user's directory facts. Read-only: it needs
//! the same permission as listing policies and writes nothing (no audit record).

use portcullis_core::{Permission, Target, UserId};
use portcullis_policy::evaluate::{PolicySet, UserType};
use portcullis_policy::model::{
    AuthenticationStrengthPolicy, ConditionalAccessPolicy, NamedLocation,
};
use portcullis_policy::whatif::{
    Directory, DirectoryUser, EvaluateRequest, WhatIfResponse, what_if,
};
use portcullis_store::{PolicyKind, PolicySnapshot};
use serde_json::Value;

use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::services::Services;

impl Services {
    /// Answers a Graph `conditionalAccess/evaluate` request body with
    /// `{"value":[whatIfAnalysisResult…]}`.
    pub async fn evaluate_conditional_access(
        &self,
        caller: &Caller,
        body: Value,
    ) -> ServiceResult<WhatIfResponse> {
        caller.authorize(Permission::PolicyRead, Target::Nothing)?;
        let request: EvaluateRequest = serde_json::from_value(body).map_err(|e| {
            ServiceError::Invalid(format!(
                "not a valid conditionalAccess/evaluate request: {e}"
            ))
        })?;
        let set = policy_set(self.store.policy_snapshot().await?);
        let directory = match request.sign_in_identity.user_id.as_deref() {
            Some(user_id) => self.directory_for_user(user_id).await?,
            // A service principal sign-in (or a missing userId, which `what_if` reports)
            // needs no user facts.
            None => Directory::default(),
        };
        what_if(&set, &directory, &request).map_err(|e| match e {
            portcullis_policy::whatif::WhatIfError::Serialize(_) => {
                ServiceError::Internal(e.to_string())
            }
            other => ServiceError::Invalid(other.to_string()),
        })
    }

    /// The one user's facts: type, every group however deep (so no group hierarchy is
    /// needed) and effective roles.
    async fn directory_for_user(&self, user_id: &str) -> ServiceResult<Directory> {
        let id = UserId::parse(user_id.trim()).map_err(|_| {
            ServiceError::Invalid(format!(
                "signInIdentity.userId: {user_id:?} is not a user object ID (a GUID)"
            ))
        })?;
        let user = match self.store.get_user(&id).await {
            Err(portcullis_store::StoreError::NotFound(_)) => {
                return Err(ServiceError::NotFound(format!("user {id}")));
            }
            other => other?,
        };
        let groups = self.store.transitive_groups_of_user(&id).await?;
        let roles = self.store.effective_roles_of_user(&id).await?;
        Ok(Directory {
            users: vec![DirectoryUser {
                id: id.to_string(),
                user_type: match user.user_type {
                    portcullis_core::UserType::Member => UserType::Member,
                    portcullis_core::UserType::Guest => UserType::Guest,
                },
                groups: groups.iter().map(ToString::to_string).collect(),
                roles: roles.iter().map(|r| r.template_id().to_owned()).collect(),
            }],
            groups: Vec::new(),
        })
    }
}

/// The engine's policy set from one consistent snapshot. Stored objects were validated
/// on the way in; one that no longer parses is left out rather than failing the analysis.
fn policy_set(snapshot: PolicySnapshot) -> PolicySet {
    let mut set = PolicySet::default();
    for stored in snapshot.objects {
        match stored.kind {
            PolicyKind::ConditionalAccessPolicy => {
                if let Ok(policy) = serde_json::from_value::<ConditionalAccessPolicy>(stored.json) {
                    set.policies.push(policy);
                }
            }
            PolicyKind::NamedLocation => {
                if let Ok(location) = serde_json::from_value::<NamedLocation>(stored.json) {
                    set.named_locations.push(location);
                }
            }
            PolicyKind::AuthenticationStrength => {
                if let Ok(strength) =
                    serde_json::from_value::<AuthenticationStrengthPolicy>(stored.json)
                {
                    set.authentication_strengths.push(strength);
                }
            }
            // Neither is part of the What If contract, which judges Conditional Access only.
            PolicyKind::SecurityDefaults | PolicyKind::AuthenticationMethodsPolicy => {}
        }
    }
    set
}
