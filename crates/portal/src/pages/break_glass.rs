//! Break-glass (emergency-access) accounts: who is marked, when each last signed in (any
//! sign-in of such an account deserves a look), and the lockout lint's warnings when a
//! policy still reaches them. Marking is the service's decision (Privileged Role and
//! Global Administrators only); the page shows the form only to those roles.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use portcullis_core::{DirectoryRole, Permission, Target};
use portcullis_pages::kit::{CsrfToken, render};
use portcullis_service::ServiceError;
use serde::Deserialize;

use super::{PageResult, fail, form_field};
use crate::admin::{Admin, Chrome};
use crate::error::bad_request;
use crate::format::when;
use crate::state::PortalState;

pub struct AccountRow {
    pub id: String,
    pub upn: String,
    pub name: String,
    pub enabled: bool,
    pub marked: String,
    pub last_sign_in: String,
}

#[derive(Template)]
#[template(path = "break_glass.html")]
pub struct BreakGlassPage {
    chrome: Chrome,
    csrf: String,
    can_mark: bool,
    done: &'static str,
    error: String,
    rows: Vec<AccountRow>,
    last_sign_ins_visible: bool,
    warnings: Option<Vec<String>>,
}

/// Whether the roles may mark accounts (only to show the form; the service decides).
fn can_mark(admin: &Admin) -> bool {
    admin
        .caller
        .authorize(
            Permission::RoleAssign,
            Target::Role(DirectoryRole::GlobalAdministrator),
        )
        .is_ok()
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    done: String,
}

fn done_text(done: &str) -> &'static str {
    match done {
        "marked" => "The account is now a break-glass account.",
        "unmarked" => "The account is no longer a break-glass account.",
        _ => "",
    }
}

async fn page(
    state: &PortalState,
    admin: &Admin,
    csrf: String,
    done: &'static str,
    error: String,
) -> PageResult {
    let overview = state
        .kit
        .services
        .break_glass_overview(&admin.caller)
        .await
        .map_err(fail)?;
    let visible = overview.last_sign_ins_visible;
    let rows = overview
        .accounts
        .iter()
        .map(|entry| AccountRow {
            id: entry.user_id.to_string(),
            upn: entry
                .user
                .as_ref()
                .map(|u| u.user_principal_name.clone())
                .unwrap_or_default(),
            name: entry
                .user
                .as_ref()
                .map_or_else(|| entry.user_id.to_string(), |u| u.display_name.clone()),
            enabled: entry.user.as_ref().is_some_and(|u| u.account_enabled),
            marked: when(entry.marked_date_time),
            last_sign_in: match (visible, entry.last_sign_in) {
                (false, _) => String::new(),
                (true, Some(at)) => when(at),
                (true, None) => "Never".into(),
            },
        })
        .collect();
    Ok(render(&BreakGlassPage {
        chrome: admin.chrome("break-glass"),
        csrf,
        can_mark: can_mark(admin),
        done,
        error,
        rows,
        last_sign_ins_visible: visible,
        warnings: overview.warnings,
    }))
}

/// `GET /admin/break-glass`.
pub async fn show(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ShowQuery>,
) -> PageResult {
    page(&state, &admin, csrf, done_text(&query.done), String::new()).await
}

/// `POST /admin/break-glass` with `user` (a user principal name or object ID) and
/// `marked=true|false`. An unknown user comes back on the page.
pub async fn update(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    body: Bytes,
) -> PageResult {
    let marked = match form_field(&body, "marked").as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => return Err(bad_request("marked must be true or false").into_response()),
    };
    let reference = form_field(&body, "user").unwrap_or_default();
    let services = &state.kit.services;
    let result = async {
        let id = services
            .resolve_user(&admin.caller, reference.trim())
            .await?;
        services.set_break_glass(&admin.caller, &id, marked).await
    }
    .await;
    match result {
        Ok(()) => {
            let done = if marked { "marked" } else { "unmarked" };
            Ok(Redirect::to(&format!("/admin/break-glass?done={done}")).into_response())
        }
        Err(ServiceError::NotFound(what)) => {
            page(&state, &admin, csrf, "", format!("{what} was not found.")).await
        }
        Err(ServiceError::Invalid(why) | ServiceError::Conflict(why)) => {
            page(&state, &admin, csrf, "", why).await
        }
        Err(other) => Err(fail(other)),
    }
}
