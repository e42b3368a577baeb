//! Named locations: IP ranges (optionally trusted) and countries, listed, created, edited
//! and deleted through the same service as `/v1.0/identity/conditionalAccess/namedLocations`.
//! The page only turns the form into the Graph JSON; the engine's validation (CIDR syntax,
//! country codes), the "trusted locations cannot be deleted" rule and the "still used by a
//! policy" refusal are the service's, and come back on the page as they are.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::Permission;
use portcullis_pages::kit::{CsrfToken, PageError, render};
use portcullis_policy::model::{IpRange, NamedLocation};
use portcullis_service::ServiceError;
use portcullis_service::admin::policies::PolicyCollection;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{PageResult, display_name, fail, form_checked, form_field, form_lines};
use crate::admin::{Admin, Chrome};
use crate::error::bad_request;
use crate::format::when_text;
use crate::state::PortalState;

const COLLECTION: PolicyCollection = PolicyCollection::NamedLocations;

/// The two subtypes the form edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocationKind {
    Ip,
    Country,
}

impl LocationKind {
    fn of(object: &Value) -> Option<Self> {
        match object["@odata.type"].as_str() {
            Some(NamedLocation::IP_ODATA_TYPE) => Some(LocationKind::Ip),
            Some(NamedLocation::COUNTRY_ODATA_TYPE) => Some(LocationKind::Country),
            // Graph infers the subtype from its fields when the discriminator is absent.
            _ if object.get("ipRanges").is_some() => Some(LocationKind::Ip),
            _ if object.get("countriesAndRegions").is_some() => Some(LocationKind::Country),
            _ => None,
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "ip" => Some(LocationKind::Ip),
            "country" => Some(LocationKind::Country),
            _ => None,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            LocationKind::Ip => "ip",
            LocationKind::Country => "country",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LocationKind::Ip => "IP ranges",
            LocationKind::Country => "Countries",
        }
    }
}

pub struct LocationRow {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub summary: String,
    pub trusted: bool,
    pub modified: String,
}

