//! `GET|POST /oauth2/logout`: RP-initiated logout (OpenID Connect RP-Initiated Logout
//! 1.0). With a valid `id_token_hint` the session ends at once; without one the user
//! confirms first (a forged link must not sign anyone out). The confirmation is a
//! same-origin POST, which the SameSite=Lax session cookie only accompanies from here.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_oidc::Params;
use portcullis_oidc::authorize::escape_html;
use portcullis_oidc::logout::{EndSessionParams, IdTokenHintCheck, validate_end_session};
use portcullis_service::sessions::{PLAIN_COOKIE_NAME, SECURE_COOKIE_NAME};
use time::OffsetDateTime;

use super::{header_text, provider, simple_page};
use crate::state::AppState;

/// The hidden field of the confirmation form.
const CONFIRMED: &str = "portcullis_confirmed";

pub async fn logout_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    logout(&state, &headers, pairs, false).await
}

pub async fn logout_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let confirmed = pairs.iter().any(|(k, v)| k == CONFIRMED && v == "1");
    logout(&state, &headers, pairs, confirmed).await
}

async fn logout(
    state: &AppState,
    headers: &HeaderMap,
    pairs: Vec<(String, String)>,
    confirmed: bool,
) -> Response {
    let provider = provider(state);
    let params = Params::from_pairs(
        pairs
            .iter()
            .filter(|(k, _)| k != CONFIRMED)
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    let refuse = |why: String| {
        simple_page(
            StatusCode::BAD_REQUEST,
            "Sign-out request not valid",
            &format!("<p>{}.</p>", escape_html(&why)),
        )
    };
    let end = match EndSessionParams::parse(&params) {
        Ok(end) => end,
        Err(e) => return refuse(e.to_string()),
    };
    let hint = match &end.id_token_hint {
        None => IdTokenHintCheck::Absent,
        Some(token) => match provider.verify_id_token_hint(token, None).await {
            Ok(verified) => IdTokenHintCheck::Valid {
                audience: verified.aud,
                subject: verified.sub,
                session_id: verified.sid,
            },
            Err(_) => IdTokenHintCheck::Invalid,
        },
    };
    let client = match end.client_to_look_up(&hint) {
        Some(id) => match provider.client(id).await {
            Ok(client) => client,
            Err(e) => {
                tracing::error!(error = %e, "logout client lookup failed");
                return refuse("the application could not be looked up".into());
            }
        },
        None => None,
    };
    let decision = match validate_end_session(&end, &hint, client.as_ref().map(|c| &c.config)) {
        Ok(decision) => decision,
        Err(e) => return refuse(e.to_string()),
    };
    if decision.ask_user_to_confirm && !confirmed {
        let mut fields = String::new();
        for (name, value) in pairs.iter().filter(|(k, _)| k != CONFIRMED) {
            fields.push_str(&format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape_html(name),
                escape_html(value)
            ));
        }
        return simple_page(
            StatusCode::OK,
            "Sign out?",
            &format!(
                "<form method=\"post\" action=\"/oauth2/logout\">{fields}\
                 <input type=\"hidden\" name=\"{CONFIRMED}\" value=\"1\">\
                 <p>Do you want to sign out of Portcullis?</p>\
                 <button type=\"submit\">Sign out</button></form>"
            ),
        );
    }
    let now = OffsetDateTime::now_utc();
    if let Ok(Ok(session)) = provider
        .sessions()
        .resolve_cookie_header(header_text(headers, header::COOKIE), now)
        .await
    {
        // A hint naming another user must not end this browser's session.
        let same_user = decision
            .subject_hint
            .as_deref()
            .is_none_or(|subject| subject == session.user_id().as_str());
        if same_user
            && let Err(e) = provider
                .sessions()
                .revoke_own_session(session.user_id(), session.id(), now)
                .await
        {
            tracing::error!(error = %e, "ending the session at logout failed");
        }
    }
    let mut response = match &decision.redirect {
        Some(location) => (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, location.clone())],
        )
            .into_response(),
        None => simple_page(
            StatusCode::OK,
            "You have signed out",
            "<p>You can close this window.</p>",
        ),
    };
    for cookie in [
        format!("{SECURE_COOKIE_NAME}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax"),
        format!("{PLAIN_COOKIE_NAME}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"),
    ] {
        if let Ok(value) = cookie.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}
