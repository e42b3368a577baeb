//! Phase 1 and phase 2 of entra.md §2.3: every enabled and report-only policy is
//! evaluated; enforced ones decide (block wins, every applying grant must be satisfied,
//! session controls merged); report-only ones are only recorded.

use super::applicability::{self, Applicability};
use super::compile::CompiledPolicySet;
use super::compiled::{CompiledPolicy, Mode};
use super::context::SignInContext;
use super::decision::{
    AppliedAuthenticationStrength, AppliedPolicy, ConditionalAccessStatus, Decision, Outcome,
    PolicyRef, PolicyResult,
};
use super::grant::{self, GrantFacts};
use super::prepared::{PreparedSignIn, Strictness};
use super::required::{RequiredControl, Requirement};
use super::session::{self, EffectiveSessionControls};
use super::shared::Text;
use crate::security_defaults;

/// Judges one sign-in against a compiled policy set. Pure: the same inputs always give
/// the same decision.
pub fn evaluate<'a>(set: &'a CompiledPolicySet, context: &SignInContext) -> Decision<'a> {
    let sign_in = PreparedSignIn::new(set, context, Strictness::SignIn);
    let facts = GrantFacts {
        set,
        sign_in: &sign_in,
        mfa_done: std::cell::OnceCell::new(),
    };
    let mut applied = Vec::with_capacity(set.policies.len());
    let mut blocking = Vec::new();
    let mut requirement = Requirement::satisfied();
    let mut session_controls = EffectiveSessionControls::default();
    let mut any_enforced_applied = false;
    let mut any_enforced_failed = false;

    for (index, policy) in set.policies.iter().enumerate() {
        let mode = effective_mode(policy);
        if mode == Mode::Disabled {
            applied.push(trace(
                set,
                policy,
                PolicyResult::NotEnabled,
                Applicability::default(),
                None,
            ));
            continue;
        }
        let conditions = applicability::evaluate(policy, index, &sign_in);
        if !conditions.applies() {
            let result = if mode == Mode::ReportOnly {
                PolicyResult::ReportOnlyNotApplied
            } else {
                PolicyResult::NotApplied
            };
            let strength = policy.requires_strength.then_some("notSet");
            applied.push(trace(set, policy, result, conditions, strength));
            continue;
        }
        let verdict = judge(policy, &facts);
        let result = match mode {
            Mode::ReportOnly => verdict.report_only_result(),
            _ => {
                any_enforced_applied = true;
                session_controls.merge(&policy.session);
                if verdict.blocks() {
                    blocking.push(PolicyRef {
                        id: Text::new(&policy.id),
                        display_name: Text::new(&policy.display_name),
                    });
                } else if !verdict.is_met() {
                    requirement = requirement.and(&verdict.requirement);
                }
                if verdict.is_met() {
                    PolicyResult::Success
                } else {
                    any_enforced_failed = true;
                    PolicyResult::Failure
                }
            }
        };
        applied.push(trace(
            set,
            policy,
            result,
            conditions,
            verdict.strength_result,
        ));
    }

    let baseline = security_defaults::baseline(set, &sign_in, &facts);
    requirement = requirement.and(&baseline.requirement);
    let outcome = if !blocking.is_empty() || baseline.block.is_some() {
        Outcome::Block {
            policies: blocking,
            baseline: baseline.block,
        }
    } else {
        let requirement = grant::fold_implied_mfa(set, requirement);
        if requirement.alternatives.iter().any(Vec::is_empty) {
            Outcome::Allow {
                session_controls,
                mfa_registration_due_by: baseline.registration_due_by,
            }
        } else {
            Outcome::NeedsControls {
                alternatives: requirement
                    .alternatives
                    .into_iter()
                    .map(|controls| super::decision::Alternative { controls })
                    .collect(),
                session_controls,
            }
        }
    };
    let conditional_access_status = if any_enforced_failed {
        ConditionalAccessStatus::Failure
    } else if any_enforced_applied {
        ConditionalAccessStatus::Success
    } else {
        ConditionalAccessStatus::NotApplied
    };
    Decision {
        outcome,
        conditional_access_status,
        applied_conditional_access_policies: applied,
        baseline_requirements: baseline.requirements,
    }
}

