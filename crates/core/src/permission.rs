//! What each directory role and each Graph application permission allows.
//!
//! The mapping is least privilege, modelled on Entra's built-in roles: a Conditional
//! Access Administrator manages policies but not users; helpdesk-type roles act on
//! credentials and sessions of non-admins only; a User Administrator manages users and
//! groups but never users holding a role more powerful than its own; readers only read;
//! only Global and Privileged Role Administrators assign roles or grant Graph permissions.

use serde::{Deserialize, Serialize};

use crate::role::DirectoryRole;

macro_rules! permissions {
    ($($(#[$doc:meta])* $variant:ident => $kind:ident;)*) => {
        /// One thing an administrator or application may do.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Permission {
            $($(#[$doc])* $variant,)*
        }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)*];

            /// What a request for this permission must name, so a forgotten target cannot
            /// widen access (see [`crate::authorize`]).
            pub fn target_kind(self) -> TargetKind {
                match self { $(Permission::$variant => TargetKind::$kind,)* }
            }
        }
    };
}

permissions! {
    UserRead => Nothing;
    UserCreate => Nothing;
    /// Profile changes, enable/disable.
    UserUpdate => User;
    UserDelete => User;
    UserPasswordReset => User;
    /// List and delete a user's registered authentication methods.
    UserAuthMethodsManage => User;
    TemporaryAccessPassIssue => User;
    UserSessionsRevoke => User;
    GroupRead => Nothing;
    /// Create, update, delete groups and change their members.
    GroupWrite => Group;
    RoleRead => Nothing;
    RoleAssign => Role;
    ApplicationRead => Nothing;
    /// Create and change applications and their secrets (not their Graph permissions).
    ApplicationWrite => Nothing;
    /// Grant Graph application permissions (app roles) to an application.
    ApplicationPermissionGrant => Nothing;
    /// Read Conditional Access policies, named locations, authentication strengths,
    /// security defaults and the authentication methods policy.
    PolicyRead => Nothing;
    /// Change Conditional Access policies, named locations and authentication strengths.
    ConditionalAccessWrite => Nothing;
    SecurityDefaultsWrite => Nothing;
    AuthenticationMethodsPolicyWrite => Nothing;
    AuditLogRead => Nothing;
    SignInLogRead => Nothing;
    RiskRead => Nothing;
    /// Confirm compromised / confirm safe / dismiss risk.
    RiskWrite => Nothing;
    DeviceRead => Nothing;
    DeviceWrite => Nothing;
}

impl Permission {
    pub fn is_read(self) -> bool {
        matches!(
            self,
            Permission::UserRead
                | Permission::GroupRead
                | Permission::RoleRead
                | Permission::ApplicationRead
                | Permission::PolicyRead
                | Permission::AuditLogRead
                | Permission::SignInLogRead
                | Permission::RiskRead
                | Permission::DeviceRead
        )
    }
}

/// The kind of object a permission acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Nothing,
    User,
    Group,
    Role,
}

/// How far a granted permission reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Any target.
    Any,
    /// Users holding no roles, or only roles from this list.
    UsersHoldingOnly(&'static [DirectoryRole]),
    /// Groups that are not role-assignable: changing members of a role-assignable group
    /// changes who holds a role, so it needs role-assigning power.
    NonRoleAssignableGroups,
}

use DirectoryRole as R;
use Permission as P;

/// Users a Helpdesk Administrator may help: non-admins (no role but the read-only
/// reporting roles).
pub const HELPDESK_TARGETS: &[DirectoryRole] = &[R::DirectoryReaders, R::ReportsReader];
/// Entra's "who can reset whom": Password Administrators may also help their peers.
pub const PASSWORD_ADMIN_TARGETS: &[DirectoryRole] = &[
    R::DirectoryReaders,
    R::ReportsReader,
    R::PasswordAdministrator,
];
/// Authentication Administrators may help helpdesk-level admins and their peers.
pub const AUTHENTICATION_ADMIN_TARGETS: &[DirectoryRole] = &[
    R::DirectoryReaders,
    R::ReportsReader,
    R::HelpdeskAdministrator,
    R::PasswordAdministrator,
    R::AuthenticationAdministrator,
];
/// User Administrators may manage users up to their own level.
pub const USER_ADMIN_TARGETS: &[DirectoryRole] = &[
    R::DirectoryReaders,
    R::ReportsReader,
    R::HelpdeskAdministrator,
    R::PasswordAdministrator,
    R::UserAdministrator,
    R::GroupsAdministrator,
];
/// Applications act only on users without roles: managing an admin takes an admin.
pub const APP_USER_TARGETS: &[DirectoryRole] = &[];

