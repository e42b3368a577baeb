//! Create and edit a Conditional Access policy: the form, the JSON view, inline
//! validation (the engine's structural checks, each shown beside its field) and the
//! service's own checks (references, lockout lint) shown at the top when they refuse.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use portcullis_core::Permission;
use portcullis_pages::kit::{CsrfToken, render, render_status};
use portcullis_policy::model::ConditionalAccessPolicy;
use portcullis_policy::validate::{ValidationContext, validate};
use portcullis_service::ServiceError;
use portcullis_service::admin::policies::PolicyCollection;
use serde::Deserialize;
use serde_json::{Value, json};

use super::policy_form::{
    CLIENT_APP_TYPES, GRANT_CONTROLS, LIST_FIELDS, PolicyForm, RISK_LEVELS, STATES, field_for_path,
};
use super::{Choice, PageResult, fail};
use crate::admin::{Admin, Chrome};
use crate::state::PortalState;

pub struct ListField {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    pub error: String,
}

pub struct Check {
    pub name: &'static str,
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

impl Check {
    fn list(
        name: &'static str,
        options: &[(&'static str, &'static str)],
        on: &[String],
    ) -> Vec<Check> {
        options
            .iter()
            .map(|(value, label)| Check {
                name,
                value,
                label,
                checked: on.iter().any(|v| v == value),
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "policy_edit.html")]
pub struct PolicyEditPage {
    chrome: Chrome,
    csrf: String,
    id: Option<String>,
    can_write: bool,
    saved: bool,
    form: PolicyForm,
    name_error: String,
    lists: Vec<ListField>,
    states: Vec<Check>,
    client_apps: Vec<Check>,
    sign_in_risk: Vec<Check>,
    user_risk: Vec<Check>,
    grants: Vec<Check>,
    grant_error: String,
    operators: Vec<Choice>,
    strengths: Vec<Choice>,
    frequencies: Vec<Choice>,
    browser_modes: Vec<Choice>,
    filter_modes: Vec<Choice>,
    json: String,
    problems: Vec<String>,
    warnings: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct EditQuery {
    saved: Option<u8>,
}

/// Inline messages per field, plus the ones that belong to no field.
#[derive(Default)]
struct Findings {
    by_field: Vec<(&'static str, String)>,
    general: Vec<String>,
    warnings: Vec<String>,
}

impl Findings {
    fn for_field(&self, field: &str) -> String {
        self.by_field
            .iter()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn has_errors(&self) -> bool {
        !self.by_field.is_empty() || !self.general.is_empty()
    }
}

async fn strengths(state: &PortalState, admin: &Admin, current: &str) -> Vec<Choice> {
    let mut options = vec![("".to_owned(), "None".to_owned())];
    if let Ok(list) = state
        .kit
        .services
        .list_policy_objects(&admin.caller, PolicyCollection::AuthenticationStrengths)
        .await
    {
        for s in list {
            if let (Some(id), Some(name)) = (s["id"].as_str(), s["displayName"].as_str()) {
                options.push((id.to_owned(), name.to_owned()));
            }
        }
    }
    options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

// Every input is one part of the page the form shows; a struct would only rename them.
#[allow(clippy::too_many_arguments)]
async fn page(
    state: &PortalState,
    admin: &Admin,
    csrf: String,
    id: Option<String>,
    form: PolicyForm,
    json: String,
    findings: Findings,
    saved: bool,
) -> PolicyEditPage {
    let lists = LIST_FIELDS
        .iter()
        .zip(&form.lists)
        .map(|((name, _, label), value)| ListField {
            name,
            label,
            value: value.clone(),
            error: findings.for_field(name),
        })
        .collect();
    PolicyEditPage {
        chrome: admin.chrome("policies"),
        csrf,
        can_write: admin.can(Permission::ConditionalAccessWrite),
        saved,
        name_error: findings.for_field("displayName"),
        lists,
        states: Check::list("state", &STATES, std::slice::from_ref(&form.state)),
        client_apps: Check::list("clientAppTypes", &CLIENT_APP_TYPES, &form.client_app_types),
        sign_in_risk: Check::list("signInRiskLevels", &RISK_LEVELS, &form.sign_in_risk_levels),
        user_risk: Check::list("userRiskLevels", &RISK_LEVELS, &form.user_risk_levels),
        grants: Check::list("grantControls", &GRANT_CONTROLS, &form.grant_controls),
        grant_error: findings.for_field("grantControls"),
        operators: Choice::list(
            &[
                ("OR", "Require one of the selected controls"),
                ("AND", "Require all the selected controls"),
            ],
            &form.grant_operator,
        ),
        strengths: strengths(state, admin, &form.authentication_strength).await,
        frequencies: Choice::list(
            &[
                ("", "Not configured"),
                ("hours", "Every N hours"),
                ("days", "Every N days"),
                ("everyTime", "Every time"),
            ],
            &form.sign_in_frequency,
        ),
        browser_modes: Choice::list(
            &[
                ("", "Not configured"),
                ("always", "Always persistent"),
                ("never", "Never persistent"),
            ],
            &form.persistent_browser,
        ),
        filter_modes: Choice::list(
            &[
                ("include", "Include devices matching the rule"),
                ("exclude", "Exclude devices matching the rule"),
            ],
            &form.device_filter_mode,
        ),
        id,
        form,
        json,
        problems: findings.general,
        warnings: findings.warnings,
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

pub async fn new_form(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
) -> PageResult {
    let form = PolicyForm::blank();
    let json = form
        .apply(json!({}))
        .map(|v| pretty(&v))
        .unwrap_or_default();
    Ok(render(
        &page(
            &state,
            &admin,
            csrf,
            None,
            form,
            json,
            Findings::default(),
            false,
        )
        .await,
    ))
}

pub async fn edit_form(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    Query(query): Query<EditQuery>,
) -> PageResult {
    let policy = state
        .kit
        .services
        .get_policy_object(
            &admin.caller,
            PolicyCollection::ConditionalAccessPolicies,
            &id,
        )
        .await
        .map_err(fail)?;
    let form = PolicyForm::from_json(&policy);
    Ok(render(
        &page(
            &state,
            &admin,
            csrf,
            Some(id),
            form,
            pretty(&policy),
            Findings::default(),
            query.saved == Some(1),
        )
        .await,
    ))
}

/// The submitted policy JSON (from the form or the JSON view) and what the engine's
/// structural checks say about it.
fn build(pairs: &[(String, String)], base: Value) -> (PolicyForm, Result<Value, Findings>) {
    let from_json_view = pairs.iter().any(|(k, v)| k == "mode" && v == "json");
    let (form, built) = if from_json_view {
        let text = pairs
            .iter()
            .find(|(k, _)| k == "json")
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        match serde_json::from_str::<Value>(text) {
            Ok(value) => (PolicyForm::from_json(&value), Ok(value)),
            Err(e) => (
                PolicyForm::from_json(&base),
                Err(format!("The JSON does not parse: {e}")),
            ),
        }
    } else {
        let form = PolicyForm::from_pairs(pairs);
        let built = form.apply(base);
        (form, built)
    };
    let value = match built {
        Ok(value) => value,
        Err(message) => {
            return (
                form,
                Err(Findings {
                    general: vec![message],
                    ..Findings::default()
                }),
            );
        }
    };
    let policy: ConditionalAccessPolicy = match serde_json::from_value(value.clone()) {
        Ok(policy) => policy,
        Err(e) => {
            return (
                form,
                Err(Findings {
                    general: vec![format!("Not a valid conditionalAccessPolicy: {e}")],
                    ..Findings::default()
                }),
            );
        }
    };
    let mut findings = Findings::default();
    for finding in validate(&policy, &ValidationContext::offline()) {
        let message = format!("{} ({})", finding.message, finding.path);
        if finding.is_error() {
            match field_for_path(&finding.path) {
                "" => findings.general.push(message),
                field => findings.by_field.push((field, message)),
            }
        } else {
            findings.warnings.push(message);
        }
    }
    if findings.has_errors() {
        (form, Err(findings))
    } else {
        (form, Ok(value))
    }
}

fn pairs(body: &Bytes) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

async fn refused(
    state: &PortalState,
    admin: &Admin,
    csrf: String,
    id: Option<String>,
    form: PolicyForm,
    findings: Findings,
) -> axum::response::Response {
    let json = form
        .apply(json!({}))
        .map(|v| pretty(&v))
        .unwrap_or_default();
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &page(state, admin, csrf, id, form, json, findings, false).await,
    )
}

/// A service refusal (bad reference, lockout lint) shown on the form; other failures
/// are error pages.
fn service_refusal(error: ServiceError) -> Result<Findings, ServiceError> {
    match error {
        ServiceError::Invalid(message) | ServiceError::Conflict(message) => Ok(Findings {
            general: vec![message],
            ..Findings::default()
        }),
        other => Err(other),
    }
}

pub async fn create(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    body: Bytes,
) -> PageResult {
    let (form, built) = build(&pairs(&body), json!({}));
    let value = match built {
        Ok(value) => value,
        Err(findings) => return Ok(refused(&state, &admin, csrf, None, form, findings).await),
    };
    match state
        .kit
        .services
        .create_policy_object(
            &admin.caller,
            PolicyCollection::ConditionalAccessPolicies,
            value,
        )
        .await
    {
        Ok(created) => {
            let id = created["id"].as_str().unwrap_or_default();
            Ok(Redirect::to(&format!("/admin/policies/{id}?saved=1")).into_response())
        }
        Err(error) => {
            let findings = service_refusal(error).map_err(fail)?;
            Ok(refused(&state, &admin, csrf, None, form, findings).await)
        }
    }
}

pub async fn update(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let services = &state.kit.services;
    let stored = services
        .get_policy_object(
            &admin.caller,
            PolicyCollection::ConditionalAccessPolicies,
            &id,
        )
        .await
        .map_err(fail)?;
    let (form, built) = build(&pairs(&body), stored);
    let value = match built {
        Ok(value) => value,
        Err(findings) => return Ok(refused(&state, &admin, csrf, Some(id), form, findings).await),
    };
    match services
        .update_policy_object(
            &admin.caller,
            PolicyCollection::ConditionalAccessPolicies,
            &id,
            value,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/policies/{id}?saved=1")).into_response()),
        Err(error) => {
            let findings = service_refusal(error).map_err(fail)?;
            Ok(refused(&state, &admin, csrf, Some(id), form, findings).await)
        }
    }
}
