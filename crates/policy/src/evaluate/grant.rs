//! Whether a policy's grant controls are satisfied by what the session has proven, and
//! if not, what is still required (entra.md §1.6, §2.3, §4).

use super::compile::CompiledPolicySet;
use super::compiled::{CompiledGrant, GrantControl, flow};
use super::prepared::PreparedSignIn;
use super::required::{RequiredControl, Requirement, minimize, normalize};

/// Per-decision facts shared by every grant check.
pub(crate) struct GrantFacts<'a> {
    pub(crate) set: &'a CompiledPolicySet,
    pub(crate) sign_in: &'a PreparedSignIn<'a>,
    /// Whether the methods used satisfy the built-in MFA strength, computed on first use.
    pub(crate) mfa_done: std::cell::OnceCell<bool>,
}

impl GrantFacts<'_> {
    /// Whether the methods used satisfy the built-in MFA strength.
    pub(crate) fn mfa_done(&self) -> bool {
        *self.mfa_done.get_or_init(|| {
            !self.sign_in.used_methods.is_empty()
                && self
                    .set
                    .strengths
                    .get(self.set.mfa_strength)
                    .is_some_and(|mfa| mfa.strength.is_satisfied_by(&self.sign_in.used_methods))
        })
    }
}

/// How one control stands.
enum ControlState {
    Met,
    Unmet(RequiredControl),
    /// Can never be met in this sign-in (unknown control, unresolvable strength, device
    /// state through the device code flow).
    Impossible,
}

/// The result of checking a grant (block is handled by the caller).
pub(crate) struct GrantOutcome {
    /// What is still required when not satisfied; no alternatives = impossible.
    pub(crate) requirement: Requirement,
    /// `authenticationStrengthResult` when the grant requires a strength.
    pub(crate) strength_result: Option<&'static str>,
}

pub(crate) fn check(grant: &CompiledGrant, facts: &GrantFacts<'_>) -> GrantOutcome {
    if grant.controls.is_empty() {
        return GrantOutcome {
            requirement: Requirement::satisfied(),
            strength_result: None,
        };
    }
    let mut strength_result = None;
    let mut met_any = false;
    let mut unmet = Vec::new();
    let mut impossible = false;
    for control in &grant.controls {
        let state = control_state(control, facts);
        if let GrantControl::Strength(_) = control {
            strength_result = Some(match &state {
                ControlState::Met => "satisfied",
                ControlState::Unmet(_) => "singleChallengeRequired",
                ControlState::Impossible => "cannotSatisfy",
            });
        }
        match state {
            ControlState::Met => met_any = true,
            ControlState::Unmet(required) => unmet.push(required),
            ControlState::Impossible => impossible = true,
        }
    }
    let satisfied = if grant.require_all {
        unmet.is_empty() && !impossible
    } else {
        met_any
    };
    let requirement = if satisfied {
        Requirement::satisfied()
    } else if grant.require_all {
        Requirement {
            alternatives: if impossible {
                Vec::new()
            } else {
                vec![normalize(unmet)]
            },
        }
    } else {
        Requirement {
            alternatives: minimize(unmet.into_iter().map(|control| vec![control]).collect()),
        }
    };
    GrantOutcome {
        requirement,
        strength_result,
    }
}

fn control_state(control: &GrantControl, facts: &GrantFacts<'_>) -> ControlState {
    let sign_in = facts.sign_in;
    let session_facts = &sign_in.context.facts;
    let met_or = |met: bool, required: RequiredControl| {
        if met {
            ControlState::Met
        } else {
            ControlState::Unmet(required)
        }
    };
    // Device-state grants cannot be satisfied through the device code flow (entra.md
    // §11.5): the device signing in is not the device that holds the state.
    let device_code = sign_in.flow == Some(flow::DEVICE_CODE);
    let device_state = |fact: bool, required: RequiredControl| {
        if device_code {
            ControlState::Impossible
        } else {
            met_or(fact, required)
        }
    };
    match control {
        GrantControl::Mfa => met_or(facts.mfa_done(), RequiredControl::Mfa),
        GrantControl::Strength(None) => ControlState::Impossible,
        GrantControl::Strength(Some(index)) => match facts.set.strengths.get(*index) {
            Some(compiled) => met_or(
                compiled.strength.is_satisfied_by(&sign_in.used_methods),
                RequiredControl::AuthenticationStrength {
                    id: compiled.id.clone(),
                    display_name: compiled.display_name.clone(),
                },
            ),
            None => ControlState::Impossible,
        },
        GrantControl::CompliantDevice => device_state(
            session_facts.device_compliant,
            RequiredControl::CompliantDevice,
        ),
        GrantControl::DomainJoinedDevice => device_state(
            session_facts.device_hybrid_joined,
            RequiredControl::DomainJoinedDevice,
        ),
        GrantControl::ApprovedApplication => met_or(
            session_facts.approved_application,
            RequiredControl::ApprovedApplication,
        ),
        GrantControl::CompliantApplication => met_or(
            session_facts.app_protection_policy,
            RequiredControl::CompliantApplication,
        ),
        GrantControl::PasswordChange => met_or(
            session_facts.password_changed,
            RequiredControl::PasswordChange,
        ),
        GrantControl::RiskRemediation => met_or(
            session_facts.risk_remediated,
            RequiredControl::RiskRemediation,
        ),
        GrantControl::TermsOfUse(id) => met_or(
            session_facts
                .accepted_terms_of_use
                .iter()
                .any(|accepted| accepted.eq_ignore_ascii_case(id)),
            RequiredControl::TermsOfUse { id: id.clone() },
        ),
        GrantControl::CustomFactor(id) => met_or(
            session_facts
                .satisfied_custom_controls
                .iter()
                .any(|done| done.eq_ignore_ascii_case(id)),
            RequiredControl::CustomFactor { id: id.clone() },
        ),
        GrantControl::Unknown(_) => ControlState::Impossible,
    }
}

/// Removes `mfa` from alternatives that also require an authentication strength whose
/// every combination satisfies MFA: completing the strength completes MFA (entra.md §1.6:
/// the built-in MFA strength is equivalent to `mfa`).
pub(crate) fn fold_implied_mfa(set: &CompiledPolicySet, requirement: Requirement) -> Requirement {
    let implies_mfa = |control: &RequiredControl| match control {
        RequiredControl::AuthenticationStrength { id, .. } => set
            .strengths
            .iter()
            .any(|strength| strength.id == *id && strength.implies_mfa),
        _ => false,
    };
    let alternatives = requirement
        .alternatives
        .into_iter()
        .map(|mut controls| {
            if controls.iter().any(implies_mfa) {
                controls.retain(|control| *control != RequiredControl::Mfa);
            }
            controls
        })
        .collect();
    Requirement {
        alternatives: minimize(alternatives),
    }
}
