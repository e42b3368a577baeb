//! Resolving the browser's SSO session from its cookie, through the session service
//! (which hashes the value, checks revocation, expiry, the user's state and password
//! changes, and caches per node). A malformed cookie is not looked up at all.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;

use portcullis_service::Services;
use portcullis_service::sessions::ActiveSession;
use time::OffsetDateTime;

use super::Kit;
use super::cookies::{CookiePolicy, SESSION_COOKIE};
use super::error_page::PageError;

/// 32 random bytes, base64url without padding.
const TOKEN_CHARS: usize = 43;

/// The session cookie's token, if the request carries a well-formed one.
pub fn session_token<'a>(cookies: &CookiePolicy, headers: &'a HeaderMap) -> Option<&'a str> {
    cookies.read(headers, SESSION_COOKIE).filter(|token| {
        token.len() == TOKEN_CHARS
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// The valid session the request's cookie names, if any. Why a cookie was refused goes
/// to the debug log only: the browser just learns it is signed out.
pub async fn resolve_session(
    services: &Services,
    cookies: &CookiePolicy,
    headers: &HeaderMap,
    now: OffsetDateTime,
) -> Result<Option<Arc<ActiveSession>>, PageError> {
    let Some(token) = session_token(cookies, headers) else {
        return Ok(None);
    };
    let check = services
        .sessions()
        .resolve_cookie(token, now)
        .await
        .map_err(|e| PageError::internal_from(&e))?;
    match check {
        Ok(active) => Ok(Some(active)),
        Err(rejection) => {
            tracing::debug!(%rejection, "session cookie not accepted");
            Ok(None)
        }
    }
}

/// Extractor: the current session, or `None` when signed out.
pub struct MaybeSession(pub Option<Arc<ActiveSession>>);

impl<S> FromRequestParts<S> for MaybeSession
where
    Kit: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let kit = Kit::from_ref(state);
        let session = resolve_session(
            &kit.services,
            &kit.cookies,
            &parts.headers,
            OffsetDateTime::now_utc(),
        )
        .await?;
        Ok(MaybeSession(session))
    }
}

/// Extractor: the current session; without one the browser is sent to sign in and
/// brought back here afterwards.
pub struct SignedIn(pub Arc<ActiveSession>);

/// Sends the browser to `/signin` with `return_to` set to `uri` (path and query only,
/// so it is always a same-origin relative URL).
pub fn sign_in_redirect(uri: &Uri) -> Response {
    let here = uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/security-info");
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("return_to", here)
        .finish();
    Redirect::to(&format!("/signin?{query}")).into_response()
}

impl<S> FromRequestParts<S> for SignedIn
where
    Kit: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match MaybeSession::from_request_parts(parts, state).await {
            Ok(MaybeSession(Some(session))) => Ok(SignedIn(session)),
            Ok(MaybeSession(None)) => Err(sign_in_redirect(&parts.uri)),
            Err(error) => Err(error.into_response()),
        }
    }
}
