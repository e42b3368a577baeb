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
mod describe;
mod directory;
mod finding;
mod lockout;
pub mod probes;
mod scope;
mod unsatisfiable;

pub use directory::{DirectoryDevice, DirectoryFacts, DirectoryGroup, DirectoryUser};
pub use finding::{LintFinding, LintReport, LintRule, LintSeverity, PolicyRef};
pub use lockout::LINT_ADMIN_PORTAL_APP_ID;

use time::OffsetDateTime;

use crate::evaluate::PolicySet;
use crate::model::ConditionalAccessPolicy;
use lockout::{AccountVerdict, Judge, explain};

/// How the lint reads the policy set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintOptions {
    /// Break-glass account IDs beyond those the directory facts list.
    pub break_glass_accounts: Vec<String>,
    /// Judge report-only policies as if they were enabled (default `true`): the lint
    /// answers "is it safe to turn this set on?". With `false`, only enabled policies
    /// can lock anyone out.
    pub enforce_report_only: bool,
}

impl Default for LintOptions {
    fn default() -> Self {
        Self {
            break_glass_accounts: Vec::new(),
            enforce_report_only: true,
        }
    }
}

/// Runs every check (see the module docs). `now` is the time the probes sign in at.
pub fn lint(
    set: &PolicySet,
    facts: &DirectoryFacts,
    options: &LintOptions,
    now: OffsetDateTime,
) -> LintReport {
    let break_glass = break_glass_ids(facts, &options.break_glass_accounts);
    let mut report = LintReport::default();
    let accounts = break_glass::accounts(facts, &break_glass, &mut report);
    break_glass::check_exclusions(&set.policies, facts, &accounts, &mut report);
    unsatisfiable::check(&set.policies, facts, &mut report);

    let judge = Judge::new(set, options.enforce_report_only, now);
    let positions = probes::probe_locations(&set.named_locations);
    let admins: Vec<DirectoryUser> = facts.global_administrators().into_iter().cloned().collect();
    if admins.is_empty() {
        report.push(LintFinding::warning(
            LintRule::NoGlobalAdministrator,
            Vec::new(),
            "the directory facts list no Global Administrator (role 62e90394-69f5-4237-9190-012177145e10), so admin lockout cannot be judged",
        ));
    }
    let groups = [
        (
            "Global Administrator",
            LintRule::GlobalAdministratorLockout,
            admins,
        ),
        ("break-glass account", LintRule::BreakGlassLockout, accounts),
    ];
    for (noun, rule, members) in groups {
        check_lockout(
            &judge,
            set,
            facts,
            options,
            &positions,
            noun,
            rule,
            &members,
            &mut report,
        );
    }
    report.sort();
    report
}

/// Refuses when every member of the group is locked out; warns when some are.
#[allow(clippy::too_many_arguments)] // the group's name, rule and members travel together
fn check_lockout(
    judge: &Judge,
    set: &PolicySet,
    facts: &DirectoryFacts,
    options: &LintOptions,
    positions: &[probes::ProbeLocation],
    noun: &str,
    rule: LintRule,
    members: &[DirectoryUser],
    report: &mut LintReport,
) {
    if members.is_empty() {
        return;
    }
    let mut locked = Vec::new();
    for member in members {
        if let AccountVerdict::LockedOut { probes, culprits } =
            judge.judge(facts, member, positions)
        {
            locked.push((member, probes, culprits));
        }
    }
    if locked.is_empty() {
        return;
    }
    let mut all_culprits = std::collections::BTreeMap::new();
    let mut probes_total = 0;
    for (_, probes, culprits) in &locked {
        probes_total += probes;
        for (key, (policy, stopped)) in culprits {
            all_culprits
                .entry(key.clone())
                .or_insert((policy.clone(), 0))
                .1 += stopped;
        }
    }
    let policies: Vec<PolicyRef> = all_culprits
        .values()
        .map(|(policy, _)| policy.clone())
        .collect();
    let names: Vec<String> = locked.iter().map(|(member, _, _)| member.label()).collect();
    let explanation = explain(
        probes_total,
        locked.len(),
        positions.len(),
        &all_culprits,
        set,
        options.enforce_report_only,
    );
    if locked.len() == members.len() {
        let who = match names.as_slice() {
            [only] => format!("the only {noun}, {only}"),
            _ => format!("all {} {noun}s ({})", members.len(), names.join(", ")),
        };
        report.push(LintFinding::refusal(
            rule,
            policies,
            format!("{who} would be blocked everywhere: {explanation}"),
        ));
    } else {
        report.push(LintFinding::warning(
            LintRule::AccountLockout,
            policies,
            format!(
                "{} of the {} {noun}s ({}) would be blocked everywhere: {explanation}",
                locked.len(),
                members.len(),
                names.join(", ")
            ),
        ));
    }
}

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

/// Only the structural checks (break-glass exclusions, unsatisfiable controls), without
/// evaluation: for callers that have no named locations or want a quick answer.
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
