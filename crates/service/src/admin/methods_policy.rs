//! The authentication methods policy (entra.md §5.2): each method on or off, for all
//! users or some groups, with excluded groups. Stored as one policy object in the sign-in
//! pipeline's own shape, so a change bumps the policy version and every node's sign-ins
//! use it at once. The password is not governed by this policy.

use portcullis_core::audit::{ModifiedProperty, category};
use portcullis_core::{GroupId, Permission, Target};
use portcullis_store::{
    Batch, Change, PolicyKind, Precondition, SINGLETON_ID, StoreError, StoredPolicy,
};
use time::OffsetDateTime;

pub use portcullis_authn::methods::MethodKind;
pub use portcullis_signin::{
    AuthenticationMethodsPolicy, CampaignState, MethodConfiguration, RegistrationCampaign,
};

use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::services::{Services, audit_record, target};

/// The methods the policy turns on and off, in the order pages list them.
pub const GOVERNED_METHODS: [MethodKind; 9] = [
    MethodKind::Fido2,
    MethodKind::AuthenticatorPush,
    MethodKind::PasswordlessPhoneSignIn,
    MethodKind::Totp,
    MethodKind::Sms,
    MethodKind::Voice,
    MethodKind::Email,
    MethodKind::TemporaryAccessPassOneTime,
    MethodKind::TemporaryAccessPassMultiUse,
];

/// The audit target's id, as Entra names the policy.
const POLICY_ID: &str = "authenticationMethodsPolicy";

impl Services {
    /// The policy as stored (all defaults when it was never changed: every method on for
    /// everyone).
    pub async fn get_authentication_methods_policy(
        &self,
        caller: &Caller,
    ) -> ServiceResult<AuthenticationMethodsPolicy> {
        caller.authorize(Permission::PolicyRead, Target::Nothing)?;
        Ok(self.stored_methods_policy().await?.0)
    }

    /// Replaces one method's configuration. Group ids must name existing groups (a typo
    /// would otherwise silently target nobody), and an enabled method must target all
    /// users or at least one group.
    pub async fn update_authentication_method(
        &self,
        caller: &Caller,
        kind: MethodKind,
        configuration: MethodConfiguration,
    ) -> ServiceResult<AuthenticationMethodsPolicy> {
        self.update_authentication_methods(caller, vec![(kind, configuration)])
            .await
    }

    /// Replaces several methods' configurations at once, under the same rules as
    /// [`Self::update_authentication_method`]: one commit and one audit record (a
    /// modified property per method), so a Graph configuration that stands for two
    /// Portcullis methods (the Authenticator's push and passwordless modes) never
    /// changes half-way.
    pub async fn update_authentication_methods(
        &self,
        caller: &Caller,
        changes: Vec<(MethodKind, MethodConfiguration)>,
    ) -> ServiceResult<AuthenticationMethodsPolicy> {
        self.update_methods_policy(caller, changes, None).await
    }

    /// Changes methods' configurations and, when given, the registration campaign
    /// (`registrationEnforcement`), in one commit with one audit record: a Graph PATCH
    /// of the whole policy may carry both.
    pub async fn update_methods_policy(
        &self,
        caller: &Caller,
        changes: Vec<(MethodKind, MethodConfiguration)>,
        campaign: Option<RegistrationCampaign>,
    ) -> ServiceResult<AuthenticationMethodsPolicy> {
        caller.authorize(
            Permission::AuthenticationMethodsPolicyWrite,
            Target::Nothing,
        )?;
        if changes.is_empty() && campaign.is_none() {
            return Err(ServiceError::Invalid(
                "no authentication method configuration to change".into(),
            ));
        }
        let mut checked = Vec::with_capacity(changes.len());
        for (kind, configuration) in changes {
            checked.push((kind, self.checked_method(kind, configuration).await?));
        }
        let campaign = match campaign {
            Some(campaign) => Some(self.checked_campaign(campaign).await?),
            None => None,
        };
        let (mut policy, stored) = self.stored_methods_policy().await?;
        let mut t = target("Policy", POLICY_ID, Some("Authentication methods policy"));
        if let Some(campaign) = campaign {
            t.modified_properties.push(ModifiedProperty {
                display_name: "registrationEnforcement".to_owned(),
                old_value: serde_json::to_string(&policy.registration_campaign).ok(),
                new_value: serde_json::to_string(&campaign).ok(),
            });
            policy.registration_campaign = campaign;
        }
        for (kind, configuration) in checked {
            let old = policy.methods.get(&kind).cloned().unwrap_or_default();
            t.modified_properties.push(ModifiedProperty {
                display_name: kind.graph_mode().to_owned(),
                old_value: serde_json::to_string(&old).ok(),
                new_value: serde_json::to_string(&configuration).ok(),
            });
            policy.methods.insert(kind, configuration);
        }
        let json = serde_json::to_value(&policy)
            .map_err(|e| ServiceError::Internal(format!("methods policy: {e}")))?;
        let audit = audit_record(
            caller,
            category::POLICY,
            "Update authentication methods policy",
            "Update",
        )
        .with_target(t);
        self.store
            .commit(Batch::single(
                Change::PutPolicy {
                    kind: PolicyKind::AuthenticationMethodsPolicy,
                    id: SINGLETON_ID.to_owned(),
                    json,
                    // A concurrent change to another method must not be lost.
                    precondition: stored.map_or(Precondition::MustNotExist, |s| {
                        Precondition::Version(s.version)
                    }),
                    at: OffsetDateTime::now_utc(),
                },
                audit,
            ))
            .await?;
        Ok(policy)
    }

