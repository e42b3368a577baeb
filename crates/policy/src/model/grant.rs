//! `conditionalAccessGrantControls` (entra.md §1.6).

use serde::{Deserialize, Serialize};

use super::extra::{Extra, null_as_default};
use super::{AuthenticationStrengthPolicy, BuiltInControl, GrantOperator};

/// `conditionalAccessGrantControls`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantControls {
    /// `AND` (require all) or `OR` (require one).
    #[serde(default)]
    pub operator: Option<GrantOperator>,
    /// Built-in controls.
    #[serde(default, deserialize_with = "null_as_default")]
    pub built_in_controls: Vec<BuiltInControl>,
    /// Custom control IDs (preview / legacy).
    #[serde(default, deserialize_with = "null_as_default")]
    pub custom_authentication_factors: Vec<String>,
    /// Terms-of-use agreement IDs.
    #[serde(default, deserialize_with = "null_as_default")]
    pub terms_of_use: Vec<String>,
    /// The required authentication strength. Exports embed the whole strength object
    /// (with `allowedCombinations`); a write may give only `{ "id": … }`.
    #[serde(default)]
    pub authentication_strength: Option<AuthenticationStrengthPolicy>,
    /// Properties this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

impl GrantControls {
    /// Whether `control` is among the built-in controls.
    pub fn has(&self, control: &BuiltInControl) -> bool {
        self.built_in_controls.contains(control)
    }

    /// Whether `block` is among the built-in controls (block wins whatever the operator).
    pub fn blocks(&self) -> bool {
        self.has(&BuiltInControl::Block)
    }

    /// Whether an authentication strength is required.
    pub fn requires_authentication_strength(&self) -> bool {
        self.authentication_strength.is_some()
    }

    /// Number of grant controls of every kind (built-in, custom, terms of use, strength).
    pub fn control_count(&self) -> usize {
        self.built_in_controls.len()
            + self.custom_authentication_factors.len()
            + self.terms_of_use.len()
            + usize::from(self.authentication_strength.is_some())
    }

    /// Whether the grant requires anything at all.
    pub fn is_configured(&self) -> bool {
        self.control_count() > 0
    }

    /// The operator, with `OR` as the reading when it is absent. With a single control the
    /// operator makes no difference; validation reports a missing one when it would.
    pub fn operator_or_default(&self) -> GrantOperator {
        self.operator.clone().unwrap_or(GrantOperator::Or)
    }
}
