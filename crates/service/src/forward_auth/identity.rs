//! What the protected application learns about the user: `Remote-*` headers and,
//! optionally, a signed JWT carrying the same facts (for apps that would rather verify
//! a signature against `/.well-known/jwks.json` than trust a header).

use jsonwebtoken::Header;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use super::apps::ProtectedApp;
use crate::sessions::ActiveSession;
use crate::tokens::signing_key::{SIGNING_ALGORITHM, TokenKey};

/// How long the identity JWT is valid; it is re-signed when a cached judgement is
/// renewed, so it never outlives the judgement it came from.
pub const IDENTITY_TOKEN_LIFETIME: Duration = Duration::minutes(5);

/// Header names, as Authelia, authentik and most apps expect them.
pub const REMOTE_USER: &str = "Remote-User";
pub const REMOTE_EMAIL: &str = "Remote-Email";
pub const REMOTE_NAME: &str = "Remote-Name";
pub const REMOTE_GROUPS: &str = "Remote-Groups";

/// The identity headers for `active`. Values are cleaned of control characters (a
/// display name must not be able to inject a header), and commas inside group names are
/// replaced because `Remote-Groups` is comma-separated.
pub fn identity_headers(active: &ActiveSession) -> Vec<(&'static str, String)> {
    let user = &active.user;
    let email = user
        .mail
        .clone()
        .unwrap_or_else(|| user.user_principal_name.clone());
    let groups: Vec<String> = user
        .group_names
        .iter()
        .map(|name| clean(name).replace(',', " "))
        .collect();
    vec![
        (REMOTE_USER, clean(&user.user_principal_name)),
        (REMOTE_EMAIL, clean(&email)),
        (REMOTE_NAME, clean(&user.display_name)),
        (REMOTE_GROUPS, groups.join(",")),
    ]
}

fn clean(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).collect()
}

/// Claims of the identity JWT (`aud` is the application's client id).
#[derive(Debug, Clone, Serialize)]
pub struct IdentityClaims<'a> {
    pub iss: &'a str,
    pub aud: String,
    pub sub: &'a str,
    pub tid: &'a str,
    pub sid: &'a str,
    pub preferred_username: &'a str,
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    pub groups: &'a [String],
    pub amr: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acr: Option<&'a str>,
    pub auth_time: i64,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

/// Signs the identity JWT with the active token key.
pub fn identity_token(
    key: &TokenKey,
    issuer: &str,
    tenant_id: &str,
    app: &ProtectedApp,
    active: &ActiveSession,
    now: OffsetDateTime,
) -> Result<String, jsonwebtoken::errors::Error> {
    let session = &active.session;
    let user = &active.user;
    let iat = now.unix_timestamp();
    let claims = IdentityClaims {
        iss: issuer,
        aud: app.client_id.to_string(),
        sub: user.id.as_str(),
        tid: tenant_id,
        sid: session.id.as_str(),
        preferred_username: &user.user_principal_name,
        name: &user.display_name,
        email: user.mail.as_deref(),
        groups: &user.group_ids,
        amr: &session.amr,
        acr: session.acr.as_deref(),
        auth_time: session.authenticated_date_time.unix_timestamp(),
        iat,
        nbf: iat,
        exp: iat + IDENTITY_TOKEN_LIFETIME.whole_seconds(),
    };
    let mut header = Header::new(SIGNING_ALGORITHM);
    header.kid = Some(key.kid().to_owned());
    header.typ = Some("JWT".to_owned());
    jsonwebtoken::encode(&header, &claims, key.encoding_key())
}
