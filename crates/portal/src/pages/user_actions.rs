//! The helpdesk actions on a user's page: revoke sessions, reset (delete) registered
//! methods, issue a Temporary Access Pass, clear smart lockout. Each calls the service that enforces least
//! privilege against the target's roles (a Helpdesk Administrator helps non-admins
//! only), and each is audited there; the portal only shows what the roles allow.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::{CredentialKind, DirectoryRole, Permission, Target, UserId};
use portcullis_pages::kit::{PageError, render};
use portcullis_service::ServiceError;
use portcullis_service::security_info::{
    SecurityInfoError, SecurityInfoService, TemporaryAccessPassRequest,
};

use super::{PageResult, fail, form_field};
use crate::admin::{Admin, Chrome};
use crate::error::bad_request;
use crate::state::PortalState;

/// Which actions the admin's roles allow on a user holding `roles`.
pub struct UserActions {
    pub update: bool,
    pub revoke_sessions: bool,
    pub manage_methods: bool,
    pub issue_pass: bool,
    /// Clearing smart lockout goes with the power to reset the user's password.
    pub unlock: bool,
}

impl UserActions {
    pub fn for_target(admin: &Admin, roles: &[DirectoryRole]) -> Self {
        let may = |permission| {
            admin
                .caller
                .authorize(permission, Target::User { roles })
                .is_ok()
        };
        UserActions {
            update: may(Permission::UserUpdate),
            revoke_sessions: may(Permission::UserSessionsRevoke),
            manage_methods: may(Permission::UserAuthMethodsManage),
            // Nobody issues a pass to themselves (the service refuses it too).
            issue_pass: may(Permission::TemporaryAccessPassIssue),
            unlock: may(Permission::UserPasswordReset),
        }
    }

    pub fn any(&self) -> bool {
        self.update || self.revoke_sessions || self.manage_methods || self.issue_pass || self.unlock
    }
}

fn parse_user(id: &str) -> Result<UserId, PageError> {
    UserId::parse(id).map_err(|_| bad_request(format!("{id:?} is not a user ID")))
}

fn security_info(state: &PortalState) -> Result<&SecurityInfoService, ServiceError> {
    state.security_info.as_ref().ok_or_else(|| {
        ServiceError::Internal(
            "the security info service is unavailable (see the startup log)".into(),
        )
    })
}

fn info_fail(error: SecurityInfoError) -> Response {
    match error {
        SecurityInfoError::Service(inner) => fail(inner),
        other => fail(ServiceError::Invalid(other.to_string())),
    }
}

fn done(id: &UserId, what: &str) -> Response {
    Redirect::to(&format!("/admin/users/{id}?done={what}")).into_response()
}

/// `POST /admin/users/{id}/revoke-sessions`: ends every session and refresh token.
pub async fn revoke_sessions(
    State(state): State<PortalState>,
    admin: Admin,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_user(&id).map_err(IntoResponse::into_response)?;
    state
        .kit
        .services
        .revoke_sign_in_sessions(&admin.caller, &id)
        .await
        .map_err(fail)?;
    Ok(done(&id, "sessions"))
}

/// `POST /admin/users/{id}/reset-methods`: deletes every registered method but the
/// password, so the user registers again (typically with a Temporary Access Pass).
pub async fn reset_methods(
    State(state): State<PortalState>,
    admin: Admin,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_user(&id).map_err(IntoResponse::into_response)?;
    let service = security_info(&state).map_err(fail)?;
    let methods = service
        .list_user_methods(&admin.caller, &id)
        .await
        .map_err(info_fail)?;
    for method in methods
        .iter()
        .filter(|m| m.kind != CredentialKind::Password)
    {
        service
            .delete_user_method(&admin.caller, &id, &method.id, None)
            .await
            .map_err(info_fail)?;
    }
    Ok(done(&id, "methods"))
}

#[derive(Template)]
#[template(path = "user_pass.html")]
pub struct IssuedPassPage {
    chrome: Chrome,
    user_id: String,
    user_name: String,
    pass: String,
    lifetime_minutes: String,
    usable_once: bool,
}

/// `POST /admin/users/{id}/temporary-access-pass` with `lifetime` (minutes) and
/// `once` (checkbox). The pass is shown on this response only (`no-store`); it is
/// stored hashed.
pub async fn issue_pass(
    State(state): State<PortalState>,
    admin: Admin,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = parse_user(&id).map_err(IntoResponse::into_response)?;
    let lifetime = match form_field(&body, "lifetime").as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(text.parse::<u32>().map_err(|_| {
            bad_request(format!("{text:?} is not a lifetime in minutes")).into_response()
        })?),
    };
    let usable_once = form_field(&body, "once").is_some();
    let user = state
        .kit
        .services
        .get_user(&admin.caller, &id)
        .await
        .map_err(fail)?;
    let issued = security_info(&state)
        .map_err(fail)?
        .issue_temporary_access_pass(
            &admin.caller,
            &id,
            TemporaryAccessPassRequest {
                start_date_time: None,
                lifetime_in_minutes: lifetime,
                is_usable_once: Some(usable_once),
            },
        )
        .await
        .map_err(info_fail)?;
    Ok(render(&IssuedPassPage {
        chrome: admin.chrome("users"),
        user_id: id.to_string(),
        user_name: user.display_name,
        pass: issued.temporary_access_pass,
        lifetime_minutes: lifetime.map_or_else(|| "the default".to_owned(), |m| m.to_string()),
        usable_once,
    }))
}

/// `POST /admin/users/{id}/unlock`: clears the user's smart-lockout counters.
pub async fn unlock(
    State(state): State<PortalState>,
    admin: Admin,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_user(&id).map_err(IntoResponse::into_response)?;
    state
        .kit
        .services
        .unlock_user(&admin.caller, &id)
        .await
        .map_err(fail)?;
    Ok(done(&id, "unlocked"))
}
