//! The authentication strengths a challenge can be planned against: the three built-ins
//! and the tenant's custom ones.
//!
//! Why here: the evaluator names the strength a decision requires (`RequiredControl::
//! AuthenticationStrength { id, .. }`) but keeps its compiled strengths private, so the
//! pipeline resolves the ID itself, from the same `PolicySet` the evaluator was compiled
//! from, with the same restrictive reading (malformed AAGUIDs replaced by the nil UUID so
//! an allow-list still restricts).

use portcullis_policy::evaluate::PolicySet;
use portcullis_policy::model::{AuthenticationStrengthPolicy, CombinationConfigurationKind};
use portcullis_policy::strength::{
    self, AuthenticationStrength, CombinationConfiguration, RequirementsSatisfied,
    StrengthPolicyType,
};
use uuid::Uuid;

/// Strengths by ID.
#[derive(Debug, Clone)]
pub struct StrengthCatalogue {
    strengths: Vec<AuthenticationStrength>,
}

impl StrengthCatalogue {
    /// The built-in strengths plus every custom strength of `set`.
    pub fn from_policy_set(set: &PolicySet) -> Self {
        let mut strengths = strength::built_in_strengths().to_vec();
        for policy in &set.authentication_strengths {
            let Some(id) = policy.id.as_deref() else {
                continue;
            };
            if strengths
                .iter()
                .any(|known| known.id.eq_ignore_ascii_case(id))
            {
                continue;
            }
            strengths.push(custom(id, policy));
        }
        Self { strengths }
    }

    /// The strength with this ID.
    pub fn get(&self, id: &str) -> Option<&AuthenticationStrength> {
        self.strengths
            .iter()
            .find(|strength| strength.id.eq_ignore_ascii_case(id.trim()))
    }

    /// Every strength, built-ins first.
    pub fn all(&self) -> &[AuthenticationStrength] {
        &self.strengths
    }
}

fn custom(id: &str, policy: &AuthenticationStrengthPolicy) -> AuthenticationStrength {
    let combination_configurations = policy
        .combination_configurations
        .iter()
        .filter_map(|configuration| match configuration.kind() {
            CombinationConfigurationKind::Fido2 => Some(CombinationConfiguration::Fido2 {
                applies_to_combinations: configuration.applies_to_combinations.clone(),
                allowed_aaguids: configuration
                    .allowed_aaguids
                    .iter()
                    .map(|text| Uuid::parse_str(text.trim()).unwrap_or(Uuid::nil()))
                    .collect(),
            }),
            CombinationConfigurationKind::X509Certificate => {
                Some(CombinationConfiguration::X509Certificate {
                    applies_to_combinations: configuration.applies_to_combinations.clone(),
                    allowed_issuer_skis: configuration.allowed_issuer_skis.clone(),
                    allowed_policy_oids: configuration.allowed_policy_oids.clone(),
                })
            }
            CombinationConfigurationKind::Other => None,
        })
        .collect();
    AuthenticationStrength {
        id: id.to_owned(),
        display_name: policy.display_name.clone().unwrap_or_default(),
        description: policy.description.clone().unwrap_or_default(),
        policy_type: StrengthPolicyType::Custom,
        requirements_satisfied: RequirementsSatisfied::Mfa,
        allowed_combinations: policy.allowed_combinations.clone(),
        combination_configurations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_ins_and_custom_strengths_resolve() {
        let set: PolicySet = serde_json::from_value(serde_json::json!({
            "policies": [],
            "authenticationStrengths": [{
                "id": "aaaaaaaa-1111-2222-3333-444444444444",
                "displayName": "TOTP or passkey",
                "allowedCombinations": ["password,softwareOath", "fido2"]
            }]
        }))
        .unwrap();
        let catalogue = StrengthCatalogue::from_policy_set(&set);
        assert!(catalogue.get(strength::PHISHING_RESISTANT_MFA_ID).is_some());
        let custom = catalogue
            .get("AAAAAAAA-1111-2222-3333-444444444444")
            .unwrap();
        assert_eq!(custom.allowed_combinations.len(), 2);
        assert!(catalogue.get("missing").is_none());
    }
}