const READ_ALL: &[Permission] = &[
    P::UserRead,
    P::GroupRead,
    P::RoleRead,
    P::ApplicationRead,
    P::PolicyRead,
    P::AuditLogRead,
    P::SignInLogRead,
    P::RiskRead,
    P::DeviceRead,
];

impl DirectoryRole {
    /// Whether this role grants `permission`, and how far.
    pub fn grant(self, permission: Permission) -> Option<Scope> {
        use Scope::{Any, NonRoleAssignableGroups as Ordinary, UsersHoldingOnly as Only};
        let any_of = |perms: &[Permission]| perms.contains(&permission).then_some(Any);
        match self {
            R::GlobalAdministrator => Some(Any),
            R::GlobalReader => any_of(READ_ALL),
            R::PrivilegedRoleAdministrator => match permission {
                P::RoleAssign | P::GroupWrite | P::ApplicationPermissionGrant => Some(Any),
                _ => any_of(&[
                    P::UserRead,
                    P::GroupRead,
                    P::RoleRead,
                    P::ApplicationRead,
                    P::PolicyRead,
                ]),
            },
            R::SecurityAdministrator => any_of(&[
                P::UserRead,
                P::GroupRead,
                P::RoleRead,
                P::ApplicationRead,
                P::DeviceRead,
                P::PolicyRead,
                P::ConditionalAccessWrite,
                P::SecurityDefaultsWrite,
                P::AuditLogRead,
                P::SignInLogRead,
                P::RiskRead,
                P::RiskWrite,
            ]),
            R::ConditionalAccessAdministrator => any_of(&[
                P::UserRead,
                P::GroupRead,
                P::RoleRead,
                P::ApplicationRead,
                P::DeviceRead,
                P::PolicyRead,
                P::ConditionalAccessWrite,
                P::SecurityDefaultsWrite,
            ]),
            R::AuthenticationPolicyAdministrator => any_of(&[
                P::UserRead,
                P::GroupRead,
                P::PolicyRead,
                P::AuthenticationMethodsPolicyWrite,
            ]),
            R::PrivilegedAuthenticationAdministrator => any_of(&[
                P::UserRead,
                P::GroupRead,
                P::RoleRead,
                P::UserPasswordReset,
                P::UserAuthMethodsManage,
                P::TemporaryAccessPassIssue,
                P::UserSessionsRevoke,
            ]),
            R::AuthenticationAdministrator => match permission {
                P::UserPasswordReset
                | P::UserAuthMethodsManage
                | P::TemporaryAccessPassIssue
                | P::UserSessionsRevoke => Some(Only(AUTHENTICATION_ADMIN_TARGETS)),
                _ => any_of(&[P::UserRead, P::GroupRead, P::RoleRead]),
            },
            R::HelpdeskAdministrator => match permission {
                P::UserPasswordReset
                | P::UserAuthMethodsManage
                | P::TemporaryAccessPassIssue
                | P::UserSessionsRevoke => Some(Only(HELPDESK_TARGETS)),
                _ => any_of(&[P::UserRead, P::GroupRead, P::RoleRead, P::SignInLogRead]),
            },
            R::PasswordAdministrator => match permission {
                P::UserPasswordReset => Some(Only(PASSWORD_ADMIN_TARGETS)),
                _ => any_of(&[P::UserRead, P::GroupRead]),
            },
            R::UserAdministrator => match permission {
                P::UserUpdate | P::UserDelete | P::UserPasswordReset | P::UserSessionsRevoke => {
                    Some(Only(USER_ADMIN_TARGETS))
                }
                P::GroupWrite => Some(Ordinary),
                _ => any_of(&[P::UserRead, P::UserCreate, P::GroupRead, P::RoleRead]),
            },
            R::GroupsAdministrator => match permission {
                P::GroupWrite => Some(Ordinary),
                _ => any_of(&[P::UserRead, P::GroupRead]),
            },
            R::ApplicationAdministrator | R::CloudApplicationAdministrator => any_of(&[
                P::UserRead,
                P::GroupRead,
                P::ApplicationRead,
                P::ApplicationWrite,
            ]),
            R::SecurityOperator => any_of(&[
                P::UserRead,
                P::GroupRead,
                P::PolicyRead,
                P::AuditLogRead,
                P::SignInLogRead,
                P::RiskRead,
                P::RiskWrite,
                P::DeviceRead,
            ]),
            R::SecurityReader => any_of(&[
                P::UserRead,
                P::GroupRead,
                P::RoleRead,
                P::ApplicationRead,
                P::PolicyRead,
                P::AuditLogRead,
                P::SignInLogRead,
                P::RiskRead,
                P::DeviceRead,
            ]),
            R::ReportsReader => any_of(&[P::UserRead, P::AuditLogRead, P::SignInLogRead]),
            R::DirectoryReaders => any_of(&[
                P::UserRead,
                P::GroupRead,
                P::RoleRead,
                P::ApplicationRead,
                P::DeviceRead,
            ]),
        }
    }
}

