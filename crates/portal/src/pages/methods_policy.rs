//! The authentication methods policy: each method on or off, for all users or some
//! groups, with excluded groups. One form per method; the service checks the groups and
//! refuses a method that would be on for nobody.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use portcullis_core::Permission;
use portcullis_pages::kit::{CsrfToken, render};
use portcullis_service::ServiceError;
use portcullis_service::admin::methods_policy::{
    GOVERNED_METHODS, MethodConfiguration, MethodKind,
};
use serde::Deserialize;

use super::{PageResult, fail, form_checked, form_field, form_lines};
use crate::admin::{Admin, Chrome};
use crate::error::bad_request;
use crate::state::PortalState;

fn label(kind: MethodKind) -> &'static str {
    match kind {
        MethodKind::Password => "Password",
        MethodKind::Totp => "Authenticator app codes (TOTP)",
        MethodKind::Fido2 => "Passkeys and security keys (FIDO2)",
        MethodKind::AuthenticatorPush => "Portcullis Authenticator push",
        MethodKind::PasswordlessPhoneSignIn => "Passwordless sign-in with Portcullis Authenticator",
        MethodKind::Sms => "SMS codes",
        MethodKind::Voice => "Voice calls",
        MethodKind::Email => "Email codes",
        MethodKind::TemporaryAccessPassOneTime => "Temporary Access Pass (one-time)",
        MethodKind::TemporaryAccessPassMultiUse => "Temporary Access Pass (multi-use)",
    }
}

/// The method's name in URLs and form ids (its Graph mode).
fn slug(kind: MethodKind) -> &'static str {
    kind.graph_mode()
}

pub struct MethodRow {
    pub slug: &'static str,
    pub label: &'static str,
    pub enabled: bool,
    pub all_users: bool,
    pub include_groups: String,
    pub exclude_groups: String,
    /// The refusal of this method's last save, shown beside its form.
    pub error: String,
}

#[derive(Template)]
#[template(path = "methods_policy.html")]
pub struct MethodsPolicyPage {
    chrome: Chrome,
    csrf: String,
    can_write: bool,
    saved: bool,
    methods: Vec<MethodRow>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    saved: Option<String>,
}

fn row(kind: MethodKind, configuration: &MethodConfiguration) -> MethodRow {
    MethodRow {
        slug: slug(kind),
        label: label(kind),
        enabled: configuration.enabled,
        all_users: configuration.include_all_users,
        include_groups: configuration.include_group_ids.join("\n"),
        exclude_groups: configuration.exclude_group_ids.join("\n"),
        error: String::new(),
    }
}

/// The page; `typed` replaces one method's row with what was typed and its refusal.
async fn page(
    state: &PortalState,
    admin: &Admin,
    csrf: String,
    saved: bool,
    typed: Option<(MethodKind, MethodConfiguration, String)>,
) -> PageResult {
    let policy = state
        .kit
        .services
        .get_authentication_methods_policy(&admin.caller)
        .await
        .map_err(fail)?;
    let methods = GOVERNED_METHODS
        .iter()
        .map(|kind| match &typed {
            Some((refused, configuration, why)) if refused == kind => MethodRow {
                error: why.clone(),
                ..row(*kind, configuration)
            },
            _ => row(
                *kind,
                &policy.methods.get(kind).cloned().unwrap_or_default(),
            ),
        })
        .collect();
    Ok(render(&MethodsPolicyPage {
        chrome: admin.chrome("methods-policy"),
        csrf,
        can_write: admin.can(Permission::AuthenticationMethodsPolicyWrite),
        saved,
        methods,
    }))
}

/// `GET /admin/authentication-methods`.
pub async fn show(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ShowQuery>,
) -> PageResult {
    page(&state, &admin, csrf, query.saved.is_some(), None).await
}

/// `POST /admin/authentication-methods/{method}` with `enabled`, `target=all|groups`,
/// `includeGroups` and `excludeGroups` (group IDs, one per line).
pub async fn update(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Path(method): Path<String>,
    body: Bytes,
) -> PageResult {
    let kind = GOVERNED_METHODS
        .into_iter()
        .find(|kind| slug(*kind) == method)
        .ok_or_else(|| {
            bad_request(format!("{method:?} is not a method this policy governs")).into_response()
        })?;
    let configuration = MethodConfiguration {
        enabled: form_checked(&body, "enabled"),
        include_all_users: form_field(&body, "target").as_deref() != Some("groups"),
        include_group_ids: form_lines(&body, "includeGroups"),
        exclude_group_ids: form_lines(&body, "excludeGroups"),
    };
    match state
        .kit
        .services
        .update_authentication_method(&admin.caller, kind, configuration.clone())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/admin/authentication-methods?saved=1#method-{}",
            slug(kind)
        ))
        .into_response()),
        Err(ServiceError::Invalid(why) | ServiceError::Conflict(why)) => {
            page(
                &state,
                &admin,
                csrf,
                false,
                Some((kind, configuration, why)),
            )
            .await
        }
        Err(other) => Err(fail(other)),
    }
}
