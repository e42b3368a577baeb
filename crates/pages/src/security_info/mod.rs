//! My security info (`/security-info`): the signed-in user's methods — list, add an
//! authenticator app or a passkey, rename, remove, choose the default — through the
//! security-info service, which judges each change by Conditional Access.

mod authenticator;
pub(crate) mod contact;
pub(crate) mod context;
mod views;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::CredentialId;
use portcullis_service::security_info::{SecurityInfoError, SecurityInfoService};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::kit::{PageError, PageForm, render_status};
use crate::signin::views::TotpSetupView;
use crate::state::PagesState;
use context::{Visit, user_message};
use views::{ListPage, MethodRow, TotpPage};

pub fn routes() -> axum::Router<PagesState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/security-info", get(list))
        .route("/security-info/totp", post(begin_totp))
        .route("/security-info/authenticator", post(authenticator::begin))
        .route(
            "/security-info/phone",
            get(contact::phone_form).post(contact::begin_phone),
        )
        .route(
            "/security-info/email",
            get(contact::email_form).post(contact::begin_email),
        )
        .route(
            "/security-info/verify",
            get(contact::code_form).post(contact::finish),
        )
        .route("/security-info/verify/resend", post(contact::resend))
        .route("/security-info/totp/verify", post(finish_totp))
        .route("/security-info/passkey/options", post(passkey_options))
        .route("/security-info/passkey", post(finish_passkey))
        .route("/security-info/{id}/rename", post(rename))
        .route("/security-info/{id}/default", post(make_default))
        .route("/security-info/{id}/remove", post(remove))
}

fn service(state: &PagesState) -> Result<&SecurityInfoService, PageError> {
    state
        .security_info
        .as_ref()
        .ok_or_else(|| PageError::internal_from(&"the security-info service is not configured"))
}

/// The list page, with an optional message (a refused change).
async fn list_page(
    state: &PagesState,
    visit: Visit,
    error: Option<String>,
) -> Result<Response, PageError> {
    let offer = service(state)?.contact_offer(&visit.parts.context());
    let methods = service(state)?
        .list_methods(visit.active.user_id())
        .await
        .map_err(|e| PageError::internal_from(&e))?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render_status(
        status,
        &ListPage {
            csrf: visit.csrf,
            user_name: visit.active.user.display_name.clone(),
            rows: methods.iter().map(MethodRow::new).collect(),
            error,
            offer_phone: offer.phone(),
            offer_email: offer.email,
        },
    ))
}

/// A refused change re-renders the list with the reason; our own failure is the
/// error page.
async fn refused(
    state: &PagesState,
    visit: Visit,
    error: SecurityInfoError,
) -> Result<Response, PageError> {
    match user_message(&error) {
        Some(message) => list_page(state, visit, Some(message)).await,
        None => Err(PageError::internal_from(&error)),
    }
}

/// The answer to a change: back to the list when done, the reason when refused.
async fn changed<T>(
    state: &PagesState,
    visit: Visit,
    result: Result<T, SecurityInfoError>,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(back_to_list()),
        Err(error) => refused(state, visit, error).await,
    }
}

fn back_to_list() -> Response {
    Redirect::to("/security-info").into_response()
}

/// `GET /security-info`.
pub async fn list(State(state): State<PagesState>, visit: Visit) -> Result<Response, PageError> {
    list_page(&state, visit, None).await
}

/// `POST /security-info/totp`: a new secret and its QR code.
pub async fn begin_totp(
    State(state): State<PagesState>,
    visit: Visit,
) -> Result<Response, PageError> {
    match service(&state)?
        .begin_totp(&visit.parts.context(), OffsetDateTime::now_utc())
        .await
    {
        Ok(enrolment) => Ok(crate::kit::render(&TotpPage {
            csrf: visit.csrf,
            setup: TotpSetupView::from(enrolment),
        })),
        Err(error) => refused(&state, visit, error).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct TotpForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
}

/// `POST /security-info/totp/verify`: saved only if the first code verifies.
pub async fn finish_totp(
    State(state): State<PagesState>,
    visit: Visit,
    PageForm(form): PageForm<TotpForm>,
) -> Result<Response, PageError> {
    let code: String = form
        .code
        .chars()
        .filter(|c| c.is_ascii_digit())
        .take(10)
        .collect();
    let name = Some(form.name.trim()).filter(|n| !n.is_empty());
    let result = service(&state)?
        .finish_totp(
            &visit.parts.context(),
            &code,
            name,
            OffsetDateTime::now_utc(),
        )
        .await;
    changed(&state, visit, result).await
}

/// `POST /security-info/passkey/options`: options for `navigator.credentials.create`
/// (JSON, fetched by `webauthn.js`).
pub async fn passkey_options(
    State(state): State<PagesState>,
    visit: Visit,
) -> Result<Response, PageError> {
    match service(&state)?
        .begin_passkey_registration(&visit.parts.context(), OffsetDateTime::now_utc())
        .await
    {
        Ok(options) => Ok(Json(options).into_response()),
        Err(error) => {
            let message = user_message(&error).ok_or_else(|| PageError::internal_from(&error))?;
            Ok((
                StatusCode::FORBIDDEN,
                Json(serde_json::json!({ "error": message })),
            )
                .into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct PasskeyForm {
    #[serde(default)]
    credential: String,
    #[serde(default)]
    name: String,
}

/// `POST /security-info/passkey`: the browser's attestation.
pub async fn finish_passkey(
    State(state): State<PagesState>,
    visit: Visit,
    PageForm(form): PageForm<PasskeyForm>,
) -> Result<Response, PageError> {
    if form.credential.is_empty() {
        return list_page(
            &state,
            visit,
            Some("Adding a passkey needs JavaScript in this browser.".to_owned()),
        )
        .await;
    }
    let name = Some(form.name.trim()).filter(|n| !n.is_empty());
    let result = service(&state)?
        .finish_passkey_registration(
            &visit.parts.context(),
            &form.credential,
            name,
            OffsetDateTime::now_utc(),
        )
        .await;
    changed(&state, visit, result).await
}

fn credential_id(text: &str) -> Result<CredentialId, PageError> {
    CredentialId::parse(text).map_err(|_| PageError::not_found().with_retry("/security-info"))
}

#[derive(Debug, Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    name: String,
}

/// `POST /security-info/{id}/rename`.
pub async fn rename(
    State(state): State<PagesState>,
    visit: Visit,
    Path(id): Path<String>,
    PageForm(form): PageForm<RenameForm>,
) -> Result<Response, PageError> {
    let id = credential_id(&id)?;
    let result = service(&state)?
        .rename_method(&visit.parts.context(), &id, form.name.trim())
        .await;
    changed(&state, visit, result).await
}

/// `POST /security-info/{id}/default`.
pub async fn make_default(
    State(state): State<PagesState>,
    visit: Visit,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = credential_id(&id)?;
    let result = service(&state)?
        .set_default_method(&visit.parts.context(), &id)
        .await;
    changed(&state, visit, result).await
}

/// `POST /security-info/{id}/remove`.
pub async fn remove(
    State(state): State<PagesState>,
    visit: Visit,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = credential_id(&id)?;
    let result = service(&state)?
        .remove_method(&visit.parts.context(), &id, OffsetDateTime::now_utc())
        .await;
    changed(&state, visit, result).await
}
