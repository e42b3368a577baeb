//! Token-endpoint throughput on loopback: client-credentials grants and refresh-token
//! grants per CPU-second of the **server alone**, each grant with its durable sign-in log
//! entry (counted afterwards to prove every answered grant was logged).
//!
//! ```text
//! taskset -c 1 oidc_grants_bench [SECONDS] [CONCURRENCY] [GROUP]    # the driver (clients)
//! oidc_grants_bench serve [GROUP]                                    # the server half
//! ```
//!
//! `GROUP` is `[signin] group_commit_max` (default 64): log entries committed together.
//! `1` commits each grant's entry alone — the baseline the group commit is measured
//! against.
//!
//! The driver starts the server half as a child process — a real server (SQLite in a
//! temporary directory, the same `Application` `portcullis serve` runs) on 127.0.0.1 —
//! pinned with `taskset -c $BENCH_SERVER_CPUS` (default `0`), and drives it with
//! `CONCURRENCY` HTTP/1.1 keep-alive clients in its own process (pin the driver to the
//! other core, as above). The clients' CPU is therefore not charged to the server: the
//! server's user + system time is read from `/proc/PID/stat` before and after each
//! measurement, and grants per server CPU-second is the per-vCPU rate of the server
//! alone, which holds however busy the machine is. `BENCH_SERVER=/path/to/binary` runs
//! another build's server half (a baseline) under the same driver.
//!
//! The two halves talk over the child's stdin/stdout: the server prints one `READY`
//! line with its URL and the seeded clients' credentials, then answers each `count`
//! line with the number of sign-in log rows in its store (`LOG_ROWS n`); it exits when
//! its stdin closes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

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
use tokio::io::AsyncBufReadExt;
use uuid::Uuid;

/// The allocator the `portcullis` binary runs with, so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const REDIRECT: &str = "https://bench.example/cb";

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("serve") {
        let group = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(64);
        return serve(group).await;
    }
    let seconds: u64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(10);
    let concurrency: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(16);
    let group: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(64);
    drive(seconds, concurrency, group).await
}

/// The server half: seeds the clients and a session, announces them, counts log rows
/// on request, and stops when the driver closes its stdin.
async fn serve(group: usize) {
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
    let ready = json!({
        "base": base,
        "automation": [automation_id, automation_secret],
        "oidc": [oidc_id, oidc_secret],
        "cookie": cookie,
        "cpus": std::thread::available_parallelism().map_or(0, |n| n.get()),
    });
    println!("READY {ready}");
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.trim() == "count" {
            println!("LOG_ROWS {}", log_rows(store.as_ref()).await);
        }
    }
}

/// The server half as the driver sees it: a child process and its pipes.
struct ServerProcess {
    child: Child,
    commands: ChildStdin,
    answers: BufReader<ChildStdout>,
}

impl ServerProcess {
    fn start(group: usize) -> (ServerProcess, Value) {
        let exe = std::env::var("BENCH_SERVER")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| std::env::current_exe().unwrap());
        let cpus = std::env::var("BENCH_SERVER_CPUS").unwrap_or_else(|_| "0".into());
        let mut child = Command::new("taskset")
            .arg("-c")
            .arg(&cpus)
            .arg(&exe)
            .arg("serve")
            .arg(group.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("taskset (util-linux) runs the server half");
        let commands = child.stdin.take().unwrap();
        let mut answers = BufReader::new(child.stdout.take().unwrap());
        let ready = read_tagged(&mut answers, "READY ");
        let ready: Value = serde_json::from_str(&ready).unwrap();
        (
            ServerProcess {
                child,
                commands,
                answers,
            },
            ready,
        )
    }

    /// Sign-in log rows in the server's store.
    fn log_rows(&mut self) -> i64 {
        writeln!(self.commands, "count").unwrap();
        self.commands.flush().unwrap();
        read_tagged(&mut self.answers, "LOG_ROWS ").parse().unwrap()
    }

    /// User + system CPU time of the server process so far (`taskset` execs it, so the
    /// child's pid is the server's).
    fn cpu_seconds(&self) -> f64 {
        cpu_seconds_of(&format!("/proc/{}/stat", self.child.id()))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_tagged(answers: &mut BufReader<ChildStdout>, tag: &str) -> String {
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            answers.read_line(&mut line).unwrap() > 0,
            "the server half exited"
        );
        if let Some(rest) = line.trim_end().strip_prefix(tag) {
            return rest.to_owned();
        }
    }
}