macro_rules! app_permissions {
    ($($variant:ident => $value:literal;)*) => {
        /// A Microsoft Graph application permission (app role), granted to an application
        /// and carried in its access tokens' `roles` claim.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum AppPermission {
            $($variant,)*
        }

        impl AppPermission {
            pub const ALL: &'static [AppPermission] = &[$(AppPermission::$variant,)*];

            /// The Graph permission value, e.g. `Policy.Read.All`.
            pub fn as_str(self) -> &'static str {
                match self { $(AppPermission::$variant => $value,)* }
            }

            /// Parses a Graph permission value (case-insensitive).
            pub fn parse(value: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|p| p.as_str().eq_ignore_ascii_case(value))
            }
        }
    };
}

app_permissions! {
    PolicyReadAll => "Policy.Read.All";
    PolicyReadWriteConditionalAccess => "Policy.ReadWrite.ConditionalAccess";
    PolicyReadWriteAuthenticationMethod => "Policy.ReadWrite.AuthenticationMethod";
    UserReadAll => "User.Read.All";
    UserReadWriteAll => "User.ReadWrite.All";
    UserRevokeSessionsAll => "User.RevokeSessions.All";
    UserAuthenticationMethodReadWriteAll => "UserAuthenticationMethod.ReadWrite.All";
    GroupReadAll => "Group.Read.All";
    GroupReadWriteAll => "Group.ReadWrite.All";
    GroupMemberReadWriteAll => "GroupMember.ReadWrite.All";
    AuditLogReadAll => "AuditLog.Read.All";
    RoleManagementReadDirectory => "RoleManagement.Read.Directory";
    RoleManagementReadWriteDirectory => "RoleManagement.ReadWrite.Directory";
    DirectoryReadAll => "Directory.Read.All";
    DirectoryReadWriteAll => "Directory.ReadWrite.All";
    ApplicationReadAll => "Application.Read.All";
    ApplicationReadWriteAll => "Application.ReadWrite.All";
    AppRoleAssignmentReadWriteAll => "AppRoleAssignment.ReadWrite.All";
    IdentityRiskyUserReadAll => "IdentityRiskyUser.Read.All";
    IdentityRiskyUserReadWriteAll => "IdentityRiskyUser.ReadWrite.All";
    IdentityRiskEventReadAll => "IdentityRiskEvent.Read.All";
    DeviceReadAll => "Device.Read.All";
    DeviceReadWriteAll => "Device.ReadWrite.All";
}

