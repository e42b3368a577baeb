//! Signing what the provider issues and checking what comes back signed by it.
//!
//! Tokens are signed with the client's registered algorithm (`idTokenSignedResponseAlg`,
//! ES256 by default). Verification never trusts the token's header: the key is found by
//! `kid` among our published keys and the algorithm is the one that key is for, so
//! `alg: none`, HMAC with a public key (algorithm confusion) and foreign keys fail.

use base64::Engine;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm};
use jsonwebtoken::{Algorithm, Header, Validation};
use portcullis_oidc::claims::SigningAlgorithm;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::OidcProvider;
use super::clients::RegisteredClient;
use super::error::OidcError;

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
const LEEWAY_SECS: u64 = 30;

/// Why a token we are asked to trust was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenCheckError {
    #[error("alg none is never accepted")]
    AlgNone,
    #[error("the token is malformed: {0}")]
    Malformed(String),
    #[error("the token names no key id, or one this server does not publish")]
    UnknownKey,
    #[error("the token's algorithm {0} is not the algorithm of the key it names")]
    AlgorithmMismatch(String),
    #[error("the token is invalid: {0}")]
    Invalid(String),
}

/// The facts of a verified `id_token_hint` (expired hints are allowed, as OpenID
/// Connect says: they only say who the client believes the user is).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct VerifiedIdTokenHint {
    pub sub: String,
    /// The client the ID token was issued to.
    #[serde(deserialize_with = "one_audience")]
    pub aud: String,
    #[serde(default)]
    pub sid: Option<String>,
}

fn one_audience<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Aud {
        One(String),
        Many(Vec<String>),
    }
    match Aud::deserialize(d)? {
        Aud::One(a) => Ok(a),
        Aud::Many(list) if list.len() == 1 => Ok(list.into_iter().next().unwrap_or_default()),
        Aud::Many(_) => Err(serde::de::Error::custom("more than one audience")),
    }
}

/// The JWS algorithm of a client's tokens.
pub(crate) fn client_algorithm(client: &RegisteredClient) -> SigningAlgorithm {
    client
        .settings
        .id_token_signed_response_alg
        .unwrap_or(SigningAlgorithm::Es256)
}

fn jws_algorithm(algorithm: SigningAlgorithm) -> Algorithm {
    match algorithm {
        SigningAlgorithm::Es256 => Algorithm::ES256,
        SigningAlgorithm::Rs256 => Algorithm::RS256,
        SigningAlgorithm::EdDsa => Algorithm::EdDSA,
    }
}

/// Whether a compact JWS's header says `alg: none` (jsonwebtoken cannot represent it,
/// so it would otherwise surface as a vague parse error).
pub(crate) fn declares_alg_none(token: &str) -> bool {
    let Some(header) = token.split('.').next() else {
        return false;
    };
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header) else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("alg").and_then(|a| a.as_str()).map(str::to_owned))
        .is_some_and(|alg| alg.eq_ignore_ascii_case("none"))
}

/// The algorithm a (client's) public JWK is for: its `alg`, or what its key type
/// implies when it names none. HMAC (`oct`) keys are never accepted.
pub(crate) fn algorithm_of_jwk(jwk: &Jwk) -> Option<Algorithm> {
    let from_alg = jwk.common.key_algorithm.and_then(|alg| match alg {
        KeyAlgorithm::ES256 => Some(Algorithm::ES256),
        KeyAlgorithm::ES384 => Some(Algorithm::ES384),
        KeyAlgorithm::RS256 => Some(Algorithm::RS256),
        KeyAlgorithm::RS384 => Some(Algorithm::RS384),
        KeyAlgorithm::PS256 => Some(Algorithm::PS256),
        KeyAlgorithm::EdDSA => Some(Algorithm::EdDSA),
        _ => None,
    });
    let implied = match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => Some(Algorithm::ES256),
            EllipticCurve::P384 => Some(Algorithm::ES384),
            _ => None,
        },
        AlgorithmParameters::RSA(_) => Some(Algorithm::RS256),
        AlgorithmParameters::OctetKeyPair(_) => Some(Algorithm::EdDSA),
        _ => return None,
    };
    match (from_alg, implied) {
        // An `alg` that contradicts the key type (e.g. RS256 on an EC key) is refused.
        (Some(named), Some(by_type)) => {
            let compatible = named == by_type
                || (by_type == Algorithm::RS256
                    && matches!(named, Algorithm::RS384 | Algorithm::PS256));
            compatible.then_some(named)
        }
        (None, by_type) => by_type,
        (Some(_), None) => None,
    }
}

