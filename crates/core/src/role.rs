//! Built-in directory roles, named by their Microsoft Graph role template ids so that
//! Conditional Access policies exported from Entra (`includeRoles`) keep their meaning.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{ApplicationId, GroupId, RoleAssignmentId, UserId};

macro_rules! directory_roles {
    ($($variant:ident => $template:literal, $name:literal;)*) => {
        /// A built-in directory role.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum DirectoryRole {
            $($variant,)*
        }

        impl DirectoryRole {
            /// Every role, in declaration order.
            pub const ALL: &'static [DirectoryRole] = &[$(DirectoryRole::$variant,)*];

            /// The Graph `roleTemplateId` (also the `roleDefinitionId` of built-in roles).
            pub fn template_id(self) -> &'static str {
                match self { $(DirectoryRole::$variant => $template,)* }
            }

            /// The Graph `displayName`.
            pub fn display_name(self) -> &'static str {
                match self { $(DirectoryRole::$variant => $name,)* }
            }

            /// Finds a role by template id (case-insensitive, as GUIDs are).
            pub fn from_template_id(id: &str) -> Option<Self> {
                let id = id.to_ascii_lowercase();
                match id.as_str() { $($template => Some(DirectoryRole::$variant),)* _ => None }
            }
        }
    };
}

// Template ids: reference/entra.md §9 and the Graph "Microsoft Entra built-in roles" page.
directory_roles! {
    GlobalAdministrator => "62e90394-69f5-4237-9190-012177145e10", "Global Administrator";
    PrivilegedRoleAdministrator => "e8611ab8-c189-46e8-94e1-60213ab1f814", "Privileged Role Administrator";
    SecurityAdministrator => "194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator";
    ConditionalAccessAdministrator => "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", "Conditional Access Administrator";
    AuthenticationPolicyAdministrator => "0526716b-113d-4c15-b2c8-68e3c22b9f80", "Authentication Policy Administrator";
    PrivilegedAuthenticationAdministrator => "7be44c8a-adaf-4e2a-84d6-ab2649e08a13", "Privileged Authentication Administrator";
    AuthenticationAdministrator => "c4e39bd9-1100-46d3-8c65-fb160da0071f", "Authentication Administrator";
    HelpdeskAdministrator => "729827e3-9c14-49f7-bb1b-9608f156bbb8", "Helpdesk Administrator";
    PasswordAdministrator => "966707d0-3269-4727-9be2-8c3a10f19b9d", "Password Administrator";
    UserAdministrator => "fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator";
    GroupsAdministrator => "fdd7a751-b60b-444a-984c-02652fe8fa1c", "Groups Administrator";
    ApplicationAdministrator => "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "Application Administrator";
    CloudApplicationAdministrator => "158c047a-c907-4556-b7ef-446551a6b5f7", "Cloud Application Administrator";
    SecurityOperator => "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f", "Security Operator";
    SecurityReader => "5d6b6bb7-de71-4623-b4af-96380a352509", "Security Reader";
    GlobalReader => "f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader";
    ReportsReader => "4a5d8f65-41da-4de4-8968-e035b65339cf", "Reports Reader";
    DirectoryReaders => "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Directory Readers";
}

impl DirectoryRole {
    /// Roles that only read. A user holding only these counts as a non-admin for the
    /// purposes of helpdesk actions.
    pub fn is_read_only(self) -> bool {
        matches!(
            self,
            DirectoryRole::SecurityReader
                | DirectoryRole::GlobalReader
                | DirectoryRole::ReportsReader
                | DirectoryRole::DirectoryReaders
        )
    }
}

impl Serialize for DirectoryRole {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.template_id())
    }
}

impl<'de> Deserialize<'de> for DirectoryRole {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = String::deserialize(deserializer)?;
        DirectoryRole::from_template_id(&id).ok_or_else(|| {
            serde::de::Error::custom(format!("{id:?} is not a known directory role template id"))
        })
    }
}

/// Who holds a role assignment. Assignments to role-assignable groups apply to their
/// transitive members; assignments to applications let automation act as that role.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "camelCase")]
pub enum Principal {
    User(UserId),
    Group(GroupId),
    Application(ApplicationId),
}

impl Principal {
    pub fn id_str(&self) -> &str {
        match self {
            Principal::User(id) => id.as_str(),
            Principal::Group(id) => id.as_str(),
            Principal::Application(id) => id.as_str(),
        }
    }

