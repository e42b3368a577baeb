//! Helpers for the OpenID Connect provider tests: clients, users and SSO sessions
//! written straight into the store, requests without following redirects, and JWT
//! reading and forging.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_core::{
    Application as AppRecord, ApplicationId, ApplicationKind, ApplicationSecret, ClientId,
    SecretHash, SecretId, Session, SessionId, User, UserId, UserType,
};
use portcullis_store::{Batch, Change};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::common::TestApp;

pub const REDIRECT: &str = "https://app.example/callback";

pub struct OidcClient {
    pub client_id: String,
    pub secret: Option<String>,
}

/// Registers an OIDC client application with `settings` (the app's OIDC settings
/// object) and, for confidential clients, a secret.
pub async fn register_oidc_client(app: &TestApp, settings: Value, with_secret: bool) -> OidcClient {
    let now = OffsetDateTime::now_utc();
    let record = AppRecord {
        id: ApplicationId::from_uuid(Uuid::new_v4()),
        app_id: ClientId::from_uuid(Uuid::new_v4()),
        display_name: "Team wiki".into(),
        kind: ApplicationKind::OidcClient,
        redirect_uris: vec![REDIRECT.into()],
        granted_permissions: vec![],
        enabled: true,
        created_date_time: now,
        settings,
    };
    let mut batch = Batch::new().change(Change::CreateApplication(record.clone()));
    let mut secret_text = None;
    if with_secret {
        let secret = portcullis_service::secrets::new_secret("pcs_").unwrap();
        batch = batch.change(Change::AddApplicationSecret(ApplicationSecret {
            key_id: SecretId::from_uuid(Uuid::new_v4()),
            application_id: record.id.clone(),
            display_name: "test".into(),
            hint: secret.hint.clone(),
            secret_hash: secret.hash.clone(),
            start_date_time: now,
            end_date_time: None,
        }));
        secret_text = Some(secret.plaintext);
    }
    app.store().commit(batch).await.unwrap();
    OidcClient {
        client_id: record.app_id.to_string(),
        secret: secret_text,
    }
}

pub async fn create_user(app: &TestApp, name: &str) -> User {
    let user = User {
        id: UserId::from_uuid(Uuid::new_v4()),
        user_principal_name: format!("{name}-{}@example.com", Uuid::new_v4().simple()),
        display_name: format!("{name} Example"),
        mail: Some(format!("{name}@example.com")),
        mobile_phone: None,
        user_type: UserType::Member,
        account_enabled: true,
        created_date_time: OffsetDateTime::now_utc(),
        attributes: Default::default(),
    };
    app.store()
        .commit(Batch::new().change(Change::CreateUser(user.clone())))
        .await
        .unwrap();
    user
}

/// An SSO session for `user` (as the sign-in pipeline would create it), returned as
/// the `Cookie` header value.
pub async fn sign_in(app: &TestApp, user: &User, amr: &[&str]) -> (String, SessionId) {
    let value = URL_SAFE_NO_PAD.encode(rand_bytes());
    let now = OffsetDateTime::now_utc();
    let session = Session {
        id: SessionId::from_uuid(Uuid::new_v4()),
        user_id: user.id.clone(),
        token_hash: SecretHash::of(&value),
        created_date_time: now,
        authenticated_date_time: now,
        last_seen_date_time: now,
        expires_date_time: now + time::Duration::hours(8),
        persistent: false,
        amr: amr.iter().map(|s| (*s).to_owned()).collect(),
        acr: None,
        device_id: None,
        ip_address: None,
        user_agent: None,
        revoked_date_time: None,
    };
    app.store().create_session(&session).await.unwrap();
    (format!("portcullis_session={value}"), session.id)
}

fn rand_bytes() -> [u8; 32] {
    let mut out = [0u8; 32];
    let id = Uuid::new_v4();
    let other = Uuid::new_v4();
    out[..16].copy_from_slice(id.as_bytes());
    out[16..].copy_from_slice(other.as_bytes());
    out
}

/// An HTTP client that does not follow redirects.
pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

pub fn pkce() -> Pkce {
    let verifier = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    Pkce {
        verifier,
        challenge,
    }
}

/// `GET /oauth2/authorize` with the cookie; returns status and `Location`.
pub async fn authorize(
    app: &TestApp,
    cookie: Option<&str>,
    query: &[(&str, &str)],
) -> (u16, String, String) {
    let mut request = no_redirects().get(with_query(&app.url("/oauth2/authorize"), query));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.text().await.unwrap_or_default();
    (status, location, body)
}

