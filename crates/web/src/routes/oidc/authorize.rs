//! `GET|POST /oauth2/authorize`: the authorization code flow.
//!
//! ```text
//! validate (client, exact redirect URI, PKCE, scope, prompt, …)   errors: our page or redirect
//! id_token_hint verified (our key, for this client)
//! SSO session from the cookie (SessionService)
//! decide_interaction ─ SignIn ─▶ 303 /signin?return_to=…&app=<client>[&acr=cN]
//!        │ UseSession
//! Conditional Access for this client (and context) ─ SignIn ─▶ step-up, as above
//!        │ Allow                                      └ Deny ─▶ redirect with access_denied
//! code ─▶ redirect (query) or auto-submitted form (form_post)
//! ```
//!
//! Clients are registered by an administrator, so consent is the administrator's
//! (as Entra's admin consent): users are not asked.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use portcullis_oidc::authorize::{
    AuthorizationResponse, AuthorizeError, InteractionContext, InteractionDecision, SessionFacts,
    decide_interaction, escape_html, form_post_script_csp_source, validate_authorization_request,
};
use portcullis_oidc::{ErrorCode, OAuthError, Params};
use portcullis_service::oidc::{AuthorizationVerdict, OidcProvider, RequestMeta};
use time::OffsetDateTime;

use super::{header_text, provider, request_meta, sign_in_redirect, simple_page};
use crate::client_ip::ClientIp;
use crate::state::AppState;

/// Our own parameter, put on `return_to` in place of `prompt=login`: the session must
/// have signed in at or after this Unix time. Without it, coming back from the sign-in
/// page with `prompt=login` still in the URL would send the user to sign in forever.
const LOGIN_AFTER: &str = "portcullis_login_after";

pub async fn authorize_get(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    authorize(&state, request_meta(&headers, ip), &headers, pairs).await
}

pub async fn authorize_post(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = header_text(&headers, header::CONTENT_TYPE)
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return simple_page(
            StatusCode::BAD_REQUEST,
            "Sign-in request not understood",
            "<p>The application sent an authorization request this server cannot read.</p>",
        );
    }
    let pairs = form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    authorize(&state, request_meta(&headers, ip), &headers, pairs).await
}

async fn authorize(
    state: &AppState,
    meta: RequestMeta,
    headers: &HeaderMap,
    pairs: Vec<(String, String)>,
) -> Response {
    match authorize_inner(state, &meta, headers, &pairs).await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(error = %error, "authorization request failed");
            simple_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "<p>The sign-in could not be completed. Try again in a moment.</p>",
            )
        }
    }
}

async fn authorize_inner(
    state: &AppState,
    meta: &RequestMeta,
    headers: &HeaderMap,
    pairs: &[(String, String)],
) -> Result<Response, portcullis_service::oidc::OidcError> {
    let provider = provider(state);
    let issuer = provider.issuer().to_owned();
    let params = Params::from_pairs(pairs.iter().map(|(k, v)| (k.clone(), v.clone())));
    let client = match params.get("client_id") {
        Ok(Some(client_id)) => provider.client(client_id).await?,
        _ => None,
    };
    let request = match validate_authorization_request(
        &params,
        client.as_ref().map(|c| &c.config),
        &issuer,
    ) {
        Ok(request) => request,
        Err(AuthorizeError::ShowErrorPage(reason)) => {
            return Ok(simple_page(
                StatusCode::BAD_REQUEST,
                "This sign-in link is not valid",
                &format!(
                    "<p>{}.</p><p>Contact the application's administrator.</p>",
                    escape_html(&reason.to_string())
                ),
            ));
        }
        Err(AuthorizeError::Redirect(response)) => return Ok(respond(&response)),
    };
    let Some(client) = client else {
        // validate_authorization_request refuses a request without a client.
        return Ok(simple_page(
            StatusCode::BAD_REQUEST,
            "Unknown application",
            "",
        ));
    };
    let fail =
        |error: OAuthError| respond(&AuthorizationResponse::error_for(&request, &issuer, &error));

    let hinted_subject = match &request.id_token_hint {
        None => None,
        Some(hint) => match provider
            .verify_id_token_hint(hint, Some(client.client_id()))
            .await
        {
            Ok(verified) => Some(verified.sub),
            Err(why) => {
                return Ok(fail(OAuthError::invalid_request(format!(
                    "id_token_hint was not issued by this provider to this client: {why}"
                ))));
            }
        },
    };

    let now = OffsetDateTime::now_utc();
    let cookie = header_text(headers, header::COOKIE);
    let session = provider
        .sessions()
        .resolve_cookie_header(cookie, now)
        .await?
        .ok();
    let snapshot = session.as_deref().map(OidcProvider::snapshot);
    let context = OidcProvider::requested_context(&request.acr_values);
    let login_after = pairs
        .iter()
        .find(|(k, _)| k == LOGIN_AFTER)
        .and_then(|(_, v)| v.parse::<i64>().ok());

    let subject = snapshot.as_ref().map(|s| s.user_id.to_string());
    // Authentication contexts are met when Conditional Access says so (judged below);
    // other acr values are voluntary claims and do not force a sign-in.
    let session_acr = match (&context, request.acr_values.first()) {
        (Some(context), _) => Some(context.clone()),
        (None, Some(first)) => Some(first.as_claim()),
        (None, None) => snapshot.as_ref().and_then(|s| s.acr.clone()),
    };
    let fresh_enough = match (login_after, &snapshot) {
        (Some(after), Some(s)) => s.authenticated_at.unix_timestamp() >= after,
        _ => true,
    };
    let facts = match (&snapshot, &subject) {
        (Some(s), Some(subject)) if fresh_enough => Some(SessionFacts {
            subject,
            auth_time: s.authenticated_at.unix_timestamp(),
            acr: session_acr.as_deref(),
        }),
        _ => None,
    };
    let mut effective = request.clone();
    if login_after.is_some() {
        // Came back from the sign-in prompt=login asked for: do not ask again.
        effective.prompt.login = false;
        effective.prompt.select_account = false;
    }
    let decision = decide_interaction(
        &effective,
        &InteractionContext {
            session: facts,
            hinted_subject: hinted_subject.as_deref(),
            consent_given: true,
            now: now.unix_timestamp(),
        },
    );
    match decision {
        InteractionDecision::UseSession => {}
        InteractionDecision::SignIn(_) => {
            return Ok(sign_in_redirect(
                &return_to(pairs, now),
                Some(client.client_id()),
                context.as_deref(),
            ));
        }
        InteractionDecision::Consent => {
            // consent_given is always true; kept exhaustive for a later consent page.
            return Ok(fail(OAuthError::new(
                ErrorCode::ConsentRequired,
                "consent is required",
            )));
        }
        InteractionDecision::Fail(error) => return Ok(fail(error)),
    }
    let Some(snapshot) = snapshot else {
        return Ok(sign_in_redirect(
            &return_to(pairs, now),
            Some(client.client_id()),
            None,
        ));
    };
    match provider
        .judge_authorization(&client, &snapshot, context.as_deref(), meta)
        .await?
    {
        AuthorizationVerdict::Allow { acr } => {
            let code = provider
                .issue_code(&request, &snapshot, acr.as_deref())
                .await?;
            Ok(respond(&AuthorizationResponse::success(
                &request, &code, &issuer,
            )))
        }
        AuthorizationVerdict::SignIn { acr } => {
            if request.prompt.none {
                return Ok(fail(OAuthError::new(
                    ErrorCode::InteractionRequired,
                    "Conditional Access requires a stronger sign-in and prompt=none",
                )));
            }
            Ok(sign_in_redirect(
                &return_to(pairs, now),
                Some(client.client_id()),
                acr.as_deref(),
            ))
        }
        AuthorizationVerdict::Deny(error) => Ok(fail(error)),
    }
}

