//! The signed identity JWT of forward-auth (`Remote-Jwt`), kept compact in the session
//! cache: the signature per session and application, the rest rebuilt per request.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Header;
use serde::Serialize;
use time::OffsetDateTime;

use super::apps::ProtectedApp;
use super::identity::IDENTITY_TOKEN_LIFETIME;
use crate::sessions::ActiveSession;
use crate::tokens::signing_key::{SIGNING_ALGORITHM, TokenKey};

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

fn claims<'a>(
    issuer: &'a str,
    tenant_id: &'a str,
    app: &ProtectedApp,
    active: &'a ActiveSession,
    iat: i64,
) -> IdentityClaims<'a> {
    let session = &active.session;
    let user = &active.user;
    IdentityClaims {
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
    }
}

/// A signed identity JWT kept small for the session cache: a JWT's header and payload
/// are a deterministic encoding of facts the cache holds anyway (the session, the user,
/// the application, `iat`), so only the signature is kept per session and the token is
/// put back together when a request needs it. Each is checked at signing time: if the
/// rebuilt text is not exactly what was signed, the whole token is kept instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedIdentity {
    /// `iat`, the JWT header segment (shared: one per signing key) and the ES256
    /// signature (r ‖ s, as JWS carries it, kept as bytes: 64 instead of 86 characters).
    Compact {
        iat: i64,
        header: Arc<str>,
        signature: [u8; 64],
    },
    Whole(Box<str>),
}

impl SignedIdentity {
    /// The JWT for `active` at `app` (the same facts it was signed over: the cache entry
    /// it lives in is dropped when any of them changes).
    pub fn token(
        &self,
        issuer: &str,
        tenant_id: &str,
        app: &ProtectedApp,
        active: &ActiveSession,
    ) -> Option<String> {
        match self {
            SignedIdentity::Whole(token) => Some(token.to_string()),
            SignedIdentity::Compact {
                iat,
                header,
                signature,
            } => {
                let json =
                    serde_json::to_vec(&claims(issuer, tenant_id, app, active, *iat)).ok()?;
                let mut token = String::with_capacity(header.len() + json.len() * 4 / 3 + 92);
                token.push_str(header);
                token.push('.');
                URL_SAFE_NO_PAD.encode_string(json, &mut token);
                token.push('.');
                URL_SAFE_NO_PAD.encode_string(signature, &mut token);
                Some(token)
            }
        }
    }
}

/// A JWS segment: base64url (no padding) of the JSON, as `jsonwebtoken` encodes it.
fn encode_part<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_vec(value)
        .ok()
        .map(|json| URL_SAFE_NO_PAD.encode(json))
}

/// Signs the identity JWT with the active token key. `headers` remembers the header
/// segment per key id so that every session shares it.
pub fn identity_token(
    key: &TokenKey,
    issuer: &str,
    tenant_id: &str,
    app: &ProtectedApp,
    active: &ActiveSession,
    now: OffsetDateTime,
    headers: &HeaderSegments,
) -> Result<SignedIdentity, jsonwebtoken::errors::Error> {
    let iat = now.unix_timestamp();
    let claims = claims(issuer, tenant_id, app, active, iat);
    let mut header = Header::new(SIGNING_ALGORITHM);
    header.kid = Some(key.kid().to_owned());
    header.typ = Some("JWT".to_owned());
    let token = key.encode(&header, &claims)?;
    let compact = (|| {
        let (message, signature) = token.rsplit_once('.')?;
        let (header_segment, payload) = message.split_once('.')?;
        let rebuilt_payload = encode_part(&claims)?;
        let signature: [u8; 64] = URL_SAFE_NO_PAD.decode(signature).ok()?.try_into().ok()?;
        (payload == rebuilt_payload).then(|| SignedIdentity::Compact {
            iat,
            header: headers.share(header_segment),
            signature,
        })
    })();
    Ok(compact.unwrap_or_else(|| SignedIdentity::Whole(token.into_boxed_str())))
}

/// The JWT header segments in use (one per signing key), shared by every cached
/// identity token.
#[derive(Default)]
pub struct HeaderSegments {
    known: std::sync::Mutex<Vec<Arc<str>>>,
}

impl HeaderSegments {
    /// Keeps at most a few (keys rotate rarely; an old key's tokens expire in minutes).
    const KEEP: usize = 4;

