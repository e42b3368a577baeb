//! A real application state over a fresh SQLite store, for in-process page tests.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Request, Response, header};
use portcullis_service::signin::codes::FileCodeSender;
use portcullis_service::signin::{SignInService, SignInSettings};
use portcullis_service::{ServiceSettings, Services};
use portcullis_store_sqlite::SqliteStore;
use portcullis_web::client_ip::TrustedProxies;
use portcullis_web::{AddressRateLimiter, AppState, ClientRateLimiter};

pub struct TestApp {
    pub state: AppState,
    // Kept alive for the store's lifetime.
    _dir: tempfile::TempDir,
}

pub async fn app(public_url: &str) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open_dir(dir.path()).await.unwrap());
    let services = Services::start(
        store,
        ServiceSettings {
            public_url: public_url.to_owned(),
            access_token_lifetime: Duration::from_secs(3600),
            signing_keys: Default::default(),
        },
    )
    .await
    .unwrap();
    let signin = SignInService::start(
        services.store().clone(),
        SignInSettings::default(),
        Arc::new(FileCodeSender::new(None)),
    )
    .await
    .unwrap();
    TestApp {
        state: AppState {
            services,
            trusted_proxies: TrustedProxies::default(),
            metrics: None,
            token_limiter: Arc::new(ClientRateLimiter::new(10, 10)),
            form_post_limiter: Arc::new(AddressRateLimiter::new(10, 120)),
            signin,
        },
        _dir: dir,
    }
}

pub async fn body_text(response: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Every `Set-Cookie` header of a response.
pub fn set_cookies(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The value of cookie `name` set by a response.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    set_cookies(headers).iter().find_map(|c| {
        let first = c.split(';').next()?;
        let (key, value) = first.split_once('=')?;
        (key == name).then(|| value.to_owned())
    })
}

pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

pub fn post_form(uri: &str, cookie: Option<&str>, body: &str) -> Request<Body> {
    let mut builder =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder.body(Body::from(body.to_owned())).unwrap()
}
