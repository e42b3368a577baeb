//! Break-glass accounts must be excluded from every policy that is on or in report-only
//! (entra.md §10: "exclude emergency accounts from CA policies"), directly or through a
//! group or role they hold. Structural: no evaluation needed.

use crate::model::{ConditionalAccessPolicy, PolicyState};

use super::directory::{DirectoryFacts, DirectoryUser};
use super::finding::{LintFinding, LintReport, LintRule, PolicyRef};
use super::scope::{Member, applies_to};

/// The break-glass accounts as directory users; an ID the directory does not list is
/// reported and checked as a user with no groups or roles.
pub(crate) fn accounts(
    facts: &DirectoryFacts,
    ids: &[String],
    report: &mut LintReport,
) -> Vec<DirectoryUser> {
    if ids.is_empty() {
        report.push(LintFinding::warning(
            LintRule::NoBreakGlassAccount,
            Vec::new(),
            "no break-glass account is known (list them in breakGlassAccounts or pass --break-glass): keep two or more emergency-access accounts excluded from every policy (entra.md §10)",
        ));
    }
    if ids.len() == 1 {
        report.push(LintFinding::warning(
            LintRule::TooFewBreakGlassAccounts,
            Vec::new(),
            "only one break-glass account is known: keep two or more, so losing one credential does not lose the way in (entra.md §10)",
        ));
    }
    ids.iter()
        .map(|id| match facts.user(id) {
            Some(user) => {
                if !user.is_global_administrator() {
                    report.push(LintFinding::warning(
                        LintRule::BreakGlassNotGlobalAdministrator,
                        Vec::new(),
                        format!(
                            "break-glass account {} is not a Global Administrator: an emergency-access account must hold the role permanently, so it can repair any policy (entra.md §10)",
                            user.label()
                        ),
                    ));
                }
                user.clone()
            }
            None => {
                report.push(LintFinding::warning(
                    LintRule::UnknownBreakGlassAccount,
                    Vec::new(),
                    format!(
                        "break-glass account {id} is not among the directory's users; it is checked as a user in no group and with no role"
                    ),
                ));
                DirectoryUser {
                    id: id.clone(),
                    ..DirectoryUser::default()
                }
            }
        })
        .collect()
}

/// Warns about every enabled or report-only policy that applies to a break-glass account.
pub(crate) fn check_exclusions(
    policies: &[ConditionalAccessPolicy],
    facts: &DirectoryFacts,
    accounts: &[DirectoryUser],
    report: &mut LintReport,
) {
    let members: Vec<Member<'_>> = accounts
        .iter()
        .map(|user| Member::resolve(facts, user))
        .collect();
    for policy in policies.iter().filter(|policy| policy.is_evaluated()) {
        let covered: Vec<String> = members
            .iter()
            .filter_map(|member| {
                applies_to(policy, member).map(|reason| {
                    format!(
                        "{}, included {}",
                        member.user.label(),
                        reason.describe(facts)
                    )
                })
            })
            .collect();
        if covered.is_empty() {
            continue;
        }
        let accounts = match covered.as_slice() {
            [only] => format!("break-glass account {only}"),
            _ => format!("break-glass accounts {}", covered.join("; ")),
        };
        report.push(LintFinding::warning(
            LintRule::BreakGlassNotExcluded,
            vec![PolicyRef::to(policy)],
            format!(
                "{} ({}) applies to {accounts}; it excludes {} neither directly nor through a group or role: exclude the break-glass accounts (or their group) so they stay a way in",
                PolicyRef::to(policy),
                state_label(policy),
                if covered.len() == 1 { "it" } else { "them" },
            ),
        ));
    }
}

/// `enabled`, `report-only` or `disabled`, for messages.
pub(crate) fn state_label(policy: &ConditionalAccessPolicy) -> &'static str {
    match policy.state {
        Some(PolicyState::Enabled) => "enabled",
        Some(PolicyState::EnabledForReportingButNotEnforced) => "report-only",
        Some(PolicyState::Disabled) => "disabled",
        _ => "unknown state",
    }
}
