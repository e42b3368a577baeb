//! Sign-in throughput against the raw argon2id rate, the cost of a sign-in apart from
//! the hash, and sign-in log appends one by one against group commit, on SQLite.
//!
//! `cargo run --release -p portcullis-service --example signin_bench [seconds]`
//!
//! 1. Raw argon2id: every core verifies a password at the configured parameters
//!    (default m=19 MiB, t=2, p=1) for the measuring time; verifications/s.
//! 2. Password sign-ins through `SignInService` (begin + password step, each step
//!    committed durably with its log entry and a new session) with as many concurrent
//!    clients as cores × 4 (`SIGNIN_BENCH_CLIENTS`), for the same time; sign-ins/s and
//!    the ratio to (1), also per CPU-second (which holds when other processes take
//!    cores), with the cores each side kept busy and its page faults per operation.
//!    (1) and (2) alternate for `SIGNIN_BENCH_ROUNDS` rounds (default 3), each round
//!    compared with the raw rates measured around it; the median round is reported.
//!    `SIGNIN_BENCH_ONLY=raw|full|cheap` runs one side alone (for `perf`);
//!    `SIGNIN_BENCH_COMMIT_DELAY_MS` sets the group commit's delay (default 4).
//!    `SIGNIN_BENCH_FLOW=one` signs in with one call (`begin_with`: the password sent
//!    with the name, as the native API's one-request sign-in does) instead of two.
//! 3. The same with argon2 at its minimum (m=8 KiB, t=1): the process CPU time (every
//!    thread, `/proc/self/stat`) a sign-in costs apart from the hash.
//! 4. Log appends on SQLite (synchronous=FULL): one durable commit per entry, against
//!    groups of 64 entries per commit (what the committer does under load).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use portcullis_authn::password::{Argon2Params, PasswordHasher};
use portcullis_core::{
    ConditionalAccessStatus, Credential, CredentialId, CredentialKind, SignIn, SignInId,
    SignInStatus, User, UserId, UserType,
};
use portcullis_service::signin::codes::FileCodeSender;
use portcullis_service::signin::credential_payload::PasswordPayload;
use portcullis_service::signin::pipeline::{Input, Outcome, Protocol};
use portcullis_service::signin::{
    RateLimitSettings, SignInRequest, SignInService, SignInSettings, TargetApplication,
};
use portcullis_store::{Batch, Change, LoggedSignIn, SignInStateStore, SignInStepWrite, Store};
use portcullis_store_sqlite::SqliteStore;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