    /// The campaign as it will be stored: groups that exist, a snooze Entra allows, and
    /// the one target Entra allows (the Authenticator app).
    async fn checked_campaign(
        &self,
        mut campaign: RegistrationCampaign,
    ) -> ServiceResult<RegistrationCampaign> {
        if campaign.snooze_duration_in_days > 14 {
            return Err(ServiceError::Invalid(format!(
                "snoozeDurationInDays must be 0 to 14, not {}",
                campaign.snooze_duration_in_days
            )));
        }
        if campaign.target != MethodKind::AuthenticatorPush {
            return Err(ServiceError::Invalid(
                "the registration campaign can only target the Authenticator app".into(),
            ));
        }
        campaign.include_group_ids = self.existing_groups(&campaign.include_group_ids).await?;
        campaign.exclude_group_ids = self.existing_groups(&campaign.exclude_group_ids).await?;
        if campaign.include_all_users {
            campaign.include_group_ids.clear();
        } else if campaign.state == CampaignState::Enabled && campaign.include_group_ids.is_empty()
        {
            return Err(ServiceError::Invalid(
                "the registration campaign is enabled for nobody: target all users or at least one group, or disable it"
                    .into(),
            ));
        }
        Ok(campaign)
    }

    /// One method's new configuration, normalised and checked.
    async fn checked_method(
        &self,
        kind: MethodKind,
        mut configuration: MethodConfiguration,
    ) -> ServiceResult<MethodConfiguration> {
        if !GOVERNED_METHODS.contains(&kind) {
            return Err(ServiceError::Invalid(format!(
                "{} is not governed by the authentication methods policy",
                kind.graph_mode()
            )));
        }
        configuration.include_group_ids = self
            .existing_groups(&configuration.include_group_ids)
            .await?;
        configuration.exclude_group_ids = self
            .existing_groups(&configuration.exclude_group_ids)
            .await?;
        if configuration.include_all_users {
            configuration.include_group_ids.clear();
        } else if configuration.enabled && configuration.include_group_ids.is_empty() {
            return Err(ServiceError::Invalid(format!(
                "{} is on for nobody: target all users or at least one group, or turn it off",
                kind.graph_mode()
            )));
        }
        Ok(configuration)
    }

    async fn stored_methods_policy(
        &self,
    ) -> ServiceResult<(AuthenticationMethodsPolicy, Option<StoredPolicy>)> {
        match self
            .store
            .get_policy(PolicyKind::AuthenticationMethodsPolicy, SINGLETON_ID)
            .await
        {
            Ok(stored) => {
                let policy = serde_json::from_value(stored.json.clone()).map_err(|e| {
                    ServiceError::Internal(format!("the stored methods policy does not parse: {e}"))
                })?;
                Ok((policy, Some(stored)))
            }
            Err(StoreError::NotFound(_)) => Ok((AuthenticationMethodsPolicy::default(), None)),
            Err(other) => Err(other.into()),
        }
    }

    /// The ids normalised (trimmed, lower case, no duplicates), each checked to exist.
    async fn existing_groups(&self, ids: &[String]) -> ServiceResult<Vec<String>> {
        let mut checked: Vec<String> = Vec::new();
        for text in ids {
            let id = GroupId::parse(text.trim())
                .map_err(|_| ServiceError::Invalid(format!("{text:?} is not a group ID")))?;
            match self.store.get_group(&id).await {
                Ok(_) => {}
                Err(StoreError::NotFound(_)) => {
                    return Err(ServiceError::Invalid(format!("group {id} does not exist")));
                }
                Err(other) => return Err(other.into()),
            }
            let id = id.to_string();
            if !checked.contains(&id) {
                checked.push(id);
            }
        }
        Ok(checked)
    }
}
