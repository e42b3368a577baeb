//! Validation of an authorization request (RFC 6749 §4.1.1, OpenID Connect Core
//! §3.1.2.1, RFC 7636). Unknown parameters are ignored; duplicated ones are refused.

use serde::{Deserialize, Serialize};

use super::error::{AuthorizeError, ErrorPageReason};
use super::prompt::PromptSet;
use super::response::AuthorizationResponse;
use crate::acr::{AcrValue, parse_acr_values};
use crate::client::{ClientConfig, GrantType};
use crate::error::{ErrorCode, OAuthError};
use crate::params::Params;
use crate::pkce::{CodeChallenge, PkceError};
use crate::redirect_uri::redirect_uri_matches;
use crate::scope::{OPENID, Scope};

/// How the response reaches the client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    /// Parameters in the redirect URI's query (the default for `code`).
    #[default]
    Query,
    /// An auto-submitting HTML form POSTed to the redirect URI.
    FormPost,
}

/// A valid authorization request, ready for sign-in and consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub response_mode: ResponseMode,
    pub scope: Scope,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub prompt: PromptSet,
    /// Seconds since the last active authentication beyond which the user must sign
    /// in again. `max_age=0` means "always", like `prompt=login`.
    pub max_age: Option<u64>,
    pub login_hint: Option<String>,
    /// Passed on for the glue to verify (it is one of our ID tokens; its signature
    /// check needs our keys).
    pub id_token_hint: Option<String>,
    pub acr_values: Vec<AcrValue>,
    pub code_challenge: Option<CodeChallenge>,
}

impl AuthorizationRequest {
    /// Whether a session authenticated at `auth_time` is too old for this request's
    /// `max_age` at `now` (both Unix seconds); `prompt=login` always forces sign-in.
    pub fn requires_fresh_login(&self, auth_time: i64, now: i64) -> bool {
        if self.prompt.login {
            return true;
        }
        match self.max_age {
            // OpenID Connect Core §3.1.2.1: max_age=0 means re-authenticate, like
            // prompt=login, even within the same second.
            Some(0) => true,
            Some(max_age) => {
                let age = now.saturating_sub(auth_time);
                age > i64::try_from(max_age).unwrap_or(i64::MAX)
            }
            None => false,
        }
    }
}

/// Validates an authorization request. `client` is the registered client named by
/// `params.get("client_id")`, or `None` if there is none. Errors that cannot be
/// trusted to a redirect are [`AuthorizeError::ShowErrorPage`].
pub fn validate_authorization_request(
    params: &Params,
    client: Option<&ClientConfig>,
    issuer: &str,
) -> Result<AuthorizationRequest, AuthorizeError> {
    let page = |reason| AuthorizeError::ShowErrorPage(reason);
    let client_id = params
        .get("client_id")
        .map_err(|_| page(ErrorPageReason::MalformedClientId))?
        .ok_or(page(ErrorPageReason::MissingClientId))?;
    let client = client
        .filter(|c| c.client_id == client_id)
        .ok_or(page(ErrorPageReason::UnknownClient))?;
    let redirect_uri = params
        .get("redirect_uri")
        .map_err(|_| page(ErrorPageReason::MalformedRedirectUri))?
        .ok_or(page(ErrorPageReason::MissingRedirectUri))?;
    if !redirect_uri_matches(
        &client.redirect_uris,
        redirect_uri,
        client.loopback_redirect_any_port,
    ) {
        return Err(page(ErrorPageReason::RedirectUriNotRegistered));
    }

    // From here on the redirect URI is trusted. Work out the mode and state first so
    // that every later error can be sent back the way the client expects.
    let state = params.get("state").ok().flatten();
    let requested_mode = params.get("response_mode");
    let response_mode = match requested_mode {
        Ok(Some("form_post")) => ResponseMode::FormPost,
        _ => ResponseMode::Query,
    };
    let fail = |code: ErrorCode, description: String| {
        AuthorizeError::Redirect(Box::new(AuthorizationResponse::error(
            redirect_uri,
            response_mode,
            state,
            issuer,
            &OAuthError::new(code, description),
        )))
    };
    let invalid = |description: String| fail(ErrorCode::InvalidRequest, description);

    if let Some(problem) = params.first_problem() {
        return Err(invalid(problem.to_string()));
    }
    match requested_mode {
        Ok(None | Some("query" | "form_post")) => {}
        Ok(Some(other)) => {
            return Err(invalid(format!(
                "response_mode {other:?} is not supported (use query or form_post)"
            )));
        }
        Err(e) => return Err(invalid(e.to_string())),
    }
    // Request objects (JAR) are not supported; say so with their own error codes.
    if params.contains("request") {
        return Err(fail(
            ErrorCode::RequestNotSupported,
            "request objects are not supported".into(),
        ));
    }
    if params.contains("request_uri") {
        return Err(fail(
            ErrorCode::RequestUriNotSupported,
            "request_uri is not supported".into(),
        ));
    }
    let get = |name: &str| params.get(name).map_err(|e| invalid(e.to_string()));

    match get("response_type")? {
        Some("code") => {}
        Some(other) => {
            return Err(fail(
                ErrorCode::UnsupportedResponseType,
                format!("response_type {other:?} is not supported (only code)"),
            ));
        }
        None => return Err(invalid("response_type is required".into())),
    }
    if !client.allows_grant(GrantType::AuthorizationCode) {
        return Err(fail(
            ErrorCode::UnauthorizedClient,
            "this application may not use the authorization code flow".into(),
        ));
    }

    let scope = match get("scope")? {
        Some(value) => {
            Scope::parse(value).map_err(|e| fail(ErrorCode::InvalidScope, e.to_string()))?
        }
        None => Scope::default(),
    };
    if !scope.contains(OPENID) {
        return Err(fail(
            ErrorCode::InvalidScope,
            "scope must include openid".into(),
        ));
    }

    let prompt = match get("prompt")? {
        Some(value) => PromptSet::parse(value).map_err(invalid)?,
        None => PromptSet::default(),
    };
    let max_age = match get("max_age")? {
        Some(value) => Some(
            value
                .parse::<u64>()
                .map_err(|_| invalid("max_age must be a non-negative number of seconds".into()))?,
        ),
        None => None,
    };

    let code_challenge = match (get("code_challenge")?, get("code_challenge_method")?) {
        (Some(challenge), method) => {
            Some(CodeChallenge::parse(challenge, method).map_err(|e| invalid(e.to_string()))?)
        }
        (None, Some(_)) => return Err(invalid(PkceError::MethodWithoutChallenge.to_string())),
        (None, None) if client.requires_pkce() => {
            return Err(invalid(
                "this application must use PKCE: send code_challenge with code_challenge_method=S256"
                    .into(),
            ));
        }
        (None, None) => None,
    };

    Ok(AuthorizationRequest {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        response_mode,
        scope,
        state: state.map(str::to_owned),
        nonce: get("nonce")?.map(str::to_owned),
        prompt,
        max_age,
        login_hint: get("login_hint")?.map(str::to_owned),
        id_token_hint: get("id_token_hint")?.map(str::to_owned),
        acr_values: get("acr_values")?.map(parse_acr_values).unwrap_or_default(),
        code_challenge,
    })
}
