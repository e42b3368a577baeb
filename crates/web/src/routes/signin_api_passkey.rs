//! Passkey steps of the native-client sign-in API (same pipeline as the pages).
//!
//! ```text
//! POST /api/v1/signin/passkey                         {"clientId"?, "acr"?}
//!      → a username-less transaction and `passkeyOptions` for navigator.credentials.get
//! POST /api/v1/signin/{transaction}/passkey/options   → `passkeyOptions` (the user's own
//!      passkeys once known: a passkey offered in a challenge)
//! POST /api/v1/signin/{transaction}/passkey           {"credential": PublicKeyCredential JSON}
//! ```
//!
//! A refused passkey (expired or replayed ceremony, unknown credential, no user
//! verification) is `401 passkeyRejected`; the transaction stays open for new options.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use portcullis_service::security_info::{ContactCodes, SecurityInfoService, SecurityInfoSettings};
use portcullis_service::signin::pipeline::Protocol;
use portcullis_service::signin::{SignInError, SignInRequest, TargetApplication, TransactionId};
use serde::Deserialize;
use serde_json::{Value, json};

use super::signin_api_body::{ApiBody, BoundedFields, bad_body, no_store};
use super::signin_api_json::{api_error, progress_json, signin_error};
use crate::client_ip::ClientIp;
use crate::state::AppState;

/// Longest accepted credential JSON: a WebAuthn assertion is a few kilobytes.
pub(super) const MAX_CREDENTIAL_BYTES: usize = 16 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/signin/passkey", post(begin))
        .route(
            "/api/v1/signin/{transaction}/passkey/options",
            post(options),
        )
        .route("/api/v1/signin/{transaction}/passkey", post(answer))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BeginPasskeyBody {
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub acr: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasskeyBody {
    /// The `PublicKeyCredential` as JSON (binary fields base64url).
    pub credential: Value,
}

/// The credential is JSON, bounded by its own (larger) limit in `answer`.
impl BoundedFields for PasskeyBody {
    fn bounded_fields(&self) -> Vec<&str> {
        Vec::new()
    }
}

/// The passkey ceremonies are bound to the public URL (the relying party); an IP
/// address cannot be one, so passkeys are then unavailable.
fn passkeys(state: &AppState) -> Option<SecurityInfoService> {
    security_info(state).filter(SecurityInfoService::passkeys_available)
}

/// The security-info service (TOTP registration works on any public URL).
pub(super) fn security_info(state: &AppState) -> Option<SecurityInfoService> {
    SecurityInfoSettings::for_public_url(state.base_url())
        .and_then(|settings| SecurityInfoService::new(state.services.clone(), settings))
        .map(|service| {
            // Phones and addresses are verified with the sign-in's codes and provider.
            let (sender, policy) = state.signin.one_time_codes();
            service.with_contact_codes(ContactCodes { sender, policy })
        })
        .map_err(|error| tracing::warn!(%error, "security info unavailable"))
        .ok()
}

fn unavailable() -> Response {
    api_error(
        StatusCode::NOT_IMPLEMENTED,
        "passkeysUnavailable",
        "Passkeys need the server's public URL to name a domain.",
    )
}

/// The transaction handle and the passkey ceremonies, or the answer explaining why not.
pub(super) fn parts(
    state: &AppState,
    transaction: &str,
) -> Option<(TransactionId, SecurityInfoService)> {
    Some((TransactionId::parse(transaction)?, passkeys(state)?))
}

/// Why `parts` found nothing.
pub(super) fn parts_error(transaction: &str) -> Response {
    if TransactionId::parse(transaction).is_none() {
        signin_error(SignInError::UnknownTransaction)
    } else {
        unavailable()
    }
}

async fn begin(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Result<Json<BeginPasskeyBody>, JsonRejection>,
) -> Response {
    let body = match body {
        Ok(Json(body)) => body,
        // An empty body is a plain passkey sign-in to Portcullis itself.
        Err(JsonRejection::MissingJsonContentType(_)) => BeginPasskeyBody::default(),
        Err(rejection) => return bad_body(rejection),
    };
    let Some(passkeys) = passkeys(&state) else {
        return unavailable();
    };
    let application = match body.client_id {
        Some(client_id) => TargetApplication::Client(client_id),
        None => TargetApplication::Portal,
    };
    let mut request = SignInRequest::new(Protocol::NativeApp, application, "");
    request.ip_address = Some(ip);
    request.user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    request.authentication_context = body.acr;
    match state.signin.begin_passkey(request, &passkeys).await {
        Ok((progress, options)) => {
            let mut body = progress_json(&progress);
            body["next"] = json!(["passkey"]);
            body["passkeyOptions"] = options;
            no_store(Json(body).into_response())
        }
        Err(err) => signin_error(err),
    }
}

async fn options(State(state): State<AppState>, Path(transaction): Path<String>) -> Response {
    let Some((id, passkeys)) = parts(&state, &transaction) else {
        return parts_error(&transaction);
    };
    match state.signin.passkey_options(&id, &passkeys).await {
        Ok(options) => no_store(Json(json!({ "passkeyOptions": options })).into_response()),
        Err(err) => signin_error(err),
    }
}

async fn answer(
    State(state): State<AppState>,
    Path(transaction): Path<String>,
    ApiBody(body): ApiBody<PasskeyBody>,
) -> Response {
    let credential = body.credential.to_string();
    if credential.len() > MAX_CREDENTIAL_BYTES {
        return api_error(
            StatusCode::BAD_REQUEST,
            "invalidRequest",
            "The credential is longer than any WebAuthn assertion.",
        );
    }
    let Some((id, passkeys)) = parts(&state, &transaction) else {
        return parts_error(&transaction);
    };
    match state.signin.passkey_step(&id, &credential, &passkeys).await {
        Ok(progress) => no_store(Json(progress_json(&progress)).into_response()),
        Err(err) => signin_error(err),
    }
}
