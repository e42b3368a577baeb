//! `POST /oauth2/token` (client credentials) and the bearer check of the admin API.
#![allow(clippy::unwrap_used)]

use crate::common;
use base64::Engine;
use portcullis_core::AppPermission;
use serde_json::Value;

async fn post_form(
    app: &common::TestApp,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = app.client.post(app.url("/oauth2/token")).form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().await.unwrap())
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn client_secret_post_and_basic_issue_signed_tokens_with_roles() {
    let app = common::spawn().await;
    let client = app
        .register_client(
            &[AppPermission::UserReadAll, AppPermission::PolicyReadAll],
            &[],
        )
        .await;

    let (status, headers, body) = post_form(
        &app,
        None,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client.client_id),
            ("client_secret", &client.secret),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"].as_str().unwrap();
    let claims = claims(token);
    assert_eq!(claims["iss"], app.base);
    assert_eq!(claims["aud"], "urn:portcullis:graph");
    assert_eq!(claims["azp"], client.client_id);
    assert_eq!(claims["sub"], client.object_id);
    assert_eq!(claims["tid"], app.services.tenant_id());
    let mut roles: Vec<&str> = claims["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    roles.sort_unstable();
    assert_eq!(roles, vec!["Policy.Read.All", "User.Read.All"]);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));

    // The header names a key the JWKS publishes.
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "ES256");
    let jwks: Value = app
        .client
        .get(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kid"] == header["kid"] && k["kty"] == "EC" && k.get("d").is_none())
    );

    // The token opens the API.
    let (status, _) = app.get("/v1.0/users", token).await;
    assert_eq!(status, 200);

    let (status, _, body) = post_form(
        &app,
        Some((&client.client_id, &client.secret)),
        &[
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn every_error_follows_rfc_6749() {
    let app = common::spawn().await;
    let client = app
        .register_client(&[AppPermission::UserReadAll], &[])
        .await;
    let id = client.client_id.as_str();
    let secret = client.secret.as_str();

    // Wrong secret with Basic: 401 and a Basic challenge.
    let (status, headers, body) = post_form(
        &app,
        Some((id, "pcs_wrong")),
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    assert!(
        headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );

    // Wrong secret, unknown client and malformed client id in the body: the same answer.
    for (cid, sec) in [
        (id, "pcs_wrong"),
        ("6d1f0a0e-0000-4000-8000-000000000000", secret),
        ("not-a-guid", secret),
    ] {
        let (status, _, body) = post_form(
            &app,
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", cid),
                ("client_secret", sec),
            ],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client")),
            "{cid}"
        );
    }

    // No client authentication at all.
    let (status, _, body) = post_form(&app, None, &[("grant_type", "client_credentials")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );

    // (Basic credentials, form fields, expected error)
    type Case<'a> = (Option<(&'a str, &'a str)>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (Some((id, secret)), vec![], "invalid_request"),
        (
            Some((id, secret)),
            vec![("grant_type", "password")],
            "unsupported_grant_type",
        ),
        (
            Some((id, secret)),
            vec![
                ("grant_type", "client_credentials"),
                ("client_secret", secret),
            ],
            "invalid_request",
        ),
        (
            Some((id, secret)),
            vec![
                ("grant_type", "client_credentials"),
                ("grant_type", "client_credentials"),
            ],
            "invalid_request",
        ),
        (
            Some((id, secret)),
            vec![("grant_type", "client_credentials"), ("scope", "openid")],
            "invalid_scope",
        ),
        (
            None,
            vec![
                ("grant_type", "client_credentials"),
                ("client_secret", secret),
            ],
            "invalid_request",
        ),
    ];
    for (basic, form, expected) in cases {
        let (status, headers, body) = post_form(&app, basic, &form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some(expected)),
            "{form:?}: {body}"
        );
        assert_eq!(headers["cache-control"], "no-store");
        assert!(body["error_description"].as_str().is_some());
    }

    // Not a form.
    let response = app
        .client
        .post(app.url("/oauth2/token"))
        .json(&serde_json::json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn a_disabled_or_deleted_client_cannot_get_or_use_tokens() {
    let app = common::spawn().await;
    let client = app
        .register_client(&[AppPermission::UserReadAll], &[])
        .await;
    let token = app.token_for(&client).await;
    let id = portcullis_core::ApplicationId::parse(&client.object_id).unwrap();
    let mut record = app.store().get_application(&id).await.unwrap();
    record.enabled = false;
    app.store()
        .commit(
            portcullis_store::Batch::new()
                .change(portcullis_store::Change::UpdateApplication(record)),
        )
        .await
        .unwrap();
    let (status, _) = app.get("/v1.0/users", &token).await;
    assert_eq!(status, 401);
    let (status, _, _) = post_form(
        &app,
        Some((&client.client_id, &client.secret)),
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn forged_and_malformed_bearer_tokens_are_refused() {
    let app = common::spawn().await;
    let token = app.admin_token().await;
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut forged_claims = claims(&token);
    forged_claims["roles"] = serde_json::json!([
        "Directory.ReadWrite.All",
        "RoleManagement.ReadWrite.Directory"
    ]);
    parts[1] = b64.encode(forged_claims.to_string());
    let tampered = parts.join(".");
    let none = format!(
        "{}.{}.",
        b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );
    for bad in [tampered.as_str(), none.as_str(), "garbage", ""] {
        let response = app
            .client
            .get(app.url("/v1.0/users"))
            .bearer_auth(bad)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{bad}");
        assert!(
            response.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    }
    let response = app.client.get(app.url("/v1.0/users")).send().await.unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn token_requests_are_rate_limited_per_client() {
    let app = common::spawn_with_config(
        &common::Backend::Sqlite,
        portcullis_server::config::FileConfig {
            tokens: portcullis_server::config::TokensSection {
                client_requests_per_second: Some(1),
                client_request_burst: Some(3),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await;
    let client = app
        .register_client(&[AppPermission::UserReadAll], &[])
        .await;
    let other = app
        .register_client(&[AppPermission::UserReadAll], &[])
        .await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let (status, headers, body) = post_form(
            &app,
            Some((&client.client_id, "pcs_wrong")),
            &[("grant_type", "client_credentials")],
        )
        .await;
        if status == 429 {
            assert_eq!(body["error"], "invalid_request");
            assert_eq!(headers["cache-control"], "no-store");
        }
        statuses.push(status);
    }
    // Failed attempts count too: three in the burst, then refused.
    assert_eq!(&statuses[..3], &[401, 401, 401]);
    assert!(statuses[3..].iter().all(|s| *s == 429), "{statuses:?}");
    // Another client is not affected.
    let (status, _, _) = post_form(
        &app,
        Some((&other.client_id, &other.secret)),
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(status, 200);
}
