//! The Portcullis Authenticator API (`/authenticator/*`): activation, the device's
//! pending list and event stream (signed device requests), and answers. HTTP glue over
//! `Services::push`; the JSON shapes are `portcullis_push::wire`.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use portcullis_core::{CredentialId, UserId};
use portcullis_push::device_request::{
    DEVICE_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, USER_ID_HEADER,
};
use portcullis_push::wire::{
    ApiError, ApiErrorBody, EVENTS_PATH, PENDING_PATH, PHONE_SIGN_IN_OFF_PATH,
    PHONE_SIGN_IN_ON_PATH, PUSH_EVENT, PendingList, PhoneSignInResponse, SETTLED_EVENT,
};
use portcullis_push::{
    ActivationRequest, AnswerRefused, AnswerSignature, DeviceRequest, SignedAnswer,
};
use portcullis_service::push::{DeviceEvent, PushError};
use time::OffsetDateTime;

use crate::state::AppState;

/// Keep-alive comments keep proxies and NAT tables from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// A push error as an HTTP answer.
pub struct AuthenticatorError(PushError);

impl From<PushError> for AuthenticatorError {
    fn from(error: PushError) -> Self {
        Self(error)
    }
}

fn refusal(status: StatusCode, code: &str, message: String) -> Response {
    let body = ApiError {
        error: ApiErrorBody {
            code: code.to_owned(),
            message,
        },
    };
    (status, Json(body)).into_response()
}

impl IntoResponse for AuthenticatorError {
    fn into_response(self) -> Response {
        let message = self.0.to_string();
        let (status, code) = match &self.0 {
            PushError::NoDevice => (StatusCode::CONFLICT, "noDevice"),
            PushError::Refused(_) => (StatusCode::TOO_MANY_REQUESTS, "pushRefused"),
            PushError::Activation(_) => (StatusCode::BAD_REQUEST, "activationRefused"),
            PushError::Answer(AnswerRefused::Expired(_)) => (StatusCode::GONE, "expired"),
            PushError::Answer(AnswerRefused::AlreadySettled(_)) => {
                (StatusCode::CONFLICT, "alreadySettled")
            }
            PushError::Answer(_) => (StatusCode::FORBIDDEN, "answerRefused"),
            PushError::PhoneSignInNotEnabled => (StatusCode::FORBIDDEN, "phoneSignInNotEnabled"),
            PushError::DeviceRequest(_) | PushError::UnknownDevice => {
                (StatusCode::UNAUTHORIZED, "deviceNotAuthenticated")
            }
            PushError::UnknownApproval(_) => (StatusCode::NOT_FOUND, "unknownApproval"),
            PushError::Corrupt(_) | PushError::Store(_) => {
                tracing::error!(error = %self.0, "authenticator request failed");
                return refusal(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "The request could not be completed.".to_owned(),
                );
            }
        };
        refusal(status, code, message)
    }
}

/// `POST /authenticator/activate`
pub async fn activate(
    State(state): State<AppState>,
    body: Result<Json<ActivationRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Json(request) = match body {
        Ok(body) => body,
        Err(rejection) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "invalidRequest",
                rejection.body_text(),
            );
        }
    };
    match state
        .services
        .push()
        .activate(&request, OffsetDateTime::now_utc())
        .await
    {
        Ok(response) => (StatusCode::CREATED, Json(response)).into_response(),
        Err(error) => AuthenticatorError(error).into_response(),
    }
}

/// `GET /authenticator/activate?code=…`: a browser that follows the link learns what to
/// do with it; the code is not used here.
pub async fn activate_page() -> Html<&'static str> {
    Html(
        "<!doctype html><title>Activate Portcullis Authenticator</title>\
         <p>Paste this page's address into the Portcullis Authenticator: \
         <code>portcullis-authenticator activate 'LINK'</code>.</p>",
    )
}

/// A signed-request header that is missing or malformed (its name).
struct BadDeviceHeader(&'static str);

impl IntoResponse for BadDeviceHeader {
    fn into_response(self) -> Response {
        refusal(
            StatusCode::UNAUTHORIZED,
            "deviceNotAuthenticated",
            format!("missing or malformed {} header", self.0),
        )
    }
}

/// Reads the four signed-request headers.
fn device_request(headers: &HeaderMap) -> Result<DeviceRequest, BadDeviceHeader> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let device_id = header(DEVICE_ID_HEADER)
        .and_then(|v| CredentialId::parse(v).ok())
        .ok_or(BadDeviceHeader(DEVICE_ID_HEADER))?;
    let user_id = header(USER_ID_HEADER)
        .and_then(|v| UserId::parse(v).ok())
        .ok_or(BadDeviceHeader(USER_ID_HEADER))?;
    let timestamp = header(TIMESTAMP_HEADER)
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or(BadDeviceHeader(TIMESTAMP_HEADER))?;
    let signature = header(SIGNATURE_HEADER)
        .and_then(|v| AnswerSignature::from_base64url(v).ok())
        .ok_or(BadDeviceHeader(SIGNATURE_HEADER))?;
    Ok(DeviceRequest {
        device_id,
        user_id,
        timestamp,
        signature,
    })
}