impl OidcProvider {
    /// Signs `claims` with the active key for `algorithm`; `typ` as given (`JWT` for ID
    /// tokens, `at+jwt` for access tokens, RFC 9068).
    pub(crate) async fn sign<T: Serialize>(
        &self,
        algorithm: SigningAlgorithm,
        typ: &str,
        claims: &T,
    ) -> Result<String, OidcError> {
        let jws = jws_algorithm(algorithm);
        let key = match self.services.active_key_for(jws) {
            Some(key) => key,
            None => {
                // A new algorithm (EdDSA turned on, or a first RS256 client): make sure a
                // key exists, once.
                self.services
                    .maintain_signing_keys(time::OffsetDateTime::now_utc())
                    .await?;
                self.services.active_key_for(jws).ok_or_else(|| {
                    OidcError::internal(
                        "signing",
                        format!(
                            "no active {} key (is the algorithm enabled?)",
                            algorithm.as_str()
                        ),
                    )
                })?
            }
        };
        let mut header = Header::new(jws);
        header.kid = Some(key.kid().to_owned());
        header.typ = Some(typ.to_owned());
        key.encode(&header, claims)
            .map_err(|e| OidcError::internal("signing", e))
    }

    /// Verifies a JWT signed by one of our published keys, with the given audience
    /// (`None`: not checked) and expiry checking on or off.
    pub(crate) async fn verify_own<T: DeserializeOwned>(
        &self,
        token: &str,
        audience: Option<&str>,
        check_expiry: bool,
        expected_typ: Option<&str>,
    ) -> Result<T, TokenCheckError> {
        if declares_alg_none(token) {
            return Err(TokenCheckError::AlgNone);
        }
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| TokenCheckError::Malformed(e.to_string()))?;
        let kid = header.kid.as_deref().ok_or(TokenCheckError::UnknownKey)?;
        let key = self
            .services
            .verification_key(kid)
            .await
            .ok_or(TokenCheckError::UnknownKey)?;
        if header.alg != key.algorithm() {
            return Err(TokenCheckError::AlgorithmMismatch(format!(
                "{:?}",
                header.alg
            )));
        }
        if let Some(expected) = expected_typ
            && !header
                .typ
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case(expected))
        {
            return Err(TokenCheckError::Invalid(format!(
                "the token's typ is not {expected}"
            )));
        }
        let mut validation = Validation::new(key.algorithm());
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = check_expiry;
        validation.validate_nbf = check_expiry;
        validation.set_issuer(&[self.issuer()]);
        match audience {
            Some(audience) => validation.set_audience(&[audience]),
            None => validation.validate_aud = false,
        }
        let mut required = vec!["iss", "sub", "aud"];
        if check_expiry {
            required.push("exp");
        }
        validation.set_required_spec_claims(&required);
        jsonwebtoken::decode::<T>(token, key.decoding_key(), &validation)
            .map(|data| data.claims)
            .map_err(|e| TokenCheckError::Invalid(e.to_string()))
    }

    /// Checks an `id_token_hint` (authorize, end session): signed by us, for the client
    /// when one is named; expiry ignored.
    pub async fn verify_id_token_hint(
        &self,
        hint: &str,
        client_id: Option<&str>,
    ) -> Result<VerifiedIdTokenHint, TokenCheckError> {
        self.verify_own(hint, client_id, false, None).await
    }
}
