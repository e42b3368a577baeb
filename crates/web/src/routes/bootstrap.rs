//! The one-time page that creates the first Global Administrator. Deliberately
//! minimal: a form for the administrator's userPrincipalName, name and password.

use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use portcullis_service::ServiceError;
use portcullis_service::bootstrap::{BootstrapForm, MIN_PASSWORD_LEN};
use serde::Deserialize;

use crate::client_ip::ClientIp;
use crate::query_pairs::QueryPairs;
use crate::state::AppState;

/// The link carries a secret: keep it out of caches, referrers and frames.
const SECURITY_HEADERS: [(header::HeaderName, &str); 4] = [
    (header::CACHE_CONTROL, "no-store"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
];

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} – Portcullis</title></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>",
        title = escape(title)
    );
    (status, SECURITY_HEADERS, Html(html)).into_response()
}

/// The form; `fixed_upn` when the administrator already exists (offline bootstrap) and
/// only the password is set.
fn form(
    token: &str,
    error: Option<&str>,
    upn: &str,
    display_name: &str,
    fixed_upn: bool,
) -> String {
    let error = error
        .map(|e| format!("<p role=\"alert\"><strong>{}</strong></p>", escape(e)))
        .unwrap_or_default();
    format!(
        "{error}<form method=\"post\" action=\"/bootstrap\">\
         <input type=\"hidden\" name=\"token\" value=\"{token}\">\
         <p><label>User principal name<br><input name=\"userPrincipalName\" type=\"email\" required autocomplete=\"username\" value=\"{upn}\"{readonly}></label></p>\
         {name_field}\
         <p><label>Password (at least {MIN_PASSWORD_LEN} characters)<br><input name=\"password\" type=\"password\" required minlength=\"{MIN_PASSWORD_LEN}\" autocomplete=\"new-password\"></label></p>\
         <p><button type=\"submit\">Create administrator</button></p></form>",
        token = escape(token),
        upn = escape(upn),
        readonly = if fixed_upn { " readonly" } else { "" },
        name_field = if fixed_upn {
            String::new()
        } else {
            format!(
                "<p><label>Display name<br><input name=\"displayName\" autocomplete=\"name\" value=\"{}\"></label></p>",
                escape(display_name)
            )
        },
    )
}

/// `GET /bootstrap?token=…`.
pub async fn show(State(state): State<AppState>, QueryPairs(pairs): QueryPairs) -> Response {
    let token = pairs
        .iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if token.is_empty() || !state.services.bootstrap_link_is_valid(token).await {
        return page(
            StatusCode::NOT_FOUND,
            "Link not valid",
            "<p>This setup link is invalid, already used or expired. Run <code>portcullis bootstrap</code> on the server for a new one.</p>",
        );
    }
    match state.services.bootstrap_link_user(token).await {
        Ok(Some(admin)) => page(
            StatusCode::OK,
            "Set the administrator's password",
            &form(token, None, &admin.user_principal_name, "", true),
        ),
        _ => page(
            StatusCode::OK,
            "Create the first administrator",
            &form(token, None, "", "", false),
        ),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmittedForm {
    token: String,
    user_principal_name: String,
    #[serde(default)]
    display_name: String,
    password: String,
}

/// `POST /bootstrap`.
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(submitted): Form<SubmittedForm>,
) -> Response {
    let upn = submitted.user_principal_name.clone();
    let display_name = submitted.display_name.clone();
    let token = submitted.token.clone();
    let result = state
        .services
        .redeem_bootstrap(
            BootstrapForm {
                token: submitted.token,
                user_principal_name: submitted.user_principal_name,
                display_name: submitted.display_name,
                password: submitted.password,
            },
            Some(ip.to_string()),
        )
        .await;
    match result {
        Ok(user) => page(
            StatusCode::OK,
            "Administrator ready",
            &format!(
                "<p>{} is now a Global Administrator. This link no longer works.</p>",
                escape(&user.user_principal_name)
            ),
        ),
        Err(ServiceError::Invalid(why)) | Err(ServiceError::Conflict(why)) => {
            if state.services.bootstrap_link_is_valid(&token).await {
                let fixed = matches!(
                    state.services.bootstrap_link_user(&token).await,
                    Ok(Some(_))
                );
                page(
                    StatusCode::BAD_REQUEST,
                    "Create the first administrator",
                    &form(&token, Some(&why), &upn, &display_name, fixed),
                )
            } else {
                page(
                    StatusCode::BAD_REQUEST,
                    "Link not valid",
                    &format!("<p>{}</p>", escape(&why)),
                )
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "bootstrap failed");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "<p>See the server log.</p>",
            )
        }
    }
}
