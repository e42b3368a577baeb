//! The lockout lint on the write path: a Conditional Access policy is not turned on
//! when, with it, every Global Administrator (or every break-glass account) would be
//! blocked everywhere.

use portcullis_core::{DirectoryRole, Principal, UserId};
use portcullis_policy::evaluate::{PolicySet, UserType};
use portcullis_policy::lint::{DirectoryFacts, DirectoryUser, LintOptions, lint};
use portcullis_policy::model::{
    AuthenticationStrengthPolicy, ConditionalAccessPolicy, NamedLocation,
};
use portcullis_store::{PolicyKind, RoleAssignmentFilter};
use time::OffsetDateTime;

use crate::error::{ServiceError, ServiceResult};
use crate::services::Services;

impl Services {
    /// Refuses `candidate` (the policy as it would be stored, replacing `replaces`) when
    /// the resulting enabled policy set locks out every Global Administrator.
    pub(crate) async fn refuse_lockout(
        &self,
        candidate: &ConditionalAccessPolicy,
        replaces: Option<&str>,
    ) -> ServiceResult<()> {
        let mut set = PolicySet::default();
        for stored in self
            .store
            .list_policies(PolicyKind::ConditionalAccessPolicy)
            .await?
        {
            if Some(stored.id.as_str()) == replaces {
                continue;
            }
            // Stored policies were validated on the way in; one that no longer parses is
            // left out rather than blocking every write.
            if let Ok(policy) = serde_json::from_value::<ConditionalAccessPolicy>(stored.json) {
                set.policies.push(policy);
            }
        }
        set.policies.push(candidate.clone());
        set.named_locations = self
            .store
            .list_policies(PolicyKind::NamedLocation)
            .await?
            .into_iter()
            .filter_map(|p| serde_json::from_value::<NamedLocation>(p.json).ok())
            .collect();
        set.authentication_strengths = self
            .store
            .list_policies(PolicyKind::AuthenticationStrength)
            .await?
            .into_iter()
            .filter_map(|p| serde_json::from_value::<AuthenticationStrengthPolicy>(p.json).ok())
            .collect();
        let facts = self.lint_facts().await?;
        let options = LintOptions {
            // Only enabled policies block; report-only ones are judged when turned on.
            enforce_report_only: false,
            ..LintOptions::default()
        };
        let report = lint(&set, &facts, &options, OffsetDateTime::now_utc());
        if !report.is_refused() {
            return Ok(());
        }
        let reasons: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.severity == portcullis_policy::lint::LintSeverity::Refusal)
            .map(|f| f.message.clone())
            .collect();
        Err(ServiceError::Invalid(format!(
            "turning this policy on would lock administrators out: {}",
            reasons.join("; ")
        )))
    }

    /// Every user holding Global Administrator (directly or through a group) and every
    /// break-glass account, with the groups and roles the lint needs to decide whether a
    /// policy applies to them. With break-glass accounts named, the lint also refuses a
    /// policy set that blocks all of them everywhere, and warns when a policy does not
    /// exclude them.
    pub(crate) async fn lint_facts(&self) -> ServiceResult<DirectoryFacts> {
        let assignments = self
            .store
            .list_role_assignments(&RoleAssignmentFilter {
                principal: None,
                role: Some(DirectoryRole::GlobalAdministrator),
            })
            .await?;
        let mut user_ids = Vec::new();
        for assignment in assignments {
            match assignment.principal {
                Principal::User(id) => user_ids.push(id),
                Principal::Group(group) => {
                    user_ids.extend(self.store.transitive_members(&group).await?.users)
                }
                Principal::Application(_) => {}
            }
        }
        let break_glass: Vec<UserId> = self
            .store
            .list_break_glass_accounts()
            .await?
            .into_iter()
            .map(|account| account.user_id)
            .collect();
        user_ids.extend(break_glass.iter().cloned());
        user_ids.sort();
        user_ids.dedup();
        let mut facts = DirectoryFacts {
            break_glass_accounts: break_glass.iter().map(ToString::to_string).collect(),
            ..DirectoryFacts::default()
        };
        for id in user_ids {
            let user = self.store.get_user(&id).await?;
            facts.users.push(DirectoryUser {
                id: id.to_string(),
                display_name: Some(user.display_name.clone()),
                user_type: match user.user_type {
                    portcullis_core::UserType::Member => UserType::Member,
                    portcullis_core::UserType::Guest => UserType::Guest,
                },
                // Every group, however deep: the lint then needs no group hierarchy.
                groups: self
                    .store
                    .transitive_groups_of_user(&id)
                    .await?
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                roles: self
                    .store
                    .effective_roles_of_user(&id)
                    .await?
                    .iter()
                    .map(|r| r.template_id().to_owned())
                    .collect(),
                devices: None,
                methods: None,
            });
        }
        Ok(facts)
    }
}