impl Serialize for AppPermission {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AppPermission {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        AppPermission::parse(&value).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{value:?} is not a supported Graph application permission"
            ))
        })
    }
}

impl std::fmt::Display for AppPermission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

use AppPermission as A;

impl AppPermission {
    /// Whether this application permission grants `permission`, and how far. User-targeted
    /// actions reach only users without roles (Graph likewise requires an admin role for
    /// an app to change privileged users).
    pub fn grant(self, permission: Permission) -> Option<Scope> {
        use Scope::{Any, NonRoleAssignableGroups as Ordinary, UsersHoldingOnly as Only};
        let any_of = |perms: &[Permission]| perms.contains(&permission).then_some(Any);
        const DIRECTORY_READ: &[Permission] = &[
            P::UserRead,
            P::GroupRead,
            P::RoleRead,
            P::ApplicationRead,
            P::DeviceRead,
        ];
        match self {
            A::PolicyReadAll => any_of(&[P::PolicyRead]),
            A::PolicyReadWriteConditionalAccess => any_of(&[
                P::PolicyRead,
                P::ConditionalAccessWrite,
                P::SecurityDefaultsWrite,
            ]),
            A::PolicyReadWriteAuthenticationMethod => {
                any_of(&[P::PolicyRead, P::AuthenticationMethodsPolicyWrite])
            }
            A::UserReadAll => any_of(&[P::UserRead]),
            // Graph lists User.ReadWrite.All and Directory.ReadWrite.All as higher
            // privileges for revokeSignInSessions, beside User.RevokeSessions.All.
            A::UserReadWriteAll => match permission {
                P::UserUpdate | P::UserDelete | P::UserSessionsRevoke => {
                    Some(Only(APP_USER_TARGETS))
                }
                _ => any_of(&[P::UserRead, P::UserCreate]),
            },
            A::UserRevokeSessionsAll => {
                (permission == P::UserSessionsRevoke).then_some(Only(APP_USER_TARGETS))
            }
            A::UserAuthenticationMethodReadWriteAll => match permission {
                P::UserPasswordReset | P::UserAuthMethodsManage | P::TemporaryAccessPassIssue => {
                    Some(Only(APP_USER_TARGETS))
                }
                _ => any_of(&[P::UserRead]),
            },
            A::GroupReadAll => any_of(&[P::GroupRead]),
            A::GroupReadWriteAll | A::GroupMemberReadWriteAll => match permission {
                P::GroupWrite => Some(Ordinary),
                _ => any_of(&[P::GroupRead]),
            },
            A::AuditLogReadAll => any_of(&[P::AuditLogRead, P::SignInLogRead]),
            A::RoleManagementReadDirectory => any_of(&[P::RoleRead]),
            A::RoleManagementReadWriteDirectory => {
                any_of(&[P::RoleRead, P::RoleAssign, P::GroupWrite])
            }
            A::DirectoryReadAll => any_of(DIRECTORY_READ),
            A::DirectoryReadWriteAll => match permission {
                P::UserUpdate | P::UserDelete | P::UserSessionsRevoke => {
                    Some(Only(APP_USER_TARGETS))
                }
                P::GroupWrite => Some(Ordinary),
                _ => any_of(DIRECTORY_READ).or_else(|| any_of(&[P::UserCreate])),
            },
            A::ApplicationReadAll => any_of(&[P::ApplicationRead]),
            A::ApplicationReadWriteAll => any_of(&[P::ApplicationRead, P::ApplicationWrite]),
            A::AppRoleAssignmentReadWriteAll => {
                any_of(&[P::ApplicationRead, P::ApplicationPermissionGrant])
            }
            A::IdentityRiskyUserReadAll | A::IdentityRiskEventReadAll => any_of(&[P::RiskRead]),
            A::IdentityRiskyUserReadWriteAll => any_of(&[P::RiskRead, P::RiskWrite]),
            A::DeviceReadAll => any_of(&[P::DeviceRead]),
            A::DeviceReadWriteAll => any_of(&[P::DeviceRead, P::DeviceWrite]),
        }
    }
}
