//! The OpenID Connect provider over HTTP against a real server on SQLite and (with
//! `PORTCULLIS_TEST_POSTGRES_URL`) PostgreSQL: the code flow with PKCE, refresh
//! rotation, userinfo, introspection, revocation, device code, and every negative the
//! protocol demands (wrong redirect URI, reused or expired code, PKCE mismatch, reused
//! refresh token, forged `alg: none` / HMAC tokens and assertions, foreign audiences).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use crate::oidc_support;
use common::TestApp;
use oidc_support::*;
use serde_json::{Value, json};

async fn on_every_backend<F, Fut>(scenario: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in common::backends() {
        eprintln!("backend: {backend:?}");
        let app = common::spawn_with(&backend, Default::default()).await;
        scenario(app).await;
    }
}

fn confidential() -> Value {
    json!({"grantTypes": ["authorization_code", "refresh_token"]})
}

fn public_client() -> Value {
    json!({"publicClient": true})
}

#[tokio::test]
async fn discovery_and_jwks_describe_the_provider() {
    on_every_backend(|app| async move {
        let doc: Value = app
            .client
            .get(app.url("/.well-known/openid-configuration"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(doc["issuer"], app.base.as_str());
        assert_eq!(doc["token_endpoint"], app.url("/oauth2/token"));
        assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
        let algs = doc["id_token_signing_alg_values_supported"]
            .as_array()
            .unwrap();
        assert_eq!(algs[0], "ES256", "{doc}");
        assert!(algs.contains(&json!("RS256")), "{doc}");
        let jwks: Value = app
            .client
            .get(doc["jwks_uri"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let keys = jwks["keys"].as_array().unwrap();
        assert!(keys.iter().any(|k| k["kty"] == "EC"), "{jwks}");
        assert!(keys.iter().any(|k| k["kty"] == "RSA"), "{jwks}");
        assert!(
            keys.iter().all(|k| k.get("d").is_none()),
            "private parts leaked"
        );
    })
    .await;
}

#[tokio::test]
async fn code_flow_issues_tokens_that_userinfo_accepts_and_refresh_rotates() {
    on_every_backend(|app| async move {
        let client = register_oidc_client(&app, confidential(), true).await;
        let user = create_user(&app, "ada").await;
        let (cookie, session_id) = sign_in(&app, &user, &["pwd", "mfa"]).await;
        let code = code_for(
            &app,
            &cookie,
            &client,
            None,
            "openid profile email offline_access",
        )
        .await;
        let (status, body) = token(
            &app,
            &client,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
            ],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let id = claims(body["id_token"].as_str().unwrap());
        assert_eq!(id["sub"], user.id.as_str());
        assert_eq!(id["aud"], client.client_id.as_str());
        assert_eq!(id["nonce"], "n-1");
        assert_eq!(id["sid"], session_id.as_str());
        assert_eq!(id["amr"], json!(["pwd", "mfa"]));
        assert!(id["auth_time"].is_i64());
        assert_eq!(id["email"], "ada@example.com");
        assert_eq!(header(body["id_token"].as_str().unwrap())["alg"], "ES256");
        let access = body["access_token"].as_str().unwrap().to_owned();
        assert_eq!(header(&access)["typ"], "at+jwt");
        let (status, info, _) = userinfo(&app, &access).await;
        assert_eq!(status, 200, "{info}");
        assert_eq!(info["sub"], user.id.as_str());
        assert_eq!(
            info["preferred_username"],
            user.user_principal_name.as_str()
        );

        // The issuance and the redemption are in the sign-in log.
        let logged = app
            .store()
            .query_sign_ins(&portcullis_store::SignInQuery {
                limit: 200,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(
            logged
                .items
                .iter()
                .filter(|s| s.app_id.as_deref() == Some(&client.client_id))
                .count()
                >= 2,
            "authorize and redemption must each be logged"
        );

        let first_refresh = body["refresh_token"].as_str().unwrap().to_owned();
        let (status, refreshed) = refresh(&app, &client, &first_refresh).await;
        assert_eq!(status, 200, "{refreshed}");
        let second_refresh = refreshed["refresh_token"].as_str().unwrap().to_owned();
        assert_ne!(first_refresh, second_refresh, "refresh tokens rotate");
        assert_eq!(
            claims(refreshed["id_token"].as_str().unwrap())["auth_time"],
            id["auth_time"]
        );

        // Reuse of the rotated token revokes the whole family, the successor included.
        let (status, reused) = refresh(&app, &client, &first_refresh).await;
        assert_eq!(
            (status, reused["error"].as_str()),
            (400, Some("invalid_grant")),
            "{reused}"
        );
        let (status, after) = refresh(&app, &client, &second_refresh).await;
        assert_eq!(
            (status, after["error"].as_str()),
            (400, Some("invalid_grant")),
            "{after}"
        );
    })
    .await;
}

#[tokio::test]
async fn wrong_redirect_uri_shows_an_error_page_and_never_redirects() {
    on_every_backend(|app| async move {
        let client = register_oidc_client(&app, confidential(), true).await;
        let (status, location, body) = authorize(
            &app,
            None,
            &[
                ("response_type", "code"),
                ("client_id", &client.client_id),
                ("redirect_uri", "https://evil.example/callback"),
                ("scope", "openid"),
            ],
        )
        .await;
        assert_eq!(status, 400);
        assert!(
            location.is_empty(),
            "must not redirect to an unregistered URI"
        );
        assert!(body.contains("not registered"), "{body}");
        // The token endpoint also insists on the exact URI.
        let user = create_user(&app, "bob").await;
        let (cookie, _) = sign_in(&app, &user, &["pwd"]).await;
        let code = code_for(&app, &cookie, &client, None, "openid").await;
        let (status, body) = token(
            &app,
            &client,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "https://app.example/other"),
            ],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );
    })
    .await;
}

#[tokio::test]
async fn without_a_session_authorize_sends_the_browser_to_sign_in() {
    on_every_backend(|app| async move {
        let client = register_oidc_client(&app, confidential(), true).await;
        let (status, location, _) = authorize(
            &app,
            None,
            &[
                ("response_type", "code"),
                ("client_id", &client.client_id),
                ("redirect_uri", REDIRECT),
                ("scope", "openid"),
                ("acr_values", "c2"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert!(location.starts_with("/signin?"), "{location}");
        assert_eq!(
            param(&location, "app").as_deref(),
            Some(client.client_id.as_str())
        );
        assert_eq!(param(&location, "acr").as_deref(), Some("c2"));
        assert!(
            param(&location, "return_to")
                .unwrap()
                .starts_with("/oauth2/authorize?")
        );
        // prompt=none cannot sign in: the error goes back to the client.
        let (status, location, _) = authorize(
            &app,
            None,
            &[
                ("response_type", "code"),
                ("client_id", &client.client_id),
                ("redirect_uri", REDIRECT),
                ("scope", "openid"),
                ("prompt", "none"),
                ("state", "s"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(
            param(&location, "error").as_deref(),
            Some("login_required"),
            "{location}"
        );
        assert_eq!(param(&location, "state").as_deref(), Some("s"));
    })
    .await;
}

#[tokio::test]
async fn a_reused_code_fails_and_revokes_what_it_issued() {
    on_every_backend(|app| async move {
        let client = register_oidc_client(&app, confidential(), true).await;
        let user = create_user(&app, "cy").await;
        let (cookie, _) = sign_in(&app, &user, &["pwd"]).await;
        let code = code_for(&app, &cookie, &client, None, "openid offline_access").await;
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
        ];
        let (status, first) = token(&app, &client, &form).await;
        assert_eq!(status, 200, "{first}");
        let (status, second) = token(&app, &client, &form).await;
        assert_eq!(
            (status, second["error"].as_str()),
            (400, Some("invalid_grant")),
            "{second}"
        );
        // The refresh token and the access token from the first redemption are dead.
        let (status, refreshed) =
            refresh(&app, &client, first["refresh_token"].as_str().unwrap()).await;
        assert_eq!(
            (status, refreshed["error"].as_str()),
            (400, Some("invalid_grant")),
            "{refreshed}"
        );
        let (status, _, challenge) = userinfo(&app, first["access_token"].as_str().unwrap()).await;
        assert_eq!(status, 401);
        assert!(challenge.contains("invalid_token"), "{challenge}");
    })
    .await;
}

#[tokio::test]
async fn pkce_is_required_for_public_clients_and_a_wrong_verifier_fails() {
    on_every_backend(|app| async move {
        let client = register_oidc_client(&app, public_client(), false).await;
        let user = create_user(&app, "di").await;
        let (cookie, _) = sign_in(&app, &user, &["pwd"]).await;
        // No challenge: the error goes back to the client.
        let (status, location, _) = authorize(
            &app,
            Some(&cookie),
            &[
                ("response_type", "code"),
                ("client_id", &client.client_id),
                ("redirect_uri", REDIRECT),
                ("scope", "openid"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(
            param(&location, "error").as_deref(),
            Some("invalid_request"),
            "{location}"
        );

        let pkce = pkce();
        let code = code_for(&app, &cookie, &client, Some(&pkce), "openid").await;
        let wrong = oidc_support::pkce();
        let (status, body) = token(
            &app,
            &client,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("client_id", &client.client_id),
                ("code_verifier", &wrong.verifier),
            ],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );
        // A failed verifier does not burn the code for the real client.
        let (status, body) = token(
            &app,
            &client,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("client_id", &client.client_id),
                ("code_verifier", &pkce.verifier),
            ],
        )
        .await;
        assert_eq!(status, 200, "{body}");
    })
    .await;
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    on_every_backend(|app| async move {
        let client = register_oidc_client(&app, confidential(), true).await;
        let user = create_user(&app, "ed").await;
        let (cookie, _) = sign_in(&app, &user, &["pwd"]).await;
        let code = code_for(&app, &cookie, &client, None, "openid").await;
        // Age the stored code past its 60 seconds.
        let key = portcullis_core::SecretHash::of(&code).as_str().to_owned();
        let mut record = app
            .store()
            .get_oauth_record("code", &key)
            .await
            .unwrap()
            .unwrap();
        let issued = record.doc["code"]["issued_at"].as_i64().unwrap();
        record.doc["code"]["issued_at"] = json!(issued - 120);
        record.doc["code"]["expires_at"] = json!(issued - 60);
        assert!(app.store().replace_oauth_record(&record).await.unwrap());
        let (status, body) = token(
            &app,
            &client,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
            ],
        )
        .await;
        assert_invalid_grant(&(status, body), "expired");
    })
    .await;
}

#[tokio::test]
async fn forged_tokens_and_foreign_audiences_are_refused() {
    on_every_backend(|app| async move {
        let client = register_oidc_client(&app, confidential(), true).await;
        let user = create_user(&app, "fay").await;
        let (cookie, _) = sign_in(&app, &user, &["pwd"]).await;
        let body = tokens_for(&app, &cookie, &client, "openid").await;
        let access = body["access_token"].as_str().unwrap();
        let id_token = body["id_token"].as_str().unwrap();

        // alg none and HMAC keyed with our public key (algorithm confusion) at userinfo.
        let jwks: Value = app
            .client
            .get(app.url("/.well-known/jwks.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let public = serde_json::to_vec(&jwks["keys"][0]).unwrap();
        for forged in [forge_alg_none(access), forge_hmac(access, &public)] {
            let (status, _, _) = userinfo(&app, &forged).await;
            assert_eq!(status, 401, "forged token accepted: {}", header(&forged));
        }
        // An admin API token (another audience) is no userinfo token, and a user access
        // token is no admin API token.
        let admin = app.admin_token().await;
        let (status, _, _) = userinfo(&app, &admin).await;
        assert_eq!(status, 401);
        let (status, _) = app.get("/v1.0/users", access).await;
        assert_eq!(status, 401);

        // id_token_hint forged with alg none or HMAC: an error back to the client.
        for forged in [forge_alg_none(id_token), forge_hmac(id_token, &public)] {
            let (status, location, _) = authorize(
                &app,
                Some(&cookie),
                &[
                    ("response_type", "code"),
                    ("client_id", &client.client_id),
                    ("redirect_uri", REDIRECT),
                    ("scope", "openid"),
                    ("id_token_hint", &forged),
                ],
            )
            .await;
            assert_eq!(status, 303);
            assert_eq!(
                param(&location, "error").as_deref(),
                Some("invalid_request"),
                "{location}"
            );
            assert!(param(&location, "code").is_none());
        }
        // The genuine hint works.
        let (status, location, _) = authorize(
            &app,
            Some(&cookie),
            &[
                ("response_type", "code"),
                ("client_id", &client.client_id),
                ("redirect_uri", REDIRECT),
                ("scope", "openid"),
                ("id_token_hint", id_token),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert!(param(&location, "code").is_some(), "{location}");
    })
    .await;
}

#[tokio::test]
async fn private_key_jwt_refuses_alg_none_confusion_and_replay() {
    on_every_backend(|app| async move {
        let der = portcullis_service::tokens::signing_key::generate_pkcs8().unwrap();
        let key = portcullis_service::tokens::signing_key::TokenKey::from_pkcs8("client-key", &der)
            .unwrap();
        let jwk = serde_json::to_value(key.public_jwk()).unwrap();
        let client = register_oidc_client(
            &app,
            json!({"tokenEndpointAuthMethod": "private_key_jwt", "jwks": {"keys": [jwk.clone()]}}),
            false,
        )
        .await;
        let user = create_user(&app, "gus").await;
        let (cookie, _) = sign_in(&app, &user, &["pwd"]).await;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let assertion = |jti: &str| {
            let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
            header.kid = Some("client-key".into());
            jsonwebtoken::encode(
                &header,
                &json!({"iss": client.client_id, "sub": client.client_id,
                        "aud": app.url("/oauth2/token"), "exp": now + 120, "iat": now, "jti": jti}),
                key.encoding_key(),
            )
            .unwrap()
        };
        let cookie = &cookie;
        let redeem = |assertion: String| {
            let app = &app;
            let client = &client;
            async move {
                let code = code_for(app, cookie, client, None, "openid").await;
                token(
                    app,
                    &OidcClient {
                        client_id: client.client_id.clone(),
                        secret: None,
                    },
                    &[
                        ("grant_type", "authorization_code"),
                        ("code", &code),
                        ("redirect_uri", REDIRECT),
                        (
                            "client_assertion_type",
                            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                        ),
                        ("client_assertion", &assertion),
                    ],
                )
                .await
            }
        };
        let good = assertion("jti-1");
        let (status, body) = redeem(good.clone()).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = redeem(good.clone()).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client")),
            "replay: {body}"
        );
        let fresh = assertion("jti-2");
        let public = serde_json::to_vec(&jwk).unwrap();
        for forged in [forge_alg_none(&fresh), forge_hmac(&fresh, &public)] {
            let (status, body) = redeem(forged).await;
            assert_eq!(
                (status, body["error"].as_str()),
                (401, Some("invalid_client")),
                "{body}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn introspection_and_revocation_answer_the_owning_client_only() {
    on_every_backend(|app| async move {
        let client = register_oidc_client(&app, confidential(), true).await;
        let other = register_oidc_client(&app, confidential(), true).await;
        let user = create_user(&app, "hal").await;
        let (cookie, _) = sign_in(&app, &user, &["pwd"]).await;
        let tokens = tokens_for(&app, &cookie, &client, "openid offline_access").await;
        let access = tokens["access_token"].as_str().unwrap();
        let refresh = tokens["refresh_token"].as_str().unwrap();
        let introspect = |who: &OidcClient, token: &str| {
            let request = app
                .client
                .post(app.url("/oauth2/introspect"))
                .basic_auth(&who.client_id, who.secret.as_deref())
                .form(&[("token", token)]);
            async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
        };
        let answer = introspect(&client, access).await;
        assert_eq!(answer["active"], true, "{answer}");
        assert_eq!(answer["sub"], user.id.as_str());
        assert_eq!(introspect(&other, access).await, json!({"active": false}));
        assert_eq!(introspect(&client, refresh).await["active"], true);
        // Another client's revocation is a silent no-op; the owner's revokes.
        for (who, still_active) in [(&other, true), (&client, false)] {
            let status = app
                .client
                .post(app.url("/oauth2/revoke"))
                .basic_auth(&who.client_id, who.secret.as_deref())
                .form(&[("token", refresh)])
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, 200);
            assert_eq!(introspect(&client, refresh).await["active"], still_active);
        }
        // Bad client credentials are refused.
        let status = app
            .client
            .post(app.url("/oauth2/introspect"))
            .basic_auth(&client.client_id, Some("wrong"))
            .form(&[("token", access)])
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 401);
    })
    .await;
}

#[tokio::test]
async fn device_code_flow_polls_until_the_user_approves() {
    on_every_backend(|app| async move {
        let client = register_oidc_client(&app, public_client(), false).await;
        let user = create_user(&app, "ivy").await;
        let (cookie, _) = sign_in(&app, &user, &["pwd"]).await;
        let started: Value = app
            .client
            .post(app.url("/oauth2/device_authorization"))
            .form(&[
                ("client_id", client.client_id.as_str()),
                ("scope", "openid offline_access"),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let device_code = started["device_code"].as_str().unwrap().to_owned();
        assert_eq!(started["verification_uri"], app.url("/device"));
        let form = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", device_code.as_str()),
            ("client_id", client.client_id.as_str()),
        ];
        let poll = || token(&app, &client, &form);
        let (status, pending) = poll().await;
        assert_eq!(
            (status, pending["error"].as_str()),
            (400, Some("authorization_pending")),
            "{pending}"
        );
        // Polling faster than the interval is told to slow down.
        let (_, fast) = poll().await;
        assert_eq!(fast["error"], "slow_down", "{fast}");

        let page = no_redirects()
            .get(with_query(
                &app.url("/device"),
                &[("user_code", started["user_code"].as_str().unwrap())],
            ))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("Team wiki"));
        let approved = no_redirects()
            .post(app.url("/device"))
            .header("cookie", &cookie)
            .header("origin", app.base.as_str())
            .form(&[
                ("user_code", started["user_code"].as_str().unwrap()),
                ("action", "approve"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(approved.status(), 200);
        // Age the last poll so the next one is not "too soon".
        let key = portcullis_core::SecretHash::of(&device_code)
            .as_str()
            .to_owned();
        let mut record = app
            .store()
            .get_oauth_record("device", &key)
            .await
            .unwrap()
            .unwrap();
        record.doc["authorization"]["last_polled_at"] = json!(0);
        assert!(app.store().replace_oauth_record(&record).await.unwrap());
        let (status, tokens) = poll().await;
        assert_eq!(status, 200, "{tokens}");
        assert_eq!(
            claims(tokens["id_token"].as_str().unwrap())["sub"],
            user.id.as_str()
        );
        let logged = app
            .store()
            .query_sign_ins(&portcullis_store::SignInQuery {
                limit: 200,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(
            logged
                .items
                .iter()
                .any(|s| s.extra.get("originalTransferMethod") == Some(&json!("deviceCodeFlow"))),
            "device code issuance must be logged with its transfer method"
        );
    })
    .await;
}

#[tokio::test]
async fn refresh_is_refused_once_the_user_is_disabled() {
    on_every_backend(|app| async move {
        let client = register_oidc_client(&app, confidential(), true).await;
        let mut user = create_user(&app, "jo").await;
        let (cookie, _) = sign_in(&app, &user, &["pwd"]).await;
        let tokens = tokens_for(&app, &cookie, &client, "openid offline_access").await;
        user.account_enabled = false;
        app.store()
            .commit(
                portcullis_store::Batch::new().change(portcullis_store::Change::UpdateUser(user)),
            )
            .await
            .unwrap();
        let (status, body) =
            refresh(&app, &client, tokens["refresh_token"].as_str().unwrap()).await;
        assert_invalid_grant(&(status, body), "disabled");
    })
    .await;
}

#[tokio::test]
async fn conditional_access_block_stops_authorize_and_refresh() {
    on_every_backend(|app| async move {
        let client = register_oidc_client(&app, confidential(), true).await;
        let user = create_user(&app, "kim").await;
        let (cookie, _) = sign_in(&app, &user, &["pwd"]).await;
        let tokens = tokens_for(&app, &cookie, &client, "openid offline_access").await;
        block_through_api(
            &app,
            "Block the wiki",
            json!({"includeUsers": [user.id.as_str()]}),
            &client,
        )
        .await;
        let (status, location, _) = authorize(
            &app,
            Some(&cookie),
            &[
                ("response_type", "code"),
                ("client_id", &client.client_id),
                ("redirect_uri", REDIRECT),
                ("scope", "openid"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(
            param(&location, "error").as_deref(),
            Some("access_denied"),
            "{location}"
        );
        let (status, body) =
            refresh(&app, &client, tokens["refresh_token"].as_str().unwrap()).await;
        assert_invalid_grant(&(status, body), "Conditional Access");
    })
    .await;
}

/// A refresh token presented several times at once (a stolen copy racing the client):
/// the claim lets exactly one presentation through, and every other one is reuse, which
/// revokes the family — the winner's successor included.
#[tokio::test]
async fn concurrent_presentations_of_one_refresh_token_have_one_winner() {
    on_every_backend(|app| async move {
        let client = register_oidc_client(&app, confidential(), true).await;
        let user = create_user(&app, "kit").await;
        let (cookie, _) = sign_in(&app, &user, &["pwd"]).await;
        let tokens = tokens_for(&app, &cookie, &client, "openid offline_access").await;
        let presented = tokens["refresh_token"].as_str().unwrap().to_owned();
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", presented.as_str()),
        ];
        let answers = futures::future::join_all((0..6).map(|_| token(&app, &client, &form))).await;
        let winners: Vec<_> = answers
            .iter()
            .filter(|(status, _)| *status == 200)
            .collect();
        assert_eq!(winners.len(), 1, "{answers:?}");
        for (status, body) in answers.iter().filter(|(status, _)| *status != 200) {
            assert_eq!(
                (*status, body["error"].as_str()),
                (400, Some("invalid_grant")),
                "{body}"
            );
        }
        let successor = winners[0].1["refresh_token"].as_str().unwrap();
        let (status, body) = refresh(&app, &client, successor).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "the reuse revoked the winner's successor too: {body}"
        );
    })
    .await;
}
