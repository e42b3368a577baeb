//! RFC 8628: `POST /oauth2/device_authorization` and the user-code page `/device`.
//!
//! The page needs an SSO session (no session: `/signin` and back). Approving runs
//! Conditional Access with the device code flow as the authentication flow. The page
//! is rendered here, plainly, until the pages crate's kit renders it.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_oidc::Params;
use portcullis_oidc::authorize::escape_html;
use portcullis_oidc::device::parse_device_authorization_request;
use portcullis_service::oidc::{DeviceDecisionOutcome, OidcProvider, RequestMeta};
use time::OffsetDateTime;

use super::{
    form_params, header_text, no_store, oauth_error_response, oidc_error_response, provider,
    request_meta, sign_in_redirect, simple_page,
};
use crate::client_ip::ClientIp;
use crate::state::AppState;

/// `POST /oauth2/device_authorization`.
pub async fn device_authorization(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let params = match form_params(&headers, &body) {
        Ok(params) => params,
        Err(error) => return oauth_error_response(&error, false),
    };
    let provider = provider(&state);
    let authorization = header_text(&headers, header::AUTHORIZATION);
    let basic = authorization.is_some();
    let client = match provider.authenticate_client(authorization, &params).await {
        Ok(client) => client,
        Err(error) => return oidc_error_response(error, basic),
    };
    let scope = match parse_device_authorization_request(&params) {
        Ok(scope) => scope,
        Err(error) => return oauth_error_response(&error, basic),
    };
    let verification_uri = format!("{}/device", state.base_url());
    match provider
        .device_authorization(&client, scope, &verification_uri)
        .await
    {
        Ok(response) => (StatusCode::OK, no_store(), Json(response)).into_response(),
        Err(error) => oidc_error_response(error, basic),
    }
}

/// `GET /device[?user_code=…]`.
pub async fn device_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let query = Params::from_urlencoded(uri.query().unwrap_or(""));
    let typed = query
        .get("user_code")
        .ok()
        .flatten()
        .unwrap_or("")
        .to_owned();
    let provider = provider(&state);
    let now = OffsetDateTime::now_utc();
    let session = provider
        .sessions()
        .resolve_cookie_header(header_text(&headers, header::COOKIE), now)
        .await;
    let signed_in = matches!(session, Ok(Ok(_)));
    if !signed_in {
        let back = device_url(&typed);
        return sign_in_redirect(&back, None, None);
    }
    if typed.is_empty() {
        return code_form("", None);
    }
    match provider.device_code_details(&typed).await {
        Ok(Some(details)) => simple_page(
            StatusCode::OK,
            "Sign in on your device?",
            &format!(
                "<p><strong>{app}</strong> on another device is asking to sign in as you \
                 (access: {scope}).</p><p>Only continue if you started this on a device \
                 you have with you now and it shows the code <strong>{code}</strong>.</p>\
                 <form method=\"post\" action=\"/device\">\
                 <input type=\"hidden\" name=\"user_code\" value=\"{code}\">\
                 <button type=\"submit\" name=\"action\" value=\"approve\">Continue</button> \
                 <button type=\"submit\" name=\"action\" value=\"deny\">Cancel</button></form>",
                app = escape_html(&details.application_name),
                scope = escape_html(&details.scope),
                code = escape_html(&details.user_code),
            ),
        ),
        Ok(None) => code_form(
            &typed,
            Some("That code is not valid or has expired. Check the code on your device."),
        ),
        Err(error) => {
            tracing::error!(error = %error, "device code lookup failed");
            simple_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "",
            )
        }
    }
}

/// `POST /device`: approve or deny.
pub async fn device_decide(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !same_origin(&state, &headers) {
        return simple_page(
            StatusCode::FORBIDDEN,
            "Request refused",
            "<p>This form must be sent from this site.</p>",
        );
    }
    let params = Params::from_pairs(
        form_urlencoded::parse(&body).map(|(k, v)| (k.into_owned(), v.into_owned())),
    );
    let typed = params
        .get("user_code")
        .ok()
        .flatten()
        .unwrap_or("")
        .to_owned();
    let approve = params.get("action").ok().flatten() == Some("approve");
    let provider = provider(&state);
    let now = OffsetDateTime::now_utc();
    let session = match provider
        .sessions()
        .resolve_cookie_header(header_text(&headers, header::COOKIE), now)
        .await
    {
        Ok(Ok(session)) => session,
        _ => {
            let back = device_url(&typed);
            return sign_in_redirect(&back, None, None);
        }
    };
    let meta: RequestMeta = request_meta(&headers, ip);
    let snapshot = OidcProvider::snapshot(&session);
    match provider
        .decide_device_code(&typed, &snapshot, approve, &meta)
        .await
    {
        Ok(DeviceDecisionOutcome::Approved) => simple_page(
            StatusCode::OK,
            "You're signed in on your device",
            "<p>You can close this window and go back to your device.</p>",
        ),
        Ok(DeviceDecisionOutcome::Denied) => simple_page(
            StatusCode::OK,
            "Sign-in cancelled",
            "<p>The device was not signed in.</p>",
        ),
        Ok(DeviceDecisionOutcome::SignInRequired) => {
            let back = device_url(&typed);
            let client = provider
                .device_code_details(&typed)
                .await
                .ok()
                .flatten()
                .map(|d| d.client_id);
            sign_in_redirect(&back, client.as_deref(), None)
        }
        Ok(DeviceDecisionOutcome::Refused(why)) => code_form(&typed, Some(&why)),
        Err(error) => {
            tracing::error!(error = %error, "device code decision failed");
            simple_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "",
            )
        }
    }
}

fn device_url(typed: &str) -> String {
    if typed.is_empty() {
        return "/device".into();
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("user_code", typed)
        .finish();
    format!("/device?{query}")
}

fn code_form(typed: &str, problem: Option<&str>) -> Response {
    let problem = problem
        .map(|p| format!("<p role=\"alert\">{}</p>", escape_html(p)))
        .unwrap_or_default();
    simple_page(
        if problem.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::BAD_REQUEST
        },
        "Enter the code shown on your device",
        &format!(
            "{problem}<form method=\"get\" action=\"/device\"><label for=\"user_code\">Code</label> \
             <input id=\"user_code\" name=\"user_code\" value=\"{}\" autocomplete=\"off\" \
             autocapitalize=\"characters\" required> <button type=\"submit\">Next</button></form>",
            escape_html(typed)
        ),
    )
}

/// A state-changing form must come from our own pages: `Origin` (or `Referer`) names
/// this server when the browser sends one.
fn same_origin(state: &AppState, headers: &HeaderMap) -> bool {
    let base = state.base_url().trim_end_matches('/');
    match header_text(headers, header::ORIGIN) {
        Some(origin) => origin.trim_end_matches('/') == base,
        None => header_text(headers, header::REFERER)
            .is_none_or(|referer| referer.starts_with(&format!("{base}/"))),
    }
}