/// Report-only mode does not apply to user actions (entra.md §1.4): Entra will not put
/// such a policy in report-only. A policy that arrives that way anyway is enforced — the
/// restrictive reading — so that "require MFA to register security info" can never be
/// silently switched off by a state Entra would have refused.
fn effective_mode(policy: &CompiledPolicy) -> Mode {
    if policy.mode == Mode::ReportOnly && policy.applications.include_user_actions != 0 {
        Mode::Enforced
    } else {
        policy.mode
    }
}

/// What an applying policy requires of this sign-in.
struct Verdict {
    block: bool,
    /// What is still required; no alternatives = can never be satisfied.
    requirement: Requirement,
    strength_result: Option<&'static str>,
}

impl Verdict {
    fn blocks(&self) -> bool {
        self.block || self.requirement.alternatives.is_empty()
    }

    fn is_met(&self) -> bool {
        !self.blocks() && self.requirement.alternatives.iter().any(Vec::is_empty)
    }

    /// entra.md §2.4: success when every control is already met; interrupted when an
    /// interactive control (MFA, strength, terms of use, reauthentication, …) would be
    /// asked for; failure when a non-interactive control fails (block, a device or app
    /// state) and no interactive alternative exists.
    fn report_only_result(&self) -> PolicyResult {
        if self.is_met() {
            PolicyResult::ReportOnlySuccess
        } else if self.blocks() {
            PolicyResult::ReportOnlyFailure
        } else if self
            .requirement
            .alternatives
            .iter()
            .any(|controls| controls.iter().all(RequiredControl::is_interactive))
        {
            PolicyResult::ReportOnlyInterrupted
        } else {
            PolicyResult::ReportOnlyFailure
        }
    }
}

fn judge(policy: &CompiledPolicy, facts: &GrantFacts<'_>) -> Verdict {
    let outcome = grant::check(&policy.grant, facts);
    let mut requirement = outcome.requirement;
    if let Some(frequency) = &policy.session.sign_in_frequency
        && session::is_due(frequency, &facts.sign_in.context.session, facts.sign_in.now)
    {
        requirement = requirement.and(&Requirement {
            alternatives: vec![vec![RequiredControl::Reauthentication]],
        });
    }
    Verdict {
        block: policy.grant.block,
        requirement,
        strength_result: outcome.strength_result,
    }
}

fn trace<'a>(
    set: &'a CompiledPolicySet,
    policy: &'a CompiledPolicy,
    result: PolicyResult,
    conditions: Applicability,
    strength_result: Option<&'static str>,
) -> AppliedPolicy<'a> {
    let applied = matches!(
        result,
        PolicyResult::Success
            | PolicyResult::Failure
            | PolicyResult::ReportOnlySuccess
            | PolicyResult::ReportOnlyFailure
            | PolicyResult::ReportOnlyInterrupted
    );
    AppliedPolicy {
        id: Text::new(&policy.id),
        display_name: Text::new(&policy.display_name),
        enforced_grant_controls: if applied { &policy.grant.names } else { &[] },
        enforced_session_controls: if applied { &policy.session.names } else { &[] },
        result,
        conditions_satisfied: conditions.satisfied,
        conditions_not_satisfied: conditions.not_satisfied,
        authentication_strength: strength_result.and_then(|result| {
            let strength = set.strengths.get(policy.grant.strength?)?;
            Some(AppliedAuthenticationStrength {
                authentication_strength_id: Text::new(&strength.id),
                display_name: Text::new(&strength.display_name),
                authentication_strength_result: result,
            })
        }),
    }
}
