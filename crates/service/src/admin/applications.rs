//! Applications (Graph `/applications`): OIDC clients, forward-auth apps and automation
//! clients, and their client secrets (`addPassword` / `removePassword`).
//!
//! Least privilege beyond Entra's: an application that holds Graph permissions or
//! directory roles is *privileged*; changing its credentials, settings or existence needs
//! the power to grant those permissions too. Otherwise an Application Administrator could
//! add a secret to the automation client and act as it (a known Entra escalation path).

use portcullis_core::audit::{ModifiedProperty, TargetResource, category};
use portcullis_core::{
    AppPermission, Application, ApplicationId, ApplicationKind, ApplicationSecret, ClientId,
    Permission, SecretId, Target,
};
use portcullis_store::{Batch, Change};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::admin::applications_settings::{ForwardAuthSettings, validate_application};
use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::secrets::new_secret;
use crate::services::{Services, audit_record};

/// Prefix of generated client secrets (recognisable in leaked-secret scans).
pub const CLIENT_SECRET_PREFIX: &str = "pcs_";
/// Longest lifetime of a client secret (Entra recommends and caps at two years).
pub const MAX_SECRET_LIFETIME: time::Duration = time::Duration::days(731);
/// Lifetime when the request names no end date (Entra's default: 180 days).
pub const DEFAULT_SECRET_LIFETIME: time::Duration = time::Duration::days(180);

/// An application to register (Graph `POST /applications`).
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub display_name: String,
    pub kind: ApplicationKind,
    pub redirect_uris: Vec<String>,
    pub enabled: bool,
    pub settings: Value,
    /// Needs [`Permission::ApplicationPermissionGrant`] when not empty.
    pub granted_permissions: Vec<AppPermission>,
}

/// Changes to an application (Graph `PATCH`); `None` leaves a property alone.
#[derive(Debug, Clone, Default)]
pub struct ApplicationPatch {
    pub display_name: Option<String>,
    pub redirect_uris: Option<Vec<String>>,
    pub enabled: Option<bool>,
    pub settings: Option<Value>,
    pub granted_permissions: Option<Vec<AppPermission>>,
}

/// A secret to add (Graph `addPassword`'s `passwordCredential`).
#[derive(Debug, Clone, Default)]
pub struct NewPassword {
    pub display_name: Option<String>,
    pub end_date_time: Option<OffsetDateTime>,
}

/// The added secret: its metadata and, this once, its text.
#[derive(Debug, Clone)]
pub struct AddedPassword {
    pub credential: ApplicationSecret,
    pub secret_text: String,
}

impl Services {
    pub async fn list_applications(&self, caller: &Caller) -> ServiceResult<Vec<Application>> {
        caller.authorize(Permission::ApplicationRead, Target::Nothing)?;
        Ok(self.store.list_applications().await?)
    }

