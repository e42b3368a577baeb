//! Access tokens: signed JWTs carrying the Graph app roles of the calling application.

use jsonwebtoken::{Header, Validation};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::signing_key::{SIGNING_ALGORITHM, TokenKey};

/// The audience of tokens for the admin API. Clients written for Entra ask for
/// `https://graph.microsoft.com/.default`; both scopes map to this audience.
pub const ADMIN_API_AUDIENCE: &str = "urn:portcullis:graph";

/// Clock skew tolerated when checking `exp` and `nbf`, in seconds.
const LEEWAY_SECS: u64 = 30;

/// The claims of an app-only access token, named as Entra names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    pub iss: String,
    pub aud: String,
    /// The application's object id.
    pub sub: String,
    /// The client id the token was issued to.
    pub azp: String,
    /// The tenant (this Portcullis installation).
    pub tid: String,
    /// Graph app roles granted to the application.
    pub roles: Vec<String>,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    /// `app` for client-credentials tokens, as Entra's `idtyp`.
    pub idtyp: String,
}

/// What to put in a new token.
#[derive(Debug, Clone)]
pub struct TokenRequest<'a> {
    pub issuer: &'a str,
    pub tenant_id: &'a str,
    pub application_id: &'a str,
    pub client_id: &'a str,
    pub roles: Vec<String>,
    pub now: OffsetDateTime,
    pub lifetime: time::Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("signing the token failed: {0}")]
    Sign(String),
    #[error("the token is malformed: {0}")]
    Malformed(String),
    #[error("the token's algorithm {0} is not accepted (only ES256)")]
    Algorithm(String),
    #[error("the token names no key id, or one this server does not know")]
    UnknownKey,
    #[error("the token is invalid: {0}")]
    Invalid(String),
}

/// Signs a token and returns it with its claims.
pub fn issue(
    key: &TokenKey,
    request: &TokenRequest<'_>,
) -> Result<(String, AccessTokenClaims), TokenError> {
    let iat = request.now.unix_timestamp();
    let claims = AccessTokenClaims {
        iss: request.issuer.to_owned(),
        aud: ADMIN_API_AUDIENCE.to_owned(),
        sub: request.application_id.to_owned(),
        azp: request.client_id.to_owned(),
        tid: request.tenant_id.to_owned(),
        roles: request.roles.clone(),
        iat,
        nbf: iat,
        exp: iat + request.lifetime.whole_seconds(),
        jti: Uuid::new_v4().to_string(),
        idtyp: "app".to_owned(),
    };
    let mut header = Header::new(SIGNING_ALGORITHM);
    header.kid = Some(key.kid().to_owned());
    header.typ = Some("at+jwt".to_owned());
    let token = key
        .encode(&header, &claims)
        .map_err(|e| TokenError::Sign(e.to_string()))?;
    Ok((token, claims))
}

/// Verifies a bearer token: algorithm (ES256 only, so never `none` or HMAC), key,
/// signature, issuer, audience, expiry and not-before.
pub fn verify<'k>(
    token: &str,
    issuer: &str,
    find_key: impl Fn(&str) -> Option<&'k TokenKey>,
) -> Result<AccessTokenClaims, TokenError> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| {
        // jsonwebtoken cannot even represent `none`; report it as an algorithm error.
        if token_declares_alg_none(token) {
            TokenError::Algorithm("none".into())
        } else {
            TokenError::Malformed(e.to_string())
        }
    })?;
    if header.alg != SIGNING_ALGORITHM {
        return Err(TokenError::Algorithm(format!("{:?}", header.alg)));
    }
    let key = header
        .kid
        .as_deref()
        .and_then(find_key)
        .ok_or(TokenError::UnknownKey)?;
    let mut validation = Validation::new(SIGNING_ALGORITHM);
    validation.leeway = LEEWAY_SECS;
    validation.validate_nbf = true;
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[ADMIN_API_AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
    jsonwebtoken::decode::<AccessTokenClaims>(token, key.decoding_key(), &validation)
        .map(|data| data.claims)
        .map_err(|e| TokenError::Invalid(e.to_string()))
}

