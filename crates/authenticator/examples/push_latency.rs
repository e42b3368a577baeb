//! Benchmark (issue 6): time from the app's approval to the sign-in's completion, over
//! loopback HTTP, against a baseline of plain loopback round trips (`GET /healthz`)
//! measured in the same run. Two measures:
//!
//! 1. **Approval → the waiting sign-in sees it**: the app's signed answer POSTed to
//!    `/authenticator/respond` until `PushService::wait_for_answer` (what
//!    `/signin/push/status` and the wait form call, woken by the push hub) returns.
//! 2. **Approval → sign-in complete**, as a browser lives it: a password sign-in to an
//!    application whose Conditional Access policy needs MFA is driven through the real
//!    pages (`/signin`, `/signin/password`, `/signin/push`) up to the number; the page's
//!    long poll (`/signin/push/status`, what `push.js` sends) is parked; the app
//!    approves; timed from just before the app's POST until the page's wait form
//!    (`/signin/push/wait`, submitted when the long poll returns) has come back with
//!    the session cookie — the step judged, the sign-in log entry committed, the
//!    session stored.
//!
//! `cargo run --release -p portcullis-authenticator --example push_latency [runs]`
//!
//! One user, one activated device, SQLite in a temporary data directory (the answer is
//! settled durably before it is announced). Setup steps (fetching the pending notice,
//! the password step's argon2id) are not timed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bench;

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use bench::browser::{self, Browser};
use portcullis_authenticator::client::Client;
use portcullis_push::{ApprovalContext, ApprovalPurpose, ApprovalState, Decision, MatchNumber};
use time::OffsetDateTime;
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery staple 42";

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|text| text.parse().ok())
        .unwrap_or(300);
    let server = bench::start().await;
    let upn = "latency@example.org";
    bench::require_mfa_for_everyone(&server.services).await;
    let user = bench::create_user_with_password(&server.services, upn, PASSWORD).await;
    let (device, _) = bench::activate(&server.services, &server.url, &user, upn).await;
    let client = Client::new(&server.url).unwrap();
    let plain = reqwest::Client::new();
    let health = format!("{}/healthz", server.url);
    let push = server.services.push().clone();

    let mut seen = Vec::with_capacity(runs);
    let mut posted = Vec::with_capacity(runs);
    let mut baseline = Vec::with_capacity(runs);
    for run in 0..runs + 10 {
        let started = push
            .start_push(
                &user,
                ApprovalPurpose::SignIn {
                    correlation_id: Uuid::new_v4().to_string(),
                },
                ApprovalContext {
                    application: "Bench".into(),
                    ip_address: Some("127.0.0.1".into()),
                    location: None,
                    requested_at: OffsetDateTime::now_utc(),
                },
                OffsetDateTime::now_utc(),
            )
            .await
            .unwrap();
        let waiter = {
            let push = push.clone();
            let id = started.approval_id;
            tokio::spawn(async move {
                let state = push
                    .wait_for_answer(&id, Duration::from_secs(30))
                    .await
                    .unwrap();
                (state, Instant::now())
            })
        };
        let notice = client
            .pending(&device)
            .await
            .unwrap()
            .into_iter()
            .find(|notice| notice.approval_id == started.approval_id)
            .expect("the push is pending");
        // The waiter subscribed while the notice was fetched; give it a moment to be
        // parked on the hub, as a waiting page is.
        tokio::time::sleep(Duration::from_millis(2)).await;
        let answer = device.answer(&notice, Decision::Approve, Some(started.number), false);
        let before = Instant::now();
        client.respond(&answer).await.unwrap();
        let responded = before.elapsed();
        let (state, at) = waiter.await.unwrap();
        assert!(matches!(state, ApprovalState::Approved { .. }), "{state:?}");
        let health_rtt = round_trip(&plain, &health).await;
        // The first runs warm connections and caches.
        if run >= 10 {
            seen.push(at.saturating_duration_since(before));
            posted.push(responded);
            baseline.push(health_rtt);
        }
    }
    let (completed, completion_baseline) = sign_in_completions(&server, &client, runs).await;
    let mut completed = completed;
    let mut completion_baseline = completion_baseline;
    for list in [
        &mut seen,
        &mut posted,
        &mut baseline,
        &mut completed,
        &mut completion_baseline,
    ] {
        list.sort();
    }
    let report = |name: &str, list: &[Duration]| {
        println!(
            "{name:<52} median {:>7.3} ms   p99 {:>7.3} ms",
            bench::ms(bench::quantile(list, 0.5)),
            bench::ms(bench::quantile(list, 0.99)),
        );
    };
    let ratio = |list: &[Duration], base: &[Duration]| {
        bench::ms(bench::quantile(list, 0.5)) / bench::ms(bench::quantile(base, 0.5))
    };
    println!("runs: {runs} (each measure)");
    report("approval POSTed → waiting sign-in sees it", &seen);
    report("approval POST round trip (settled durably)", &posted);
    report("baseline: GET /healthz round trip", &baseline);
    println!(
        "ratio (median): approval→seen / healthz = {:.1}",
        ratio(&seen, &baseline)
    );
    report("approval POSTed → sign-in complete (pages)", &completed);
    report(
        "baseline: GET /healthz round trip (same loop)",
        &completion_baseline,
    );
    println!(
        "ratio (median): approval→complete / healthz = {:.1}",
        ratio(&completed, &completion_baseline)
    );
}