    pub fn kind_str(&self) -> &'static str {
        match self {
            Principal::User(_) => "user",
            Principal::Group(_) => "group",
            Principal::Application(_) => "application",
        }
    }
}

/// A Graph `unifiedRoleAssignment` (directory-wide scope only for now).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    pub id: RoleAssignmentId,
    pub principal: Principal,
    /// Serialised as the role template id, like Graph's `roleDefinitionId`.
    #[serde(rename = "roleDefinitionId")]
    pub role: DirectoryRole,
    /// Always "/" (the whole directory) for now.
    pub directory_scope_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_date_time: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_ids_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for role in DirectoryRole::ALL {
            assert!(seen.insert(role.template_id()), "duplicate id for {role:?}");
            assert_eq!(
                DirectoryRole::from_template_id(role.template_id()),
                Some(*role)
            );
            assert_eq!(role.template_id().len(), 36);
        }
    }

    #[test]
    fn well_known_ids() {
        assert_eq!(
            DirectoryRole::GlobalAdministrator.template_id(),
            "62e90394-69f5-4237-9190-012177145e10"
        );
        assert_eq!(
            DirectoryRole::from_template_id("F2EF992C-3AFB-46B9-B7CF-A126EE74C451"),
            Some(DirectoryRole::GlobalReader)
        );
        assert_eq!(
            DirectoryRole::SecurityReader.template_id(),
            "5d6b6bb7-de71-4623-b4af-96380a352509"
        );
        assert_eq!(DirectoryRole::from_template_id("nope"), None);
    }

    /// Every template id, checked on 2026-11-23 against Microsoft's "Microsoft Entra
    /// built-in roles" reference (permissions-reference, "All roles" table). Reports
    /// Reader, Directory Readers, Security Operator and Groups Administrator had been
    /// written from memory; all matched.
    #[test]
    fn template_ids_match_microsofts_published_table() {
        use DirectoryRole as R;
        let published = [
            (
                R::GlobalAdministrator,
                "62e90394-69f5-4237-9190-012177145e10",
            ),
            (
                R::PrivilegedRoleAdministrator,
                "e8611ab8-c189-46e8-94e1-60213ab1f814",
            ),
            (
                R::SecurityAdministrator,
                "194ae4cb-b126-40b2-bd5b-6091b380977d",
            ),
            (
                R::ConditionalAccessAdministrator,
                "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
            ),
            (
                R::AuthenticationPolicyAdministrator,
                "0526716b-113d-4c15-b2c8-68e3c22b9f80",
            ),
            (
                R::PrivilegedAuthenticationAdministrator,
                "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
            ),
            (
                R::AuthenticationAdministrator,
                "c4e39bd9-1100-46d3-8c65-fb160da0071f",
            ),
            (
                R::HelpdeskAdministrator,
                "729827e3-9c14-49f7-bb1b-9608f156bbb8",
            ),
            (
                R::PasswordAdministrator,
                "966707d0-3269-4727-9be2-8c3a10f19b9d",
            ),
            (R::UserAdministrator, "fe930be7-5e62-47db-91af-98c3a49a38b1"),
            (
                R::GroupsAdministrator,
                "fdd7a751-b60b-444a-984c-02652fe8fa1c",
            ),
            (
                R::ApplicationAdministrator,
                "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
            ),
            (
                R::CloudApplicationAdministrator,
                "158c047a-c907-4556-b7ef-446551a6b5f7",
            ),
            (R::SecurityOperator, "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f"),
            (R::SecurityReader, "5d6b6bb7-de71-4623-b4af-96380a352509"),
            (R::GlobalReader, "f2ef992c-3afb-46b9-b7cf-a126ee74c451"),
            (R::ReportsReader, "4a5d8f65-41da-4de4-8968-e035b65339cf"),
            (R::DirectoryReaders, "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"),
        ];
        assert_eq!(
            published.len(),
            DirectoryRole::ALL.len(),
            "a role is not pinned"
        );
        for (role, id) in published {
            assert_eq!(role.template_id(), id, "{role:?}");
        }
    }

    #[test]
    fn serde_uses_template_ids() {
        let json = serde_json::to_string(&DirectoryRole::HelpdeskAdministrator).unwrap();
        assert_eq!(json, "\"729827e3-9c14-49f7-bb1b-9608f156bbb8\"");
        assert!(serde_json::from_str::<DirectoryRole>("\"x\"").is_err());
    }
}
