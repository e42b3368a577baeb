//! What the lint reports.

use std::fmt;

use serde::Serialize;

use crate::model::ConditionalAccessPolicy;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LintSeverity {
    /// Worth fixing; the policy set may still be turned on.
    Warning,
    /// The policy set must not be turned on: it locks out every Global Administrator or
    /// every break-glass account.
    Refusal,
}

/// Every check the lint makes. [`LintRule::code`] is a stable identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LintRule {
    /// Every Global Administrator would be blocked everywhere.
    GlobalAdministratorLockout,
    /// Every break-glass account would be blocked everywhere.
    BreakGlassLockout,
    /// Some (not all) Global Administrators or break-glass accounts would be blocked
    /// everywhere.
    AccountLockout,
    /// An enabled or report-only policy applies to a break-glass account.
    BreakGlassNotExcluded,
    /// A policy requires a control none of the admins it applies to could satisfy.
    UnsatisfiableControl,
    /// The directory facts name no Global Administrator, so admin lockout cannot be judged.
    NoGlobalAdministrator,
    /// No break-glass account is known, so break-glass checks cannot be made.
    NoBreakGlassAccount,
    /// A break-glass account ID is not among the directory's users.
    UnknownBreakGlassAccount,
    /// Only one break-glass account (entra.md §10 asks for two or more).
    TooFewBreakGlassAccounts,
    /// A break-glass account is not a Global Administrator (entra.md §10: permanent,
    /// active Global Administrator).
    BreakGlassNotGlobalAdministrator,
}

impl LintRule {
    /// A stable camelCase identifier.
    pub fn code(self) -> &'static str {
        match self {
            LintRule::GlobalAdministratorLockout => "globalAdministratorLockout",
            LintRule::BreakGlassLockout => "breakGlassLockout",
            LintRule::AccountLockout => "accountLockout",
            LintRule::BreakGlassNotExcluded => "breakGlassNotExcluded",
            LintRule::UnsatisfiableControl => "unsatisfiableControl",
            LintRule::NoGlobalAdministrator => "noGlobalAdministrator",
            LintRule::NoBreakGlassAccount => "noBreakGlassAccount",
            LintRule::UnknownBreakGlassAccount => "unknownBreakGlassAccount",
            LintRule::TooFewBreakGlassAccounts => "tooFewBreakGlassAccounts",
            LintRule::BreakGlassNotGlobalAdministrator => "breakGlassNotGlobalAdministrator",
        }
    }
}

impl fmt::Display for LintRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A policy a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRef {
    /// The policy ID, if it has one.
    pub id: Option<String>,
    /// The display name.
    pub display_name: String,
}

impl PolicyRef {
    /// A reference to `policy`.
    pub fn to(policy: &ConditionalAccessPolicy) -> Self {
        Self {
            id: policy.id.clone(),
            display_name: policy.display_name.clone(),
        }
    }
}

impl fmt::Display for PolicyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.display_name.trim().is_empty() {
            write!(f, "'{}'", self.id.as_deref().unwrap_or("(unnamed policy)"))
        } else {
            write!(f, "'{}'", self.display_name)
        }
    }
}

/// One finding: which rule, which policies, and why, in words an admin understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LintFinding {
    /// Warning or refusal.
    pub severity: LintSeverity,
    /// The rule.
    pub rule: LintRule,
    /// The policies involved (empty for findings about the directory).
    pub policies: Vec<PolicyRef>,
    /// The explanation.
    pub message: String,
}

impl LintFinding {
    /// A warning.
    pub fn warning(rule: LintRule, policies: Vec<PolicyRef>, message: impl Into<String>) -> Self {
        Self {
            severity: LintSeverity::Warning,
            rule,
            policies,
            message: message.into(),
        }
    }

    /// A refusal.
    pub fn refusal(rule: LintRule, policies: Vec<PolicyRef>, message: impl Into<String>) -> Self {
        Self {
            severity: LintSeverity::Refusal,
            rule,
            policies,
            message: message.into(),
        }
    }
}

impl fmt::Display for LintFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            LintSeverity::Warning => "warning",
            LintSeverity::Refusal => "refused",
        };
        write!(f, "{severity} [{}]: {}", self.rule, self.message)
    }
}

/// Everything the lint found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LintReport {
    /// Refusals first, then warnings, each in the order found.
    pub findings: Vec<LintFinding>,
}

impl LintReport {
    /// Whether the policy set must not be turned on.
    pub fn is_refused(&self) -> bool {
        self.findings
            .iter()
            .any(|finding| finding.severity == LintSeverity::Refusal)
    }

    /// The findings of one rule.
    pub fn of(&self, rule: LintRule) -> impl Iterator<Item = &LintFinding> {
        self.findings
            .iter()
            .filter(move |finding| finding.rule == rule)
    }

    pub(crate) fn push(&mut self, finding: LintFinding) {
        self.findings.push(finding);
    }

    /// Orders refusals before warnings, keeping the order found within each.
    pub(crate) fn sort(&mut self) {
        self.findings
            .sort_by_key(|finding| std::cmp::Reverse(finding.severity));
    }
}
