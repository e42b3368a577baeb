//! The OpenID Connect provider over HTTP: discovery, authorize, device authorization
//! and the `/device` page, userinfo, introspection, revocation and end session. The
//! token endpoint is `routes::token`. Protocol rules are `portcullis-oidc`'s and
//! issuance is `portcullis_service::oidc`'s; this layer only translates.

pub mod authorize;
pub mod device;
pub mod discovery;
pub mod logout;
pub mod token_info;
pub mod userinfo;

use axum::Json;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use portcullis_oidc::authorize::escape_html;
use portcullis_oidc::{OAuthError, Params};
use portcullis_service::oidc::{OidcError, OidcProvider, OidcSettings, RequestMeta};

use crate::client_ip::ClientIp;
use crate::state::AppState;

/// Every OpenID Connect route but `/oauth2/token` and the JWKS (`routes::token`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route(
            "/oauth2/authorize",
            get(authorize::authorize_get).post(authorize::authorize_post),
        )
        .route(
            "/oauth2/userinfo",
            get(userinfo::userinfo_get).post(userinfo::userinfo_post),
        )
        .route("/oauth2/introspect", post(token_info::introspect))
        .route("/oauth2/revoke", post(token_info::revoke))
        .route(
            "/oauth2/logout",
            get(logout::logout_get).post(logout::logout_post),
        )
        .route(
            "/oauth2/device_authorization",
            post(device::device_authorization),
        )
        .route(
            "/device",
            get(device::device_page).post(device::device_decide),
        )
}

/// The provider over this request's state (cheap: a few `Arc` clones).
pub(crate) fn provider(state: &AppState) -> OidcProvider {
    OidcProvider::new(
        state.services.clone(),
        state.signin.clone(),
        OidcSettings::default(),
    )
}

/// The caller, for Conditional Access and the sign-in log.
pub(crate) fn request_meta(headers: &HeaderMap, ip: ClientIp) -> RequestMeta {
    RequestMeta {
        ip_address: Some(ip.0),
        user_agent: header_text(headers, header::USER_AGENT).map(str::to_owned),
    }
}

pub(crate) fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Form parameters of a POST body, duplicates kept (the protocol refuses them).
pub(crate) fn form_params(headers: &HeaderMap, body: &[u8]) -> Result<Params, OAuthError> {
    let form = header_text(headers, header::CONTENT_TYPE)
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return Err(OAuthError::invalid_request(
            "the request body must be application/x-www-form-urlencoded",
        ));
    }
    Ok(Params::from_pairs(
        form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())),
    ))
}

/// `Cache-Control: no-store` for every response carrying tokens or codes.
pub(crate) fn no_store() -> [(header::HeaderName, &'static str); 2] {
    [
        (header::CACHE_CONTROL, "no-store"),
        (header::PRAGMA, "no-cache"),
    ]
}

/// An RFC 6749 §5.2 JSON error with its status (401 + `WWW-Authenticate: Basic` for
/// `invalid_client` when Basic credentials were used).
pub(crate) fn oauth_error_response(error: &OAuthError, used_basic: bool) -> Response {
    let status =
        StatusCode::from_u16(error.token_endpoint_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = (status, no_store(), Json(error.to_response())).into_response();
    if status == StatusCode::UNAUTHORIZED && used_basic {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"portcullis\", charset=\"UTF-8\""),
        );
    }
    metrics::counter!("portcullis_token_errors_total", "error" => error.code.as_str()).increment(1);
    response
}

/// A protocol error, or a logged 500 for anything else.
pub(crate) fn oidc_error_response(error: OidcError, used_basic: bool) -> Response {
    match error {
        OidcError::Protocol(error) => oauth_error_response(&error, used_basic),
        other => {
            tracing::error!(error = %other, "OpenID Connect request failed");
            oauth_error_response(
                &OAuthError::new(
                    portcullis_oidc::ErrorCode::ServerError,
                    "the server could not complete the request",
                ),
                false,
            )
        }
    }
}

/// A small self-contained page (errors, the signed-out page, `/device` until the
/// pages crate renders it). Text is escaped; no scripts.
pub(crate) fn simple_page(status: StatusCode, title: &str, body_html: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body><main><h1>{title}</h1>{body_html}</main></body></html>",
        title = escape_html(title),
    );
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
            ),
        ],
        Html(html),
    )
        .into_response()
}

/// The `/signin` redirect of the sign-in contract: `return_to` (a relative URL back
/// here), the client as the Conditional Access target, and the authentication context
/// to step up to.
pub(crate) fn sign_in_redirect(
    return_to: &str,
    client_id: Option<&str>,
    acr: Option<&str>,
) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("return_to", return_to);
    if let Some(client_id) = client_id {
        query.append_pair("app", client_id);
    }
    if let Some(acr) = acr {
        query.append_pair("acr", acr);
    }
    let location = format!("/signin?{}", query.finish());
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, location),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}
