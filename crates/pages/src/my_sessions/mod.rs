//! My sessions (`/security-info/sessions`): the signed-in user's browser sessions —
//! where and when each signed in, which is this one — with "sign out" for one and
//! "sign out everywhere" (every session and every refresh token), through the session
//! service. Revocation takes effect on every node at the next request (security epochs).

mod views;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::SessionId;
use portcullis_service::{Caller, ServiceError};
use time::OffsetDateTime;

use portcullis_web::client_ip::ClientIp;

use crate::kit::{CsrfToken, PageError, SignedIn, render};
use crate::state::PagesState;
use views::{SessionRow, SessionsPage};

/// Where the list lives.
pub const SESSIONS_PATH: &str = "/security-info/sessions";

pub fn routes() -> axum::Router<PagesState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route(SESSIONS_PATH, get(list))
        .route("/security-info/sessions/revoke-all", post(revoke_all))
        .route("/security-info/sessions/{id}/revoke", post(revoke_one))
}

/// `GET /security-info/sessions`.
pub async fn list(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    SignedIn(active): SignedIn,
) -> Result<Response, PageError> {
    let now = OffsetDateTime::now_utc();
    let sessions = state
        .app
        .services
        .sessions()
        .list_sessions(active.user_id(), now)
        .await
        .map_err(|e| PageError::internal_from(&e))?;
    let rows = sessions
        .iter()
        .map(|summary| SessionRow::new(summary, &summary.id == active.id()))
        .collect();
    Ok(render(&SessionsPage {
        csrf,
        user_name: active.user.display_name.clone(),
        rows,
    }))
}

/// `POST /security-info/sessions/{id}/revoke`: signs out of one session. Signing out of
/// this very session also clears its cookie and ends on the signed-out sign-in page.
pub async fn revoke_one(
    State(state): State<PagesState>,
    SignedIn(active): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let Ok(id) = SessionId::parse(&id) else {
        return Err(not_found());
    };
    let sessions = state.app.services.sessions();
    match sessions
        .revoke_own_session(active.user_id(), &id, OffsetDateTime::now_utc())
        .await
    {
        Ok(()) => {}
        // Already gone (another tab, an admin): the list shows what is left.
        Err(ServiceError::NotFound(_)) => return Err(not_found()),
        Err(other) => return Err(PageError::internal_from(&other)),
    }
    if &id == active.id() {
        return Ok(signed_out(&state));
    }
    Ok(Redirect::to(SESSIONS_PATH).into_response())
}

/// `POST /security-info/sessions/revoke-all`: "sign out everywhere", audited as the
/// user's own action.
pub async fn revoke_all(
    State(state): State<PagesState>,
    SignedIn(active): SignedIn,
    ClientIp(ip): ClientIp,
) -> Result<Response, PageError> {
    let caller = Caller::user(
        active.user_id(),
        &active.user.user_principal_name,
        Some(ip.to_string()),
    );
    state
        .app
        .services
        .sessions()
        .sign_out_everywhere(&caller, active.user_id(), OffsetDateTime::now_utc())
        .await
        .map_err(|e| PageError::internal_from(&e))?;
    Ok(signed_out(&state))
}

/// The browser's own session ended: clear the cookie and offer to sign in again.
fn signed_out(state: &PagesState) -> Response {
    let mut response = Redirect::to("/signin").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, state.kit.cookies.clear_session_cookie());
    response
}

fn not_found() -> PageError {
    PageError::new(
        axum::http::StatusCode::NOT_FOUND,
        "Session not found",
        "That session has already ended, or it is not one of yours.",
    )
}
