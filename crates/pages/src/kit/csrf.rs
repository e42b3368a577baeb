//! CSRF protection for every state-changing request, by double submit: a random token
//! in a pre-session cookie (HttpOnly, SameSite=Lax, `__Host-` under TLS) must come back
//! in the form field `csrf_token` (or the `X-CSRF-Token` header, for `fetch` from
//! `webauthn.js`), compared in constant time.
//!
//! Why double submit rather than a token stored server-side: a sign-in page is shown
//! before any session exists, and several nodes share no memory. The usual weakness of
//! double submit — a sibling subdomain planting the cookie — is what the `__Host-`
//! prefix closes under TLS. `Sec-Fetch-Site: cross-site` on a post is refused outright
//! as a second, independent check.
//!
//! The check runs as middleware over the whole router, so no handler can forget it.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

use super::Kit;
use super::cookies::{CSRF_COOKIE, append_set_cookie};
use super::error_page::PageError;

/// The hidden form field carrying the token.
pub const CSRF_FIELD: &str = "csrf_token";
/// The request header carrying the token (scripts).
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Largest form body the check will read (sign-in forms are tiny; a WebAuthn
/// attestation is a few KiB).
pub const MAX_FORM_BYTES: usize = 64 * 1024;
/// 32 random bytes, base64url without padding.
const TOKEN_CHARS: usize = 43;

/// This request's CSRF token, for rendering into forms (`csrf_token` hidden field) and
/// the `data-csrf` attribute scripts read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrfToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .ok_or_else(|| PageError::internal_from(&"the CSRF middleware is not installed"))
    }
}

/// Whether a method changes state (and so needs the token).
pub fn is_state_changing(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_CHARS
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn new_token() -> Result<String, PageError> {
    portcullis_service::secrets::random_bytes(32)
        .map(|bytes| URL_SAFE_NO_PAD.encode(bytes))
        .map_err(|e| PageError::internal_from(&e))
}

/// Whether `presented` equals `expected`, in time independent of where they differ.
pub fn tokens_match(expected: &str, presented: &str) -> bool {
    // Length is not secret (always 43); comparing it first keeps ct_eq on equal lengths.
    expected.len() == presented.len() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

fn refused() -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        "This form has expired",
        "The page you submitted was out of date or did not come from this site. \
         Go back, reload the page and try again.",
    )
}

/// Middleware: issues the token cookie when missing and checks posts.
pub async fn protect(State(kit): State<Kit>, request: Request, next: Next) -> Response {
    match check(&kit, request).await {
        Ok((mut request, token, fresh)) => {
            request.extensions_mut().insert(CsrfToken(token.clone()));
            let mut response = next.run(request).await;
            if fresh {
                append_set_cookie(
                    response.headers_mut(),
                    kit.cookies.set(CSRF_COOKIE, &token, None),
                );
            }
            response
        }
        Err(error) => error.into_response(),
    }
}

/// Returns the request (body restored), the token and whether it is new.
async fn check(kit: &Kit, request: Request) -> Result<(Request, String, bool), PageError> {
    let existing = kit
        .cookies
        .read(request.headers(), CSRF_COOKIE)
        .filter(|t| well_formed(t))
        .map(str::to_owned);
    if !is_state_changing(request.method()) {
        return match existing {
            Some(token) => Ok((request, token, false)),
            None => Ok((request, new_token()?, true)),
        };
    }
    let cross_site = request
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"));
    // Without the cookie there is nothing to compare with: the form predates it
    // (cookies cleared) or was forged.
    let Some(expected) = existing.filter(|_| !cross_site) else {
        return Err(refused());
    };
    let from_header = request
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (request, presented) = match from_header {
        Some(token) => (request, Some(token)),
        None if is_form(request.headers()) => read_form_token(request).await?,
        None => (request, None),
    };
    match presented {
        Some(token) if tokens_match(&expected, &token) => Ok((request, expected, false)),
        _ => Err(refused()),
    }
}

/// Reads the form body for the token field and puts the body back for the handler.
async fn read_form_token(request: Request) -> Result<(Request, Option<String>), PageError> {
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_FORM_BYTES).await.map_err(|_| {
        PageError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Form too large",
            "The submitted form was larger than this page accepts.",
        )
    })?;
    let token = form_urlencoded::parse(&bytes)
        .find(|(key, _)| key == CSRF_FIELD)
        .map(|(_, value)| value.into_owned());
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_equal_tokens_match() {
        let a = "a".repeat(TOKEN_CHARS);
        let mut b = a.clone();
        assert!(tokens_match(&a, &b));
        b.replace_range(42.., "b");
        assert!(!tokens_match(&a, &b));
        assert!(!tokens_match(&a, ""));
        assert!(!tokens_match(&a, &format!("{a}x")));
    }

    #[test]
    fn token_shape_is_checked() {
        assert!(well_formed(&"Ab-_".repeat(11)[..TOKEN_CHARS]));
        assert!(!well_formed("short"));
        assert!(!well_formed(&"=".repeat(TOKEN_CHARS)));
        assert!(well_formed(&new_token().unwrap()));
    }
}
