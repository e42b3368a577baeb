//! `GET|POST /oauth2/userinfo` (OpenID Connect Core §5.3) with RFC 6750 bearer errors.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_oidc::Params;
use portcullis_oidc::bearer::{BearerErrorCode, extract_bearer_token, www_authenticate};
use portcullis_service::oidc::UserInfoError;

use super::{header_text, no_store, provider};
use crate::state::AppState;

const REALM: &str = "portcullis";

pub async fn userinfo_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    userinfo(&state, &headers, None).await
}

pub async fn userinfo_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = header_text(&headers, header::CONTENT_TYPE)
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let params = form.then(|| {
        Params::from_pairs(
            form_urlencoded::parse(&body).map(|(k, v)| (k.into_owned(), v.into_owned())),
        )
    });
    userinfo(&state, &headers, params.as_ref()).await
}

async fn userinfo(state: &AppState, headers: &HeaderMap, form: Option<&Params>) -> Response {
    let token = match extract_bearer_token(header_text(headers, header::AUTHORIZATION), form) {
        Ok(token) => token,
        Err(error) => {
            let description = error.to_string();
            let code = error.code();
            return challenge(
                code.map(|c| (c, description.as_str())),
                code.map_or(StatusCode::UNAUTHORIZED, status),
            );
        }
    };
    match provider(state).userinfo(&token).await {
        Ok(info) => (StatusCode::OK, no_store(), Json(info)).into_response(),
        Err(UserInfoError::Bearer(code, description)) => {
            challenge(Some((code, &description)), status(code))
        }
        Err(UserInfoError::Internal(error)) => {
            tracing::error!(error = %error, "userinfo failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn status(code: BearerErrorCode) -> StatusCode {
    StatusCode::from_u16(code.status()).unwrap_or(StatusCode::UNAUTHORIZED)
}

fn challenge(error: Option<(BearerErrorCode, &str)>, status: StatusCode) -> Response {
    let value = www_authenticate(REALM, error);
    let mut response = (status, no_store()).into_response();
    if let Ok(value) = HeaderValue::from_str(&value) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}
