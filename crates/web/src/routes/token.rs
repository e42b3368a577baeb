//! `POST /oauth2/token` and the JWKS. Client credentials (automation applications,
//! RFC 6749 §4.4) keep their own client authentication here; every other grant
//! (authorization code, refresh token, device code) goes to the OpenID Connect
//! provider (`routes::oidc`, `portcullis_service::oidc`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use portcullis_service::tokens::grant::GrantError;
use serde_json::json;

use crate::client_ip::ClientIp;
use crate::routes::oidc;
use crate::state::AppState;

/// An RFC 6749 §5.2 error response.
struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
    basic_challenge: bool,
}

impl OAuthError {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.into(),
            basic_challenge: false,
        }
    }

    fn invalid_client(used_basic: bool) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: "Client authentication failed.".into(),
            basic_challenge: used_basic,
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            no_store(),
            Json(json!({"error": self.error, "error_description": self.description})),
        )
            .into_response();
        if self.basic_challenge {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"portcullis\", charset=\"UTF-8\""),
            );
        }
        response
    }
}

fn no_store() -> [(header::HeaderName, &'static str); 2] {
    [
        (header::CACHE_CONTROL, "no-store"),
        (header::PRAGMA, "no-cache"),
    ]
}

/// How the client authenticated.
struct ClientAuth {
    client_id: String,
    client_secret: String,
    used_basic: bool,
}

/// `client_secret_basic`: `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))`
/// (RFC 6749 §2.3.1 form-encodes both before joining).
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || {
        let mut e = OAuthError::invalid_client(true);
        e.description = "The Authorization header is not valid Basic credentials.".into();
        e
    };
    let text = value.to_str().map_err(|_| malformed())?;
    let Some(encoded) = text
        .strip_prefix("Basic ")
        .or_else(|| text.strip_prefix("basic "))
    else {
        return Err(malformed());
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    let unescape = |s: &str| -> String {
        form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok(Some((unescape(id), unescape(secret))))
}

fn client_auth(headers: &HeaderMap, params: &[(String, String)]) -> Result<ClientAuth, OAuthError> {
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let basic = basic_credentials(headers)?;
    let posted_secret = param("client_secret");
    match (basic, posted_secret) {
        (Some(_), Some(_)) => Err(OAuthError::new(
            "invalid_request",
            "The client used more than one authentication method.",
        )),
        (Some((client_id, client_secret)), None) => {
            if let Some(body_id) = param("client_id")
                && body_id != client_id
            {
                return Err(OAuthError::new(
                    "invalid_request",
                    "client_id does not match the credentials.",
                ));
            }
            Ok(ClientAuth {
                client_id,
                client_secret,
                used_basic: true,
            })
        }
        (None, Some(client_secret)) => {
            let client_id = param("client_id").ok_or_else(|| {
                OAuthError::new(
                    "invalid_request",
                    "client_id is required with client_secret.",
                )
            })?;
            Ok(ClientAuth {
                client_id,
                client_secret,
                used_basic: false,
            })
        }
        (None, None) => Err(OAuthError::invalid_client(false)),
    }
}

/// `POST /oauth2/token`.
pub async fn token(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    match grant(&state, ip, &headers, &body).await {
        Ok(response) => response,
        Err(error) => {
            metrics::counter!("portcullis_token_errors_total", "error" => error.error).increment(1);
            error.into_response()
        }
    }
}

async fn grant(
    state: &AppState,
    ip: ClientIp,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, OAuthError> {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        return Err(OAuthError::new(
            "invalid_request",
            "The request body must be application/x-www-form-urlencoded.",
        ));
    }
    let params: Vec<(String, String)> = form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    // RFC 6749 §3.2: parameters must not be repeated.
    for (i, (name, _)) in params.iter().enumerate() {
        if params[..i].iter().any(|(earlier, _)| earlier == name) {
            return Err(OAuthError::new(
                "invalid_request",
                format!("Parameter '{name}' is repeated."),
            ));
        }
    }
    let grant_type = params
        .iter()
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| OAuthError::new("invalid_request", "grant_type is required."))?;
    let meta = oidc::request_meta(headers, ip);
    if grant_type != "client_credentials" {
        return Ok(user_grant(state, headers, &params, &meta).await);
    }
    let auth = client_auth(headers, &params)?;
    if !state.token_limiter.check(&auth.client_id) {
        let mut e = OAuthError::new(
            "invalid_request",
            "Too many token requests for this client; retry later.",
        );
        e.status = StatusCode::TOO_MANY_REQUESTS;
        return Err(e);
    }
    let scope = params
        .iter()
        .find(|(k, _)| k == "scope")
        .map(|(_, v)| v.as_str());
    match oidc::provider(state)
        .client_credentials(&auth.client_id, &auth.client_secret, scope, &meta)
        .await
    {
        Ok(issued) => Ok((
            StatusCode::OK,
            no_store(),
            Json(json!({
                "access_token": issued.access_token,
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
            })),
        )
            .into_response()),
        Err(GrantError::InvalidClient) => Err(OAuthError::invalid_client(auth.used_basic)),
        Err(GrantError::InvalidScope(why)) => Err(OAuthError::new("invalid_scope", why)),
        Err(GrantError::Blocked(why)) => Err(OAuthError::new("invalid_client", why)),
        Err(GrantError::Internal(why)) => {
            tracing::error!(error = %why, "token request failed");
            let mut e = OAuthError::new("server_error", "The server could not issue a token.");
            e.status = StatusCode::INTERNAL_SERVER_ERROR;
            Err(e)
        }
    }
}

/// The authorization-code, refresh-token and device-code grants: the provider
/// authenticates the client (any registered method) and issues.
async fn user_grant(
    state: &AppState,
    headers: &HeaderMap,
    params: &[(String, String)],
    meta: &portcullis_service::oidc::RequestMeta,
) -> Response {
    let authorization = oidc::header_text(headers, header::AUTHORIZATION);
    let used_basic =
        authorization.is_some_and(|v| v.len() > 6 && v[..6].eq_ignore_ascii_case("basic "));
    let params = portcullis_oidc::Params::from_pairs(params.iter().cloned());
    let provider = oidc::provider(state);
    let admit = |client_id: &str| state.token_limiter.check(client_id);
    match provider
        .user_grant(authorization, &params, meta, admit)
        .await
    {
        Ok(tokens) => (StatusCode::OK, no_store(), Json(tokens)).into_response(),
        Err(error) => oidc::oidc_error_response(error, used_basic),
    }
}

/// `GET /.well-known/jwks.json`.
pub async fn jwks(State(state): State<AppState>) -> Response {
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(state.services.jwks()),
    )
        .into_response()
}
