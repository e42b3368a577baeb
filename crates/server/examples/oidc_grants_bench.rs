//! Token-endpoint throughput on loopback: client-credentials grants/s and refresh-token
//! grants/s, each with its durable sign-in log entry (counted afterwards to prove every
//! answered grant was logged).
//!
//! ```text
//! cargo run --release -p portcullis-server --example oidc_grants_bench -- [SECONDS] [CONCURRENCY] [GROUP]
//! ```
//!
//! `GROUP` is `[signin] group_commit_max` (default 64): log entries committed together.
//! `1` commits each grant's entry alone — the baseline the group commit is measured
//! against.
//!
//! It starts a real server (SQLite in a temporary directory, the same `Application`
//! `portcullis serve` runs) on 127.0.0.1 and drives it with HTTP/1.1 keep-alive clients
//! in the same process; the load generator shares the CPUs, so the figures are a lower
//! bound for the server alone. Each grant type also reports grants per CPU-second of
//! the whole process (user + system time from `/proc/self/stat`, server and clients
//! together): a per-vCPU lower bound that holds however busy the machine is.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use portcullis_core::{
    AppPermission, Application as AppRecord, ApplicationId, ApplicationKind, ApplicationSecret,
    ClientId, SecretHash, SecretId, Session, SessionId, User, UserId, UserType,
};
use portcullis_server::config::FileConfig;
use portcullis_server::{Application, Config};
use portcullis_store::{Batch, Change, SignInQuery, Store};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

const REDIRECT: &str = "https://bench.example/cb";

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let concurrency: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(32);
    let group: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(64);
    let data_dir = tempfile::tempdir().unwrap();
    let config = Config::from_layers(FileConfig {
        listen: Some("127.0.0.1:0".into()),
        data_dir: Some(data_dir.path().to_owned()),
        tokens: portcullis_server::config::TokensSection {
            // The benchmark measures grants, not the per-client flood limit.
            client_requests_per_second: Some(1_000_000),
            client_request_burst: Some(1_000_000),
            ..Default::default()
        },
        signin: portcullis_server::signin_config::SignInSection {
            group_commit_max: Some(group),
            ..Default::default()
        },
        ..FileConfig::default()
    })
    .unwrap();
    let app = Application::build(config).await.unwrap();
    let base = app.public_url().to_owned();
    let store = app.services().store().clone();
    tokio::spawn(app.run_until_stopped());

    let (automation_id, automation_secret) = automation_client(store.as_ref()).await;
    let (oidc_id, oidc_secret) = oidc_client(store.as_ref()).await;
    let cookie = session(store.as_ref()).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(concurrency)
        .build()
        .unwrap();

    println!(
        "Portcullis token endpoint, {concurrency} concurrent clients, {seconds} s per grant, group commit of up to {group}"
    );
    println!(
        "machine: {} logical CPUs (server and load generator share them)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let before = log_rows(store.as_ref()).await;
    let cpu_before = process_cpu_seconds();
    let cc = run(seconds, concurrency, |_| {
        let http = http.clone();
        let url = format!("{base}/oauth2/token");
        let (id, secret) = (automation_id.clone(), automation_secret.clone());
        async move {
            loop {
                let status = http
                    .post(&url)
                    .basic_auth(&id, Some(&secret))
                    .form(&[("grant_type", "client_credentials")])
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0);
                yield_result(status == 200).await;
            }
        }
    })
    .await;
    let cc_cpu = process_cpu_seconds() - cpu_before;
    let after_cc = log_rows(store.as_ref()).await;
    report(
        "client_credentials",
        &cc,
        seconds,
        after_cc - before,
        cc_cpu,
    );

    // One refresh chain per worker, each started by a real code flow.
    let mut chains = Vec::new();
    for _ in 0..concurrency {
        chains.push(first_refresh_token(&http, &base, &cookie, &oidc_id, &oidc_secret).await);
    }
    let chains = Arc::new(std::sync::Mutex::new(chains));
    let cpu_before = process_cpu_seconds();
    let rt = run(seconds, concurrency, |worker| {
        let http = http.clone();
        let url = format!("{base}/oauth2/token");
        let (id, secret) = (oidc_id.clone(), oidc_secret.clone());
        let mut refresh = chains.lock().unwrap()[worker].clone();
        async move {
            loop {
                let answer = http
                    .post(&url)
                    .basic_auth(&id, Some(&secret))
                    .form(&[
                        ("grant_type", "refresh_token"),
                        ("refresh_token", refresh.as_str()),
                    ])
                    .send()
                    .await;
                let ok = match answer {
                    Ok(r) if r.status() == 200 => {
                        let body: Value = r.json().await.unwrap_or(Value::Null);
                        match body["refresh_token"].as_str() {
                            Some(next) => {
                                refresh = next.to_owned();
                                true
                            }
                            None => false,
                        }
                    }
                    _ => false,
                };
                yield_result(ok).await;
            }
        }
    })
    .await;
    let rt_cpu = process_cpu_seconds() - cpu_before;
    let after_rt = log_rows(store.as_ref()).await;
    report("refresh_token", &rt, seconds, after_rt - after_cc, rt_cpu);
}

struct Counts {
    ok: u64,
    failed: u64,
}

tokio::task_local! {
    static COUNTS: Arc<(AtomicU64, AtomicU64)>;
}

async fn yield_result(ok: bool) {
    COUNTS.with(|c| {
        if ok {
            c.0.fetch_add(1, Ordering::Relaxed);
        } else {
            c.1.fetch_add(1, Ordering::Relaxed);
        }
    });
}