async fn drive(seconds: u64, concurrency: usize, group: usize) {
    let (mut server, ready) = ServerProcess::start(group);
    let base = ready["base"].as_str().unwrap().to_owned();
    let automation_id = ready["automation"][0].as_str().unwrap().to_owned();
    let automation_secret = ready["automation"][1].as_str().unwrap().to_owned();
    let oidc_id = ready["oidc"][0].as_str().unwrap().to_owned();
    let oidc_secret = ready["oidc"][1].as_str().unwrap().to_owned();
    let cookie = ready["cookie"].as_str().unwrap().to_owned();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(concurrency)
        .build()
        .unwrap();

    println!(
        "Portcullis token endpoint, {concurrency} concurrent clients, {seconds} s per grant, group commit of up to {group}"
    );
    println!(
        "server: pid {} on {} CPU(s) (BENCH_SERVER_CPUS), binary {}; driver on {} CPU(s)",
        server.child.id(),
        ready["cpus"],
        std::env::var("BENCH_SERVER").unwrap_or_else(|_| "this one".into()),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let before = server.log_rows();
    let (cpu_before, own_before) = (server.cpu_seconds(), own_cpu_seconds());
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
    let cc_cpu = server.cpu_seconds() - cpu_before;
    let cc_own = own_cpu_seconds() - own_before;
    let after_cc = server.log_rows();
    report(
        "client_credentials",
        &cc,
        seconds,
        after_cc - before,
        cc_cpu,
        cc_own,
    );

    // One refresh chain per worker, each started by a real code flow (whose grants are
    // logged too, so they are counted out before the refresh phase).
    let mut chains = Vec::new();
    for _ in 0..concurrency {
        chains.push(first_refresh_token(&http, &base, &cookie, &oidc_id, &oidc_secret).await);
    }
    let chains = Arc::new(std::sync::Mutex::new(chains));
    let before_rt = server.log_rows();
    let (cpu_before, own_before) = (server.cpu_seconds(), own_cpu_seconds());
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
    let rt_cpu = server.cpu_seconds() - cpu_before;
    let rt_own = own_cpu_seconds() - own_before;
    let after_rt = server.log_rows();
    report(
        "refresh_token",
        &rt,
        seconds,
        after_rt - before_rt,
        rt_cpu,
        rt_own,
    );
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
    let tasks: Vec<_> = (0..concurrency)
        .map(|i| tokio::spawn(COUNTS.scope(counts.clone(), worker(i))))
        .collect();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    for task in &tasks {
        task.abort();
    }
    Counts {
        ok: counts.0.load(Ordering::Relaxed),
        failed: counts.1.load(Ordering::Relaxed),
    }
}

fn report(
    grant: &str,
    counts: &Counts,
    seconds: u64,
    logged: i64,
    server_cpu: f64,
    driver_cpu: f64,
) {
    // A grant answered without its log row would break "durable before answered"; rows
    // of requests cut off when the phase ended (logged, never read) make `logged` larger.
    let durable = if logged >= counts.ok as i64 {
        "every answered grant logged"
    } else {
        "GRANTS ANSWERED WITHOUT A LOG ROW"
    };
    println!(
        "{grant:>18}: {:>8.0} grants/s  ({} ok, {} failed, {logged} sign-in log rows written: {durable}); \
         {:.0} grants per server CPU-second ({server_cpu:.2} s of server CPU, {driver_cpu:.2} s of driver CPU)",
        counts.ok as f64 / seconds as f64,
        counts.ok,
        counts.failed,
        counts.ok as f64 / server_cpu.max(0.001),
    );
}

/// User + system CPU time of a process so far, from its `stat` file (fields 14 and 15,
/// in clock ticks of 1/100 s on Linux).
fn cpu_seconds_of(stat_path: &str) -> f64 {
    let stat = std::fs::read_to_string(stat_path).unwrap();
    // The command name may hold spaces; the fields after its closing parenthesis don't.
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Field 3 is the first after the name: utime (14) and stime (15) are at 11 and 12.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    ticks as f64 / 100.0
}

fn own_cpu_seconds() -> f64 {
    cpu_seconds_of("/proc/self/stat")
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
