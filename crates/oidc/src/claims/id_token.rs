//! ID token claims (OpenID Connect Core §2, §3.1.3.6).

use serde::{Deserialize, Serialize};

use super::algorithm::{SigningAlgorithm, at_hash};
use super::profile::{ProfileClaims, UserProfile};
use crate::scope::Scope;

/// The payload of an ID token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    /// The client the token was issued to (equal to `aud`; sent because some RPs
    /// check it).
    pub azp: String,
    pub exp: i64,
    pub iat: i64,
    pub auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The authentication strength or context met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// RFC 8176 method references (`pwd`, `otp`, `hwk`, `mfa`, …).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub amr: Vec<String>,
    /// The SSO session, for logout (OpenID Connect Front-/Back-Channel Logout).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    #[serde(flatten)]
    pub profile: ProfileClaims,
}

/// Everything an ID token is built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdTokenInput<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub subject: &'a str,
    pub now: i64,
    pub lifetime_secs: i64,
    pub auth_time: i64,
    pub nonce: Option<&'a str>,
    pub acr: Option<&'a str>,
    pub amr: &'a [String],
    pub session_id: Option<&'a str>,
    /// The access token issued alongside, for `at_hash`.
    pub access_token: Option<&'a str>,
    pub algorithm: SigningAlgorithm,
    pub scope: &'a Scope,
    pub profile: &'a UserProfile,
}

impl IdTokenClaims {
    pub fn build(input: &IdTokenInput<'_>) -> Self {
        IdTokenClaims {
            iss: input.issuer.to_owned(),
            sub: input.subject.to_owned(),
            aud: input.client_id.to_owned(),
            azp: input.client_id.to_owned(),
            exp: input.now.saturating_add(input.lifetime_secs),
            iat: input.now,
            auth_time: input.auth_time,
            nonce: input.nonce.map(str::to_owned),
            acr: input.acr.map(str::to_owned),
            amr: input.amr.to_vec(),
            sid: input.session_id.map(str::to_owned),
            at_hash: input.access_token.map(|t| at_hash(t, input.algorithm)),
            profile: ProfileClaims::for_scope(input.profile, input.scope),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_token_has_the_required_and_requested_claims() {
        let scope = Scope::parse("openid email").unwrap();
        let profile = UserProfile {
            name: Some("Ada".into()),
            email: Some("ada@example.org".into()),
            email_verified: true,
            ..UserProfile::default()
        };
        let amr = vec!["pwd".to_owned(), "hwk".to_owned()];
        let claims = IdTokenClaims::build(&IdTokenInput {
            issuer: "https://idp.example",
            client_id: "web-app",
            subject: "u1",
            now: 1_000,
            lifetime_secs: 300,
            auth_time: 990,
            nonce: Some("n-0S6"),
            acr: Some("c2"),
            amr: &amr,
            session_id: Some("sid-1"),
            access_token: Some("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            algorithm: SigningAlgorithm::Es256,
            scope: &scope,
            profile: &profile,
        });
        let json = serde_json::to_value(&claims).unwrap();
        assert_eq!(json["iss"], "https://idp.example");
        assert_eq!(json["aud"], "web-app");
        assert_eq!(json["exp"], 1_300);
        assert_eq!(json["auth_time"], 990);
        assert_eq!(json["nonce"], "n-0S6");
        assert_eq!(json["acr"], "c2");
        assert_eq!(json["amr"], serde_json::json!(["pwd", "hwk"]));
        assert_eq!(json["sid"], "sid-1");
        assert_eq!(json["at_hash"], "77QmUPtjPfzWtF2AnpK9RQ");
        assert_eq!(json["email"], "ada@example.org");
        assert!(json.get("name").is_none(), "profile scope was not granted");
    }
}
