//! Applications: OIDC clients (redirect URIs, public or confidential, client secrets shown
//! once) and forward-auth apps (host and path prefix), through the services behind Graph
//! `/applications`. Automation clients are listed and read here; their Graph permissions
//! are granted through the API. Every rule (redirect URI strictness, privileged
//! applications, overlapping forward-auth routes, secret lifetimes) is the service's.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::{Application, ApplicationId, ApplicationKind, Permission, SecretId};
use portcullis_pages::kit::{CsrfToken, PageError, render};
use portcullis_service::ServiceError;
use portcullis_service::admin::applications::{ApplicationPatch, NewApplication, NewPassword};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{PageResult, fail, form_checked, form_field, form_lines};
use crate::admin::{Admin, Chrome};
use crate::error::bad_request;
use crate::format::when;
use crate::state::PortalState;

fn kind_label(kind: ApplicationKind) -> &'static str {
    match kind {
        ApplicationKind::OidcClient => "OpenID Connect client",
        ApplicationKind::ForwardAuth => "Forward-auth app",
        ApplicationKind::Automation => "Automation client",
    }
}

/// What identifies the app to its users: the client ID, or the protected host and path.
fn address(app: &Application) -> String {
    match app.kind {
        ApplicationKind::ForwardAuth => format!(
            "{}{}",
            app.settings["host"].as_str().unwrap_or_default(),
            app.settings["pathPrefix"].as_str().unwrap_or("/")
        ),
        _ => app.app_id.to_string(),
    }
}

pub struct AppRow {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub address: String,
    pub enabled: bool,
    pub created: String,
}

#[derive(Template)]
#[template(path = "applications.html")]
pub struct ApplicationsPage {
    chrome: Chrome,
    can_write: bool,
    deleted: bool,
    rows: Vec<AppRow>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    deleted: Option<String>,
}

/// `GET /admin/applications`.
pub async fn list(
    State(state): State<PortalState>,
    admin: Admin,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let mut apps = state
        .kit
        .services
        .list_applications(&admin.caller)
        .await
        .map_err(fail)?;
    apps.sort_by_key(|a| a.display_name.to_lowercase());
    let rows = apps
        .iter()
        .map(|a| AppRow {
            id: a.id.to_string(),
            name: a.display_name.clone(),
            kind: kind_label(a.kind),
            address: address(a),
            enabled: a.enabled,
            created: when(a.created_date_time),
        })
        .collect();
    Ok(render(&ApplicationsPage {
        chrome: admin.chrome("applications"),
        can_write: admin.can(Permission::ApplicationWrite),
        deleted: query.deleted.is_some(),
        rows,
    }))
}

/// The form's values (as stored, or as typed when the service refused them).
pub struct AppForm {
    pub kind: ApplicationKind,
    pub display_name: String,
    pub enabled: bool,
    pub redirect_uris: String,
    pub public_client: bool,
    pub host: String,
    pub path_prefix: String,
}

impl AppForm {
    fn empty(kind: ApplicationKind) -> Self {
        AppForm {
            kind,
            display_name: String::new(),
            enabled: true,
            redirect_uris: String::new(),
            public_client: false,
            host: String::new(),
            path_prefix: "/".into(),
        }
    }

    fn of(app: &Application) -> Self {
        AppForm {
            kind: app.kind,
            display_name: app.display_name.clone(),
            enabled: app.enabled,
            redirect_uris: app.redirect_uris.join("\n"),
            public_client: app.settings["publicClient"] == json!(true),
            host: app.settings["host"].as_str().unwrap_or_default().to_owned(),
            path_prefix: app.settings["pathPrefix"]
                .as_str()
                .unwrap_or("/")
                .to_owned(),
        }
    }

    fn from_body(kind: ApplicationKind, body: &[u8]) -> Self {
        AppForm {
            kind,
            display_name: form_field(body, "displayName").unwrap_or_default(),
            enabled: form_checked(body, "enabled"),
            redirect_uris: form_lines(body, "redirectUris").join("\n"),
            public_client: form_checked(body, "publicClient"),
            host: form_field(body, "host")
                .unwrap_or_default()
                .trim()
                .to_owned(),
            path_prefix: form_field(body, "pathPrefix")
                .unwrap_or_default()
                .trim()
                .to_owned(),
        }
    }

    pub fn is_oidc(&self) -> bool {
        self.kind == ApplicationKind::OidcClient
    }

    pub fn is_forward_auth(&self) -> bool {
        self.kind == ApplicationKind::ForwardAuth
    }

