//! `GET /signin` (the username page, or straight on when already signed in) and
//! `POST /signin` (the username: a transaction begins; the password page follows).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_web::client_ip::ClientIp;
use serde::Deserialize;

use super::complete::go_to;
use super::continuation::Continuation;
use super::flow::{self, BrowserFacts, MAX_USERNAME_CHARS};
use super::outcome::{Rendering, respond};
use super::views::{FlowFields, StartPage};
use crate::kit::{
    CorrelationId, CsrfToken, MaybeSession, PageError, PageForm, PageQuery, render, return_to,
};
use crate::state::PagesState;

#[derive(Debug, Deserialize)]
pub struct StartQuery {
    #[serde(flatten)]
    next: Continuation,
    #[serde(default)]
    login_hint: String,
}

/// `GET /signin?return_to=…&app=…&acr=…`.
pub async fn show(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    MaybeSession(session): MaybeSession,
    ClientIp(ip): ClientIp,
    correlation_id: CorrelationId,
    headers: HeaderMap,
    PageQuery(query): PageQuery<StartQuery>,
) -> Result<Response, PageError> {
    let next = query.next;
    next.check()?;
    let destination = return_to::resolve(&state.app.services, Some(&next.return_to)).await?;
    if let Some(active) = session {
        if !next.asks_for_more() {
            return Ok(go_to(&destination));
        }
        // Step-up for an application or authentication context: start from what the
        // session already proved and ask only for what is missing.
        let facts = BrowserFacts::new(ip, &headers, correlation_id);
        let mut request = flow::request(&next, &active.user.user_principal_name, &facts);
        request.existing_session = Some(active.session.id.clone());
        let progress = flow::begin(&state.app.signin, request, &next).await?;
        let rendering = Rendering {
            csrf: &csrf,
            next: &next,
            cookies: &state.kit.cookies,
            username: &active.user.user_principal_name,
        };
        return Ok(respond(&state.app.services, &rendering, progress).await);
    }
    let username: String = query.login_hint.chars().take(MAX_USERNAME_CHARS).collect();
    Ok(render(&StartPage {
        flow: FlowFields {
            csrf,
            handle: String::new(),
            next,
        },
        username,
        error: None,
    }))
}

#[derive(Debug, Deserialize)]
pub struct UsernameForm {
    #[serde(flatten)]
    next: Continuation,
    #[serde(default)]
    username: String,
}

/// `POST /signin`: begins the transaction for the typed name. Whether the name exists
/// is not revealed here (or anywhere): the password page follows either way.
pub async fn submit(
    State(state): State<PagesState>,
    CsrfToken(csrf): CsrfToken,
    ClientIp(ip): ClientIp,
    correlation_id: CorrelationId,
    headers: HeaderMap,
    PageForm(form): PageForm<UsernameForm>,
) -> Result<Response, PageError> {
    let next = form.next;
    next.check()?;
    let username = form.username.trim();
    if username.is_empty() || username.chars().count() > MAX_USERNAME_CHARS {
        let page = StartPage {
            flow: FlowFields {
                csrf,
                handle: String::new(),
                next,
            },
            username: username.chars().take(MAX_USERNAME_CHARS).collect(),
            error: Some("Enter your email or username."),
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, crate::kit::render(&page)).into_response());
    }
    let facts = BrowserFacts::new(ip, &headers, correlation_id);
    let progress = flow::begin(
        &state.app.signin,
        flow::request(&next, username, &facts),
        &next,
    )
    .await?;
    let rendering = Rendering {
        csrf: &csrf,
        next: &next,
        cookies: &state.kit.cookies,
        username,
    };
    Ok(respond(&state.app.services, &rendering, progress).await)
}
