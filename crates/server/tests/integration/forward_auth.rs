//! Forward-auth and SSO sessions over HTTP against a real server, on SQLite and (when
//! `PORTCULLIS_TEST_POSTGRES_URL` is set) PostgreSQL: identity headers, sign-in
//! redirects per proxy dialect, open-redirect refusal, continuous access evaluation
//! (disable, admin revoke, password change, high risk), policy changes, step-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use std::time::{Duration as StdDuration, Instant};

use common::{Backend, TestApp, backends, spawn_with};
use portcullis_core::{
    AppPermission, Application, ApplicationId, ApplicationKind, ClientId, RiskEvent, RiskEventId,
    SecretHash, Session, SessionId, User, UserId, UserType,
};
use portcullis_server::config::HttpSection;
use portcullis_service::sessions::NewSessionToken;
use portcullis_store::{Batch, Change, PolicyKind, Precondition};
use reqwest::redirect::Policy;
use serde_json::json;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const HOST: &str = "wiki.test";

struct Fixture {
    app: TestApp,
    client: reqwest::Client,
    user: User,
    wiki: Application,
}

async fn fixture(backend: &Backend) -> Fixture {
    let app = spawn_with(backend, HttpSection::default()).await;
    let now = OffsetDateTime::now_utc();
    let user = User {
        id: UserId::from_uuid(Uuid::new_v4()),
        user_principal_name: format!("ada.{}@example.com", Uuid::new_v4().simple()),
        display_name: "Ada Lovelace".into(),
        mail: Some("ada@example.com".into()),
        mobile_phone: None,
        user_type: UserType::Member,
        account_enabled: true,
        created_date_time: now,
        attributes: serde_json::Map::new(),
    };
    let wiki = Application {
        id: ApplicationId::from_uuid(Uuid::new_v4()),
        app_id: ClientId::from_uuid(Uuid::new_v4()),
        display_name: "Wiki".into(),
        kind: ApplicationKind::ForwardAuth,
        redirect_uris: vec![],
        granted_permissions: vec![],
        enabled: true,
        created_date_time: now,
        settings: json!({"host": HOST, "pathPrefix": "/"}),
    };
    app.store()
        .commit(
            Batch::new()
                .change(Change::CreateUser(user.clone()))
                .change(Change::CreateApplication(wiki.clone())),
        )
        .await
        .unwrap();
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    Fixture {
        app,
        client,
        user,
        wiki,
    }
}

impl Fixture {
    /// A session as the sign-in service would create it, with these `amr` values.
    async fn session(&self, amr: &[&str]) -> String {
        let token = NewSessionToken::generate(&mut rand::rng());
        let now = OffsetDateTime::now_utc();
        let session = Session {
            id: SessionId::from_uuid(Uuid::new_v4()),
            user_id: self.user.id.clone(),
            token_hash: token.token_hash.clone(),
            created_date_time: now,
            authenticated_date_time: now - Duration::seconds(5),
            last_seen_date_time: now,
            expires_date_time: now + Duration::hours(8),
            persistent: false,
            amr: amr.iter().map(|s| (*s).to_owned()).collect(),
            acr: None,
            device_id: None,
            ip_address: Some("127.0.0.1".into()),
            user_agent: Some("test".into()),
            revoked_date_time: None,
        };
        assert_eq!(token.token_hash, SecretHash::of(&token.cookie_value));
        self.app.store().create_session(&session).await.unwrap();
        token.cookie_value
    }