    pub fn kind_slug(&self) -> &'static str {
        kind_slug(self.kind)
    }

    pub fn kind_label(&self) -> &'static str {
        kind_label(self.kind)
    }

    fn redirect_uris(&self) -> Vec<String> {
        super::lines(&self.redirect_uris)
    }

    /// The settings object, keeping what the form does not show (grant types, PKCE,
    /// keys…) as stored, so saving the form never drops an API-made setting.
    fn settings(&self, stored: &Value) -> Value {
        let mut settings: Map<String, Value> = stored.as_object().cloned().unwrap_or_default();
        match self.kind {
            ApplicationKind::OidcClient => {
                if self.public_client {
                    settings.insert("publicClient".into(), json!(true));
                } else {
                    settings.remove("publicClient");
                }
            }
            ApplicationKind::ForwardAuth => {
                settings.insert("host".into(), json!(self.host));
                let path = if self.path_prefix.is_empty() {
                    "/"
                } else {
                    &self.path_prefix
                };
                settings.insert("pathPrefix".into(), json!(path));
            }
            ApplicationKind::Automation => {}
        }
        if settings.is_empty() {
            Value::Null
        } else {
            Value::Object(settings)
        }
    }
}

fn kind_slug(kind: ApplicationKind) -> &'static str {
    match kind {
        ApplicationKind::OidcClient => "oidc",
        ApplicationKind::ForwardAuth => "forward-auth",
        ApplicationKind::Automation => "automation",
    }
}

/// The kinds the portal creates (automation clients come with bootstrap and the API,
/// where their Graph permissions are granted).
fn creatable_kind(text: &str) -> Result<ApplicationKind, PageError> {
    match text {
        "oidc" => Ok(ApplicationKind::OidcClient),
        "forward-auth" => Ok(ApplicationKind::ForwardAuth),
        _ => Err(bad_request("kind must be oidc or forward-auth")),
    }
}

pub struct SecretRow {
    pub key_id: String,
    pub name: String,
    pub hint: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "application.html")]
pub struct ApplicationPage {
    chrome: Chrome,
    csrf: String,
    /// `None` for a new application.
    id: Option<String>,
    client_id: String,
    can_write: bool,
    saved: bool,
    error: String,
    form: AppForm,
    secrets: Vec<SecretRow>,
    permissions: Vec<String>,
}

struct Shown {
    id: Option<String>,
    client_id: String,
    secrets: Vec<SecretRow>,
    permissions: Vec<String>,
}

impl Shown {
    fn new_app() -> Self {
        Shown {
            id: None,
            client_id: String::new(),
            secrets: Vec::new(),
            permissions: Vec::new(),
        }
    }

    fn of(app: &Application, secrets: &[portcullis_core::ApplicationSecret]) -> Self {
        Shown {
            id: Some(app.id.to_string()),
            client_id: app.app_id.to_string(),
            secrets: secrets
                .iter()
                .map(|s| SecretRow {
                    key_id: s.key_id.to_string(),
                    name: s.display_name.clone(),
                    hint: s.hint.clone(),
                    expires: s.end_date_time.map(when).unwrap_or_else(|| "Never".into()),
                })
                .collect(),
            permissions: app
                .granted_permissions
                .iter()
                .map(ToString::to_string)
                .collect(),
        }
    }
}

