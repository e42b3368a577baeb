//! Token request parsing (RFC 6749 §4.1.3, §4.4.2, §6; RFC 8628 §3.4).

use crate::client::{ClientConfig, ClientType, GrantType};
use crate::error::{ErrorCode, OAuthError};
use crate::params::Params;
use crate::scope::Scope;

/// A parsed token request, one variant per supported grant type. Client
/// authentication is read separately by [`crate::client_auth`].
#[derive(Clone, PartialEq, Eq)]
pub enum TokenGrantRequest {
    AuthorizationCode {
        code: String,
        redirect_uri: Option<String>,
        code_verifier: Option<String>,
    },
    RefreshToken {
        refresh_token: String,
        /// A narrower scope for the new access token, if asked for.
        scope: Option<Scope>,
    },
    ClientCredentials {
        scope: Option<Scope>,
    },
    DeviceCode {
        device_code: String,
    },
}

impl std::fmt::Debug for TokenGrantRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Codes and tokens are bearer secrets: keep them out of logs.
        f.debug_struct("TokenGrantRequest")
            .field("grant_type", &self.grant_type().as_str())
            .finish_non_exhaustive()
    }
}

impl TokenGrantRequest {
    pub fn grant_type(&self) -> GrantType {
        match self {
            TokenGrantRequest::AuthorizationCode { .. } => GrantType::AuthorizationCode,
            TokenGrantRequest::RefreshToken { .. } => GrantType::RefreshToken,
            TokenGrantRequest::ClientCredentials { .. } => GrantType::ClientCredentials,
            TokenGrantRequest::DeviceCode { .. } => GrantType::DeviceCode,
        }
    }
}

/// Parses the body of a token request. Any duplicated parameter is `invalid_request`.
pub fn parse_token_request(params: &Params) -> Result<TokenGrantRequest, OAuthError> {
    if let Some(problem) = params.first_problem() {
        return Err(OAuthError::invalid_request(problem.to_string()));
    }
    let optional = |name: &str| {
        params
            .get(name)
            .map(|v| v.map(str::to_owned))
            .map_err(|e| OAuthError::invalid_request(e.to_string()))
    };
    let required = |name: &str| {
        optional(name)?.ok_or_else(|| OAuthError::invalid_request(format!("{name} is required")))
    };
    let scope = || -> Result<Option<Scope>, OAuthError> {
        optional("scope")?
            .map(|s| {
                Scope::parse(&s)
                    .map_err(|e| OAuthError::new(ErrorCode::InvalidScope, e.to_string()))
            })
            .transpose()
    };
    let grant_type = required("grant_type")?;
    let grant = GrantType::parse(&grant_type).ok_or_else(|| {
        OAuthError::new(
            ErrorCode::UnsupportedGrantType,
            format!("grant_type {grant_type:?} is not supported"),
        )
    })?;
    Ok(match grant {
        GrantType::AuthorizationCode => TokenGrantRequest::AuthorizationCode {
            code: required("code")?,
            redirect_uri: optional("redirect_uri")?,
            code_verifier: optional("code_verifier")?,
        },
        GrantType::RefreshToken => TokenGrantRequest::RefreshToken {
            refresh_token: required("refresh_token")?,
            scope: scope()?,
        },
        GrantType::ClientCredentials => TokenGrantRequest::ClientCredentials { scope: scope()? },
        GrantType::DeviceCode => TokenGrantRequest::DeviceCode {
            device_code: required("device_code")?,
        },
    })
}

/// Whether the client may use this grant: it must be registered for it, and client
/// credentials need a client that can keep a secret (RFC 6749 §4.4).
pub fn check_grant_allowed(client: &ClientConfig, grant: GrantType) -> Result<(), OAuthError> {
    let unauthorized = |why: String| OAuthError::new(ErrorCode::UnauthorizedClient, why);
    if !client.allows_grant(grant) {
        return Err(unauthorized(format!(
            "this client may not use the {} grant",
            grant.as_str()
        )));
    }
    if grant == GrantType::ClientCredentials && client.client_type == ClientType::Public {
        return Err(unauthorized(
            "public clients cannot use client_credentials".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<TokenGrantRequest, OAuthError> {
        parse_token_request(&Params::from_pairs(pairs.iter().copied()))
    }

    #[test]
    fn each_grant_type_is_parsed() {
        assert_eq!(
            parse(&[
                ("grant_type", "authorization_code"),
                ("code", "c"),
                ("redirect_uri", "r"),
                ("code_verifier", "v")
            ])
            .unwrap(),
            TokenGrantRequest::AuthorizationCode {
                code: "c".into(),
                redirect_uri: Some("r".into()),
                code_verifier: Some("v".into())
            }
        );
        assert_eq!(
            parse(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", "t"),
                ("scope", "openid")
            ])
            .unwrap(),
            TokenGrantRequest::RefreshToken {
                refresh_token: "t".into(),
                scope: Some(Scope::from_tokens(["openid"]))
            }
        );
        assert_eq!(
            parse(&[("grant_type", "client_credentials")]).unwrap(),
            TokenGrantRequest::ClientCredentials { scope: None }
        );
        assert_eq!(
            parse(&[
                ("grant_type", GrantType::DEVICE_CODE_URN),
                ("device_code", "d")
            ])
            .unwrap()
            .grant_type(),
            GrantType::DeviceCode
        );
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(parse(&[]).unwrap_err().code, ErrorCode::InvalidRequest);
        assert_eq!(
            parse(&[("grant_type", "password")]).unwrap_err().code,
            ErrorCode::UnsupportedGrantType
        );
        let missing = parse(&[("grant_type", "authorization_code")]).unwrap_err();
        assert_eq!(missing.description, "code is required");
        let dup = parse(&[
            ("grant_type", "authorization_code"),
            ("code", "a"),
            ("code", "b"),
        ])
        .unwrap_err();
        assert_eq!(dup.code, ErrorCode::InvalidRequest);
        assert_eq!(
            parse(&[("grant_type", "client_credentials"), ("scope", "a\"b")])
                .unwrap_err()
                .code,
            ErrorCode::InvalidScope
        );
    }

    #[test]
    fn debug_hides_codes_and_tokens() {
        let req = parse(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "secret-token"),
        ])
        .unwrap();
        assert!(!format!("{req:?}").contains("secret-token"));
    }
}