/// `url?query` with the pairs form-encoded.
pub fn with_query(url: &str, query: &[(&str, &str)]) -> String {
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    format!("{url}?{encoded}")
}

/// A query parameter of a redirect URL.
pub fn param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A code for `client` through `authorize` with a session.
pub async fn code_for(
    app: &TestApp,
    cookie: &str,
    client: &OidcClient,
    pkce: Option<&Pkce>,
    scope: &str,
) -> String {
    let mut query = vec![
        ("response_type", "code"),
        ("client_id", client.client_id.as_str()),
        ("redirect_uri", REDIRECT),
        ("scope", scope),
        ("state", "st-1"),
        ("nonce", "n-1"),
    ];
    if let Some(p) = pkce {
        query.push(("code_challenge", p.challenge.as_str()));
        query.push(("code_challenge_method", "S256"));
    }
    let (status, location, body) = authorize(app, Some(cookie), &query).await;
    assert_eq!(status, 303, "authorize: {body}");
    assert!(location.starts_with(REDIRECT), "{location}");
    assert_eq!(param(&location, "state").as_deref(), Some("st-1"));
    param(&location, "code").unwrap_or_else(|| panic!("no code in {location}"))
}

/// `POST /oauth2/token` with Basic credentials when the client has a secret.
pub async fn token(app: &TestApp, client: &OidcClient, form: &[(&str, &str)]) -> (u16, Value) {
    let mut request = app.client.post(app.url("/oauth2/token")).form(form);
    if let Some(secret) = &client.secret {
        request = request.basic_auth(&client.client_id, Some(secret));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Authorizes `client` for the session in `cookie` (no PKCE) and redeems the code: the
/// token response, which must be a success.
pub async fn tokens_for(app: &TestApp, cookie: &str, client: &OidcClient, scope: &str) -> Value {
    let code = code_for(app, cookie, client, None, scope).await;
    let (status, body) = token(
        app,
        client,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Asserts a token endpoint's `invalid_grant` answer whose description mentions `reason`.
pub fn assert_invalid_grant((status, body): &(u16, Value), reason: &str) {
    assert_eq!(
        (*status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "{body}"
    );
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(description.contains(reason), "{body}");
}

/// A refresh-token grant for `client` (rotation: the answer carries the successor).
pub async fn refresh(app: &TestApp, client: &OidcClient, refresh_token: &str) -> (u16, Value) {
    token(
        app,
        client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

/// Turns security defaults off (Conditional Access policies replace them) and creates,
/// through the admin API, an enabled policy named `name` that blocks `users` (a Graph
/// `users` condition) from `client`'s application.
pub async fn block_through_api(app: &TestApp, name: &str, users: Value, client: &OidcClient) {
    let admin = app.admin_token().await;
    let (status, body) = app
        .patch(
            "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy",
            &admin,
            json!({"isEnabled": false}),
        )
        .await;
    assert!(status < 300, "{body}");
    let (status, created) = app
        .post(
            "/v1.0/identity/conditionalAccess/policies",
            &admin,
            json!({
                "displayName": name,
                "state": "enabled",
                "conditions": {
                    "users": users,
                    "applications": {"includeApplications": [client.client_id.as_str()]},
                    "clientAppTypes": ["all"]
                },
                "grantControls": {"operator": "OR", "builtInControls": ["block"]}
            }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
}

pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

pub fn header(jwt: &str) -> Value {
    let head = jwt.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(head).unwrap()).unwrap()
}

/// The same claims under an `alg: none` header (no signature).
pub fn forge_alg_none(jwt: &str) -> String {
    let mut head = header(jwt);
    head["alg"] = json!("none");
    let payload = jwt.split('.').nth(1).unwrap();
    format!(
        "{}.{payload}.",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&head).unwrap())
    )
}

/// The same claims signed HS256 with `key` as the secret: the algorithm-confusion
/// attack (an HMAC keyed with a public key the attacker can read).
pub fn forge_hmac(jwt: &str, key: &[u8]) -> String {
    let mut head = header(jwt);
    head["alg"] = json!("HS256");
    let claims = claims(jwt);
    let header: jsonwebtoken::Header = serde_json::from_value(head).unwrap();
    jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(key),
    )
    .unwrap()
}

pub async fn userinfo(app: &TestApp, access_token: &str) -> (u16, Value, String) {
    let response = app
        .client
        .get(app.url("/oauth2/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        response.json().await.unwrap_or(Value::Null),
        challenge,
    )
}
