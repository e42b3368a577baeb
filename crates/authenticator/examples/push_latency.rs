//! Benchmark (issue 6): time from the app's approval — its signed answer POSTed to
//! `/authenticator/respond` over loopback HTTP — to the moment the waiting sign-in sees
//! it (`PushService::wait_for_answer`, which `/signin/push/status` and the wait form
//! call, woken by the push hub), against a baseline of plain loopback HTTP round trips
//! (`GET /healthz`) measured in the same run.
//!
//! `cargo run --release -p portcullis-authenticator --example push_latency [runs]`
//!
//! One user, one activated device, SQLite in a temporary data directory (the answer is
//! settled durably before it is announced). Each run: a push is started, a waiter
//! subscribes, the app fetches the pending notice (not timed), signs the approval and
//! POSTs it; the time from just before the POST until the waiter returns is recorded,
//! with the POST's own round trip.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bench;

use std::time::{Duration, Instant};

use portcullis_authenticator::client::Client;
use portcullis_push::{ApprovalContext, ApprovalPurpose, ApprovalState, Decision};
use time::OffsetDateTime;
use uuid::Uuid;

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|text| text.parse().ok())
        .unwrap_or(300);
    let server = bench::start().await;
    let upn = "latency@example.org";
    let user = bench::create_user(&server.services, upn).await;
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
        let health_before = Instant::now();
        plain
            .get(&health)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let health_rtt = health_before.elapsed();
        // The first runs warm connections and caches.
        if run >= 10 {
            seen.push(at.saturating_duration_since(before));
            posted.push(responded);
            baseline.push(health_rtt);
        }
    }
    for list in [&mut seen, &mut posted, &mut baseline] {
        list.sort();
    }
    let report = |name: &str, list: &[Duration]| {
        println!(
            "{name:<48} median {:>7.3} ms   p99 {:>7.3} ms",
            bench::ms(bench::quantile(list, 0.5)),
            bench::ms(bench::quantile(list, 0.99)),
        );
    };
    println!("runs: {runs}");
    report("approval POSTed → waiting sign-in sees it", &seen);
    report("approval POST round trip (settled durably)", &posted);
    report("baseline: GET /healthz round trip", &baseline);
    println!(
        "ratio (median): approval→seen / healthz = {:.1}",
        bench::ms(bench::quantile(&seen, 0.5)) / bench::ms(bench::quantile(&baseline, 0.5))
    );
}