/// Runs `concurrency` workers for `seconds` and counts their results.
async fn run<F, Fut>(seconds: u64, concurrency: usize, worker: F) -> Counts
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let counts = Arc::new((AtomicU64::new(0), AtomicU64::new(0)));
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|i| tokio::spawn(COUNTS.scope(counts.clone(), worker(i))))
        .collect();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    for task in &tasks {
        task.abort();
    }
    let _ = started;
    Counts {
        ok: counts.0.load(Ordering::Relaxed),
        failed: counts.1.load(Ordering::Relaxed),
    }
}

fn report(grant: &str, counts: &Counts, seconds: u64, logged: i64, cpu_seconds: f64) {
    println!(
        "{grant:>18}: {:>8.0} grants/s  ({} ok, {} failed, {} sign-in log rows written); {:.0} grants per process CPU-second ({cpu_seconds:.1} s of CPU)",
        counts.ok as f64 / seconds as f64,
        counts.ok,
        counts.failed,
        logged,
        counts.ok as f64 / cpu_seconds.max(0.001),
    );
}

/// User + system CPU time of this process so far (fields 14 and 15 of
/// `/proc/self/stat`, in clock ticks of 1/100 s on Linux).
fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // The command name may hold spaces; the fields after its closing parenthesis don't.
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Field 3 is the first after the name: utime (14) and stime (15) are at 11 and 12.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    ticks as f64 / 100.0
}

async fn log_rows(store: &dyn Store) -> i64 {
    // Page through the log: the count is what proves durability per grant.
    let mut total = 0i64;
    let mut query = SignInQuery {
        limit: 1000,
        ..Default::default()
    };
    loop {
        let page = store.query_sign_ins(&query).await.unwrap();
        total += page.items.len() as i64;
        match page.next {
            Some(cursor) => query.cursor = Some(cursor),
            None => return total,
        }
    }
}

async fn automation_client(store: &dyn Store) -> (String, String) {
    let now = OffsetDateTime::now_utc();
    let app = AppRecord {
        id: ApplicationId::from_uuid(Uuid::new_v4()),
        app_id: ClientId::from_uuid(Uuid::new_v4()),
        display_name: "bench automation".into(),
        kind: ApplicationKind::Automation,
        redirect_uris: vec![],
        granted_permissions: vec![AppPermission::UserReadAll],
        enabled: true,
        created_date_time: now,
        settings: Value::Null,
    };
    let secret = portcullis_service::secrets::new_secret("pcs_").unwrap();
    store
        .commit(
            Batch::new()
                .change(Change::CreateApplication(app.clone()))
                .change(Change::AddApplicationSecret(ApplicationSecret {
                    key_id: SecretId::from_uuid(Uuid::new_v4()),
                    application_id: app.id.clone(),
                    display_name: "bench".into(),
                    hint: secret.hint.clone(),
                    secret_hash: secret.hash.clone(),
                    start_date_time: now,
                    end_date_time: None,
                })),
        )
        .await
        .unwrap();
    (app.app_id.to_string(), secret.plaintext)
}

async fn oidc_client(store: &dyn Store) -> (String, String) {
    let now = OffsetDateTime::now_utc();
    let app = AppRecord {
        id: ApplicationId::from_uuid(Uuid::new_v4()),
        app_id: ClientId::from_uuid(Uuid::new_v4()),
        display_name: "bench web app".into(),
        kind: ApplicationKind::OidcClient,
        redirect_uris: vec![REDIRECT.into()],
        granted_permissions: vec![],
        enabled: true,
        created_date_time: now,
        settings: json!({}),
    };
    let secret = portcullis_service::secrets::new_secret("pcs_").unwrap();
    store
        .commit(
            Batch::new()
                .change(Change::CreateApplication(app.clone()))
                .change(Change::AddApplicationSecret(ApplicationSecret {
                    key_id: SecretId::from_uuid(Uuid::new_v4()),
                    application_id: app.id.clone(),
                    display_name: "bench".into(),
                    hint: secret.hint.clone(),
                    secret_hash: secret.hash.clone(),
                    start_date_time: now,
                    end_date_time: None,
                })),
        )
        .await
        .unwrap();
    (app.app_id.to_string(), secret.plaintext)
}

async fn session(store: &dyn Store) -> String {
    let now = OffsetDateTime::now_utc();
    let user = User {
        id: UserId::from_uuid(Uuid::new_v4()),
        user_principal_name: "bench@example.com".into(),
        display_name: "Bench User".into(),
        mail: None,
        mobile_phone: None,
        user_type: UserType::Member,
        account_enabled: true,
        created_date_time: now,
        attributes: Default::default(),
    };
    store
        .commit(Batch::new().change(Change::CreateUser(user.clone())))
        .await
        .unwrap();
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
            ip_address: None,
            user_agent: None,
            revoked_date_time: None,
        })
        .await
        .unwrap();
    format!("portcullis_session={value}")
}

async fn first_refresh_token(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
    client_id: &str,
    secret: &str,
) -> String {
    let response = http
        .get(format!(
            "{base}/oauth2/authorize?{}",
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs([
                    ("response_type", "code"),
                    ("client_id", client_id),
                    ("redirect_uri", REDIRECT),
                    ("scope", "openid offline_access"),
                ])
                .finish()
        ))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let code = form_urlencoded::parse(location.split_once('?').unwrap().1.as_bytes())
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no code: {location}"));
    let body: Value = http
        .post(format!("{base}/oauth2/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["refresh_token"].as_str().unwrap().to_owned()
}
