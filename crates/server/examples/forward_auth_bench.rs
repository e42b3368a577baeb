//! Forward-auth on loopback: memory per active session, and checks/s for an existing
//! session (the nginx `auth_request` endpoint, the judgement cached per session).
//!
//! ```text
//! cargo run --release -p portcullis-server --example forward_auth_bench -- memory [SESSIONS] [USERS]
//! cargo run --release -p portcullis-server --example forward_auth_bench -- serve
//! ```
//!
//! Both start a real server (SQLite in a temporary directory, the same `Application`
//! `portcullis serve` runs) on 127.0.0.1 with one forward-auth application.
//!
//! * `memory` writes SESSIONS sessions to the store, then makes each one active on this
//!   node (one forward-auth check each, which loads it into the session cache with its
//!   judgement) and reports the growth of the process's resident set per session. The
//!   sessions are written before the first reading, so the store's own pages are not
//!   counted; the HTTP client is the same before and after. It also reports the live
//!   Rust heap per session (a counting allocator: every allocation the server's Rust
//!   code holds, without SQLite's page cache, which is bounded by `cache_size`). The
//!   sessions belong to USERS users (default 1, as in the first measurements; USERS =
//!   SESSIONS gives every session its own user, the worst case for sharing a user's
//!   facts between sessions).
//! * `serve` prints the check URL and a session cookie and serves until interrupted, for
//!   an external load generator (`wrk`) that does not share this process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use base64::Engine;
use portcullis_core::{
    Application as AppRecord, ApplicationId, ApplicationKind, ClientId, SecretHash, Session,
    SessionId, User, UserId, UserType,
};
use portcullis_server::config::FileConfig;
use portcullis_server::{Application, Config};
use portcullis_store::{Batch, Change, Store};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

const HOST: &str = "wiki.bench.test";

/// The `portcullis` binary's allocator (mimalloc), counting the bytes live through it
/// (measurement only), so the resident set is the server's too.
#[global_allocator]
static ALLOCATOR: cap::Cap<mimalloc::MiMalloc> = cap::Cap::new(mimalloc::MiMalloc, usize::MAX);

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "memory".into());
    let sessions: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let users: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .clamp(1, sessions.max(1));
    let data_dir = tempfile::tempdir().unwrap();
    let config = Config::from_layers(FileConfig {
        listen: Some("127.0.0.1:0".into()),
        data_dir: Some(data_dir.path().to_owned()),
        ..FileConfig::default()
    })
    .unwrap();
    let app = Application::build(config).await.unwrap();
    let base = app.public_url().to_owned();
    let store = app.services().store().clone();
    tokio::spawn(app.run_until_stopped());
    let user = setup(store.as_ref()).await;
    let check_url = format!("{base}/forward-auth/nginx");

    match mode.as_str() {
        "serve" => {
            let cookie = new_session(store.as_ref(), &user).await;
            println!("URL={check_url}");
            println!("COOKIE={cookie}");
            println!("HOST={HOST}");
            tokio::signal::ctrl_c().await.unwrap();
        }
        _ => {
            let mut all = vec![user];
            for n in 1..users {
                all.push(add_user(store.as_ref(), n).await);
            }
            memory(store.as_ref(), &all, &check_url, sessions).await
        }
    }
}

async fn memory(store: &dyn Store, users: &[User], check_url: &str, sessions: usize) {
    let http = reqwest::Client::new();
    let mut cookies = Vec::with_capacity(sessions);
    for n in 0..sessions {
        cookies.push(new_session(store, &users[n % users.len()]).await);
    }
    // One check first, so the client, the routing table and the policy are loaded
    // before the first reading.
    assert_eq!(check(&http, check_url, &cookies[0]).await, 200);
    let before = resident_kib();
    let heap_before = ALLOCATOR.allocated() as i64;
    let started = Instant::now();
    for chunk in cookies.chunks(16) {
        let checks = chunk.iter().map(|cookie| check(&http, check_url, cookie));
        for status in futures::future::join_all(checks).await {
            assert_eq!(status, 200);
        }
    }
    let took = started.elapsed();
    let after = resident_kib();
    let heap_after = ALLOCATOR.allocated() as i64;
    // Every session is still cached: a second round is answered from memory.
    let again = Instant::now();
    for cookie in cookies.iter().take(1000) {
        assert_eq!(check(&http, check_url, cookie).await, 200);
    }
    let cached = again.elapsed() / 1000;
    println!(
        "{sessions} sessions of {} users made active in {took:.1?}; resident set {before} KiB → {after} KiB: {:.0} bytes per active session; a cached check then took {cached:?}",
        users.len(),
        (after.saturating_sub(before) * 1024) as f64 / sessions as f64
    );
    println!(
        "live Rust heap {} KiB → {} KiB: {:.0} bytes per active session",
        heap_before / 1024,
        heap_after / 1024,
        (heap_after - heap_before) as f64 / sessions as f64
    );
}

async fn check(http: &reqwest::Client, url: &str, cookie: &str) -> u16 {
    http.get(url)
        .header("X-Forwarded-Method", "GET")
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-Host", HOST)
        .header("X-Forwarded-Uri", "/page")
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// VmRSS of this process, in KiB.
fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// The forward-auth application and the user whose sessions are checked.
async fn setup(store: &dyn Store) -> User {
    let now = OffsetDateTime::now_utc();
    let user = User {
        id: UserId::from_uuid(Uuid::new_v4()),
        user_principal_name: "bench@example.com".into(),
        display_name: "Bench User".into(),
        mail: Some("bench@example.com".into()),
        mobile_phone: None,
        user_type: UserType::Member,
        account_enabled: true,
        created_date_time: now,
        attributes: Default::default(),
    };
    let wiki = AppRecord {
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
    store
        .commit(
            Batch::new()
                .change(Change::CreateUser(user.clone()))
                .change(Change::CreateApplication(wiki)),
        )
        .await
        .unwrap();
    user
}

/// Another user with a mailbox and a display name of the usual length.
async fn add_user(store: &dyn Store, n: usize) -> User {
    let user = User {
        id: UserId::from_uuid(Uuid::new_v4()),
        user_principal_name: format!("bench.user{n:06}@example.com"),
        display_name: format!("Bench User {n:06}"),
        mail: Some(format!("bench.user{n:06}@example.com")),
        mobile_phone: None,
        user_type: UserType::Member,
        account_enabled: true,
        created_date_time: OffsetDateTime::now_utc(),
        attributes: Default::default(),
    };
    store
        .commit(Batch::new().change(Change::CreateUser(user.clone())))
        .await
        .unwrap();
    user
}

/// A session as the sign-in service creates it; the `Cookie` header value.
async fn new_session(store: &dyn Store, user: &User) -> String {
    let now = OffsetDateTime::now_utc();
    let mut raw = [0u8; 32];
    raw[..16].copy_from_slice(Uuid::new_v4().as_bytes());
    raw[16..].copy_from_slice(Uuid::new_v4().as_bytes());
    let value = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    store
        .create_session(&Session {
            id: SessionId::from_uuid(Uuid::new_v4()),
            user_id: user.id.clone(),
            token_hash: SecretHash::of(&value),
            created_date_time: now,
            authenticated_date_time: now,
            last_seen_date_time: now,
            expires_date_time: now + time::Duration::hours(8),
            persistent: false,
            amr: vec!["pwd".into(), "mfa".into()],
            acr: None,
            device_id: None,
            ip_address: Some("127.0.0.1".into()),
            user_agent: Some("bench".into()),
            revoked_date_time: None,
        })
        .await
        .unwrap();
    format!("portcullis_session={value}")
}
