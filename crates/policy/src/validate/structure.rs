//! Required parts and the "does this policy do anything" checks (entra.md §1.1, §1.2,
//! §2.1: "the minimum for an enforceable policy is a name, users or workload identities,
//! target resources, and a grant or block control").

use super::value_has_entries;
use super::{Rule, ValidationError};
use crate::model::{ConditionSet, ConditionalAccessPolicy, special};

pub(super) fn check(policy: &ConditionalAccessPolicy, findings: &mut Vec<ValidationError>) {
    if policy.display_name.trim().is_empty() {
        findings.push(ValidationError::error(
            Rule::DisplayNameRequired,
            "displayName",
            "a policy needs a display name",
        ));
    }
    if policy.state.is_none() {
        findings.push(ValidationError::error(
            Rule::StateRequired,
            "state",
            "state is required: enabled, disabled or enabledForReportingButNotEnforced",
        ));
    }
    check_controls_present(policy, findings);
    let Some(conditions) = &policy.conditions else {
        findings.push(ValidationError::error(
            Rule::ConditionsRequired,
            "conditions",
            "conditions are required (at least users or clientApplications, and applications)",
        ));
        return;
    };
    check_targets(conditions, findings);
    check_special_values(conditions, findings);
}

/// A policy with neither a grant nor a session control does nothing. Session-only
/// policies are valid (entra.md §1.7; the corpus has several), so either kind suffices.
fn check_controls_present(policy: &ConditionalAccessPolicy, findings: &mut Vec<ValidationError>) {
    if policy.configured_grant_controls().is_none()
        && policy.configured_session_controls().is_none()
    {
        findings.push(ValidationError::error(
            Rule::EmptyPolicy,
            "grantControls",
            "the policy has no grant control (block or grant access) and no session control",
        ));
    }
}

fn check_targets(conditions: &ConditionSet, findings: &mut Vec<ValidationError>) {
    if conditions.users.is_none() && conditions.client_applications.is_none() {
        findings.push(ValidationError::error(
            Rule::UsersOrClientApplicationsRequired,
            "conditions.users",
            "either users or clientApplications (workload identities) is required",
        ));
    } else if !includes_some_identity(conditions) {
        // Entra stores such policies (includeUsers ["None"] is the portal's "None"), so
        // this is a warning: the policy is valid but never applies.
        findings.push(ValidationError::warning(
            Rule::TargetsNoIdentity,
            "conditions.users.includeUsers",
            "no user, group, role, guest type, workload identity or agent is included: the policy never applies",
        ));
    }
    match &conditions.applications {
        None => findings.push(ValidationError::error(
            Rule::ApplicationsRequired,
            "conditions.applications",
            "applications (target resources) is required",
        )),
        // includeApplications ["None"] is valid and used in real exports (for example a
        // session-only CAE policy), so it is a warning, not an error.
        Some(applications) if !applications.has_includes() => findings.push(ValidationError::warning(
            Rule::TargetsNoResource,
            "conditions.applications.includeApplications",
            "no application, user action or authentication context is included: the policy never applies",
        )),
        Some(_) => {}
    }
}

/// Users, workload identities, or the beta `agents` condition (kept in `extra`): the
/// agent policies in the corpus include nobody through `users` and target agents there.
fn includes_some_identity(conditions: &ConditionSet) -> bool {
    conditions
        .users
        .as_ref()
        .is_some_and(|users| users.has_includes())
        || conditions
            .client_applications
            .as_ref()
            .is_some_and(|clients| clients.has_includes())
        || conditions.extra.get("agents").is_some_and(|agents| {
            agents.as_object().is_some_and(|fields| {
                fields
                    .iter()
                    .any(|(key, value)| key.starts_with("include") && value_has_entries(value))
            })
        })
}

/// Special values in the wrong list, or next to entries they make meaningless.
fn check_special_values(conditions: &ConditionSet, findings: &mut Vec<ValidationError>) {
    if let Some(users) = &conditions.users {
        check_exclusive_special(
            &users.include_users,
            "conditions.users.includeUsers",
            findings,
        );
        check_not_allowed(
            &users.exclude_users,
            &[special::ALL, special::NONE],
            "conditions.users.excludeUsers",
            findings,
        );
    }
    if let Some(applications) = &conditions.applications {
        check_exclusive_special(
            &applications.include_applications,
            "conditions.applications.includeApplications",
            findings,
        );
        check_not_allowed(
            &applications.exclude_applications,
            &[special::ALL, special::NONE],
            "conditions.applications.excludeApplications",
            findings,
        );
    }
}

/// `All` or `None` next to other entries: the other entries are meaningless.
fn check_exclusive_special(entries: &[String], path: &str, findings: &mut Vec<ValidationError>) {
    if entries.len() < 2 {
        return;
    }
    for special_value in [special::ALL, special::NONE] {
        if entries.iter().any(|entry| entry == special_value) {
            findings.push(ValidationError::warning(
                Rule::SpecialValue,
                path,
                format!("'{special_value}' is listed together with other entries, which then have no effect"),
            ));
        }
    }
}

/// `All`/`None` in `excludeUsers` / `excludeApplications`: entra.md §1.3–§1.4 list only
/// IDs and the group values (`GuestsOrExternalUsers`, `Office365`,
/// `MicrosoftAdminPortals`) there.
fn check_not_allowed(
    entries: &[String],
    not_allowed: &[&str],
    path: &str,
    findings: &mut Vec<ValidationError>,
) {
    for (index, entry) in entries.iter().enumerate() {
        if not_allowed.contains(&entry.as_str()) {
            findings.push(ValidationError::error(
                Rule::SpecialValue,
                format!("{path}[{index}]"),
                format!("'{entry}' is not allowed in this list"),
            ));
        }
    }
}