    /// Resolves `/applications/{id}` by object id or, as Graph's `(appId='…')` does, by
    /// client id. Needs the read permission, so ids cannot be probed without it.
    pub async fn resolve_application(
        &self,
        caller: &Caller,
        reference: &str,
    ) -> ServiceResult<ApplicationId> {
        caller.authorize(Permission::ApplicationRead, Target::Nothing)?;
        let not_found = || ServiceError::NotFound(format!("application {reference}"));
        let id = ApplicationId::parse(reference).map_err(|_| not_found())?;
        match self.store.get_application(&id).await {
            Ok(app) => return Ok(app.id),
            Err(portcullis_store::StoreError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
        let client_id = ClientId::parse(reference).map_err(|_| not_found())?;
        self.store
            .find_application_by_client_id(&client_id)
            .await?
            .map(|app| app.id)
            .ok_or_else(not_found)
    }

    /// The application and its secrets' metadata (never their hashes' preimages).
    pub async fn get_application(
        &self,
        caller: &Caller,
        id: &ApplicationId,
    ) -> ServiceResult<(Application, Vec<ApplicationSecret>)> {
        caller.authorize(Permission::ApplicationRead, Target::Nothing)?;
        let app = self.store.get_application(id).await?;
        let secrets = self.store.list_application_secrets(id).await?;
        Ok((app, secrets))
    }

    pub async fn create_application(
        &self,
        caller: &Caller,
        new: NewApplication,
    ) -> ServiceResult<Application> {
        caller.authorize(Permission::ApplicationWrite, Target::Nothing)?;
        if !new.granted_permissions.is_empty() {
            caller.authorize(Permission::ApplicationPermissionGrant, Target::Nothing)?;
        }
        let app = validate_application(Application {
            id: ApplicationId::from_uuid(Uuid::new_v4()),
            app_id: ClientId::from_uuid(Uuid::new_v4()),
            display_name: new.display_name,
            kind: new.kind,
            redirect_uris: new.redirect_uris,
            granted_permissions: sorted(new.granted_permissions),
            enabled: new.enabled,
            created_date_time: OffsetDateTime::now_utc(),
            settings: new.settings,
        })?;
        self.check_forward_auth_route_free(&app).await?;
        self.commit_application_change(
            caller,
            "Add application",
            "Add",
            app_target(&app, Vec::new()),
            Change::CreateApplication(app.clone()),
        )
        .await?;
        Ok(app)
    }

    pub async fn update_application(
        &self,
        caller: &Caller,
        id: &ApplicationId,
        patch: ApplicationPatch,
    ) -> ServiceResult<Application> {
        let old = self.authorize_on_application(caller, id).await?;
        let mut app = old.clone();
        if let Some(name) = patch.display_name {
            app.display_name = name;
        }
        if let Some(uris) = patch.redirect_uris {
            app.redirect_uris = uris;
        }
        if let Some(enabled) = patch.enabled {
            app.enabled = enabled;
        }
        if let Some(settings) = patch.settings {
            app.settings = settings;
        }
        if let Some(permissions) = patch.granted_permissions {
            let permissions = sorted(permissions);
            if permissions != old.granted_permissions {
                caller.authorize(Permission::ApplicationPermissionGrant, Target::Nothing)?;
            }
            app.granted_permissions = permissions;
        }
        let app = validate_application(app)?;
        self.check_forward_auth_route_free(&app).await?;
        self.commit_application_change(
            caller,
            "Update application",
            "Update",
            app_target(&app, changes(&old, &app)),
            Change::UpdateApplication(app.clone()),
        )
        .await?;
        Ok(app)
    }

    pub async fn delete_application(
        &self,
        caller: &Caller,
        id: &ApplicationId,
    ) -> ServiceResult<()> {
        let app = self.authorize_on_application(caller, id).await?;
        self.commit_application_change(
            caller,
            "Delete application",
            "Delete",
            app_target(&app, Vec::new()),
            Change::DeleteApplication(id.clone()),
        )
        .await?;
        Ok(())
    }

    /// Commits one application change with its audit record, then refreshes this node's
    /// forward-auth routes at once (read-your-writes; other nodes follow within the
    /// security-epoch poll interval).
    async fn commit_application_change(
        &self,
        caller: &Caller,
        activity: &str,
        operation: &str,
        target: TargetResource,
        change: Change,
    ) -> ServiceResult<()> {
        let audit = audit_record(
            caller,
            category::APPLICATION_MANAGEMENT,
            activity,
            operation,
        )
        .with_target(target);
        self.store.commit(Batch::single(change, audit)).await?;
        self.sessions().epochs().mark_stale();
        Ok(())
    }

    /// Graph `addPassword`: a new random secret, stored only as its hash; the text is
    /// returned once.
    pub async fn add_application_password(
        &self,
        caller: &Caller,
        id: &ApplicationId,
        new: NewPassword,
    ) -> ServiceResult<AddedPassword> {
        let app = self.authorize_on_application(caller, id).await?;
        if app.kind == ApplicationKind::ForwardAuth {
            return Err(ServiceError::Invalid(
                "a forward-auth application has no client secrets".into(),
            ));
        }
        let now = OffsetDateTime::now_utc();
        let end = new.end_date_time.unwrap_or(now + DEFAULT_SECRET_LIFETIME);
        if end <= now {
            return Err(ServiceError::Invalid(
                "passwordCredential.endDateTime must be in the future".into(),
            ));
        }
        if end > now + MAX_SECRET_LIFETIME {
            return Err(ServiceError::Invalid(
                "passwordCredential.endDateTime must be at most two years away".into(),
            ));
        }
        let display_name = new.display_name.unwrap_or_default().trim().to_owned();
        if display_name.chars().count() > 256 {
            return Err(ServiceError::Invalid(
                "passwordCredential.displayName must have at most 256 characters".into(),
            ));
        }
        let generated = new_secret(CLIENT_SECRET_PREFIX)?;
        let credential = ApplicationSecret {
            key_id: SecretId::from_uuid(Uuid::new_v4()),
            application_id: app.id.clone(),
            display_name,
            hint: generated.hint.clone(),
            secret_hash: generated.hash.clone(),
            start_date_time: now,
            end_date_time: Some(end),
        };
        let modified = vec![ModifiedProperty {
            display_name: "KeyDescription".into(),
            old_value: None,
            new_value: Some(format!(
                "[KeyIdentifier={}, KeyType=Password, KeyUsage=Verify, DisplayName={}]",
                credential.key_id, credential.display_name
            )),
        }];
        let audit = audit_record(
            caller,
            category::APPLICATION_MANAGEMENT,
            "Update application – Certificates and secrets management",
            "Update",
        )
        .with_target(app_target(&app, modified));
        self.store
            .commit(Batch::single(
                Change::AddApplicationSecret(credential.clone()),
                audit,
            ))
            .await?;
        Ok(AddedPassword {
            credential,
            secret_text: generated.plaintext,
        })
    }

    /// Graph `removePassword`.
    pub async fn remove_application_password(
        &self,
        caller: &Caller,
        id: &ApplicationId,
        key_id: &SecretId,
    ) -> ServiceResult<()> {
        let app = self.authorize_on_application(caller, id).await?;
        let modified = vec![ModifiedProperty {
            display_name: "KeyDescription".into(),
            old_value: Some(format!("[KeyIdentifier={key_id}, KeyType=Password]")),
            new_value: None,
        }];
        let audit = audit_record(
            caller,
            category::APPLICATION_MANAGEMENT,
            "Update application – Certificates and secrets management",
            "Update",
        )
        .with_target(app_target(&app, modified));
        self.store
            .commit(Batch::single(
                Change::RemoveApplicationSecret {
                    application: id.clone(),
                    key_id: key_id.clone(),
                },
                audit,
            ))
            .await?;
        Ok(())
    }

    /// Write access to one application: the write permission, and for a privileged
    /// application also the grant permission (see the module docs). Read is checked first
    /// so that a caller who may not read applications learns nothing about which exist.
    async fn authorize_on_application(
        &self,
        caller: &Caller,
        id: &ApplicationId,
    ) -> ServiceResult<Application> {
        caller.authorize(Permission::ApplicationRead, Target::Nothing)?;
        caller.authorize(Permission::ApplicationWrite, Target::Nothing)?;
        let app = self.store.get_application(id).await?;
        let privileged = !app.granted_permissions.is_empty()
            || !self.store.roles_of_application(id).await?.is_empty();
        if privileged {
            caller
                .authorize(Permission::ApplicationPermissionGrant, Target::Nothing)
                .map_err(|denied| {
                    ServiceError::Forbidden(format!(
                        "{}; the application holds Graph permissions or directory roles, so changing it needs the right to grant them",
                        denied.reason
                    ))
                })?;
        }
        Ok(app)
    }

    /// Two forward-auth applications must not claim the same host and path prefix:
    /// which one's policy applied would depend on lookup order.
    async fn check_forward_auth_route_free(&self, app: &Application) -> ServiceResult<()> {
        if app.kind != ApplicationKind::ForwardAuth {
            return Ok(());
        }
        let mine = ForwardAuthSettings::from_settings(&app.settings)?;
        for other in self.store.list_applications().await? {
            if other.id == app.id || other.kind != ApplicationKind::ForwardAuth {
                continue;
            }
            if ForwardAuthSettings::from_settings(&other.settings).is_ok_and(|s| s == mine) {
                return Err(ServiceError::Conflict(format!(
                    "application {} already protects host {} with path prefix {}",
                    other.display_name, mine.host, mine.path_prefix
                )));
            }
        }
        Ok(())
    }
}

fn sorted(mut permissions: Vec<AppPermission>) -> Vec<AppPermission> {
    permissions.sort();
    permissions.dedup();
    permissions
}

fn app_target(app: &Application, modified: Vec<ModifiedProperty>) -> TargetResource {
    TargetResource {
        id: app.id.to_string(),
        display_name: Some(app.display_name.clone()),
        resource_type: "Application".to_owned(),
        user_principal_name: None,
        modified_properties: modified,
    }
}

fn changes(old: &Application, new: &Application) -> Vec<ModifiedProperty> {
    let mut modified = Vec::new();
    let mut push = |name: &str, a: String, b: String| {
        ModifiedProperty::push_if_changed(&mut modified, name, Some(a), Some(b));
    };
    push(
        "DisplayName",
        old.display_name.clone(),
        new.display_name.clone(),
    );
    push(
        "RedirectUris",
        json(&old.redirect_uris),
        json(&new.redirect_uris),
    );
    push(
        "AccountEnabled",
        old.enabled.to_string(),
        new.enabled.to_string(),
    );
    push("Settings", json(&old.settings), json(&new.settings));
    push(
        "GrantedPermissions",
        json(&old.granted_permissions),
        json(&new.granted_permissions),
    );
    modified
}

/// JSON text of a value, for audit old and new values.
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