/// Runs `runs` browser sign-ins (after 5 warm-up ones) up to the push, approves each in
/// the app and returns how long each took from the approval to the completed sign-in,
/// with a `GET /healthz` round trip per run as the baseline. Each run is another user
/// with their own activated app: sign-ins are rate-limited per account (30 a minute).
async fn sign_in_completions(
    server: &bench::Server,
    client: &Client,
    runs: usize,
) -> (Vec<Duration>, Vec<Duration>) {
    let url = server.url.as_str();
    let plain = reqwest::Client::new();
    let health = format!("{url}/healthz");
    let mut completed = Vec::with_capacity(runs);
    let mut baseline = Vec::with_capacity(runs);
    for run in 0..runs + 5 {
        // Each run from its own loopback address: the pages rate-limit posts per address.
        let local = IpAddr::V4(Ipv4Addr::new(
            127,
            0,
            1 + (run / 250) as u8,
            2 + (run % 250) as u8,
        ));
        let upn = format!("complete{run}@example.org");
        let user = bench::create_user_with_password(&server.services, &upn, PASSWORD).await;
        let (device, _) = bench::activate(&server.services, url, &user, &upn).await;
        let mut browser = Browser::new(url, local);
        let page = browser.get("/signin").await;
        let mut fields = browser::form_fields(&page.body, "/signin");
        browser::set(&mut fields, "username", &upn);
        let page = browser.post("/signin", &fields).await;
        let mut fields = browser::form_fields(&page.body, "/signin/password");
        browser::set(&mut fields, "password", PASSWORD);
        let page = browser.post("/signin/password", &fields).await;
        let fields = browser::form_fields(&page.body, "/signin/push");
        let page = browser.post("/signin/push", &fields).await;
        let number = MatchNumber::parse(&browser::marked_text(&page.body, "data-push-number"))
            .expect("a two-digit number");
        let wait = browser::form_fields(&page.body, "/signin/push/wait");
        let approval = wait
            .iter()
            .find(|(name, _)| name == "approval")
            .map(|(_, value)| value.clone())
            .expect("the wait form names the approval");
        let notice = client
            .pending(&device)
            .await
            .unwrap()
            .into_iter()
            .find(|notice| notice.approval_id.to_string() == approval)
            .expect("the push is pending");
        // The page: push.js's long poll, then the wait form once it returns.
        let page_task = tokio::spawn(async move {
            let status = browser.post("/signin/push/status", &wait).await;
            assert_eq!(status.status, 200, "{}", status.body);
            let done = browser.post("/signin/push/wait", &wait).await;
            (done, Instant::now())
        });
        // Let the long poll park on the push hub, as a waiting page is.
        tokio::time::sleep(Duration::from_millis(5)).await;
        let answer = device.answer(&notice, Decision::Approve, Some(number), false);
        let before = Instant::now();
        client.respond(&answer).await.unwrap();
        let (done, at) = page_task.await.unwrap();
        assert!(
            done.set_session,
            "the wait form completes the sign-in (status {}):\n{}",
            done.status, done.body
        );
        let health_rtt = round_trip(&plain, &health).await;
        if run >= 5 {
            completed.push(at.saturating_duration_since(before));
            baseline.push(health_rtt);
        }
    }
    (completed, baseline)
}

/// One plain loopback request's round trip (`GET /healthz`): the baseline.
async fn round_trip(plain: &reqwest::Client, url: &str) -> Duration {
    let started = Instant::now();
    plain.get(url).send().await.unwrap().bytes().await.unwrap();
    started.elapsed()
}
