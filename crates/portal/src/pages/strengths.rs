//! Authentication strengths: the three built-ins (read-only) and custom strengths, whose
//! allowed method combinations are picked from those the built-ins list (as the service
//! answers them) plus any a custom strength already holds. Validation is the service's.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Permission;
use portcullis_pages::kit::{CsrfToken, render};
use portcullis_service::ServiceError;
use portcullis_service::admin::policies::PolicyCollection;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{PageResult, display_name, fail, form_field};
use crate::admin::{Admin, Chrome};
use crate::state::PortalState;

const COLLECTION: PolicyCollection = PolicyCollection::AuthenticationStrengths;

fn combinations(object: &Value) -> Vec<String> {
    object["allowedCombinations"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn is_built_in(object: &Value) -> bool {
    object["policyType"] == json!("builtIn")
}

pub struct StrengthRow {
    pub id: String,
    pub name: String,
    pub built_in: bool,
    pub combinations: String,
}

#[derive(Template)]
#[template(path = "strengths.html")]
pub struct StrengthsPage {
    chrome: Chrome,
    can_write: bool,
    deleted: bool,
    rows: Vec<StrengthRow>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    deleted: Option<String>,
}

async fn all(state: &PortalState, admin: &Admin) -> Result<Vec<Value>, Response> {
    state
        .kit
        .services
        .list_policy_objects(&admin.caller, COLLECTION)
        .await
        .map_err(fail)
}

/// `GET /admin/authentication-strengths`: built-ins first (as the service lists them),
/// then custom ones.
pub async fn list(
    State(state): State<PortalState>,
    admin: Admin,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let objects = all(&state, &admin).await?;
    let rows = objects
        .iter()
        .map(|o| StrengthRow {
            id: o["id"].as_str().unwrap_or_default().to_owned(),
            name: display_name(o),
            built_in: is_built_in(o),
            combinations: combinations(o).join("; "),
        })
        .collect();
    Ok(render(&StrengthsPage {
        chrome: admin.chrome("strengths"),
        can_write: admin.can(Permission::ConditionalAccessWrite),
        deleted: query.deleted.is_some(),
        rows,
    }))
}

pub struct CombinationChoice {
    pub value: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "strength.html")]
pub struct StrengthPage {
    chrome: Chrome,
    csrf: String,
    id: Option<String>,
    /// Built-ins and readers see the combinations, no form.
    editable: bool,
    saved: bool,
    error: String,
    display_name: String,
    description: String,
    choices: Vec<CombinationChoice>,
}

/// Every combination the built-ins offer, in their order, then those of `chosen` that
/// none offers (kept so an API-made strength loses nothing when saved here).
fn choices(objects: &[Value], chosen: &[String]) -> Vec<CombinationChoice> {
    let mut values: Vec<String> = Vec::new();
    for value in objects
        .iter()
        .filter(|o| is_built_in(o))
        .flat_map(combinations)
        .chain(chosen.iter().cloned())
    {
        if !values.contains(&value) {
            values.push(value);
        }
    }
    values
        .into_iter()
        .map(|value| CombinationChoice {
            checked: chosen.contains(&value),
            value,
        })
        .collect()
}

struct Shown {
    id: Option<String>,
    built_in: bool,
    display_name: String,
    description: String,
    chosen: Vec<String>,
}

fn page(
    admin: &Admin,
    csrf: String,
    objects: &[Value],
    shown: Shown,
    saved: bool,
    error: String,
) -> Response {
    render(&StrengthPage {
        chrome: admin.chrome("strengths"),
        csrf,
        editable: admin.can(Permission::ConditionalAccessWrite) && !shown.built_in,
        id: shown.id,
        saved,
        error,
        display_name: shown.display_name,
        description: shown.description,
        choices: choices(objects, &shown.chosen),
    })
}

fn shown_from_body(id: Option<String>, body: &[u8]) -> Shown {
    Shown {
        id,
        built_in: false,
        display_name: form_field(body, "displayName").unwrap_or_default(),
        description: form_field(body, "description").unwrap_or_default(),
        chosen: form_urlencoded::parse(body)
            .filter(|(key, _)| key == "combination")
            .map(|(_, value)| value.into_owned())
            .collect(),
    }
}

fn body_json(shown: &Shown) -> Value {
    json!({
        "displayName": shown.display_name.trim(),
        "description": shown.description.trim(),
        "allowedCombinations": shown.chosen,
    })
}

/// `GET /admin/authentication-strengths/new`.
pub async fn new_form(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
) -> PageResult {
    let objects = all(&state, &admin).await?;
    let shown = shown_from_body(None, b"");
    Ok(page(&admin, csrf, &objects, shown, false, String::new()))
}

/// `POST /admin/authentication-strengths/new`.
pub async fn create(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    body: Bytes,
) -> PageResult {
    let shown = shown_from_body(None, &body);
    match state
        .kit
        .services
        .create_policy_object(&admin.caller, COLLECTION, body_json(&shown))
        .await
    {
        Ok(created) => {
            let id = created["id"].as_str().unwrap_or_default();
            Ok(
                Redirect::to(&format!("/admin/authentication-strengths/{id}?saved=1"))
                    .into_response(),
            )
        }
        Err(ServiceError::Invalid(why)) => {
            let objects = all(&state, &admin).await?;
            Ok(page(&admin, csrf, &objects, shown, false, why))
        }
        Err(other) => Err(fail(other)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct EditQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /admin/authentication-strengths/{id}`.
pub async fn edit_form(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    Query(query): Query<EditQuery>,
) -> PageResult {
    let object = state
        .kit
        .services
        .get_policy_object(&admin.caller, COLLECTION, &id)
        .await
        .map_err(fail)?;
    let objects = all(&state, &admin).await?;
    let shown = Shown {
        id: Some(id),
        built_in: is_built_in(&object),
        display_name: display_name(&object),
        description: object["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        chosen: combinations(&object),
    };
    Ok(page(
        &admin,
        csrf,
        &objects,
        shown,
        query.saved.is_some(),
        String::new(),
    ))
}

/// `POST /admin/authentication-strengths/{id}`.
pub async fn update(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let shown = shown_from_body(Some(id.clone()), &body);
    match state
        .kit
        .services
        .update_policy_object(&admin.caller, COLLECTION, &id, body_json(&shown))
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/admin/authentication-strengths/{id}?saved=1")).into_response(),
        ),
        Err(ServiceError::Invalid(why)) => {
            let objects = all(&state, &admin).await?;
            Ok(page(&admin, csrf, &objects, shown, false, why))
        }
        Err(other) => Err(fail(other)),
    }
}

/// `POST /admin/authentication-strengths/{id}/delete`. A strength a policy uses is
/// refused by the service, and the refusal is shown on the page.
pub async fn delete(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
) -> PageResult {
    let services = &state.kit.services;
    match services
        .delete_policy_object(&admin.caller, COLLECTION, &id)
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/authentication-strengths?deleted=1").into_response()),
        Err(ServiceError::Invalid(why) | ServiceError::Conflict(why)) => {
            let object = services
                .get_policy_object(&admin.caller, COLLECTION, &id)
                .await
                .map_err(fail)?;
            let objects = all(&state, &admin).await?;
            let shown = Shown {
                id: Some(id),
                built_in: is_built_in(&object),
                display_name: display_name(&object),
                description: object["description"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                chosen: combinations(&object),
            };
            Ok(page(&admin, csrf, &objects, shown, false, why))
        }
        Err(other) => Err(fail(other)),
    }
}
