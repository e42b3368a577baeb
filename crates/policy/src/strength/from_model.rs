//! The engine's view of a Graph `authenticationStrengthPolicy` from the model.
//!
//! The combinations are already engine [`super::Combination`]s; what remains is reading the
//! polymorphic combination configurations and the AAGUID strings.

use uuid::Uuid;

use super::configuration::CombinationConfiguration;
use super::policy::{AuthenticationStrength, RequirementsSatisfied, StrengthPolicyType};
use crate::model::{
    self, AuthenticationStrengthPolicy, AuthenticationStrengthPolicyType,
    AuthenticationStrengthRequirement, CombinationConfigurationKind,
};

/// Configurations of an unknown `@odata.type` are dropped (the engine cannot apply them),
/// and AAGUIDs that are not UUIDs are replaced by the nil UUID, which no authenticator
/// reports, so a malformed allow-list still restricts instead of allowing everything.
impl From<&AuthenticationStrengthPolicy> for AuthenticationStrength {
    fn from(policy: &AuthenticationStrengthPolicy) -> Self {
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
                .contains(&AuthenticationStrengthRequirement::Mfa)
            {
                RequirementsSatisfied::Mfa
            } else {
                RequirementsSatisfied::None
            },
            allowed_combinations: policy.allowed_combinations.clone(),
            combination_configurations: policy
                .combination_configurations
                .iter()
                .filter_map(configuration)
                .collect(),
        }
    }
}

/// The engine's form of one model configuration; `None` for an unknown subtype.
fn configuration(
    configuration: &model::CombinationConfiguration,
) -> Option<CombinationConfiguration> {
    let applies_to_combinations = configuration.applies_to_combinations.clone();
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
}