    async fn check(
        &self,
        proxy: &str,
        host: &str,
        uri: &str,
        cookie: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .get(self.app.url(&format!("/forward-auth/{proxy}")))
            .header("X-Forwarded-Method", "GET")
            .header("X-Forwarded-Proto", "https")
            .header("X-Forwarded-Host", host)
            .header("X-Forwarded-Uri", uri)
            .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64)");
        if let Some(cookie) = cookie {
            request = request.header("Cookie", format!("other=1; portcullis_session={cookie}"));
        }
        request.send().await.unwrap()
    }

    async fn status(&self, cookie: &str) -> u16 {
        self.check("nginx", HOST, "/page", Some(cookie))
            .await
            .status()
            .as_u16()
    }

    /// Polls until the status is `want`; returns how long it took (panics after 5 s).
    async fn until_status(&self, cookie: &str, want: u16, what: &str) -> StdDuration {
        let start = Instant::now();
        loop {
            let got = self.status(cookie).await;
            if got == want {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < StdDuration::from_secs(5),
                "{what}: still {got} after 5 s, wanted {want}"
            );
            tokio::time::sleep(StdDuration::from_millis(50)).await;
        }
    }

    async fn put_policy(&self, id: &str, grant: serde_json::Value) {
        let policy = json!({
            "id": id,
            "displayName": format!("test {id}"),
            "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"]},
                "applications": {"includeApplications": [self.wiki.app_id.to_string()]},
                "clientAppTypes": ["all"]
            },
            "grantControls": grant
        });
        self.app
            .store()
            .commit(Batch::new().change(Change::PutPolicy {
                kind: PolicyKind::ConditionalAccessPolicy,
                id: id.to_owned(),
                json: policy,
                precondition: Precondition::None,
                at: OffsetDateTime::now_utc(),
            }))
            .await
            .unwrap();
    }

    async fn delete_policy(&self, id: &str) {
        self.app
            .store()
            .commit(Batch::new().change(Change::DeletePolicy {
                kind: PolicyKind::ConditionalAccessPolicy,
                id: id.to_owned(),
            }))
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_headers_and_sign_in_redirects() {
    for backend in backends() {
        let f = fixture(&backend).await;
        let cookie = f.session(&["pwd"]).await;

        let allowed = f.check("nginx", HOST, "/page?x=1", Some(&cookie)).await;
        assert_eq!(allowed.status(), 200, "{backend:?}");
        let h = allowed.headers();
        assert_eq!(h["remote-user"], f.user.user_principal_name.as_str());
        assert_eq!(h["remote-email"], "ada@example.com");
        assert_eq!(h["remote-name"], "Ada Lovelace");
        assert_eq!(h["remote-groups"], "");
        assert_eq!(h["cache-control"], "no-store");
        let jwt = h["remote-jwt"].to_str().unwrap();
        assert_eq!(jwt.split('.').count(), 3, "a signed JWT");

        // Not signed in: nginx gets 401 with the sign-in URL, Traefik and Caddy a 302.
        let expected = format!(
            "{}/signin?return_to=https%3A%2F%2Fwiki.test%2Fpage%3Fx%3D1&app={}",
            f.app.base, f.wiki.app_id
        );
        let nginx = f.check("nginx", HOST, "/page?x=1", None).await;
        assert_eq!(nginx.status(), 401);
        assert_eq!(nginx.headers()["location"], expected.as_str());
        for proxy in ["traefik", "caddy"] {
            let answer = f.check(proxy, HOST, "/page?x=1", None).await;
            assert_eq!(answer.status(), 302, "{proxy}");
            assert_eq!(answer.headers()["location"], expected.as_str());
        }
        // A cookie that is not a session, and one of the wrong shape.
        let unknown = NewSessionToken::generate(&mut rand::rng()).cookie_value;
        assert_eq!(f.status(&unknown).await, 401);
        assert_eq!(f.status("not-a-session").await, 401);

        // Unknown hosts are refused; open-redirect shapes are refused before anything.
        assert_eq!(
            f.check("nginx", "evil.test", "/", Some(&cookie))
                .await
                .status(),
            403
        );
        for uri in ["//evil.test/", "/\\evil.test", "https://evil.test/"] {
            let answer = f.check("traefik", HOST, uri, None).await;
            assert_eq!(answer.status(), 400, "{uri}");
            assert!(answer.headers().get("location").is_none());
        }
        f.app.shutdown.shutdown();
    }
}

/// Disabling the user, an admin's revoke, a password change and high user risk end the
/// session at the next request after the epoch poll (one second), never later than 5 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn continuous_access_evaluation() {
    for backend in backends() {
        let f = fixture(&backend).await;

        // Disable: refused, and the session stays revoked after re-enabling.
        let cookie = f.session(&["pwd"]).await;
        assert_eq!(f.status(&cookie).await, 200);
        let mut disabled = f.user.clone();
        disabled.account_enabled = false;
        f.app
            .store()
            .commit(Batch::new().change(Change::UpdateUser(disabled)))
            .await
            .unwrap();
        let took = f.until_status(&cookie, 401, "disabled user").await;
        eprintln!("{backend:?}: disabled user refused after {took:?}");
        f.app
            .store()
            .commit(Batch::new().change(Change::UpdateUser(f.user.clone())))
            .await
            .unwrap();
        tokio::time::sleep(StdDuration::from_millis(1200)).await;
        assert_eq!(f.status(&cookie).await, 401, "re-enabling revives nothing");

        // Admin revoke through Graph (least privilege: the permission is needed).
        let cookie = f.session(&["pwd"]).await;
        assert_eq!(f.status(&cookie).await, 200);
        let path = format!("/v1.0/users/{}/revokeSignInSessions", f.user.id);
        let reader = f
            .app
            .register_client(&[AppPermission::UserReadAll], &[])
            .await;
        let reader_token = f.app.token_for(&reader).await;
        let audit_before = f.app.audit_len().await;
        let refused = f.app.post(&path, &reader_token, json!({})).await;
        assert_eq!(refused.0, 403, "{}", refused.1);
        assert_eq!(f.app.audit_len().await, audit_before);
        let admin = f
            .app
            .register_client(&[AppPermission::UserRevokeSessionsAll], &[])
            .await;
        let token = f.app.token_for(&admin).await;
        let revoked = f.app.post(&path, &token, json!({})).await;
        assert_eq!(revoked.0, 200, "{}", revoked.1);
        assert_eq!(revoked.1["value"], true);
        assert_eq!(f.app.audit_len().await, audit_before + 1, "audited");
        f.until_status(&cookie, 401, "admin revoke").await;

        // A password set after the session began.
        let cookie = f.session(&["pwd"]).await;
        assert_eq!(f.status(&cookie).await, 200);
        let password = portcullis_core::Credential {
            id: portcullis_core::CredentialId::from_uuid(Uuid::new_v4()),
            user_id: f.user.id.clone(),
            kind: portcullis_core::CredentialKind::Password,
            display_name: None,
            payload: json!({"phc": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"}),
            metadata: json!({}),
            created_date_time: OffsetDateTime::now_utc(),
            last_used_date_time: None,
            revision: 0,
        };
        f.app
            .store()
            .commit(Batch::new().change(Change::AddCredential(password)))
            .await
            .unwrap();
        f.until_status(&cookie, 401, "password changed").await;

        // High user risk detected after the session began.
        let cookie = f.session(&["pwd"]).await;
        assert_eq!(f.status(&cookie).await, 200);
        f.app
            .store()
            .append_risk_event(&RiskEvent {
                id: RiskEventId::from_uuid(Uuid::new_v4()),
                user_id: Some(f.user.id.clone()),
                user_principal_name: Some(f.user.user_principal_name.clone()),
                risk_event_type: "leakedCredentials".into(),
                risk_level: "high".into(),
                risk_state: "atRisk".into(),
                risk_detail: None,
                detection_timing_type: "offline".into(),
                detected_date_time: OffsetDateTime::now_utc(),
                ip_address: None,
                sign_in_id: None,
                additional_info: json!({}),
            })
            .await
            .unwrap();
        f.until_status(&cookie, 401, "high user risk").await;
        f.app.shutdown.shutdown();
    }
}

/// A policy change reaches cached judgements within the poll interval; a policy asking
/// for MFA sends a password-only session to sign in (step-up) and lets an MFA one pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_changes_and_step_up() {
    for backend in backends() {
        let f = fixture(&backend).await;
        let password_only = f.session(&["pwd"]).await;
        let with_mfa = f.session(&["pwd", "otp", "mfa"]).await;
        assert_eq!(f.status(&password_only).await, 200, "judged and cached");

        f.put_policy(
            "block-wiki",
            json!({"operator": "OR", "builtInControls": ["block"]}),
        )
        .await;
        f.until_status(&password_only, 403, "block policy").await;
        assert_eq!(f.status(&with_mfa).await, 403);
        f.delete_policy("block-wiki").await;
        f.until_status(&password_only, 200, "block policy deleted")
            .await;

        f.put_policy(
            "mfa-wiki",
            json!({"operator": "OR", "builtInControls": ["mfa"]}),
        )
        .await;
        f.until_status(&password_only, 401, "MFA policy").await;
        let step_up = f.check("nginx", HOST, "/page", Some(&password_only)).await;
        let location = step_up.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location.contains("/signin?return_to=")
                && location.contains(&f.wiki.app_id.to_string())
        );
        assert_eq!(f.status(&with_mfa).await, 200, "MFA session passes");
        f.app.shutdown.shutdown();
    }
}
