//! The authentication methods policy (entra.md §5.2): which methods are on, and for whom.

use std::collections::BTreeMap;

use portcullis_authn::methods::MethodKind;
use serde::{Deserialize, Serialize};

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
