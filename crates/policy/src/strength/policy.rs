//! An authentication strength (`authenticationStrengthPolicy`) in the engine's own terms.

use super::combination::Combination;
use super::configuration::CombinationConfiguration;
use super::credential::MethodCredential;
use super::plan::{CompletionPlan, plan_completion};
use super::satisfy::{satisfied_combination, satisfies};

/// `policyType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StrengthPolicyType {
    BuiltIn,
    Custom,
}

impl StrengthPolicyType {
    /// Graph's name: `builtIn` or `custom`.
    pub fn as_str(self) -> &'static str {
        match self {
            StrengthPolicyType::BuiltIn => "builtIn",
            StrengthPolicyType::Custom => "custom",
        }
    }
}

/// `requirementsSatisfied`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequirementsSatisfied {
    None,
    Mfa,
}

impl RequirementsSatisfied {
    /// Graph's name: `none` or `mfa`.
    pub fn as_str(self) -> &'static str {
        match self {
            RequirementsSatisfied::None => "none",
            RequirementsSatisfied::Mfa => "mfa",
        }
    }
}

/// A strength: the combinations that satisfy it and their advanced options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticationStrength {
    pub id: String,
    pub display_name: String,
    pub description: String,
    pub policy_type: StrengthPolicyType,
    pub requirements_satisfied: RequirementsSatisfied,
    pub allowed_combinations: Vec<Combination>,
    pub combination_configurations: Vec<CombinationConfiguration>,
}

impl AuthenticationStrength {
    /// Whether the methods used satisfy this strength (see [`satisfies`]).
    pub fn is_satisfied_by(&self, used: &[MethodCredential]) -> bool {
        satisfies(
            &self.allowed_combinations,
            &self.combination_configurations,
            used,
        )
    }

    /// The combination the used methods satisfy, if any (see [`satisfied_combination`]).
    pub fn satisfied_combination(&self, used: &[MethodCredential]) -> Option<&Combination> {
        satisfied_combination(
            &self.allowed_combinations,
            &self.combination_configurations,
            used,
        )
    }

    /// How the user could complete this strength (see [`plan_completion`]).
    pub fn plan(
        &self,
        registered: &[MethodCredential],
        used: &[MethodCredential],
    ) -> CompletionPlan {
        plan_completion(
            &self.allowed_combinations,
            &self.combination_configurations,
            registered,
            used,
        )
    }
}
