//! The answer sent back to the client's redirect URI, success or error, in either
//! response mode. Every answer carries `iss` (RFC 9207) so a client talking to several
//! providers can tell which one answered (mix-up defence).

use serde::{Deserialize, Serialize};

use super::request::{AuthorizationRequest, ResponseMode};
use crate::error::OAuthError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationResponse {
    /// The validated redirect URI (exactly as the client sent it).
    pub redirect_uri: String,
    pub response_mode: ResponseMode,
    /// The response parameters, in order.
    pub params: Vec<(String, String)>,
}

impl AuthorizationResponse {
    /// A successful code response (RFC 6749 §4.1.2).
    pub fn success(request: &AuthorizationRequest, code: &str, issuer: &str) -> Self {
        let mut params = vec![("code".to_owned(), code.to_owned())];
        if let Some(state) = &request.state {
            params.push(("state".to_owned(), state.clone()));
        }
        params.push(("iss".to_owned(), issuer.to_owned()));
        AuthorizationResponse {
            redirect_uri: request.redirect_uri.clone(),
            response_mode: request.response_mode,
            params,
        }
    }

    /// An error response (RFC 6749 §4.1.2.1), e.g. `login_required` for `prompt=none`
    /// or `access_denied` when Conditional Access blocks the sign-in.
    pub fn error(
        redirect_uri: &str,
        response_mode: ResponseMode,
        state: Option<&str>,
        issuer: &str,
        error: &OAuthError,
    ) -> Self {
        let mut params = vec![
            ("error".to_owned(), error.code.as_str().to_owned()),
            ("error_description".to_owned(), error.description.clone()),
        ];
        if let Some(state) = state {
            params.push(("state".to_owned(), state.to_owned()));
        }
        params.push(("iss".to_owned(), issuer.to_owned()));
        AuthorizationResponse {
            redirect_uri: redirect_uri.to_owned(),
            response_mode,
            params,
        }
    }

    /// The error response for a validated request (keeps its mode and state).
    pub fn error_for(request: &AuthorizationRequest, issuer: &str, error: &OAuthError) -> Self {
        Self::error(
            &request.redirect_uri,
            request.response_mode,
            request.state.as_deref(),
            issuer,
            error,
        )
    }

    /// The `Location` for `response_mode=query`: the parameters appended to the
    /// redirect URI's query, keeping any query the registered URI already has
    /// (RFC 6749 §3.1.2).
    pub fn redirect_url(&self) -> String {
        let encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.params.iter())
            .finish();
        let separator = match self.redirect_uri.find('?') {
            None => '?',
            Some(at) if at + 1 == self.redirect_uri.len() || self.redirect_uri.ends_with('&') => {
                return format!("{}{encoded}", self.redirect_uri);
            }
            Some(_) => '&',
        };
        format!("{}{separator}{encoded}", self.redirect_uri)
    }

    /// The hidden fields of the auto-submitting form for `response_mode=form_post`
    /// (OAuth 2.0 Form Post Response Mode), for a glue that renders its own page;
    /// [`Self::form_post_html`] renders a complete, escaped one.
    pub fn form_post_fields(&self) -> &[(String, String)] {
        &self.params
    }

    /// The value of one response parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn error_summary(&self) -> String {
        match (self.param("error"), self.param("error_description")) {
            (Some(error), Some(description)) => format!("{error}: {description}"),
            _ => "authorization response".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn query_is_appended_with_the_right_separator() {
        let err = OAuthError::new(ErrorCode::AccessDenied, "blocked by policy");
        let plain = AuthorizationResponse::error(
            "https://a.example/cb",
            ResponseMode::Query,
            Some("s 1"),
            "https://idp.example",
            &err,
        );
        assert_eq!(
            plain.redirect_url(),
            "https://a.example/cb?error=access_denied&error_description=blocked+by+policy&state=s+1&iss=https%3A%2F%2Fidp.example"
        );
        let with_query = AuthorizationResponse {
            redirect_uri: "https://a.example/cb?tenant=1".into(),
            ..plain.clone()
        };
        assert!(
            with_query
                .redirect_url()
                .starts_with("https://a.example/cb?tenant=1&error=")
        );
    }
}
