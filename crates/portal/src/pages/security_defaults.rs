//! Security defaults: the one-switch baseline (MFA registration and challenges for
//! everyone, legacy authentication blocked). As in Entra it excludes Conditional Access:
//! a policy cannot be turned on while the defaults are on, and the defaults cannot be
//! turned on while a policy is on. The page says so, and names the policies in the way.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use portcullis_core::Permission;
use portcullis_pages::kit::{CsrfToken, render};
use portcullis_service::ServiceError;
use portcullis_service::admin::policies::PolicyCollection;
use serde::Deserialize;
use serde_json::json;

use super::{PageResult, fail, form_field};
use crate::admin::{Admin, Chrome};
use crate::error::bad_request;
use crate::state::PortalState;

#[derive(Template)]
#[template(path = "security_defaults.html")]
pub struct SecurityDefaultsPage {
    chrome: Chrome,
    csrf: String,
    enabled: bool,
    can_write: bool,
    /// Conditional Access policies that are on (they keep the defaults off).
    enforced_policies: Vec<String>,
    /// Policies in report-only: they start enforcing nothing, but turning one on needs
    /// the defaults off.
    report_only_policies: usize,
    saved: bool,
    error: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// Whether security defaults are on (as the caller may read them).
pub async fn are_enabled(state: &PortalState, admin: &Admin) -> Result<bool, ServiceError> {
    let defaults = state
        .kit
        .services
        .get_security_defaults(&admin.caller)
        .await?;
    Ok(defaults["isEnabled"] == json!(true))
}

async fn page(
    state: &PortalState,
    admin: &Admin,
    csrf: String,
    saved: bool,
    error: String,
) -> PageResult {
    let enabled = are_enabled(state, admin).await.map_err(fail)?;
    let policies = state
        .kit
        .services
        .list_policy_objects(&admin.caller, PolicyCollection::ConditionalAccessPolicies)
        .await
        .map_err(fail)?;
    let enforced_policies = policies
        .iter()
        .filter(|p| p["state"] == json!("enabled"))
        .map(|p| p["displayName"].as_str().unwrap_or("(unnamed)").to_owned())
        .collect();
    let report_only_policies = policies
        .iter()
        .filter(|p| p["state"] == json!("enabledForReportingButNotEnforced"))
        .count();
    Ok(render(&SecurityDefaultsPage {
        chrome: admin.chrome("security-defaults"),
        csrf,
        enabled,
        can_write: admin.can(Permission::SecurityDefaultsWrite),
        enforced_policies,
        report_only_policies,
        saved,
        error,
    }))
}

/// `GET /admin/security-defaults`.
pub async fn show(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    page(&state, &admin, csrf, query.saved.is_some(), String::new()).await
}

/// `POST /admin/security-defaults` with `enabled=true|false`. A refusal because a
/// policy is on comes back on the page, not as an error page: it is the expected
/// outcome of the mutual exclusion, and the page explains what to do.
pub async fn update(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    body: Bytes,
) -> PageResult {
    let enabled = match form_field(&body, "enabled").as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => return Err(bad_request("enabled must be true or false").into_response()),
    };
    match state
        .kit
        .services
        .update_security_defaults(&admin.caller, json!({ "isEnabled": enabled }))
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/security-defaults?saved=1").into_response()),
        Err(ServiceError::Invalid(why)) => page(&state, &admin, csrf, false, why).await,
        Err(other) => Err(fail(other)),
    }
}
