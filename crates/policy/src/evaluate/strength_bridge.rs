//! Converts the Graph model's `authenticationStrengthPolicy` into the strength engine's
//! own type.
//!
//! `model::AuthenticationMethodMode`/`MethodCombination` and
//! `strength::AuthenticationMethodMode`/`Combination` describe the same Graph enum twice;
//! this is the one place that bridges them (through the wire strings, which both sides
//! define identically), until the two are unified.

use uuid::Uuid;

use crate::model::{
    AuthenticationStrengthPolicy, AuthenticationStrengthPolicyType, CombinationConfigurationKind,
    MethodCombination,
};
use crate::strength::{
    self, AuthenticationStrength, Combination, CombinationConfiguration, MethodCredential,
    RequirementsSatisfied, StrengthPolicyType,
};

/// A model combination as a strength combination; `None` when it is empty or names a
/// method twice (neither can be satisfied, so dropping it is the restrictive reading).
pub(crate) fn combination(model: &MethodCombination) -> Option<Combination> {
    Combination::parse(&model.to_wire()).ok()
}

/// The strength engine's view of a strength policy from the model. Unparsable
/// combinations are dropped (they can never be satisfied) and AAGUIDs that are not UUIDs
/// are replaced by the nil UUID, which no authenticator reports, so a malformed allow-list
/// still restricts instead of allowing everything.
pub(crate) fn from_model(policy: &AuthenticationStrengthPolicy) -> AuthenticationStrength {
    let allowed_combinations = policy
        .allowed_combinations
        .iter()
        .filter_map(combination)
        .collect();
    let combination_configurations = policy
        .combination_configurations
        .iter()
        .filter_map(|configuration| {
            let applies_to_combinations: Vec<Combination> = configuration
                .applies_to_combinations
                .iter()
                .filter_map(combination)
                .collect();
            match configuration.kind() {
                CombinationConfigurationKind::Fido2 => Some(CombinationConfiguration::Fido2 {
                    applies_to_combinations,
                    allowed_aaguids: configuration
                        .allowed_aaguids
                        .iter()
                        .map(|text| Uuid::parse_str(text.trim()).unwrap_or(Uuid::nil()))
                        .collect(),
                }),
                CombinationConfigurationKind::X509Certificate => {
                    Some(CombinationConfiguration::X509Certificate {
                        applies_to_combinations,
                        allowed_issuer_skis: configuration.allowed_issuer_skis.clone(),
                        allowed_policy_oids: configuration.allowed_policy_oids.clone(),
                    })
                }
                CombinationConfigurationKind::Other => None,
            }
        })
        .collect();
    AuthenticationStrength {
        id: policy.id.clone().unwrap_or_default(),
        display_name: policy.display_name.clone().unwrap_or_default(),
        description: policy.description.clone().unwrap_or_default(),
        policy_type: match policy.policy_type {
            Some(AuthenticationStrengthPolicyType::BuiltIn) => StrengthPolicyType::BuiltIn,
            _ => StrengthPolicyType::Custom,
        },
        requirements_satisfied: if policy
            .requirements_satisfied
            .contains(&crate::model::AuthenticationStrengthRequirement::Mfa)
        {
            RequirementsSatisfied::Mfa
        } else {
            RequirementsSatisfied::None
        },
        allowed_combinations,
        combination_configurations,
    }
}

/// Whether every allowed combination of `candidate` also satisfies the built-in
/// "Multifactor authentication" strength, so that satisfying `candidate` satisfies `mfa`.
pub(crate) fn implies_mfa(candidate: &AuthenticationStrength) -> bool {
    let mfa = strength::multifactor_authentication();
    !candidate.allowed_combinations.is_empty()
        && candidate.allowed_combinations.iter().all(|combination| {
            let used: Vec<MethodCredential> = combination
                .methods()
                .cloned()
                .map(MethodCredential::new)
                .collect();
            mfa.is_satisfied_by(&used)
        })
}