/// The relative URL that repeats this request after the sign-in (a GET, also for a
/// POSTed request), with `prompt=login`/`select_account` replaced by [`LOGIN_AFTER`].
fn return_to(pairs: &[(String, String)], now: OffsetDateTime) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    let mut forced_login = false;
    for (name, value) in pairs {
        if name == LOGIN_AFTER {
            continue;
        }
        if name == "prompt" {
            let kept: Vec<&str> = value
                .split(' ')
                .filter(|p| {
                    let forced = matches!(*p, "login" | "select_account");
                    forced_login |= forced;
                    !forced && !p.is_empty()
                })
                .collect();
            if !kept.is_empty() {
                query.append_pair(name, &kept.join(" "));
            }
            continue;
        }
        query.append_pair(name, value);
    }
    if forced_login {
        query.append_pair(LOGIN_AFTER, &now.unix_timestamp().to_string());
    }
    format!("/oauth2/authorize?{}", query.finish())
}

/// The authorization response as a redirect (query) or an auto-submitting form.
fn respond(response: &AuthorizationResponse) -> Response {
    match response.response_mode {
        portcullis_oidc::authorize::ResponseMode::Query => (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, response.redirect_url()),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
        )
            .into_response(),
        portcullis_oidc::authorize::ResponseMode::FormPost => {
            let csp = format!(
                "default-src 'none'; script-src {}; form-action {}; frame-ancestors 'none'",
                form_post_script_csp_source(),
                origin_of(&response.redirect_uri)
            );
            (
                StatusCode::OK,
                [
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                    (header::CONTENT_SECURITY_POLICY, csp),
                ],
                Html(response.form_post_html()),
            )
                .into_response()
        }
    }
}

/// `scheme://host[:port]` of a URL, for the form-action CSP of a form_post page.
fn origin_of(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "'none'".into();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    format!("{scheme}://{authority}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_to_replaces_forced_login_and_keeps_everything_else() {
        let pairs = vec![
            ("client_id".to_owned(), "c".to_owned()),
            ("prompt".to_owned(), "login consent".to_owned()),
            ("state".to_owned(), "a b&c".to_owned()),
            (LOGIN_AFTER.to_owned(), "1".to_owned()),
        ];
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let url = return_to(&pairs, now);
        assert_eq!(
            url,
            "/oauth2/authorize?client_id=c&prompt=consent&state=a+b%26c&portcullis_login_after=1700000000"
        );
        assert_eq!(
            origin_of("https://app.example:8443/cb?x=1"),
            "https://app.example:8443"
        );
        assert_eq!(origin_of("not a url"), "'none'");
    }
}
