//! The authentication methods policy (entra.md §5.2): which methods are on, and for whom.

use std::collections::BTreeMap;

use portcullis_authn::methods::MethodKind;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::campaign::RegistrationCampaign;
use crate::subject::UserRecord;

/// Per method: on or off, included users (everyone or groups), excluded groups (exclude
/// wins). A method missing from `methods` is **on for everyone**, Portcullis's default
/// for a fresh install; the password is not governed by this policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthenticationMethodsPolicy {
    pub methods: BTreeMap<MethodKind, MethodConfiguration>,
    /// The registration campaign (nudge).
    pub registration_campaign: RegistrationCampaign,
    /// FIDO2 `keyRestrictions`: which authenticator models may be used.
    pub fido2_key_restrictions: KeyRestrictions,
}

/// `fido2AuthenticationMethodConfiguration.keyRestrictions` (entra.md §5.4): enforced at
/// registration *and* at sign-in, so removing a model from an allow-list stops its keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct KeyRestrictions {
    pub is_enforced: bool,
    pub enforcement_type: KeyEnforcement,
    pub aa_guids: Vec<Uuid>,
}

/// Allow-list or block-list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyEnforcement {
    #[default]
    Allow,
    Block,
}

impl KeyRestrictions {
    /// Whether a passkey of this model may be used. With an enforced allow-list, a key
    /// whose model is unknown is refused (the restrictive reading).
    pub fn permits(&self, aaguid: Option<Uuid>) -> bool {
        if !self.is_enforced {
            return true;
        }
        let listed = aaguid.is_some_and(|aaguid| self.aa_guids.contains(&aaguid));
        match self.enforcement_type {
            KeyEnforcement::Allow => listed,
            KeyEnforcement::Block => !listed,
        }
    }
}

/// One method's state and targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MethodConfiguration {
    pub enabled: bool,
    /// `true`: `all_users`.
    pub include_all_users: bool,
    pub include_group_ids: Vec<String>,
    pub exclude_group_ids: Vec<String>,
}

impl Default for MethodConfiguration {
    fn default() -> Self {
        Self {
            enabled: true,
            include_all_users: true,
            include_group_ids: Vec::new(),
            exclude_group_ids: Vec::new(),
        }
    }
}

impl AuthenticationMethodsPolicy {
    /// Whether `user` may use (and register) `kind`.
    pub fn allows(&self, kind: MethodKind, user: &UserRecord) -> bool {
        if kind == MethodKind::Password {
            return true;
        }
        let Some(configuration) = self.methods.get(&kind) else {
            return true;
        };
        let in_group = |groups: &[String]| {
            groups.iter().any(|group| {
                user.group_ids
                    .iter()
                    .any(|member_of| member_of.eq_ignore_ascii_case(group))
            })
        };
        configuration.enabled
            && (configuration.include_all_users || in_group(&configuration.include_group_ids))
            && !in_group(&configuration.exclude_group_ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_restrictions_allow_and_block() {
        let model = Uuid::from_u128(1);
        let other = Uuid::from_u128(2);
        let allow = KeyRestrictions {
            is_enforced: true,
            enforcement_type: KeyEnforcement::Allow,
            aa_guids: vec![model],
        };
        assert!(allow.permits(Some(model)));
        assert!(!allow.permits(Some(other)));
        assert!(!allow.permits(None));
        let block = KeyRestrictions {
            enforcement_type: KeyEnforcement::Block,
            ..allow.clone()
        };
        assert!(!block.permits(Some(model)));
        assert!(block.permits(Some(other)));
        assert!(block.permits(None));
        let off = KeyRestrictions {
            is_enforced: false,
            ..allow
        };
        assert!(off.permits(Some(other)));
    }
}