/// The `kid` a token's header names, if it has a readable header.
pub fn key_id_of(token: &str) -> Option<String> {
    jsonwebtoken::decode_header(token).ok().and_then(|h| h.kid)
}

fn token_declares_alg_none(token: &str) -> bool {
    use base64::Engine;
    let Some(header) = token.split('.').next() else {
        return false;
    };
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header) else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| {
            v.get("alg")
                .and_then(|a| a.as_str())
                .map(|a| a.eq_ignore_ascii_case("none"))
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::signing_key::generate_pkcs8;
    use base64::Engine;

    const ISSUER: &str = "https://idp.example";

    fn key(kid: &str) -> TokenKey {
        TokenKey::from_pkcs8(kid, &generate_pkcs8().unwrap()).unwrap()
    }

    fn request(now: OffsetDateTime) -> TokenRequest<'static> {
        TokenRequest {
            issuer: ISSUER,
            tenant_id: "tenant",
            application_id: "app-object",
            client_id: "client",
            roles: vec!["User.Read.All".into()],
            now,
            lifetime: time::Duration::hours(1),
        }
    }

    #[test]
    fn issued_token_verifies_with_all_claims() {
        let k = key("k1");
        let (token, claims) = issue(&k, &request(OffsetDateTime::now_utc())).unwrap();
        let verified = verify(&token, ISSUER, |kid| (kid == "k1").then_some(&k)).unwrap();
        assert_eq!(verified, claims);
        assert_eq!(verified.roles, vec!["User.Read.All"]);
        assert_eq!(verified.exp - verified.iat, 3600);
    }

    #[test]
    fn wrong_issuer_expired_unknown_key_and_wrong_signature_are_refused() {
        let k = key("k1");
        let other = key("k1");
        let (token, _) = issue(&k, &request(OffsetDateTime::now_utc())).unwrap();
        assert!(matches!(
            verify(&token, "https://other", |_| Some(&k)),
            Err(TokenError::Invalid(_))
        ));
        assert!(matches!(
            verify(&token, ISSUER, |_| None),
            Err(TokenError::UnknownKey)
        ));
        assert!(matches!(
            verify(&token, ISSUER, |_| Some(&other)),
            Err(TokenError::Invalid(_))
        ));
        let old = OffsetDateTime::now_utc() - time::Duration::hours(3);
        let (expired, _) = issue(&k, &request(old)).unwrap();
        assert!(matches!(
            verify(&expired, ISSUER, |_| Some(&k)),
            Err(TokenError::Invalid(_))
        ));
    }

    #[test]
    fn alg_none_and_hmac_are_refused() {
        let k = key("k1");
        let (token, _) = issue(&k, &request(OffsetDateTime::now_utc())).unwrap();
        let mut parts = token.split('.');
        let _header = parts.next().unwrap();
        let payload = parts.next().unwrap();
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let none_header = b64.encode(r#"{"alg":"none","kid":"k1"}"#);
        let forged = format!("{none_header}.{payload}.");
        assert!(matches!(
            verify(&forged, ISSUER, |_| Some(&k)),
            Err(TokenError::Algorithm(_))
        ));

        let hmac_header = Header {
            kid: Some("k1".into()),
            ..Header::new(jsonwebtoken::Algorithm::HS256)
        };
        let claims: AccessTokenClaims = jsonwebtoken::dangerous::insecure_decode(&token)
            .unwrap()
            .claims;
        let hmac = jsonwebtoken::encode(
            &hmac_header,
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(b"public key bytes"),
        )
        .unwrap();
        assert!(matches!(
            verify(&hmac, ISSUER, |_| Some(&k)),
            Err(TokenError::Algorithm(_))
        ));
    }
}