fn app_page(
    admin: &Admin,
    csrf: String,
    shown: Shown,
    form: AppForm,
    saved: bool,
    error: String,
) -> Response {
    render(&ApplicationPage {
        chrome: admin.chrome("applications"),
        csrf,
        id: shown.id,
        client_id: shown.client_id,
        // Automation clients are read-only here (their permissions are the API's).
        can_write: admin.can(Permission::ApplicationWrite)
            && form.kind != ApplicationKind::Automation,
        saved,
        error,
        form,
        secrets: shown.secrets,
        permissions: shown.permissions,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    kind: String,
}

/// `GET /admin/applications/new?kind=oidc|forward-auth`.
pub async fn new_form(
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<NewQuery>,
) -> PageResult {
    let kind = creatable_kind(&query.kind).map_err(IntoResponse::into_response)?;
    Ok(app_page(
        &admin,
        csrf,
        Shown::new_app(),
        AppForm::empty(kind),
        false,
        String::new(),
    ))
}

#[derive(Template)]
#[template(path = "application_secret.html")]
pub struct SecretPage {
    chrome: Chrome,
    id: String,
    name: String,
    client_id: String,
    secret: String,
    expires: String,
}

fn secret_page(
    admin: &Admin,
    app: &Application,
    added: portcullis_service::admin::applications::AddedPassword,
) -> Response {
    render(&SecretPage {
        chrome: admin.chrome("applications"),
        id: app.id.to_string(),
        name: app.display_name.clone(),
        client_id: app.app_id.to_string(),
        secret: added.secret_text,
        expires: added
            .credential
            .end_date_time
            .map(when)
            .unwrap_or_else(|| "Never".into()),
    })
}

/// `POST /admin/applications/new`. A confidential OIDC client gets its first secret at
/// once, shown on this response only (it is stored hashed).
pub async fn create(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    body: Bytes,
) -> PageResult {
    let kind = creatable_kind(&form_field(&body, "kind").unwrap_or_default())
        .map_err(IntoResponse::into_response)?;
    let form = AppForm::from_body(kind, &body);
    let services = &state.kit.services;
    let created = services
        .create_application(
            &admin.caller,
            NewApplication {
                display_name: form.display_name.clone(),
                kind,
                redirect_uris: form.redirect_uris(),
                enabled: form.enabled,
                settings: form.settings(&Value::Null),
                granted_permissions: Vec::new(),
            },
        )
        .await;
    let app = match created {
        Ok(app) => app,
        Err(ServiceError::Invalid(why) | ServiceError::Conflict(why)) => {
            return Ok(app_page(&admin, csrf, Shown::new_app(), form, false, why));
        }
        Err(other) => return Err(fail(other)),
    };
    if kind == ApplicationKind::OidcClient && !form.public_client {
        let added = services
            .add_application_password(&admin.caller, &app.id, first_secret())
            .await
            .map_err(fail)?;
        return Ok(secret_page(&admin, &app, added));
    }
    Ok(Redirect::to(&format!("/admin/applications/{}?saved=1", app.id)).into_response())
}

fn first_secret() -> NewPassword {
    NewPassword {
        display_name: Some("Created with the application".into()),
        end_date_time: None,
    }
}

fn parse_id(id: &str) -> Result<ApplicationId, PageError> {
    ApplicationId::parse(id).map_err(|_| bad_request(format!("{id:?} is not an application ID")))
}

#[derive(Debug, Default, Deserialize)]
pub struct EditQuery {
    #[serde(default)]
    saved: Option<String>,
}

async fn load(
    state: &PortalState,
    admin: &Admin,
    id: &ApplicationId,
) -> Result<(Application, Vec<portcullis_core::ApplicationSecret>), Response> {
    state
        .kit
        .services
        .get_application(&admin.caller, id)
        .await
        .map_err(fail)
}

/// `GET /admin/applications/{id}`.
pub async fn detail(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    Query(query): Query<EditQuery>,
) -> PageResult {
    let id = parse_id(&id).map_err(IntoResponse::into_response)?;
    let (app, secrets) = load(&state, &admin, &id).await?;
    Ok(app_page(
        &admin,
        csrf,
        Shown::of(&app, &secrets),
        AppForm::of(&app),
        query.saved.is_some(),
        String::new(),
    ))
}

/// Re-shows the application with a refusal at the top.
async fn refused(
    state: &PortalState,
    admin: &Admin,
    csrf: String,
    id: &ApplicationId,
    form: Option<AppForm>,
    why: String,
) -> PageResult {
    let (app, secrets) = load(state, admin, id).await?;
    let form = form.unwrap_or_else(|| AppForm::of(&app));
    Ok(app_page(
        admin,
        csrf,
        Shown::of(&app, &secrets),
        form,
        false,
        why,
    ))
}

/// `POST /admin/applications/{id}`.
pub async fn update(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = parse_id(&id).map_err(IntoResponse::into_response)?;
    let (app, _) = load(&state, &admin, &id).await?;
    let form = AppForm::from_body(app.kind, &body);
    let patch = ApplicationPatch {
        display_name: Some(form.display_name.clone()),
        redirect_uris: form.is_oidc().then(|| form.redirect_uris()),
        enabled: Some(form.enabled),
        settings: Some(form.settings(&app.settings)),
        granted_permissions: None,
    };
    match state
        .kit
        .services
        .update_application(&admin.caller, &id, patch)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/applications/{id}?saved=1")).into_response()),
        Err(ServiceError::Invalid(why) | ServiceError::Conflict(why)) => {
            refused(&state, &admin, csrf, &id, Some(form), why).await
        }
        Err(other) => Err(fail(other)),
    }
}

/// `POST /admin/applications/{id}/secrets` with an optional `description`: a new
/// secret, shown once.
pub async fn add_secret(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = parse_id(&id).map_err(IntoResponse::into_response)?;
    let description = form_field(&body, "description").filter(|d| !d.trim().is_empty());
    let services = &state.kit.services;
    match services
        .add_application_password(
            &admin.caller,
            &id,
            NewPassword {
                display_name: description,
                end_date_time: None,
            },
        )
        .await
    {
        Ok(added) => {
            let (app, _) = load(&state, &admin, &id).await?;
            Ok(secret_page(&admin, &app, added))
        }
        Err(ServiceError::Invalid(why)) => refused(&state, &admin, csrf, &id, None, why).await,
        Err(other) => Err(fail(other)),
    }
}

/// `POST /admin/applications/{id}/secrets/{key}/delete`.
pub async fn remove_secret(
    State(state): State<PortalState>,
    admin: Admin,
    Path((id, key)): Path<(String, String)>,
) -> PageResult {
    let id = parse_id(&id).map_err(IntoResponse::into_response)?;
    let key = SecretId::parse(&key)
        .map_err(|_| bad_request(format!("{key:?} is not a secret key ID")).into_response())?;
    state
        .kit
        .services
        .remove_application_password(&admin.caller, &id, &key)
        .await
        .map_err(fail)?;
    Ok(Redirect::to(&format!("/admin/applications/{id}?saved=1")).into_response())
}

/// `POST /admin/applications/{id}/delete`.
pub async fn delete(
    State(state): State<PortalState>,
    admin: Admin,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id(&id).map_err(IntoResponse::into_response)?;
    state
        .kit
        .services
        .delete_application(&admin.caller, &id)
        .await
        .map_err(fail)?;
    Ok(Redirect::to("/admin/applications?deleted=1").into_response())
}
