//! `private_key_jwt` client authentication (RFC 7523 §3, OpenID Connect Core §9).
//!
//! Signature verification is *injected* through [`AssertionSignatureVerifier`]: the
//! glue owns the client's registered keys (JWKS) and the `jsonwebtoken` setup with an
//! algorithm allow-list, the same way `portcullis-service` verifies its own tokens.
//! Keeping it out of here keeps this crate free of key material and of aws-lc-rs; what
//! stays here is every rule about the claims, which is where such checks usually go
//! wrong. Replay protection is an effect: the glue must insert the `jti` with an
//! insert-if-absent and refuse the request if it was already there.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::error::OAuthError;

/// Clock skew tolerated on `exp`, `nbf` and `iat`.
pub const ASSERTION_LEEWAY_SECS: i64 = 30;
/// The furthest in the future `exp` may be. Bounds how long a `jti` must be remembered.
pub const ASSERTION_MAX_LIFETIME_SECS: i64 = 600;

/// `aud` is a string or an array of strings (RFC 7519 §4.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    pub fn contains(&self, value: &str) -> bool {
        match self {
            Audience::One(aud) => aud == value,
            Audience::Many(auds) => auds.iter().any(|aud| aud == value),
        }
    }
}

/// The claims of a client assertion, as the signature verifier decoded them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientAssertionClaims {
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub aud: Option<Audience>,
    pub exp: Option<i64>,
    #[serde(default)]
    pub iat: Option<i64>,
    #[serde(default)]
    pub nbf: Option<i64>,
    pub jti: Option<String>,
}

/// Checks a compact JWS against the keys registered for a client and returns its
/// payload. Implementations must pin the algorithms (never `none`, never an HMAC
/// algorithm keyed with a public key) and must not check claims: that is done here.
pub trait AssertionSignatureVerifier {
    fn verify(&self, client_id: &str, assertion: &str) -> Result<ClientAssertionClaims, String>;
}

/// An accepted assertion and the replay record the glue must store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedAssertion {
    pub client_id: String,
    pub effect: RememberJti,
}

/// Store `jti` for `client_id` until `until` (Unix seconds) with insert-if-absent;
/// if it was already present, answer `invalid_client` instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RememberJti {
    pub client_id: String,
    pub jti: String,
    pub until: i64,
}

/// The `iss` of an assertion *without* verifying it, only to find which client's keys
/// to verify with when the request carries no `client_id`. Never trust it otherwise.
pub fn unverified_issuer(assertion: &str) -> Option<String> {
    let payload = assertion.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("iss")?.as_str().map(str::to_owned)
}

/// Who an assertion may be addressed to. RFC 7523 and OpenID Connect Core §9 name the
/// token endpoint URL; draft-ietf-oauth-rfc7523bis (what current clients such as
/// `openid-client` 6 send) names the issuer identifier, to stop an assertion made for
/// one server being replayed at another. Either is this server, so either is accepted.
#[derive(Debug, Clone, Copy)]
pub struct AssertionAudience<'a> {
    pub token_endpoint: &'a str,
    pub issuer: &'a str,
}

impl AssertionAudience<'_> {
    fn accepts(&self, aud: &Audience) -> bool {
        aud.contains(self.token_endpoint) || aud.contains(self.issuer)
    }
}

/// Verifies the signature through `verifier`, then the claims.
pub fn authenticate_with_assertion(
    verifier: &dyn AssertionSignatureVerifier,
    client_id: &str,
    assertion: &str,
    audience: AssertionAudience<'_>,
    now: i64,
) -> Result<AcceptedAssertion, OAuthError> {
    let claims = verifier
        .verify(client_id, assertion)
        .map_err(|why| OAuthError::invalid_client(format!("client assertion: {why}")))?;
    check_assertion_claims(&claims, client_id, audience, now)
}

