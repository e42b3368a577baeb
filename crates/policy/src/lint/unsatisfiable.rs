//! A policy that requires a control none of the admins it applies to could satisfy, as far
//! as the directory facts say: a compliant or hybrid joined device when no such device is
//! registered, or an authentication strength their registered methods cannot meet.
//!
//! Facts the directory does not give (`devices`, `methods` absent) are read as "could
//! satisfy", so this only warns on what is known. Registered methods are taken as they
//! are: a user might register a new method during the sign-in, but an admin who is locked
//! out of a phishing-resistant policy has no passkey to register with.

use crate::model::{BuiltInControl, ConditionalAccessPolicy, GrantControls, GrantOperator};
use crate::strength::{MethodCredential, built_in_strength};
use crate::templates::ADMIN_ROLES;

use super::break_glass::state_label;
use super::directory::{DirectoryFacts, DirectoryUser};
use super::finding::{LintFinding, LintReport, LintRule, PolicyRef};
use super::scope::{Member, applies_to};

/// Whether the user holds any of the admin roles of entra.md §9.
pub(crate) fn is_admin(user: &DirectoryUser) -> bool {
    ADMIN_ROLES
        .iter()
        .any(|role| user.has_role(role.template_id))
}

pub(crate) fn check(
    policies: &[ConditionalAccessPolicy],
    facts: &DirectoryFacts,
    report: &mut LintReport,
) {
    let admins: Vec<Member<'_>> = facts
        .users
        .iter()
        .filter(|user| is_admin(user))
        .map(|user| Member::resolve(facts, user))
        .collect();
    for policy in policies.iter().filter(|policy| policy.is_evaluated()) {
        let Some(grant) = policy.configured_grant_controls() else {
            continue;
        };
        // A block is not a control to satisfy; the lockout check judges it.
        if grant.blocks() {
            continue;
        }
        let covered: Vec<&Member<'_>> = admins
            .iter()
            .filter(|member| applies_to(policy, member).is_some())
            .collect();
        if covered.is_empty() {
            continue;
        }
        let mut missing = Vec::new();
        let anyone_can = covered.iter().any(|member| {
            let (ok, why) = could_satisfy(grant, member.user);
            if !ok {
                missing.extend(why);
            }
            ok
        });
        if anyone_can {
            continue;
        }
        missing.sort();
        missing.dedup();
        let names: Vec<String> = covered.iter().map(|member| member.user.label()).collect();
        report.push(LintFinding::warning(
            LintRule::UnsatisfiableControl,
            vec![PolicyRef::to(policy)],
            format!(
                "{} ({}) requires {}, which none of the {} admin{} it applies to ({}) can satisfy according to the directory facts",
                PolicyRef::to(policy),
                state_label(policy),
                missing.join(" / "),
                covered.len(),
                if covered.len() == 1 { "" } else { "s" },
                names.join(", ")
            ),
        ));
    }
}

/// Whether `user` could satisfy the grant, and if not, what they lack.
fn could_satisfy(grant: &GrantControls, user: &DirectoryUser) -> (bool, Vec<String>) {
    let mut results: Vec<(bool, Option<String>)> = grant
        .built_in_controls
        .iter()
        .map(|control| control_satisfiable(control, user))
        .collect();
    if let Some(strength) = &grant.authentication_strength {
        results.push(strength_satisfiable(strength.id.as_deref(), user));
    }
    let lacking: Vec<String> = results.iter().filter_map(|(_, why)| why.clone()).collect();
    let ok = match grant.operator_or_default() {
        GrantOperator::And => results.iter().all(|(ok, _)| *ok),
        _ => results.iter().any(|(ok, _)| *ok),
    };
    (ok, lacking)
}

fn control_satisfiable(control: &BuiltInControl, user: &DirectoryUser) -> (bool, Option<String>) {
    let devices = user.devices.as_deref();
    match control {
        BuiltInControl::CompliantDevice => match devices {
            Some(devices) if !devices.iter().any(|device| device.is_compliant) => {
                (false, Some("a compliant device".to_owned()))
            }
            _ => (true, None),
        },
        BuiltInControl::DomainJoinedDevice => match devices {
            Some(devices) if !devices.iter().any(|device| device.is_hybrid_joined()) => {
                (false, Some("a hybrid joined device".to_owned()))
            }
            _ => (true, None),
        },
        _ => (true, None),
    }
}

/// Only built-in strengths can be judged here (custom ones need the tenant's strength
/// list, which the evaluator has).
fn strength_satisfiable(id: Option<&str>, user: &DirectoryUser) -> (bool, Option<String>) {
    let (Some(strength), Some(methods)) = (id.and_then(built_in_strength), &user.methods) else {
        return (true, None);
    };
    let registered: Vec<MethodCredential> =
        methods.iter().cloned().map(MethodCredential::new).collect();
    if strength.is_satisfied_by(&registered) {
        (true, None)
    } else {
        (
            false,
            Some(format!(
                "the '{}' authentication strength",
                strength.display_name
            )),
        )
    }
}
