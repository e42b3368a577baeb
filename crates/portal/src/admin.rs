//! The signed-in administrator: the browser session (from the kit) resolved to the user
//! and their effective directory roles, as the service [`Caller`] every page acts as.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use portcullis_core::audit::UserIdentity;
use portcullis_core::{Actor, CorrelationId, DirectoryRole, Permission, Target, UserId};
use portcullis_pages::kit::{PageError, SignedIn};
use portcullis_service::Caller;
use uuid::Uuid;

use crate::state::PortalState;

/// An administrator acting through the portal.
pub struct Admin {
    pub caller: Caller,
    pub user_id: UserId,
    pub display_name: String,
    pub roles: Vec<DirectoryRole>,
}

impl Admin {
    /// Whether the roles grant a directory-wide permission. Used only to hide controls;
    /// the services decide every request on their own.
    pub fn can(&self, permission: Permission) -> bool {
        self.caller.authorize(permission, Target::Nothing).is_ok()
    }

    /// The page frame: who is signed in, which section is current, which sections the
    /// roles can open.
    pub fn chrome(&self, section: &'static str) -> Chrome {
        Chrome {
            section,
            admin_name: self.display_name.clone(),
            roles: self
                .roles
                .iter()
                .map(|r| r.display_name().to_owned())
                .collect::<Vec<_>>()
                .join(", "),
            can_policies: self.can(Permission::PolicyRead),
            can_sign_ins: self.can(Permission::SignInLogRead),
            can_audit: self.can(Permission::AuditLogRead),
            can_users: self.can(Permission::UserRead),
            can_groups: self.can(Permission::GroupRead),
            can_roles: self.can(Permission::RoleRead),
            can_applications: self.can(Permission::ApplicationRead),
        }
    }
}

/// What the portal layout shows around every page.
pub struct Chrome {
    pub section: &'static str,
    pub admin_name: String,
    pub roles: String,
    pub can_policies: bool,
    pub can_sign_ins: bool,
    pub can_audit: bool,
    pub can_users: bool,
    pub can_groups: bool,
    pub can_roles: bool,
    pub can_applications: bool,
}

impl Chrome {
    /// `aria-current="page"` for the current section's link.
    pub fn current(&self, section: &str) -> &'static str {
        if self.section == section {
            "page"
        } else {
            "false"
        }
    }
}

fn no_admin_role() -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        "Administrators only",
        "The admin portal is for users who hold an administrator role. Ask a Global \
         Administrator to assign you one, then sign in again.",
    )
    .with_retry("/security-info")
}

impl FromRequestParts<PortalState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &PortalState,
    ) -> Result<Self, Self::Rejection> {
        // The session service has already judged the session (revocation, disabled
        // user, sign-in frequency) and loaded the user's facts with it.
        let SignedIn(active) = SignedIn::from_request_parts(parts, state).await?;
        let user = &active.user;
        let roles: Vec<DirectoryRole> = user
            .role_template_ids
            .iter()
            .filter_map(|id| DirectoryRole::from_template_id(id))
            .collect();
        if roles.is_empty() {
            return Err(no_admin_role().into_response());
        }
        let correlation =
            portcullis_pages::kit::CorrelationId::current().map_or_else(Uuid::new_v4, |id| id.0);
        let caller = Caller {
            actor: Actor::User {
                id: user.id.clone(),
                roles: roles.clone(),
            },
            app_directory_roles: Vec::new(),
            initiated_by: portcullis_core::audit::InitiatedBy {
                user: Some(UserIdentity {
                    id: user.id.to_string(),
                    display_name: Some(user.display_name.clone()),
                    user_principal_name: Some(user.user_principal_name.clone()),
                    ip_address: active.session.ip_address.clone(),
                }),
                app: None,
            },
            correlation_id: CorrelationId::from_uuid(correlation),
        };
        Ok(Admin {
            caller,
            user_id: user.id.clone(),
            display_name: user.display_name.clone(),
            roles,
        })
    }
}
