//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2–§3).
//!
//! Two steps, like authorization: [`EndSessionParams::parse`] reads the request (GET
//! or POST); the glue verifies `id_token_hint` with our own keys (its expiry does not
//! matter here, the spec allows expired hints) and looks up the client named by
//! `client_id` or the hint's audience; [`validate_end_session`] then decides. A
//! `post_logout_redirect_uri` is only followed if it exactly matches one registered for
//! that client; otherwise the user sees our page and is not redirected anywhere.

use crate::client::ClientConfig;
use crate::params::Params;
use crate::redirect_uri::exact_match;

/// The end-session request parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndSessionParams {
    pub id_token_hint: Option<String>,
    pub post_logout_redirect_uri: Option<String>,
    pub state: Option<String>,
    pub client_id: Option<String>,
    pub logout_hint: Option<String>,
    pub ui_locales: Option<String>,
}

/// The glue's verdict on `id_token_hint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdTokenHintCheck {
    Absent,
    /// Our signature and issuer; expiry not checked.
    Valid {
        audience: String,
        subject: String,
        session_id: Option<String>,
    },
    Invalid,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogoutError {
    #[error("parameter {0} is included more than once or is too long")]
    MalformedParameter(String),
    #[error("id_token_hint is not an ID token issued by this provider")]
    InvalidIdTokenHint,
    #[error("client_id does not match the audience of id_token_hint")]
    ClientMismatch,
    #[error("post_logout_redirect_uri needs client_id or id_token_hint to identify the client")]
    RedirectWithoutClient,
    #[error("no application is registered with this client_id")]
    UnknownClient,
    #[error(
        "post_logout_redirect_uri is not registered for this application (it must match exactly)"
    )]
    RedirectNotRegistered,
}

/// What to do: end the session(s), then redirect or show our signed-out page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutDecision {
    pub client_id: Option<String>,
    /// The user and session the hint named, for the glue to compare with the cookie's.
    pub subject_hint: Option<String>,
    pub session_hint: Option<String>,
    /// The full redirect (registered URI plus `state`), if any.
    pub redirect: Option<String>,
    /// Without a valid `id_token_hint` the request may be forged (a logout CSRF), so
    /// the user is asked to confirm before the session ends.
    pub ask_user_to_confirm: bool,
}

impl EndSessionParams {
    pub fn parse(params: &Params) -> Result<Self, LogoutError> {
        let get = |name: &str| {
            params
                .get(name)
                .map(|v| v.map(str::to_owned))
                .map_err(|_| LogoutError::MalformedParameter(name.to_owned()))
        };
        Ok(EndSessionParams {
            id_token_hint: get("id_token_hint")?,
            post_logout_redirect_uri: get("post_logout_redirect_uri")?,
            state: get("state")?,
            client_id: get("client_id")?,
            logout_hint: get("logout_hint")?,
            ui_locales: get("ui_locales")?,
        })
    }

    /// The client to look up: `client_id`, else the hint's audience.
    pub fn client_to_look_up<'a>(&'a self, hint: &'a IdTokenHintCheck) -> Option<&'a str> {
        self.client_id.as_deref().or(match hint {
            IdTokenHintCheck::Valid { audience, .. } => Some(audience.as_str()),
            _ => None,
        })
    }
}

/// Decides the logout. `client` is the one named by [`EndSessionParams::client_to_look_up`].
pub fn validate_end_session(
    params: &EndSessionParams,
    hint: &IdTokenHintCheck,
    client: Option<&ClientConfig>,
) -> Result<LogoutDecision, LogoutError> {
    let (subject_hint, session_hint, hinted_client) = match hint {
        IdTokenHintCheck::Absent => (None, None, None),
        IdTokenHintCheck::Invalid => return Err(LogoutError::InvalidIdTokenHint),
        IdTokenHintCheck::Valid {
            audience,
            subject,
            session_id,
        } => (
            Some(subject.clone()),
            session_id.clone(),
            Some(audience.as_str()),
        ),
    };
    if let (Some(named), Some(hinted)) = (params.client_id.as_deref(), hinted_client)
        && named != hinted
    {
        return Err(LogoutError::ClientMismatch);
    }
    let client_id = params.client_id.as_deref().or(hinted_client);
    let client = match client_id {
        Some(id) => Some(
            client
                .filter(|c| c.client_id == id)
                .ok_or(LogoutError::UnknownClient)?,
        ),
        None => None,
    };
    let redirect = match &params.post_logout_redirect_uri {
        None => None,
        Some(uri) => {
            let client = client.ok_or(LogoutError::RedirectWithoutClient)?;
            if !exact_match(&client.post_logout_redirect_uris, uri) {
                return Err(LogoutError::RedirectNotRegistered);
            }
            Some(with_state(uri, params.state.as_deref()))
        }
    };
    Ok(LogoutDecision {
        client_id: client.map(|c| c.client_id.clone()),
        subject_hint,
        session_hint,
        redirect,
        ask_user_to_confirm: !matches!(hint, IdTokenHintCheck::Valid { .. }),
    })
}

fn with_state(uri: &str, state: Option<&str>) -> String {
    match state {
        None => uri.to_owned(),
        Some(state) => {
            let encoded = form_urlencoded::Serializer::new(String::new())
                .append_pair("state", state)
                .finish();
            let separator = if uri.contains('?') { '&' } else { '?' };
            format!("{uri}{separator}{encoded}")
        }
    }
}
