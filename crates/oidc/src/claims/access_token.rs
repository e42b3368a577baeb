//! Claims of access tokens issued to users (authorization code, refresh, device
//! code), following RFC 9068 (JWT access tokens, header `typ: at+jwt`). `azp`, `tid`
//! and `idtyp` carry the same names as the client-credentials tokens of
//! `portcullis-service`, so one verifier reads both kinds.

use serde::{Deserialize, Serialize};

use crate::scope::Scope;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserAccessTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    /// RFC 9068 §2.2.
    pub client_id: String,
    pub azp: String,
    pub tid: String,
    pub scope: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    pub auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub amr: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `user` (the client-credentials tokens say `app`).
    pub idtyp: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAccessTokenInput<'a> {
    pub issuer: &'a str,
    pub tenant_id: &'a str,
    /// The resource the token is for; the issuer's userinfo when only OIDC scopes
    /// were asked.
    pub audience: &'a str,
    pub client_id: &'a str,
    pub subject: &'a str,
    pub scope: &'a Scope,
    pub now: i64,
    pub lifetime_secs: i64,
    /// From the caller's random source.
    pub jti: &'a str,
    pub auth_time: i64,
    pub acr: Option<&'a str>,
    pub amr: &'a [String],
    pub session_id: Option<&'a str>,
}

impl UserAccessTokenClaims {
    pub fn build(input: &UserAccessTokenInput<'_>) -> Self {
        UserAccessTokenClaims {
            iss: input.issuer.to_owned(),
            sub: input.subject.to_owned(),
            aud: input.audience.to_owned(),
            client_id: input.client_id.to_owned(),
            azp: input.client_id.to_owned(),
            tid: input.tenant_id.to_owned(),
            scope: input.scope.to_string(),
            iat: input.now,
            nbf: input.now,
            exp: input.now.saturating_add(input.lifetime_secs),
            jti: input.jti.to_owned(),
            auth_time: input.auth_time,
            acr: input.acr.map(str::to_owned),
            amr: input.amr.to_vec(),
            sid: input.session_id.map(str::to_owned),
            idtyp: "user".to_owned(),
        }
    }
}