#[derive(Template)]
#[template(path = "named_locations.html")]
pub struct LocationsPage {
    chrome: Chrome,
    can_write: bool,
    deleted: bool,
    rows: Vec<LocationRow>,
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn cidrs(object: &Value) -> Vec<String> {
    object["ipRanges"]
        .as_array()
        .map(|ranges| {
            ranges
                .iter()
                .filter_map(|r| r["cidrAddress"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn row(object: &Value) -> LocationRow {
    let kind = LocationKind::of(object);
    let summary = match kind {
        Some(LocationKind::Ip) => cidrs(object).join(", "),
        Some(LocationKind::Country) => {
            let mut text = strings(&object["countriesAndRegions"]).join(", ");
            if object["includeUnknownCountriesAndRegions"] == json!(true) {
                text.push_str(" (and unknown countries)");
            }
            text
        }
        None => String::new(),
    };
    LocationRow {
        id: object["id"].as_str().unwrap_or_default().to_owned(),
        name: display_name(object),
        kind: kind.map_or("Other", LocationKind::label),
        summary,
        trusted: object["isTrusted"] == json!(true),
        modified: object["modifiedDateTime"]
            .as_str()
            .or(object["createdDateTime"].as_str())
            .map(when_text)
            .unwrap_or_default(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    deleted: Option<String>,
}

/// `GET /admin/named-locations`.
pub async fn list(
    State(state): State<PortalState>,
    admin: Admin,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let mut objects = state
        .kit
        .services
        .list_policy_objects(&admin.caller, COLLECTION)
        .await
        .map_err(fail)?;
    objects.sort_by_key(|o| display_name(o).to_lowercase());
    Ok(render(&LocationsPage {
        chrome: admin.chrome("named-locations"),
        can_write: admin.can(Permission::ConditionalAccessWrite),
        deleted: query.deleted.is_some(),
        rows: objects.iter().map(row).collect(),
    }))
}

/// What the form shows (as stored, or as the admin typed it when it was refused).
pub struct LocationForm {
    pub kind: LocationKind,
    pub display_name: String,
    pub ip_ranges: String,
    pub trusted: bool,
    pub countries: String,
    pub include_unknown: bool,
}

impl LocationForm {
    fn empty(kind: LocationKind) -> Self {
        LocationForm {
            kind,
            display_name: String::new(),
            ip_ranges: String::new(),
            trusted: false,
            countries: String::new(),
            include_unknown: false,
        }
    }

    fn of(kind: LocationKind, object: &Value) -> Self {
        LocationForm {
            kind,
            display_name: object["displayName"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            ip_ranges: cidrs(object).join("\n"),
            trusted: object["isTrusted"] == json!(true),
            countries: strings(&object["countriesAndRegions"]).join("\n"),
            include_unknown: object["includeUnknownCountriesAndRegions"] == json!(true),
        }
    }

    fn from_body(kind: LocationKind, body: &[u8]) -> Self {
        LocationForm {
            kind,
            display_name: form_field(body, "displayName").unwrap_or_default(),
            ip_ranges: form_lines(body, "ipRanges").join("\n"),
            trusted: form_checked(body, "isTrusted"),
            countries: form_lines(body, "countries").join("\n"),
            include_unknown: form_checked(body, "includeUnknown"),
        }
    }

    /// The Graph JSON of the form: the properties a create or a PATCH sets.
    fn to_json(&self) -> Value {
        match self.kind {
            LocationKind::Ip => {
                // `IpRange::new` picks the v4/v6 discriminator; a range that is not CIDR
                // keeps none and the service's validation names it.
                let ranges: Vec<IpRange> = super::lines(&self.ip_ranges)
                    .iter()
                    .map(|c| IpRange::new(c))
                    .collect();
                json!({
                    "@odata.type": NamedLocation::IP_ODATA_TYPE,
                    "displayName": self.display_name.trim(),
                    "ipRanges": ranges,
                    "isTrusted": self.trusted,
                })
            }
            LocationKind::Country => json!({
                "@odata.type": NamedLocation::COUNTRY_ODATA_TYPE,
                "displayName": self.display_name.trim(),
                "countriesAndRegions": super::lines(&self.countries),
                "includeUnknownCountriesAndRegions": self.include_unknown,
            }),
        }
    }
}

#[derive(Template)]
#[template(path = "named_location.html")]
pub struct LocationPage {
    chrome: Chrome,
    csrf: String,
    id: Option<String>,
    can_write: bool,
    saved: bool,
    error: String,
    form: LocationForm,
}

fn form_page(
    admin: &Admin,
    csrf: String,
    id: Option<String>,
    form: LocationForm,
    saved: bool,
    error: String,
) -> Response {
    render(&LocationPage {
        chrome: admin.chrome("named-locations"),
        csrf,
        id,
        can_write: admin.can(Permission::ConditionalAccessWrite),
        saved,
        error,
        form,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    kind: String,
}

fn kind_param(text: &str) -> Result<LocationKind, PageError> {
    LocationKind::parse(text).ok_or_else(|| bad_request("kind must be ip or country"))
}

/// `GET /admin/named-locations/new?kind=ip|country`.
pub async fn new_form(
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<NewQuery>,
) -> PageResult {
    let kind = kind_param(&query.kind).map_err(IntoResponse::into_response)?;
    Ok(form_page(
        &admin,
        csrf,
        None,
        LocationForm::empty(kind),
        false,
        String::new(),
    ))
}

/// `POST /admin/named-locations/new`. A refusal (validation) re-shows the form as typed.
pub async fn create(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    body: Bytes,
) -> PageResult {
    let kind = kind_param(&form_field(&body, "kind").unwrap_or_default())
        .map_err(IntoResponse::into_response)?;
    let form = LocationForm::from_body(kind, &body);
    match state
        .kit
        .services
        .create_policy_object(&admin.caller, COLLECTION, form.to_json())
        .await
    {
        Ok(created) => {
            let id = created["id"].as_str().unwrap_or_default();
            Ok(Redirect::to(&format!("/admin/named-locations/{id}?saved=1")).into_response())
        }
        Err(ServiceError::Invalid(why)) => Ok(form_page(&admin, csrf, None, form, false, why)),
        Err(other) => Err(fail(other)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct EditQuery {
    #[serde(default)]
    saved: Option<String>,
}

async fn stored_kind(
    state: &PortalState,
    admin: &Admin,
    id: &str,
) -> Result<(LocationKind, Value), Response> {
    let object = state
        .kit
        .services
        .get_policy_object(&admin.caller, COLLECTION, id)
        .await
        .map_err(fail)?;
    let kind = LocationKind::of(&object).ok_or_else(|| {
        bad_request("this named location is of a kind the portal does not edit; use the API")
            .into_response()
    })?;
    Ok((kind, object))
}

/// `GET /admin/named-locations/{id}`: the form for writers, the facts for readers.
pub async fn edit_form(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    Query(query): Query<EditQuery>,
) -> PageResult {
    let (kind, object) = stored_kind(&state, &admin, &id).await?;
    Ok(form_page(
        &admin,
        csrf,
        Some(id),
        LocationForm::of(kind, &object),
        query.saved.is_some(),
        String::new(),
    ))
}

/// `POST /admin/named-locations/{id}`: replaces the subtype's properties.
pub async fn update(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    // The subtype is the stored one: an edit cannot turn IP ranges into countries.
    let (kind, _) = stored_kind(&state, &admin, &id).await?;
    let form = LocationForm::from_body(kind, &body);
    match state
        .kit
        .services
        .update_policy_object(&admin.caller, COLLECTION, &id, form.to_json())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/named-locations/{id}?saved=1")).into_response()),
        Err(ServiceError::Invalid(why)) => Ok(form_page(&admin, csrf, Some(id), form, false, why)),
        Err(other) => Err(fail(other)),
    }
}

/// `POST /admin/named-locations/{id}/delete`. A location still used by a policy, or
/// marked trusted, is refused by the service; the refusal is shown on the form.
pub async fn delete(
    State(state): State<PortalState>,
    admin: Admin,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<String>,
) -> PageResult {
    match state
        .kit
        .services
        .delete_policy_object(&admin.caller, COLLECTION, &id)
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/named-locations?deleted=1").into_response()),
        Err(ServiceError::Invalid(why) | ServiceError::Conflict(why)) => {
            let (kind, object) = stored_kind(&state, &admin, &id).await?;
            Ok(form_page(
                &admin,
                csrf,
                Some(id),
                LocationForm::of(kind, &object),
                false,
                why,
            ))
        }
        Err(other) => Err(fail(other)),
    }
}
