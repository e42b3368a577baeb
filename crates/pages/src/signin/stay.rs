//! `POST /signin/stay`: the answer to "stay signed in?". "Yes" re-sets the session
//! cookie with a lifetime (until the session's own expiry), so it survives closing the
//! browser; "No" leaves the browser-session cookie as it is.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::complete::{go_to, persistent_cookie, set_cookie};
use crate::kit::current_session::session_token;
use crate::kit::{MaybeSession, PageError, PageForm, return_to};
use crate::state::PagesState;

#[derive(Debug, Deserialize)]
pub struct StayForm {
    #[serde(default)]
    stay: String,
    #[serde(default)]
    return_to: String,
}

pub async fn answer(
    State(state): State<PagesState>,
    MaybeSession(session): MaybeSession,
    headers: HeaderMap,
    PageForm(form): PageForm<StayForm>,
) -> Result<Response, PageError> {
    let destination = return_to::resolve(&state.app.services, Some(&form.return_to)).await?;
    let mut response = go_to(&destination);
    if form.stay == "yes"
        && let Some(active) = session
        && let Some(token) = session_token(&state.kit.cookies, &headers)
        && let Some(cookie) =
            persistent_cookie(&state.kit.cookies, token, active.session.expires_date_time)
    {
        set_cookie(&mut response, cookie);
    }
    Ok(response)
}
