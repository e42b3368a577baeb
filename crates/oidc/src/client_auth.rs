//! Client authentication at the token, introspection, revocation and device
//! authorization endpoints (RFC 6749 §2.3, OpenID Connect Core §9).
//!
//! This module only *reads* the credentials and checks that exactly one method was
//! used and that it is the one the client registered. Checking a secret against its
//! stored hash is the glue's job (`ApplicationSecret::accepts` in `portcullis-core`);
//! a client assertion is checked by [`crate::client_assertion`].

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::percent_decode_str;

use crate::client::{ClientConfig, TokenEndpointAuthMethod};
use crate::error::OAuthError;
use crate::params::Params;

/// RFC 7523 §2.2.
pub const JWT_BEARER_ASSERTION_TYPE: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The credentials a request presented.
#[derive(Clone, PartialEq, Eq)]
pub enum ClientCredentials {
    SecretBasic {
        client_id: String,
        secret: String,
    },
    SecretPost {
        client_id: String,
        secret: String,
    },
    /// `client_id` is the body parameter if sent; otherwise the glue takes it from the
    /// assertion's `iss` ([`crate::client_assertion::unverified_issuer`]).
    PrivateKeyJwt {
        client_id: Option<String>,
        assertion: String,
    },
    /// A public client naming itself.
    None {
        client_id: String,
    },
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print secrets or assertions.
        f.debug_struct("ClientCredentials")
            .field("method", &self.method().as_str())
            .field("client_id", &self.client_id())
            .finish_non_exhaustive()
    }
}

impl ClientCredentials {
    pub fn method(&self) -> TokenEndpointAuthMethod {
        match self {
            ClientCredentials::SecretBasic { .. } => TokenEndpointAuthMethod::ClientSecretBasic,
            ClientCredentials::SecretPost { .. } => TokenEndpointAuthMethod::ClientSecretPost,
            ClientCredentials::PrivateKeyJwt { .. } => TokenEndpointAuthMethod::PrivateKeyJwt,
            ClientCredentials::None { .. } => TokenEndpointAuthMethod::None,
        }
    }

    /// The client id the request claims, if it names one directly.
    pub fn client_id(&self) -> Option<&str> {
        match self {
            ClientCredentials::SecretBasic { client_id, .. }
            | ClientCredentials::SecretPost { client_id, .. }
            | ClientCredentials::None { client_id } => Some(client_id),
            ClientCredentials::PrivateKeyJwt { client_id, .. } => client_id.as_deref(),
        }
    }

    /// The presented secret, for the two secret methods.
    pub fn secret(&self) -> Option<&str> {
        match self {
            ClientCredentials::SecretBasic { secret, .. }
            | ClientCredentials::SecretPost { secret, .. } => Some(secret),
            _ => None,
        }
    }

    /// The client must use the method it registered: a confidential client that
    /// "forgets" its secret is not a public client.
    pub fn check_registered_method(&self, client: &ClientConfig) -> Result<(), OAuthError> {
        if self.method() == client.token_endpoint_auth_method {
            Ok(())
        } else {
            Err(OAuthError::invalid_client(format!(
                "this client must authenticate with {}",
                client.token_endpoint_auth_method.as_str()
            )))
        }
    }
}

/// Reads the client's credentials from the `Authorization` header value (if any) and
/// the body parameters. More than one method in one request is `invalid_request`
/// (RFC 6749 §2.3); none at all is `invalid_client`.
pub fn parse_client_credentials(
    authorization: Option<&str>,
    params: &Params,
) -> Result<ClientCredentials, OAuthError> {
    let get = |name: &str| {
        params
            .get(name)
            .map_err(|e| OAuthError::invalid_request(e.to_string()))
    };
    let body_id = get("client_id")?;
    let body_secret = get("client_secret")?;
    let assertion = get("client_assertion")?;
    let assertion_type = get("client_assertion_type")?;
    let basic = authorization.map(parse_basic).transpose()?;

    let methods = usize::from(basic.is_some())
        + usize::from(body_secret.is_some())
        + usize::from(assertion.is_some() || assertion_type.is_some());
    if methods > 1 {
        return Err(OAuthError::invalid_request(
            "use exactly one client authentication method per request",
        ));
    }
    if let Some((client_id, secret)) = basic {
        // Many clients also send client_id in the body; harmless if it agrees.
        if body_id.is_some_and(|id| id != client_id) {
            return Err(OAuthError::invalid_request(
                "client_id in the body differs from the one in the Authorization header",
            ));
        }
        return Ok(ClientCredentials::SecretBasic { client_id, secret });
    }
    if let Some(secret) = body_secret {
        let client_id = body_id.ok_or_else(|| {
            OAuthError::invalid_request("client_secret was sent without client_id")
        })?;
        return Ok(ClientCredentials::SecretPost {
            client_id: client_id.to_owned(),
            secret: secret.to_owned(),
        });
    }
    if assertion.is_some() || assertion_type.is_some() {
        if assertion_type != Some(JWT_BEARER_ASSERTION_TYPE) {
            return Err(OAuthError::invalid_request(format!(
                "client_assertion_type must be {JWT_BEARER_ASSERTION_TYPE}"
            )));
        }
        let assertion = assertion.ok_or_else(|| {
            OAuthError::invalid_request("client_assertion_type was sent without client_assertion")
        })?;
        return Ok(ClientCredentials::PrivateKeyJwt {
            client_id: body_id.map(str::to_owned),
            assertion: assertion.to_owned(),
        });
    }
    match body_id {
        Some(client_id) => Ok(ClientCredentials::None {
            client_id: client_id.to_owned(),
        }),
        None => Err(OAuthError::invalid_client(
            "no client authentication was sent",
        )),
    }
}