    fn share(&self, segment: &str) -> Arc<str> {
        let Ok(mut known) = self.known.lock() else {
            return Arc::from(segment);
        };
        if let Some(found) = known.iter().find(|s| s.as_ref() == segment) {
            return found.clone();
        }
        let shared: Arc<str> = Arc::from(segment);
        if known.len() >= Self::KEEP {
            known.remove(0);
        }
        known.push(shared.clone());
        shared
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forward_auth::identity::identity_headers;
    use crate::sessions::SessionUser;
    use crate::tokens::signing_key::generate_pkcs8;
    use portcullis_core::{
        ApplicationId, ClientId, SecretHash, Session, SessionId, UserId, UserType,
    };
    use time::macros::datetime;

    fn active() -> ActiveSession {
        let user_id = UserId::from_uuid(uuid::Uuid::new_v4());
        let mut user = SessionUser {
            id: user_id.clone(),
            user_principal_name: "ada@example.com".into(),
            display_name: "Ada \"the first\" Lovelace, ä".into(),
            mail: Some("ada@example.com".into()),
            user_type: UserType::Member,
            group_ids: vec!["g1".into(), "g2".into()],
            group_names: vec!["Engineers, all".into(), "Staff".into()],
            role_template_ids: vec![],
            identity_headers: Arc::default(),
        };
        user.identity_headers = Arc::new(identity_headers(&user));
        ActiveSession {
            session: Session {
                id: SessionId::from_uuid(uuid::Uuid::new_v4()),
                user_id,
                token_hash: SecretHash::of("x"),
                created_date_time: datetime!(2026-11-23 08:00 UTC),
                authenticated_date_time: datetime!(2026-11-23 07:59 UTC),
                last_seen_date_time: datetime!(2026-11-23 08:00 UTC),
                expires_date_time: datetime!(2026-11-23 16:00 UTC),
                persistent: false,
                amr: vec!["pwd".into(), "mfa".into()],
                acr: Some("c1".into()),
                device_id: None,
                ip_address: None,
                user_agent: None,
                revoked_date_time: None,
            }
            .into(),
            user: Arc::new(user),
            methods: vec![],
        }
    }

    fn app() -> ProtectedApp {
        ProtectedApp {
            id: ApplicationId::from_uuid(uuid::Uuid::new_v4()),
            client_id: ClientId::from_uuid(uuid::Uuid::new_v4()),
            display_name: "Wiki".into(),
            host: "wiki.test".into(),
            path_prefix: "/".into(),
        }
    }

    #[test]
    fn the_rebuilt_token_is_the_signed_one_and_verifies() {
        let key = TokenKey::from_pkcs8("k1", &generate_pkcs8().unwrap()).unwrap();
        let (active, app) = (active(), app());
        let now = datetime!(2026-11-23 09:00 UTC);
        let segments = HeaderSegments::default();
        let signed =
            identity_token(&key, "https://id.test", "t1", &app, &active, now, &segments).unwrap();
        assert!(
            matches!(signed, SignedIdentity::Compact { .. }),
            "kept compact: {signed:?}"
        );
        let token = signed
            .token("https://id.test", "t1", &app, &active)
            .unwrap();
        let mut validation = jsonwebtoken::Validation::new(SIGNING_ALGORITHM);
        validation.set_audience(&[app.client_id.as_str()]);
        validation.validate_exp = false;
        let claims =
            jsonwebtoken::decode::<serde_json::Value>(&token, key.decoding_key(), &validation)
                .unwrap()
                .claims;
        assert_eq!(claims["name"], "Ada \"the first\" Lovelace, ä");
        assert_eq!(claims["sid"], active.session.id.as_str());
        assert_eq!(claims["iat"], now.unix_timestamp());
        // A second token for another session shares the header segment.
        let other =
            identity_token(&key, "https://id.test", "t1", &app, &active, now, &segments).unwrap();
        match (&signed, &other) {
            (
                SignedIdentity::Compact { header: a, .. },
                SignedIdentity::Compact { header: b, .. },
            ) => assert!(Arc::ptr_eq(a, b)),
            _ => panic!("both compact"),
        }
        // Rebuilt for different facts, the signature no longer verifies: the cache entry
        // holding it must be (and is) dropped when the facts change.
        let mut changed = active.clone();
        changed.session.amr.push("hwk".into());
        let forged = signed
            .token("https://id.test", "t1", &app, &changed)
            .unwrap();
        assert!(
            jsonwebtoken::decode::<serde_json::Value>(&forged, key.decoding_key(), &validation)
                .is_err()
        );
    }
}
