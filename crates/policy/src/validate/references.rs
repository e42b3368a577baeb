//! IDs that must exist, checked only for the kinds a [`ValidationContext`] supplies.

use std::collections::HashSet;

use super::context::contains_id;
use super::{Rule, ValidationContext, ValidationError};
use crate::model::{ConditionalAccessPolicy, special};

pub(super) fn check(
    policy: &ConditionalAccessPolicy,
    context: &ValidationContext,
    findings: &mut Vec<ValidationError>,
) {
    if let Some(conditions) = &policy.conditions {
        if let (Some(known), Some(users)) = (&context.groups, &conditions.users) {
            check_list(
                known,
                &users.include_groups,
                &[],
                "conditions.users.includeGroups",
                "group",
                findings,
            );
            check_list(
                known,
                &users.exclude_groups,
                &[],
                "conditions.users.excludeGroups",
                "group",
                findings,
            );
        }
        if let (Some(known), Some(users)) = (&context.roles, &conditions.users) {
            check_list(
                known,
                &users.include_roles,
                &[],
                "conditions.users.includeRoles",
                "directory role",
                findings,
            );
            check_list(
                known,
                &users.exclude_roles,
                &[],
                "conditions.users.excludeRoles",
                "directory role",
                findings,
            );
        }
        if let (Some(known), Some(locations)) = (&context.named_locations, &conditions.locations) {
            let specials = [special::ALL, special::ALL_TRUSTED];
            check_list(
                known,
                &locations.include_locations,
                &specials,
                "conditions.locations.includeLocations",
                "named location",
                findings,
            );
            check_list(
                known,
                &locations.exclude_locations,
                &specials,
                "conditions.locations.excludeLocations",
                "named location",
                findings,
            );
        }
        if let (Some(known), Some(applications)) =
            (&context.authentication_contexts, &conditions.applications)
        {
            check_list(
                known,
                &applications.include_authentication_context_class_references,
                &[],
                "conditions.applications.includeAuthenticationContextClassReferences",
                "authentication context",
                findings,
            );
        }
    }
    let strength_id = policy
        .grant_controls
        .as_ref()
        .and_then(|grant| grant.authentication_strength.as_ref())
        .and_then(|strength| strength.id.as_deref());
    if let (Some(known), Some(id)) = (&context.authentication_strengths, strength_id)
        && !contains_id(known, id)
    {
        findings.push(unknown(
            "grantControls.authenticationStrength.id",
            "authentication strength",
            id,
        ));
    }
}

fn check_list(
    known: &HashSet<String>,
    ids: &[String],
    specials: &[&str],
    path: &str,
    kind: &str,
    findings: &mut Vec<ValidationError>,
) {
    for (index, id) in ids.iter().enumerate() {
        if !specials.contains(&id.as_str()) && !contains_id(known, id) {
            findings.push(unknown(&format!("{path}[{index}]"), kind, id));
        }
    }
}

fn unknown(path: &str, kind: &str, id: &str) -> ValidationError {
    ValidationError::error(
        Rule::UnknownReference,
        path,
        format!("no {kind} has the ID '{id}'"),
    )
}