/// RFC 6749 §2.3.1 / RFC 7617: `Basic base64(urlencode(id) ":" urlencode(secret))`.
/// The id and secret are form-urlencoded *before* base64, so a `:` inside either
/// arrives as `%3A` and must be decoded after splitting on the literal colon.
fn parse_basic(header: &str) -> Result<(String, String), OAuthError> {
    let bad = |why: &str| OAuthError::invalid_client(format!("Authorization header: {why}"));
    let (scheme, encoded) = header
        .trim()
        .split_once(' ')
        .ok_or_else(|| bad("expected \"Basic <credentials>\""))?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(bad("only the Basic scheme authenticates clients"));
    }
    let decoded = STANDARD
        .decode(encoded.trim())
        .map_err(|_| bad("credentials are not valid base64"))?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad("credentials are not UTF-8"))?;
    let (id, secret) = decoded
        .split_once(':')
        .ok_or_else(|| bad("credentials have no ':' between client id and secret"))?;
    let id = form_decode(id).ok_or_else(|| bad("client id is not valid percent-encoding"))?;
    let secret = form_decode(secret).ok_or_else(|| bad("secret is not valid percent-encoding"))?;
    if id.is_empty() {
        return Err(bad("client id is empty"));
    }
    Ok((id, secret))
}

/// `application/x-www-form-urlencoded` decoding of one component: `+` is a space,
/// `%XX` a byte; the result must be UTF-8.
fn form_decode(component: &str) -> Option<String> {
    let spaced = component.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(raw: &str) -> String {
        format!("Basic {}", STANDARD.encode(raw))
    }

    #[test]
    fn basic_credentials_are_form_decoded_after_splitting() {
        let params = Params::default();
        let creds =
            parse_client_credentials(Some(&basic("my%20app:s%3Acr%2Bt+x")), &params).unwrap();
        assert_eq!(
            creds,
            ClientCredentials::SecretBasic {
                client_id: "my app".into(),
                secret: "s:cr+t x".into()
            }
        );
    }

    /// Produced by oauth4webapi 3.8.8 (the library under npm `openid-client` 6),
    /// `ClientSecretBasic("pa:ss+w%rd é")` for client id `my app:1`: an independent
    /// implementation of the RFC 6749 §2.3.1 encoding.
    #[test]
    fn header_from_a_certified_client_library_decodes() {
        let header = "Basic bXkrYXBwJTNBMTpwYSUzQXNzJTJCdyUyNXJkKyVDMyVBOQ==";
        let creds = parse_client_credentials(Some(header), &Params::default()).unwrap();
        assert_eq!(creds.client_id(), Some("my app:1"));
        assert_eq!(creds.secret(), Some("pa:ss+w%rd é"));
    }

    #[test]
    fn basic_scheme_is_case_insensitive_and_other_schemes_fail() {
        let header = basic("a:b").replacen("Basic", "bAsIc", 1);
        assert!(parse_client_credentials(Some(&header), &Params::default()).is_ok());
        let bearer = parse_client_credentials(Some("Bearer abc"), &Params::default());
        assert_eq!(bearer.unwrap_err().code, crate::ErrorCode::InvalidClient);
        for broken in ["Basic !!!", "Basic", &basic("no-colon"), &basic(":secret")] {
            assert!(
                parse_client_credentials(Some(broken), &Params::default()).is_err(),
                "{broken}"
            );
        }
    }

    #[test]
    fn two_methods_are_invalid_request() {
        let both = Params::from_pairs([("client_id", "a"), ("client_secret", "b")]);
        let err = parse_client_credentials(Some(&basic("a:b")), &both).unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::InvalidRequest);
        let post_and_jwt = Params::from_pairs([
            ("client_id", "a"),
            ("client_secret", "b"),
            ("client_assertion_type", JWT_BEARER_ASSERTION_TYPE),
            ("client_assertion", "x.y.z"),
        ]);
        let err = parse_client_credentials(None, &post_and_jwt).unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::InvalidRequest);
    }

    #[test]
    fn post_jwt_and_public_forms() {
        let post = Params::from_pairs([("client_id", "a"), ("client_secret", "b")]);
        assert_eq!(
            parse_client_credentials(None, &post).unwrap().method(),
            TokenEndpointAuthMethod::ClientSecretPost
        );
        let jwt = Params::from_pairs([
            ("client_assertion_type", JWT_BEARER_ASSERTION_TYPE),
            ("client_assertion", "x.y.z"),
        ]);
        let creds = parse_client_credentials(None, &jwt).unwrap();
        assert_eq!(creds.method(), TokenEndpointAuthMethod::PrivateKeyJwt);
        assert_eq!(creds.client_id(), None);
        let wrong_type = Params::from_pairs([
            ("client_assertion_type", "urn:x"),
            ("client_assertion", "x"),
        ]);
        assert!(parse_client_credentials(None, &wrong_type).is_err());
        let public = Params::from_pairs([("client_id", "native")]);
        assert_eq!(
            parse_client_credentials(None, &public).unwrap(),
            ClientCredentials::None {
                client_id: "native".into()
            }
        );
        assert_eq!(
            parse_client_credentials(None, &Params::default())
                .unwrap_err()
                .code,
            crate::ErrorCode::InvalidClient
        );
        let secret_only = Params::from_pairs([("client_secret", "b")]);
        assert!(parse_client_credentials(None, &secret_only).is_err());
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let creds = ClientCredentials::SecretPost {
            client_id: "a".into(),
            secret: "hunter2".into(),
        };
        assert!(!format!("{creds:?}").contains("hunter2"));
    }
}