/// The allocator the `portcullis` binary runs with, so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PASSWORD: &str = "correct horse battery staple";
const USERS: usize = 64;

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Concurrent sign-in clients: `SIGNIN_BENCH_CLIENTS`, default cores × 4.
fn clients() -> usize {
    std::env::var("SIGNIN_BENCH_CLIENTS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(cores() * 4)
}

/// Verifications per second with every core busy.
fn raw_argon2(params: Argon2Params, seconds: u64) -> Measured {
    let hasher = PasswordHasher::new(params).unwrap();
    let phc = hasher.hash(PASSWORD, &mut rand::rng()).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let meter = Meter::start();
    let threads: Vec<_> = (0..cores())
        .map(|_| {
            let (hasher, phc, stop, done) =
                (hasher.clone(), phc.clone(), stop.clone(), done.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    assert!(hasher.verify(PASSWORD, &phc).unwrap());
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    threads.into_iter().for_each(|t| t.join().unwrap());
    meter.stop(done.load(Ordering::Relaxed))
}

/// What one side of the comparison did: operations per second, the process CPU time
/// per operation (every thread), how many cores it kept busy on average, and minor page
/// faults per operation (fresh memory the kernel had to hand over and zero).
struct Measured {
    rate: f64,
    cpu_each: Duration,
    cores_busy: f64,
    faults_each: u64,
}

struct Meter {
    started: Instant,
    cpu: Duration,
    faults: u64,
}

impl Meter {
    fn start() -> Meter {
        Meter {
            started: Instant::now(),
            cpu: process_cpu(),
            faults: minor_faults(),
        }
    }

    fn stop(self, operations: u64) -> Measured {
        let wall = self.started.elapsed().as_secs_f64();
        let cpu = process_cpu().saturating_sub(self.cpu);
        let operations = operations.max(1);
        Measured {
            rate: operations as f64 / wall,
            cpu_each: cpu / u32::try_from(operations).unwrap_or(u32::MAX),
            cores_busy: cpu.as_secs_f64() / wall,
            faults_each: minor_faults().saturating_sub(self.faults) / operations,
        }
    }
}

/// Fields of `/proc/self/stat` after the command name (which is in parentheses and may
/// hold spaces): index 0 is the state, field 3 of the file.
fn stat_field(index: usize) -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    after
        .split_whitespace()
        .nth(index)
        .and_then(|field| field.parse().ok())
        .unwrap_or(0)
}

/// This process's CPU time so far: utime + stime (fields 14 and 15), clock ticks of
/// 10 ms on Linux.
fn process_cpu() -> Duration {
    Duration::from_millis((stat_field(11) + stat_field(12)) * 10)
}

/// Minor page faults so far (field 10).
fn minor_faults() -> u64 {
    stat_field(7)
}

async fn store_with_users(dir: &std::path::Path, params: Argon2Params) -> Arc<dyn Store> {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_dir(dir).await.unwrap());
    let hasher = PasswordHasher::new(params).unwrap();
    let phc = hasher.hash(PASSWORD, &mut rand::rng()).unwrap();
    let mut batch = Batch::new();
    for n in 0..USERS {
        let id = UserId::from_uuid(Uuid::new_v4());
        batch = batch
            .change(Change::CreateUser(User {
                id: id.clone(),
                user_principal_name: format!("user{n}@example.com"),
                display_name: format!("User {n}"),
                mail: None,
                mobile_phone: None,
                user_type: UserType::Member,
                account_enabled: true,
                created_date_time: OffsetDateTime::now_utc(),
                attributes: Default::default(),
            }))
            .change(Change::AddCredential(Credential {
                id: CredentialId::from_uuid(Uuid::new_v4()),
                user_id: id,
                kind: CredentialKind::Password,
                display_name: None,
                payload: PasswordPayload {
                    phc: phc.clone(),
                    must_change: false,
                }
                .to_value(),
                metadata: json!({}),
                created_date_time: OffsetDateTime::now_utc(),
                last_used_date_time: None,
                revision: 0,
            }));
    }
    store.commit(batch).await.unwrap();
    store
}

/// Completed password sign-ins per second, and their mean latency.
/// A sign-in service over a seeded store, measured in as many rounds as wanted.
struct Rig {
    service: SignInService,
    _dir: tempfile::TempDir,
}

/// One measuring round of sign-ins, and their mean latency.
struct Round {
    measured: Measured,
    latency: Duration,
}

async fn sign_ins(params: Argon2Params, seconds: u64) -> Round {
    Rig::new(params).await.run(seconds).await
}

impl Rig {
    async fn new(params: Argon2Params) -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_users(dir.path(), params).await;
        let settings = SignInSettings {
            argon2: params,
            // The benchmark is one client address hammering on purpose.
            rate_limits: RateLimitSettings {
                per_ip_per_minute: u32::MAX / 2,
                per_ip_burst: u32::MAX / 2,
                per_account_per_minute: u32::MAX / 2,
                per_account_burst: u32::MAX / 2,
            },
            // `SIGNIN_BENCH_COMMIT_DELAY_MS`: compare commit delays in one binary.
            commit_delay: std::env::var("SIGNIN_BENCH_COMMIT_DELAY_MS")
                .ok()
                .and_then(|text| text.parse().ok())
                .map_or(
                    SignInSettings::default().commit_delay,
                    Duration::from_millis,
                ),
            ..SignInSettings::default()
        };
        let service = SignInService::start(store, settings, Arc::new(FileCodeSender::new(None)))
            .await
            .unwrap();
        Rig { service, _dir: dir }
    }

    async fn run(&self, seconds: u64) -> Round {
        let service = &self.service;
        let meter = Meter::start();
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let one_call = std::env::var("SIGNIN_BENCH_FLOW").as_deref() == Ok("one");
        let clients: Vec<_> = (0..clients())
            .map(|client| {
                let service = service.clone();
                tokio::spawn(async move {
                    let mut count = 0u64;
                    let mut latency = Duration::ZERO;
                    while Instant::now() < deadline {
                        let at = Instant::now();
                        let upn = format!("user{}@example.com", (client + count as usize) % USERS);
                        let mut request = SignInRequest::new(
                            Protocol::NativeApp,
                            TargetApplication::Portal,
                            &upn,
                        );
                        request.ip_address = Some("192.0.2.10".parse().unwrap());
                        let password = Input::Password(PASSWORD.into());
                        let done = if one_call {
                            service.begin_with(request, password).await.unwrap()
                        } else {
                            let begun = service.begin(request).await.unwrap();
                            service.step(&begun.transaction, password).await.unwrap()
                        };
                        assert!(matches!(done.outcome, Some(Outcome::Done(_))));
                        latency += at.elapsed();
                        count += 1;
                    }
                    (count, latency)
                })
            })
            .collect();
        let (mut total, mut latency) = (0u64, Duration::ZERO);
        for client in clients {
            let (count, time) = client.await.unwrap();
            total += count;
            latency += time;
        }
        let measured = meter.stop(total);
        Round {
            latency: latency / u32::try_from(total.max(1)).unwrap_or(u32::MAX),
            measured,
        }
    }
}

fn log_entry() -> LoggedSignIn {
    LoggedSignIn {
        record: SignIn {
            id: SignInId::from_uuid(Uuid::new_v4()),
            created_date_time: OffsetDateTime::now_utc(),
            correlation_id: None,
            user_id: None,
            user_principal_name: Some("user@example.com".into()),
            user_display_name: None,
            app_id: Some("portal".into()),
            app_display_name: Some("Portcullis".into()),
            ip_address: Some("192.0.2.10".into()),
            client_app_used: Some("Browser".into()),
            user_agent: None,
            is_interactive: true,
            status: SignInStatus::success(),
            conditional_access_status: ConditionalAccessStatus::NotApplied,
            applied_conditional_access_policies: json!([]),
            risk_level_during_sign_in: Some("none".into()),
            risk_level_aggregated: None,
            risk_state: None,
            risk_detail: None,
            location: None,
            device_detail: None,
            authentication_details: json!([]),
            authentication_requirement: Some("singleFactorAuthentication".into()),
            extra: Default::default(),
        },
        evaluation_input: Some("{\"target\":{\"appId\":\"portal\"}}".into()),
    }
}

/// Durable log appends per second with `group` entries per commit.
async fn log_appends(group: usize, total: usize) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).await.unwrap();
    let started = Instant::now();
    for _ in 0..total / group {
        let writes: Vec<SignInStepWrite> = (0..group)
            .map(|_| SignInStepWrite {
                sign_ins: vec![log_entry()],
                ..SignInStepWrite::default()
            })
            .collect();
        let results = store.commit_sign_in_steps(&writes).await.unwrap();
        assert!(results.iter().all(Result::is_ok));
    }
    (total / group * group) as f64 / started.elapsed().as_secs_f64()
}

