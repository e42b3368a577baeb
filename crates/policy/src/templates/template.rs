//! A template: its identity, the parameters it takes, and how it becomes a policy.

use serde::Serialize;

use crate::model::{
    ConditionSet, ConditionalAccessPolicy, FlagSet, GrantControls, PolicyState, SessionControls,
};
use crate::validate::{ValidationContext, validate};

use super::parameters::{
    BREAK_GLASS_GROUP, COMMON, DISPLAY_NAME, EXCLUDE_GROUPS, EXCLUDE_ROLES, EXCLUDE_USERS, STATE,
};
use super::{ParameterSpec, TemplateError, TemplateParameters, TemplateScenario};

/// Builds a template's conditions and controls from its parameters.
pub(super) type Build = fn(&TemplateParameters) -> Result<TemplateDetails, TemplateError>;

/// A built-in Conditional Access template.
#[derive(Debug, Clone)]
pub struct Template {
    /// The template ID (Microsoft's where §9 gives one, Portcullis's own otherwise).
    pub id: &'static str,
    /// Whether [`Template::id`] is Microsoft's published ID.
    pub microsoft_id: bool,
    /// The short name used on the command line (`mfa-admins`).
    pub slug: &'static str,
    /// The template's display name, as in the Entra portal.
    pub name: &'static str,
    /// What the template does.
    pub description: &'static str,
    /// The portal categories it appears in.
    pub scenarios: FlagSet<TemplateScenario>,
    /// The parameters specific to this template (the common ones come on top).
    pub specific_parameters: Vec<ParameterSpec>,
    pub(super) build: Build,
}

/// `conditionalAccessPolicyDetail`: what a template sets.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateDetails {
    /// The conditions.
    pub conditions: ConditionSet,
    /// The grant controls.
    pub grant_controls: Option<GrantControls>,
    /// The session controls.
    pub session_controls: Option<SessionControls>,
}

/// `conditionalAccessTemplate`, as `GET /identity/conditionalAccess/templates` returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateListing {
    /// The template ID.
    pub id: String,
    /// The display name.
    pub name: String,
    /// The description.
    pub description: String,
    /// The scenarios (flags string).
    pub scenarios: FlagSet<TemplateScenario>,
    /// The policy the template makes with default parameters.
    pub details: TemplateDetails,
}

impl Template {
    /// Every parameter the template accepts: the common ones, then its own.
    pub fn parameters(&self) -> Vec<ParameterSpec> {
        COMMON
            .iter()
            .chain(self.specific_parameters.iter())
            .copied()
            .collect()
    }

    /// The policy this template makes with `parameters`, in report-only state unless
    /// `state` says otherwise, with `templateId` set. Unknown or malformed parameters
    /// are refused, and the result is validated (see the module docs).
    pub fn instantiate(
        &self,
        parameters: &TemplateParameters,
    ) -> Result<ConditionalAccessPolicy, TemplateError> {
        let accepted = self.parameters();
        if let Some(unknown) = parameters.keys().find(|key| {
            !accepted
                .iter()
                .any(|spec| spec.name.eq_ignore_ascii_case(key))
        }) {
            return Err(TemplateError::UnknownParameter {
                template: self.slug.to_owned(),
                name: unknown.to_owned(),
                accepted: accepted
                    .iter()
                    .map(|spec| spec.name)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let mut details = (self.build)(parameters)?;
        add_exclusions(&mut details.conditions, parameters)?;
        let policy = ConditionalAccessPolicy {
            display_name: parameters
                .text(DISPLAY_NAME)?
                .unwrap_or_else(|| self.name.to_owned()),
            description: Some(self.description.to_owned()),
            state: Some(
                parameters
                    .state(STATE)?
                    .unwrap_or(PolicyState::EnabledForReportingButNotEnforced),
            ),
            template_id: Some(self.id.to_owned()),
            conditions: Some(details.conditions),
            grant_controls: details.grant_controls,
            session_controls: details.session_controls,
            ..ConditionalAccessPolicy::default()
        };
        let errors: Vec<_> = validate(&policy, &ValidationContext::offline())
            .into_iter()
            .filter(|finding| finding.is_error())
            .collect();
        if errors.is_empty() {
            Ok(policy)
        } else {
            Err(TemplateError::Invalid {
                template: self.slug.to_owned(),
                errors,
            })
        }
    }

    /// The Graph `conditionalAccessTemplate` view, with default parameters.
    pub fn listing(&self) -> Result<TemplateListing, TemplateError> {
        let details = (self.build)(&TemplateParameters::new())?;
        Ok(TemplateListing {
            id: self.id.to_owned(),
            name: self.name.to_owned(),
            description: self.description.to_owned(),
            scenarios: self.scenarios.clone(),
            details,
        })
    }
}

/// Adds the common exclusions (users, break-glass group, groups, roles) to the users
/// assignment, keeping what the template already excludes and skipping duplicates.
fn add_exclusions(
    conditions: &mut ConditionSet,
    parameters: &TemplateParameters,
) -> Result<(), TemplateError> {
    let users_to_exclude = parameters.ids(EXCLUDE_USERS)?;
    let mut groups_to_exclude: Vec<String> =
        parameters.id(BREAK_GLASS_GROUP)?.into_iter().collect();
    groups_to_exclude.extend(parameters.ids(EXCLUDE_GROUPS)?);
    let roles_to_exclude = parameters.ids(EXCLUDE_ROLES)?;
    let users = conditions.users.get_or_insert_with(Default::default);
    extend_unique(&mut users.exclude_users, users_to_exclude);
    extend_unique(&mut users.exclude_groups, groups_to_exclude);
    extend_unique(&mut users.exclude_roles, roles_to_exclude);
    Ok(())
}

fn extend_unique(list: &mut Vec<String>, more: Vec<String>) {
    for id in more {
        if !list.iter().any(|known| known.eq_ignore_ascii_case(&id)) {
            list.push(id);
        }
    }
}