/// RFC 7523 §3: `iss` = `sub` = the client id, `aud` names this server (its token
/// endpoint or issuer), `exp` in the future (and not too far), `nbf`/`iat` not in the
/// future, `jti` present.
pub fn check_assertion_claims(
    claims: &ClientAssertionClaims,
    client_id: &str,
    audience: AssertionAudience<'_>,
    now: i64,
) -> Result<AcceptedAssertion, OAuthError> {
    let bad = |why: &str| OAuthError::invalid_client(format!("client assertion: {why}"));
    if claims.iss.as_deref() != Some(client_id) {
        return Err(bad("iss must be the client id"));
    }
    if claims.sub.as_deref() != Some(client_id) {
        return Err(bad("sub must be the client id"));
    }
    if !claims.aud.as_ref().is_some_and(|aud| audience.accepts(aud)) {
        return Err(bad(
            "aud must contain this server's token endpoint URL or issuer identifier",
        ));
    }
    let exp = claims.exp.ok_or_else(|| bad("exp is required"))?;
    if exp <= now.saturating_sub(ASSERTION_LEEWAY_SECS) {
        return Err(bad("it has expired"));
    }
    if exp > now.saturating_add(ASSERTION_MAX_LIFETIME_SECS) {
        return Err(bad("exp is too far in the future (at most 10 minutes)"));
    }
    let not_yet = |t: Option<i64>| t.is_some_and(|t| t > now.saturating_add(ASSERTION_LEEWAY_SECS));
    if not_yet(claims.nbf) || not_yet(claims.iat) {
        return Err(bad("it is not valid yet (nbf or iat in the future)"));
    }
    let jti = claims
        .jti
        .as_deref()
        .filter(|jti| !jti.is_empty())
        .ok_or_else(|| bad("jti is required"))?;
    Ok(AcceptedAssertion {
        client_id: client_id.to_owned(),
        effect: RememberJti {
            client_id: client_id.to_owned(),
            jti: jti.to_owned(),
            until: exp.saturating_add(ASSERTION_LEEWAY_SECS),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENDPOINT: &str = "https://idp.example/oauth2/token";
    const AUDIENCE: AssertionAudience<'static> = AssertionAudience {
        token_endpoint: ENDPOINT,
        issuer: "https://idp.example",
    };
    const NOW: i64 = 1_800_000_000;

    fn good() -> ClientAssertionClaims {
        ClientAssertionClaims {
            iss: Some("svc".into()),
            sub: Some("svc".into()),
            aud: Some(Audience::Many(vec!["x".into(), ENDPOINT.into()])),
            exp: Some(NOW + 60),
            iat: Some(NOW),
            nbf: None,
            jti: Some("j1".into()),
        }
    }

    struct FixedVerifier(Result<ClientAssertionClaims, String>);
    impl AssertionSignatureVerifier for FixedVerifier {
        fn verify(&self, _: &str, _: &str) -> Result<ClientAssertionClaims, String> {
            self.0.clone()
        }
    }

    #[test]
    fn good_claims_yield_a_jti_to_remember() {
        let accepted = check_assertion_claims(&good(), "svc", AUDIENCE, NOW).unwrap();
        assert_eq!(
            accepted.effect,
            RememberJti {
                client_id: "svc".into(),
                jti: "j1".into(),
                until: NOW + 90
            }
        );
    }

    #[test]
    fn the_issuer_identifier_is_an_accepted_audience() {
        let to_issuer = ClientAssertionClaims {
            aud: Some(Audience::One("https://idp.example".into())),
            ..good()
        };
        assert!(check_assertion_claims(&to_issuer, "svc", AUDIENCE, NOW).is_ok());
        let to_a_prefix = ClientAssertionClaims {
            aud: Some(Audience::One("https://idp.example/oauth2".into())),
            ..good()
        };
        assert!(check_assertion_claims(&to_a_prefix, "svc", AUDIENCE, NOW).is_err());
    }

    #[test]
    fn each_claim_rule_is_enforced() {
        let cases: Vec<(&str, ClientAssertionClaims)> = vec![
            (
                "iss",
                ClientAssertionClaims {
                    iss: Some("other".into()),
                    ..good()
                },
            ),
            (
                "sub",
                ClientAssertionClaims {
                    sub: None,
                    ..good()
                },
            ),
            (
                "aud",
                ClientAssertionClaims {
                    aud: Some(Audience::One("https://other-idp.example".into())),
                    ..good()
                },
            ),
            (
                "exp",
                ClientAssertionClaims {
                    exp: None,
                    ..good()
                },
            ),
            (
                "expired",
                ClientAssertionClaims {
                    exp: Some(NOW - 31),
                    ..good()
                },
            ),
            (
                "far",
                ClientAssertionClaims {
                    exp: Some(NOW + 601),
                    ..good()
                },
            ),
            (
                "nbf",
                ClientAssertionClaims {
                    nbf: Some(NOW + 31),
                    ..good()
                },
            ),
            (
                "iat",
                ClientAssertionClaims {
                    iat: Some(NOW + 31),
                    ..good()
                },
            ),
            (
                "jti",
                ClientAssertionClaims {
                    jti: Some(String::new()),
                    ..good()
                },
            ),
        ];
        for (name, claims) in cases {
            let err = check_assertion_claims(&claims, "svc", AUDIENCE, NOW).unwrap_err();
            assert_eq!(err.code, crate::ErrorCode::InvalidClient, "{name}");
        }
    }

    #[test]
    fn signature_failure_is_invalid_client() {
        let verifier = FixedVerifier(Err("bad signature".into()));
        let err =
            authenticate_with_assertion(&verifier, "svc", "a.b.c", AUDIENCE, NOW).unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::InvalidClient);
        let ok = FixedVerifier(Ok(good()));
        assert!(authenticate_with_assertion(&ok, "svc", "a.b.c", AUDIENCE, NOW).is_ok());
    }

    #[test]
    fn unverified_issuer_reads_only_well_formed_payloads() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"iss":"svc"}"#);
        assert_eq!(
            unverified_issuer(&format!("h.{payload}.s")),
            Some("svc".into())
        );
        assert_eq!(unverified_issuer("nodots"), None);
        assert_eq!(unverified_issuer("h.!!.s"), None);
    }
}
