//! The one authorization decision every admin action goes through.

use crate::ids::{ClientId, UserId};
use crate::permission::{AppPermission, Permission, Scope, TargetKind};
use crate::role::DirectoryRole;

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in user with their effective directory roles (direct and through
    /// role-assignable groups).
    User {
        id: UserId,
        roles: Vec<DirectoryRole>,
    },
    /// An application using client credentials, with the Graph permissions in its token.
    App {
        client_id: ClientId,
        permissions: Vec<AppPermission>,
    },
}

/// What the action acts on. Target-scoped permissions must name their target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    Nothing,
    /// A user, described by the effective directory roles they hold.
    User {
        roles: &'a [DirectoryRole],
    },
    Group {
        is_assignable_to_role: bool,
    },
    Role(DirectoryRole),
}

impl Target<'_> {
    fn kind(&self) -> TargetKind {
        match self {
            Target::Nothing => TargetKind::Nothing,
            Target::User { .. } => TargetKind::User,
            Target::Group { .. } => TargetKind::Group,
            Target::Role(_) => TargetKind::Role,
        }
    }
}

/// A refused action, with a reason fit for an error message (it names roles and
/// permissions, never secrets).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Denied {
    pub reason: String,
}

impl Scope {
    fn admits(self, target: &Target<'_>) -> bool {
        match (self, target) {
            (Scope::Any, _) => true,
            (Scope::UsersHoldingOnly(allowed), Target::User { roles }) => {
                roles.iter().all(|role| allowed.contains(role))
            }
            (
                Scope::NonRoleAssignableGroups,
                Target::Group {
                    is_assignable_to_role,
                },
            ) => !is_assignable_to_role,
            // A scope written for one kind of target never admits another kind.
            _ => false,
        }
    }
}

/// Decides whether `actor` may use `permission` on `target`.
pub fn authorize(actor: &Actor, permission: Permission, target: Target<'_>) -> Result<(), Denied> {
    if permission.target_kind() != target.kind() {
        return Err(Denied {
            reason: format!(
                "{permission:?} must name a {:?} target, not {:?}",
                permission.target_kind(),
                target.kind()
            ),
        });
    }
    let scopes: Vec<Scope> = match actor {
        Actor::User { roles, .. } => roles.iter().filter_map(|r| r.grant(permission)).collect(),
        Actor::App { permissions, .. } => permissions
            .iter()
            .filter_map(|p| p.grant(permission))
            .collect(),
    };
    if scopes.iter().any(|scope| scope.admits(&target)) {
        return Ok(());
    }
    let who = describe_actor(actor);
    let reason = if scopes.is_empty() {
        format!("{who}: none grants {permission:?}")
    } else {
        match target {
            Target::User { roles } => format!(
                "{who} allows {permission:?} only on users with fewer privileges; the target holds {}",
                roles
                    .iter()
                    .map(|r| r.display_name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Target::Group { .. } => format!(
                "{who} cannot change role-assignable groups (that needs Privileged Role Administrator)"
            ),
            _ => format!("{who} does not grant {permission:?} on this target"),
        }
    };
    Err(Denied { reason })
}

fn describe_actor(actor: &Actor) -> String {
    match actor {
        Actor::User { roles, .. } if roles.is_empty() => {
            "the caller holds no directory role".into()
        }
        Actor::User { roles, .. } => format!(
            "the caller's roles ({})",
            roles
                .iter()
                .map(|r| r.display_name())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Actor::App { permissions, .. } if permissions.is_empty() => {
            "the application holds no Graph permission".into()
        }
        Actor::App { permissions, .. } => format!(
            "the application's permissions ({})",
            permissions
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
#[path = "authorize_tests.rs"]
mod tests;
