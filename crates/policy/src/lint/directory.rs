//! The directory facts the lint judges a policy set against.
//!
//! JSON (camelCase) — the `--directory` file of `portcullis policy whatif`, `evaluate`
//! and `lint`, with optional extras only the lint uses:
//!
//! ```json
//! {
//!   "users": [
//!     { "id": "…", "displayName": "Ada", "userType": "member",
//!       "groups": ["<group id>"], "roles": ["62e90394-69f5-4237-9190-012177145e10"],
//!       "devices": [{ "isCompliant": true, "trustType": "AzureAD" }],
//!       "methods": ["password", "fido2"] }
//!   ],
//!   "groups": [{ "id": "…", "displayName": "Break glass", "memberOf": ["<parent group id>"] }],
//!   "breakGlassAccounts": ["<user id>"]
//! }
//! ```
//!
//! Groups nest through `memberOf` and membership is transitive (cycles are tolerated).
//! `userType` `guest` makes the user a guest/external user. `devices` and `methods` are
//! optional: absent means "unknown", and the lint then assumes the user could have any
//! device and register any method; present (even empty) means "exactly these".

use std::collections::{BTreeSet, HashMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::evaluate::UserType;
use crate::strength::AuthenticationMethodMode;
use crate::templates::GLOBAL_ADMINISTRATOR_ROLE_ID;

/// Users, groups and break-glass accounts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DirectoryFacts {
    /// Every user the lint should consider (at least the admins and break-glass accounts).
    pub users: Vec<DirectoryUser>,
    /// Groups, with their parents.
    pub groups: Vec<DirectoryGroup>,
    /// The emergency-access accounts (user IDs).
    pub break_glass_accounts: Vec<String>,
}

/// A user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DirectoryUser {
    /// The user object ID.
    pub id: String,
    /// A name for messages.
    pub display_name: Option<String>,
    /// `member` or `guest`.
    pub user_type: UserType,
    /// Groups the user is a direct member of.
    pub groups: Vec<String>,
    /// Directory role template IDs the user holds (active, tenant-wide).
    pub roles: Vec<String>,
    /// The user's registered devices; `None` = unknown.
    pub devices: Option<Vec<DirectoryDevice>>,
    /// The authentication methods the user has registered (`authenticationMethodModes`
    /// names); `None` = unknown.
    pub methods: Option<Vec<AuthenticationMethodMode>>,
}

/// A registered device.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DirectoryDevice {
    /// The device ID.
    pub device_id: Option<String>,
    /// Whether the device is compliant.
    pub is_compliant: bool,
    /// `AzureAD` (joined), `ServerAD` (hybrid joined) or `Workplace` (registered).
    pub trust_type: Option<String>,
}

impl DirectoryDevice {
    /// Whether the device is hybrid joined (satisfies `domainJoinedDevice`).
    pub fn is_hybrid_joined(&self) -> bool {
        self.trust_type
            .as_deref()
            .is_some_and(|trust| trust.eq_ignore_ascii_case("ServerAD"))
    }
}

/// A group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DirectoryGroup {
    /// The group object ID.
    pub id: String,
    /// A name for messages.
    pub display_name: Option<String>,
    /// Groups this group is a direct member of.
    pub member_of: Vec<String>,
}

impl DirectoryUser {
    /// The display name, or the ID when there is none.
    pub fn label(&self) -> String {
        match &self.display_name {
            Some(name) if !name.trim().is_empty() => format!("{name} ({})", self.id),
            _ => self.id.clone(),
        }
    }

    /// Whether the user holds the role (case-insensitive template ID).
    pub fn has_role(&self, role_template_id: &str) -> bool {
        self.roles
            .iter()
            .any(|role| role.eq_ignore_ascii_case(role_template_id))
    }

    /// Whether the user is a Global Administrator.
    pub fn is_global_administrator(&self) -> bool {
        self.has_role(GLOBAL_ADMINISTRATOR_ROLE_ID)
    }
}

impl DirectoryFacts {
    /// The user with this ID (case-insensitive).
    pub fn user(&self, id: &str) -> Option<&DirectoryUser> {
        self.users
            .iter()
            .find(|user| user.id.eq_ignore_ascii_case(id))
    }

    /// The group's display name, or its ID.
    pub fn group_label(&self, id: &str) -> String {
        self.groups
            .iter()
            .find(|group| group.id.eq_ignore_ascii_case(id))
            .and_then(|group| group.display_name.clone())
            .filter(|name| !name.trim().is_empty())
            .map_or_else(|| id.to_owned(), |name| format!("'{name}' ({id})"))
    }

    /// Every Global Administrator.
    pub fn global_administrators(&self) -> Vec<&DirectoryUser> {
        self.users
            .iter()
            .filter(|user| user.is_global_administrator())
            .collect()
    }

    /// Every group the user is in, directly or through nesting, lowercased.
    pub fn transitive_groups(&self, user: &DirectoryUser) -> BTreeSet<String> {
        let parents: HashMap<String, &[String]> = self
            .groups
            .iter()
            .map(|group| (group.id.to_ascii_lowercase(), group.member_of.as_slice()))
            .collect();
        let mut seen = BTreeSet::new();
        let mut queue: VecDeque<String> = user
            .groups
            .iter()
            .map(|id| id.to_ascii_lowercase())
            .collect();
        while let Some(group) = queue.pop_front() {
            if !seen.insert(group.clone()) {
                continue;
            }
            if let Some(parents) = parents.get(&group) {
                queue.extend(parents.iter().map(|id| id.to_ascii_lowercase()));
            }
        }
        seen
    }
}

impl DirectoryFacts {
    /// The part What If and `evaluate` read (users with groups and roles, nesting).
    pub fn to_directory(&self) -> crate::whatif::Directory {
        crate::whatif::Directory {
            users: self
                .users
                .iter()
                .map(|user| crate::whatif::DirectoryUser {
                    id: user.id.clone(),
                    user_type: user.user_type,
                    groups: user.groups.clone(),
                    roles: user.roles.clone(),
                })
                .collect(),
            groups: self
                .groups
                .iter()
                .map(|group| crate::whatif::DirectoryGroup {
                    id: group.id.clone(),
                    member_of: group.member_of.clone(),
                })
                .collect(),
        }
    }
}
