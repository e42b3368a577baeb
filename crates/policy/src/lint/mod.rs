//! The lockout lint (issue 2, item 7): does a policy set lock the organisation out?
//!
//! Given the directory facts ([`DirectoryFacts`]: users with roles and groups, groups,
//! break-glass accounts) and a policy set with its named locations, the lint
//!
//! * **refuses** the set when every Global Administrator, or every break-glass account,
//!   would be blocked everywhere ([`LintRule::GlobalAdministratorLockout`],
//!   [`LintRule::BreakGlassLockout`]);
//! * **warns** when an enabled or report-only policy does not exclude the break-glass
//!   accounts, directly or through a group or role they hold
//!   ([`LintRule::BreakGlassNotExcluded`]), and when a policy requires a control none of
//!   the admins it applies to could satisfy according to the facts — a compliant device
//!   when none is enrolled, say ([`LintRule::UnsatisfiableControl`]).
//!
//! Every finding names its policies and says why in words.
//!
//! The break-glass and unsatisfiable-control checks are structural
//! ([`check_structure`]). "Blocked everywhere" is decided by evaluation: each account is
//! tried in a representative set of sign-ins ([`probes`]), and it is locked out when none
//! of them gets through.

mod break_glass;
mod directory;
mod finding;
pub mod probes;
mod scope;
mod unsatisfiable;

pub use directory::{
    DirectoryDevice, DirectoryFacts, DirectoryGroup, DirectoryUser, DirectoryUserType,
};
pub use finding::{LintFinding, LintReport, LintRule, LintSeverity, PolicyRef};

use crate::model::ConditionalAccessPolicy;

/// The break-glass accounts: those the facts list plus `extra` (the `--break-glass`
/// arguments), without duplicates.
pub fn break_glass_ids(facts: &DirectoryFacts, extra: &[String]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for id in facts.break_glass_accounts.iter().chain(extra) {
        let id = id.trim();
        if !id.is_empty() && !ids.iter().any(|known| known.eq_ignore_ascii_case(id)) {
            ids.push(id.to_owned());
        }
    }
    ids
}

/// The structural checks: break-glass exclusions and unsatisfiable controls.
/// `break_glass` is the list [`break_glass_ids`] gives.
pub fn check_structure(
    policies: &[ConditionalAccessPolicy],
    facts: &DirectoryFacts,
    break_glass: &[String],
) -> LintReport {
    let mut report = LintReport::default();
    let accounts = break_glass::accounts(facts, break_glass, &mut report);
    break_glass::check_exclusions(policies, facts, &accounts, &mut report);
    unsatisfiable::check(policies, facts, &mut report);
    report.sort();
    report
}
