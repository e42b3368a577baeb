//! A real portal over a fresh SQLite store, with signed-in administrators, for
//! in-process (tower `oneshot`) tests.

#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use portcullis_core::{
    DirectoryRole, Principal, RoleAssignment, RoleAssignmentId, SecretHash, Session, SessionId,
    User, UserId, UserType,
};
use portcullis_pages::kit::{CookiePolicy, Kit};
use portcullis_service::{ServiceSettings, Services};
use portcullis_store::{Batch, Change, Store};
use portcullis_store_sqlite::SqliteStore;
use portcullis_web::AddressRateLimiter;
use portcullis_web::client_ip::TrustedProxies;
use time::OffsetDateTime;
use tower::ServiceExt;
use uuid::Uuid;

/// A well-formed CSRF token (43 base64url characters) used as cookie and field.
pub const CSRF: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

pub struct Portal {
    pub router: Router,
    pub store: Arc<dyn Store>,
    pub services: Services,
    _dir: tempfile::TempDir,
}

pub async fn portal() -> Portal {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_dir(dir.path()).await.unwrap());
    let services = Services::start(
        store.clone(),
        ServiceSettings {
            public_url: "http://localhost".into(),
            access_token_lifetime: Duration::from_secs(3600),
            signing_keys: Default::default(),
        },
    )
    .await
    .unwrap();
    let kit = Kit {
        services: services.clone(),
        cookies: CookiePolicy::from_public_url("http://localhost"),
        trusted_proxies: TrustedProxies::default(),
        limiter: Arc::new(AddressRateLimiter::new(10, 120)),
    };
    Portal {
        router: portcullis_portal::router_with_kit(kit, "http://localhost"),
        store,
        services,
        _dir: dir,
    }
}

fn audit() -> portcullis_core::AuditRecord {
    portcullis_core::AuditRecord::new(
        portcullis_core::AuditId::from_uuid(Uuid::new_v4()),
        OffsetDateTime::now_utc(),
        portcullis_core::audit::category::USER_MANAGEMENT,
        "test setup",
        "Add",
        portcullis_core::audit::InitiatedBy {
            user: None,
            app: None,
        },
    )
}

impl Portal {
    /// A user holding `roles`, signed in: returns the user and its `Cookie` header.
    pub async fn admin(&self, upn: &str, roles: &[DirectoryRole]) -> (User, String) {
        let user = User {
            id: UserId::from_uuid(Uuid::new_v4()),
            user_principal_name: upn.into(),
            display_name: upn.split('@').next().unwrap().into(),
            mail: None,
            mobile_phone: None,
            user_type: UserType::Member,
            account_enabled: true,
            created_date_time: OffsetDateTime::now_utc(),
            attributes: serde_json::Map::new(),
        };
        self.store
            .commit(Batch::single(Change::CreateUser(user.clone()), audit()))
            .await
            .unwrap();
        for role in roles {
            let assignment = RoleAssignment {
                id: RoleAssignmentId::from_uuid(Uuid::new_v4()),
                principal: Principal::User(user.id.clone()),
                role: *role,
                directory_scope_id: "/".into(),
                created_date_time: OffsetDateTime::now_utc(),
            };
            self.store
                .commit(Batch::single(Change::AssignRole(assignment), audit()))
                .await
                .unwrap();
        }
        // 43 base64url characters, the cookie contract's shape.
        let token = format!("{}{}", Uuid::new_v4().simple(), "A".repeat(11));
        let now = OffsetDateTime::now_utc();
        self.store
            .create_session(&Session {
                id: SessionId::from_uuid(Uuid::new_v4()),
                user_id: user.id.clone(),
                token_hash: SecretHash::of(&token),
                created_date_time: now,
                authenticated_date_time: now,
                last_seen_date_time: now,
                expires_date_time: now + time::Duration::hours(8),
                persistent: false,
                amr: vec!["pwd".into(), "mfa".into()],
                acr: None,
                device_id: None,
                ip_address: Some("192.0.2.10".into()),
                user_agent: None,
                revoked_date_time: None,
            })
            .await
            .unwrap();
        (
            user,
            format!("portcullis_session={token}; portcullis_csrf={CSRF}"),
        )
    }

    pub async fn get(&self, uri: &str, cookie: &str) -> Response<Body> {
        self.router
            .clone()
            .oneshot(
                Request::get(uri)
                    .header(header::COOKIE, cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap()
    }

    /// Posts a form; `csrf` is the token put in the form (the cookie always has CSRF).
    pub async fn post(&self, uri: &str, cookie: &str, body: &str) -> Response<Body> {
        self.router
            .clone()
            .oneshot(
                Request::post(uri)
                    .header(header::COOKIE, cookie)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body.to_owned()))
                    .unwrap(),
            )
            .await
            .unwrap()
    }
}

pub async fn text(response: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 4 << 20)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

pub async fn expect(response: Response<Body>, status: StatusCode) -> String {
    let actual = response.status();
    let body = text(response).await;
    assert_eq!(actual, status, "unexpected status; body: {body}");
    body
}

pub fn location(response: &Response<Body>) -> String {
    response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}

/// The service caller a signed-in administrator acts as.
pub fn caller(user: &User, role: DirectoryRole) -> portcullis_service::Caller {
    let mut caller = portcullis_service::Caller::user(&user.id, &user.user_principal_name, None);
    caller.actor = portcullis_core::Actor::User {
        id: user.id.clone(),
        roles: vec![role],
    };
    caller
}
