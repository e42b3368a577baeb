//! Token introspection (RFC 7662): request parsing and the response shape.
//!
//! The caller is an authenticated client (see [`crate::client_auth`]). A client only
//! learns about tokens that concern it — issued to it, or naming it as audience;
//! anything else is reported inactive (RFC 7662 §4), exactly like an unknown token, so
//! the endpoint cannot be used to test stolen tokens.

use serde::{Deserialize, Serialize};

use crate::error::OAuthError;
use crate::params::Params;

/// The request: the token and an optional hint the server may ignore.
#[derive(Clone, PartialEq, Eq)]
pub struct IntrospectionRequest {
    pub token: String,
    pub token_type_hint: Option<TokenTypeHint>,
}

impl std::fmt::Debug for IntrospectionRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntrospectionRequest")
            .field("token_type_hint", &self.token_type_hint)
            .finish_non_exhaustive()
    }
}

/// RFC 7009 §2.1 / RFC 7662 §2.1 hints. Unknown hints are ignored, as both allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenTypeHint {
    AccessToken,
    RefreshToken,
}

/// Reads `token` and `token_type_hint` (shared by introspection and revocation).
pub fn parse_token_and_hint(params: &Params) -> Result<IntrospectionRequest, OAuthError> {
    if let Some(problem) = params.first_problem() {
        return Err(OAuthError::invalid_request(problem.to_string()));
    }
    let token = params
        .get("token")
        .ok()
        .flatten()
        .ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    let token_type_hint = match params.get("token_type_hint").ok().flatten() {
        Some("access_token") => Some(TokenTypeHint::AccessToken),
        Some("refresh_token") => Some(TokenTypeHint::RefreshToken),
        _ => None,
    };
    Ok(IntrospectionRequest {
        token: token.to_owned(),
        token_type_hint,
    })
}

/// What the glue found out about a token that exists and is currently valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveToken {
    pub kind: TokenTypeHint,
    pub client_id: String,
    pub subject: Option<String>,
    pub username: Option<String>,
    pub scope: String,
    pub audience: Vec<String>,
    pub issuer: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub jti: Option<String>,
    pub session_id: Option<String>,
}

/// The RFC 7662 §2.2 response. An inactive token is `{"active": false}` and nothing
/// else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntrospectionResponse {
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

impl IntrospectionResponse {
    pub fn inactive() -> Self {
        IntrospectionResponse {
            active: false,
            scope: None,
            client_id: None,
            username: None,
            token_type: None,
            exp: None,
            iat: None,
            sub: None,
            aud: None,
            iss: None,
            jti: None,
            sid: None,
        }
    }

    /// The answer for `caller`: details only if the token is live at `now` and
    /// concerns the caller.
    pub fn for_caller(token: Option<&ActiveToken>, caller_client_id: &str, now: i64) -> Self {
        let Some(token) = token else {
            return Self::inactive();
        };
        let concerns_caller = token.client_id == caller_client_id
            || token.audience.iter().any(|aud| aud == caller_client_id);
        if !concerns_caller || now >= token.expires_at {
            return Self::inactive();
        }
        IntrospectionResponse {
            active: true,
            scope: Some(token.scope.clone()),
            client_id: Some(token.client_id.clone()),
            username: token.username.clone(),
            token_type: Some(match token.kind {
                TokenTypeHint::AccessToken => "Bearer".to_owned(),
                TokenTypeHint::RefreshToken => "refresh_token".to_owned(),
            }),
            exp: Some(token.expires_at),
            iat: Some(token.issued_at),
            sub: token.subject.clone(),
            aud: Some(token.audience.clone()),
            iss: Some(token.issuer.clone()),
            jti: token.jti.clone(),
            sid: token.session_id.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> ActiveToken {
        ActiveToken {
            kind: TokenTypeHint::AccessToken,
            client_id: "web-app".into(),
            subject: Some("u1".into()),
            username: Some("ada@example.org".into()),
            scope: "openid email".into(),
            audience: vec!["api".into()],
            issuer: "https://idp.example".into(),
            issued_at: 100,
            expires_at: 200,
            jti: Some("j1".into()),
            session_id: None,
        }
    }

    #[test]
    fn inactive_is_only_active_false() {
        assert_eq!(
            serde_json::to_value(IntrospectionResponse::inactive()).unwrap(),
            serde_json::json!({"active": false})
        );
        assert!(!IntrospectionResponse::for_caller(None, "web-app", 150).active);
    }

    #[test]
    fn details_only_for_the_client_or_audience_while_live() {
        let own = IntrospectionResponse::for_caller(Some(&token()), "web-app", 150);
        assert!(own.active);
        assert_eq!(own.sub.as_deref(), Some("u1"));
        assert!(IntrospectionResponse::for_caller(Some(&token()), "api", 150).active);
        assert!(!IntrospectionResponse::for_caller(Some(&token()), "other", 150).active);
        assert!(!IntrospectionResponse::for_caller(Some(&token()), "web-app", 200).active);
    }

    #[test]
    fn request_needs_a_token_and_ignores_odd_hints() {
        let p = Params::from_pairs([("token", "t"), ("token_type_hint", "id_token")]);
        let req = parse_token_and_hint(&p).unwrap();
        assert_eq!(req.token_type_hint, None);
        assert!(!format!("{req:?}").contains("\"t\""));
        assert!(parse_token_and_hint(&Params::default()).is_err());
    }
}