/// `GET /authenticator/pending`
pub async fn pending(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let request = match device_request(&headers) {
        Ok(request) => request,
        Err(bad) => return bad.into_response(),
    };
    let push = state.services.push();
    let now = OffsetDateTime::now_utc();
    let result = async {
        let device = push
            .authenticate_device(&request, "GET", PENDING_PATH, now)
            .await?;
        push.pending_for(&device, now).await
    }
    .await;
    match result {
        Ok(value) => Json(PendingList { value }).into_response(),
        Err(error) => AuthenticatorError(error).into_response(),
    }
}

/// `GET /authenticator/events`: server-sent events, `push` and `settled`.
pub async fn events(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let request = match device_request(&headers) {
        Ok(request) => request,
        Err(bad) => return bad.into_response(),
    };
    let push = state.services.push();
    let now = OffsetDateTime::now_utc();
    let receiver = async {
        let device = push
            .authenticate_device(&request, "GET", EVENTS_PATH, now)
            .await?;
        push.device_events(device).await
    }
    .await;
    let receiver = match receiver {
        Ok(receiver) => receiver,
        Err(error) => return AuthenticatorError(error).into_response(),
    };
    let stream = device_event_stream(receiver);
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response()
}

/// Turns the service's channel into an SSE stream.
fn device_event_stream(
    receiver: tokio::sync::mpsc::Receiver<DeviceEvent>,
) -> impl futures::Stream<Item = Result<Event, Infallible>> {
    futures::stream::unfold(receiver, |mut receiver| async move {
        let event = receiver.recv().await?;
        let (name, data) = match &event {
            DeviceEvent::Push(notice) => (PUSH_EVENT, serde_json::to_string(notice)),
            DeviceEvent::Settled(settled) => (SETTLED_EVENT, serde_json::to_string(settled)),
        };
        let event = match data {
            Ok(data) => Event::default().event(name).data(data),
            Err(_) => Event::default().comment("unencodable event skipped"),
        };
        Some((Ok(event), receiver))
    })
}

/// `POST /authenticator/respond`
pub async fn respond(
    State(state): State<AppState>,
    body: Result<Json<SignedAnswer>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Json(answer) = match body {
        Ok(body) => body,
        Err(rejection) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "invalidRequest",
                rejection.body_text(),
            );
        }
    };
    match state
        .services
        .push()
        .respond(&answer, OffsetDateTime::now_utc())
        .await
    {
        Ok(response) => Json(response).into_response(),
        Err(error) => AuthenticatorError(error).into_response(),
    }
}

/// `POST /authenticator/phone-sign-in/on` and `…/off`: the signing device turns
/// passwordless sign-in on or off for itself.
async fn set_phone_sign_in(state: &AppState, headers: &HeaderMap, enabled: bool) -> Response {
    let request = match device_request(headers) {
        Ok(request) => request,
        Err(bad) => return bad.into_response(),
    };
    let path = if enabled {
        PHONE_SIGN_IN_ON_PATH
    } else {
        PHONE_SIGN_IN_OFF_PATH
    };
    let push = state.services.push();
    let now = OffsetDateTime::now_utc();
    let result = async {
        let device = push
            .authenticate_device(&request, "POST", path, now)
            .await?;
        push.set_phone_sign_in(&device, enabled, now).await
    }
    .await;
    match result {
        Ok(changed) => Json(PhoneSignInResponse {
            phone_sign_in: enabled,
            changed,
        })
        .into_response(),
        Err(error) => AuthenticatorError(error).into_response(),
    }
}

pub async fn phone_sign_in_on(State(state): State<AppState>, headers: HeaderMap) -> Response {
    set_phone_sign_in(&state, &headers, true).await
}

pub async fn phone_sign_in_off(State(state): State<AppState>, headers: HeaderMap) -> Response {
    set_phone_sign_in(&state, &headers, false).await
}

/// The `/authenticator/*` routes, merged into the application router.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    use portcullis_push::wire::{ACTIVATE_PATH, RESPOND_PATH};
    axum::Router::new()
        .route(ACTIVATE_PATH, get(activate_page).post(activate))
        .route(PENDING_PATH, get(pending))
        .route(EVENTS_PATH, get(events))
        .route(RESPOND_PATH, post(respond))
        .route(PHONE_SIGN_IN_ON_PATH, post(phone_sign_in_on))
        .route(PHONE_SIGN_IN_OFF_PATH, post(phone_sign_in_off))
}
