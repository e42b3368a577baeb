//! `POST /oauth2/introspect` (RFC 7662) and `POST /oauth2/revoke` (RFC 7009), both for
//! authenticated clients.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_oidc::introspection::parse_token_and_hint;

use super::{
    form_params, header_text, no_store, oauth_error_response, oidc_error_response, provider,
};
use crate::state::AppState;

fn used_basic(headers: &HeaderMap) -> bool {
    header_text(headers, header::AUTHORIZATION)
        .is_some_and(|v| v.len() > 6 && v[..6].eq_ignore_ascii_case("basic "))
}

pub async fn introspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let basic = used_basic(&headers);
    let params = match form_params(&headers, &body) {
        Ok(params) => params,
        Err(error) => return oauth_error_response(&error, basic),
    };
    let provider = provider(&state);
    let client = match provider
        .authenticate_client(header_text(&headers, header::AUTHORIZATION), &params)
        .await
    {
        Ok(client) => client,
        Err(error) => return oidc_error_response(error, basic),
    };
    let request = match parse_token_and_hint(&params) {
        Ok(request) => request,
        Err(error) => return oauth_error_response(&error, basic),
    };
    match provider.introspect(&client, &request).await {
        Ok(answer) => (StatusCode::OK, no_store(), Json(answer)).into_response(),
        Err(error) => oidc_error_response(error, basic),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let basic = used_basic(&headers);
    let params = match form_params(&headers, &body) {
        Ok(params) => params,
        Err(error) => return oauth_error_response(&error, basic),
    };
    let provider = provider(&state);
    let client = match provider
        .authenticate_client(header_text(&headers, header::AUTHORIZATION), &params)
        .await
    {
        Ok(client) => client,
        Err(error) => return oidc_error_response(error, basic),
    };
    let request = match parse_token_and_hint(&params) {
        Ok(request) => request,
        Err(error) => return oauth_error_response(&error, basic),
    };
    match provider.revoke(&client, &request).await {
        // RFC 7009 §2.2: 200 whether or not the token was known.
        Ok(()) => (StatusCode::OK, no_store()).into_response(),
        Err(error) => oidc_error_response(error, basic),
    }
}
