//! Forward-auth endpoints for reverse proxies: `/forward-auth/nginx` (nginx
//! `auth_request`), `/forward-auth/traefik` (ForwardAuth) and `/forward-auth/caddy`
//! (`forward_auth`). The judgement is the service's; this module only reads the proxy's
//! headers and answers in each proxy's dialect:
//!
//! | judgement | nginx | Traefik / Caddy |
//! |---|---|---|
//! | allow | 200 + identity headers | 200 + identity headers |
//! | sign in / step up | 401 + `Location` (nginx turns it into a redirect with `auth_request_set` + `error_page 401`) | 302 to the sign-in page |
//! | deny, unknown application | 403 | 403 |
//! | unusable proxy headers | 400 | 400 |

use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_service::forward_auth::{ForwardAuthAnswer, ForwardAuthRequest};
use time::OffsetDateTime;

use crate::client_ip::ClientIp;
use crate::graph_error::GraphError;
use crate::state::AppState;

/// How a proxy wants "go and sign in" said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    /// `auth_request` accepts only 2xx, 401 and 403 from the subrequest.
    Nginx,
    /// Traefik and Caddy pass any non-2xx answer back to the browser as it is.
    Redirect,
}

pub async fn nginx(state: State<AppState>, ip: ClientIp, headers: HeaderMap) -> Response {
    check(state, ip, headers, Dialect::Nginx).await
}

pub async fn traefik(state: State<AppState>, ip: ClientIp, headers: HeaderMap) -> Response {
    check(state, ip, headers, Dialect::Redirect).await
}

pub async fn caddy(state: State<AppState>, ip: ClientIp, headers: HeaderMap) -> Response {
    check(state, ip, headers, Dialect::Redirect).await
}

async fn check(
    State(state): State<AppState>,
    ClientIp(client_ip): ClientIp,
    headers: HeaderMap,
    dialect: Dialect,
) -> Response {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let request = ForwardAuthRequest {
        method: text("x-forwarded-method").or_else(|| text("x-original-method")),
        proto: text("x-forwarded-proto"),
        host: text("x-forwarded-host").or_else(|| text("host")),
        uri: text("x-forwarded-uri").or_else(|| text("x-original-uri")),
        client_ip: Some(client_ip),
        user_agent: text("user-agent"),
        cookie_header: cookie_header(&headers),
    };
    let answer = match state
        .services
        .forward_auth(&state.signin, &request, OffsetDateTime::now_utc())
        .await
    {
        Ok(answer) => answer,
        Err(err) => return GraphError::from(err).into_response(),
    };
    respond(answer, dialect)
}

/// All `Cookie` headers as one (HTTP/2 clients may split them).
fn cookie_header(headers: &HeaderMap) -> Option<String> {
    let parts: Vec<&str> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn respond(answer: ForwardAuthAnswer, dialect: Dialect) -> Response {
    match answer {
        ForwardAuthAnswer::Allow {
            headers,
            identity_token,
        } => {
            let mut response = StatusCode::OK.into_response();
            let out = response.headers_mut();
            for (name, value) in headers.iter() {
                // Values were cleaned of control characters; non-ASCII names pass as
                // UTF-8 bytes (obs-text), which proxies copy unchanged.
                if let Ok(value) = HeaderValue::from_bytes(value.as_bytes()) {
                    out.insert(HeaderName::from_static(lower(name)), value);
                }
            }
            // A JWT is base64url and dots only; taking the String avoids a copy.
            if let Some(token) = identity_token
                && let Ok(value) = HeaderValue::try_from(token)
            {
                out.insert(
                    HeaderName::from_static(lower(
                        portcullis_service::forward_auth::IDENTITY_JWT_HEADER,
                    )),
                    value,
                );
            }
            no_store(response)
        }
        ForwardAuthAnswer::SignIn { location } => {
            let status = match dialect {
                Dialect::Nginx => StatusCode::UNAUTHORIZED,
                Dialect::Redirect => StatusCode::FOUND,
            };
            let mut response = status.into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            no_store(response)
        }
        ForwardAuthAnswer::Deny | ForwardAuthAnswer::UnknownApplication => {
            no_store(StatusCode::FORBIDDEN.into_response())
        }
        ForwardAuthAnswer::BadRequest(why) => {
            GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", why).into_response()
        }
    }
}

/// Identity header names in lower case (HTTP/2 form; `HeaderName` needs it).
fn lower(name: &'static str) -> &'static str {
    use portcullis_service::forward_auth as fa;
    match name {
        fa::REMOTE_USER => "remote-user",
        fa::REMOTE_EMAIL => "remote-email",
        fa::REMOTE_NAME => "remote-name",
        fa::REMOTE_GROUPS => "remote-groups",
        fa::IDENTITY_JWT_HEADER => "remote-jwt",
        _ => "x-portcullis-unknown",
    }
}

/// A judgement is per user: no shared cache may keep it.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
