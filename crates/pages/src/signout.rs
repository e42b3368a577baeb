//! `/signout`: a confirmation page (GET, so a link or an image tag cannot sign anyone
//! out) and the post that revokes the session and clears the cookie.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use crate::kit::{CsrfToken, MaybeSession, PageError, render};
use crate::signin::views::{SignOutPage, SignedOutPage};
use crate::state::PagesState;

/// `GET /signout`.
pub async fn show(CsrfToken(csrf): CsrfToken) -> Response {
    render(&SignOutPage { csrf })
}

/// `POST /signout`.
pub async fn submit(
    State(state): State<PagesState>,
    MaybeSession(session): MaybeSession,
) -> Result<Response, PageError> {
    if let Some(active) = session {
        state
            .app
            .services
            .sessions()
            .revoke_own_session(active.user_id(), active.id(), OffsetDateTime::now_utc())
            .await
            .map_err(|e| PageError::internal_from(&e))?;
    }
    let mut response = render(&SignedOutPage).into_response();
    response.headers_mut().append(
        axum::http::header::SET_COOKIE,
        state.kit.cookies.clear_session_cookie(),
    );
    Ok(response)
}
