//! Who is calling a service operation, for authorization and the audit record.

use portcullis_core::audit::{AppIdentity, InitiatedBy, UserIdentity};
use portcullis_core::{
    Actor, ApplicationId, CorrelationId, DirectoryRole, Permission, Target, authorize,
};

/// An authenticated caller of an admin operation.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Graph application permissions and/or the caller's identity as `authorize` sees it.
    pub actor: Actor,
    /// Directory roles held by an application caller (assigned to its service principal).
    /// An app acting under a directory role is authorized as that role, as in Entra.
    pub app_directory_roles: Vec<DirectoryRole>,
    pub initiated_by: InitiatedBy,
    pub correlation_id: CorrelationId,
}

impl Caller {
    /// An application authenticated by an access token.
    pub fn application(
        object_id: &ApplicationId,
        client_id: portcullis_core::ClientId,
        display_name: &str,
        permissions: Vec<portcullis_core::AppPermission>,
        directory_roles: Vec<DirectoryRole>,
    ) -> Self {
        let app_id = client_id.to_string();
        Caller {
            actor: Actor::App {
                client_id,
                permissions,
            },
            app_directory_roles: directory_roles,
            initiated_by: InitiatedBy {
                user: None,
                app: Some(AppIdentity {
                    app_id,
                    display_name: Some(display_name.to_owned()),
                    service_principal_id: Some(object_id.to_string()),
                    service_principal_name: Some(display_name.to_owned()),
                }),
            },
            correlation_id: CorrelationId::from_uuid(uuid::Uuid::new_v4()),
        }
    }

    /// Portcullis itself (first start, bootstrap, key generation).
    pub fn system(activity_source: &str) -> Self {
        Caller {
            actor: Actor::App {
                client_id: portcullis_core::ClientId::from_uuid(uuid::Uuid::nil()),
                permissions: Vec::new(),
            },
            app_directory_roles: Vec::new(),
            initiated_by: InitiatedBy {
                user: None,
                app: Some(AppIdentity {
                    app_id: "portcullis".to_owned(),
                    display_name: Some(activity_source.to_owned()),
                    service_principal_id: None,
                    service_principal_name: None,
                }),
            },
            correlation_id: CorrelationId::from_uuid(uuid::Uuid::new_v4()),
        }
    }

    /// A user acting through a first-party page (e.g. the bootstrap form).
    pub fn user(id: &portcullis_core::UserId, upn: &str, ip_address: Option<String>) -> Self {
        Caller {
            actor: Actor::User {
                id: id.clone(),
                roles: Vec::new(),
            },
            app_directory_roles: Vec::new(),
            initiated_by: InitiatedBy {
                user: Some(UserIdentity {
                    id: id.to_string(),
                    display_name: None,
                    user_principal_name: Some(upn.to_owned()),
                    ip_address,
                }),
                app: None,
            },
            correlation_id: CorrelationId::from_uuid(uuid::Uuid::new_v4()),
        }
    }

    /// Least privilege: may this caller use `permission` on `target`? An application is
    /// allowed through its Graph permissions or through any directory role assigned to it.
    pub fn authorize(
        &self,
        permission: Permission,
        target: Target<'_>,
    ) -> Result<(), portcullis_core::Denied> {
        let direct = authorize(&self.actor, permission, target);
        if direct.is_ok() || self.app_directory_roles.is_empty() {
            return direct;
        }
        let Actor::App { client_id, .. } = &self.actor else {
            return direct;
        };
        // `authorize` models role holders as users; the id is not consulted for
        // directory-wide permissions, so the app's client id stands in for it.
        let as_role_holder = Actor::User {
            id: portcullis_core::UserId::parse(client_id.as_str())
                .unwrap_or_else(|_| portcullis_core::UserId::from_uuid(uuid::Uuid::nil())),
            roles: self.app_directory_roles.clone(),
        };
        authorize(&as_role_holder, permission, target).or(direct)
    }
}