/// argon2id at its minimum: a sign-in with a negligible hash.
fn cheap_params() -> Argon2Params {
    Argon2Params {
        memory_kib: 8,
        iterations: 1,
        parallelism: 1,
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let params = Argon2Params::default();
    println!(
        "cores: {}, argon2id m={} KiB t={} p={}, {seconds} s per measurement",
        cores(),
        params.memory_kib,
        params.iterations,
        params.parallelism
    );
    // `SIGNIN_BENCH_ONLY=cheap` runs stage 3 alone, for profiling what a sign-in costs
    // apart from the hash (`perf record` over the whole run would be mostly argon2).
    if std::env::var("SIGNIN_BENCH_ONLY").as_deref() == Ok("cheap") {
        let cheap = sign_ins(cheap_params(), seconds).await;
        println!(
            "sign-ins/s with argon2 at its minimum: {:.1} (mean latency {:?}, {:?} CPU each)",
            cheap.measured.rate, cheap.latency, cheap.measured.cpu_each
        );
        return;
    }
    // `SIGNIN_BENCH_ONLY=full` / `raw`: one side alone, for `perf` to compare what a hash
    // costs inside a sign-in with what it costs alone.
    match std::env::var("SIGNIN_BENCH_ONLY").as_deref() {
        Ok("full") => {
            let round = sign_ins(params, seconds).await.measured;
            println!(
                "sign-ins/s: {:.1} ({:?} CPU each, {:.2} cores busy)",
                round.rate, round.cpu_each, round.cores_busy
            );
            return;
        }
        Ok("raw") => {
            let raw = raw_argon2(params, seconds);
            println!(
                "raw argon2id/s: {:.1} ({:?} CPU each, {:.2} cores busy)",
                raw.rate, raw.cpu_each, raw.cores_busy
            );
            return;
        }
        _ => {}
    }
    // The host's speed drifts between runs (shared machine), so raw argon2 and sign-ins
    // alternate: each round's sign-in rate is compared with the mean of the raw rates
    // measured just before and just after it, and the median round is the figure.
    let rounds: usize = std::env::var("SIGNIN_BENCH_ROUNDS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(3);
    let rig = Rig::new(params).await;
    // Warm the store's caches and the service's first-use paths, not counted.
    rig.run(seconds.div_ceil(3)).await;
    let mut raw_before = raw_argon2(params, seconds);
    let mut ratios = Vec::with_capacity(rounds);
    for round in 1..=rounds {
        let Round { measured, latency } = rig.run(seconds).await;
        let raw_after = raw_argon2(params, seconds);
        let raw_rate = (raw_before.rate + raw_after.rate) / 2.0;
        let raw_cpu = (raw_before.cpu_each + raw_after.cpu_each) / 2;
        let ratio = measured.rate / raw_rate * 100.0;
        // The same comparison per CPU-second: it holds when other processes take cores.
        let cpu_ratio = raw_cpu.as_secs_f64() / measured.cpu_each.as_secs_f64() * 100.0;
        println!(
            "round {round}: raw argon2id {:.1} → {:.1}/s ({:.2} → {:.2} cores busy, {} → {} faults each); \
             sign-ins {:.1}/s ({:.2} cores busy, {} faults each, mean latency {latency:.1?}) = {ratio:.1}% of raw; \
             CPU {raw_cpu:.2?} per hash, {:.2?} per sign-in = {cpu_ratio:.1}%",
            raw_before.rate,
            raw_after.rate,
            raw_before.cores_busy,
            raw_after.cores_busy,
            raw_before.faults_each,
            raw_after.faults_each,
            measured.rate,
            measured.cores_busy,
            measured.faults_each,
            measured.cpu_each,
        );
        ratios.push(ratio);
        raw_before = raw_after;
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "password sign-ins through SignInService, median of {rounds} rounds: {:.1}% of raw argon2id",
        ratios[ratios.len() / 2]
    );
    let cheap = sign_ins(cheap_params(), seconds).await;
    println!(
        "sign-ins/s with argon2 at its minimum: {:.1} (mean latency {:?}); process CPU per sign-in apart from the hash: {:?}",
        cheap.measured.rate, cheap.latency, cheap.measured.cpu_each
    );
    let one = log_appends(1, 1000).await;
    let grouped = log_appends(64, 64 * 200).await;
    println!(
        "sign-in log appends/s on SQLite: one by one {one:.0}, group commit of 64 {grouped:.0} ({:.0}×)",
        grouped / one
    );
}
