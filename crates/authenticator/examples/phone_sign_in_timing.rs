//! Measurement (no enumeration through time): how long the passwordless number takes to
//! appear (`SignInService::start_phone_sign_in`) for a name whose request is really sent
//! (a user with a device enabled for phone sign-in) against names whose request is a
//! never-sent look-alike (no such user; a user without an enabled device).
//!
//! `cargo run --release -p portcullis-authenticator --example phone_sign_in_timing [n]`
//!
//! One real server on loopback (SQLite in a temporary directory). `n` names of each
//! kind, each asked once (a push per name, so the fatigue defences never step in), in
//! an interleaved order so the machine's drift falls on all three alike; the medians
//! and their ratios to the sent case are printed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bench;

use std::sync::Arc;
use std::time::{Duration, Instant};

use portcullis_service::signin::codes::FileCodeSender;
use portcullis_service::signin::{
    RateLimitSettings, SignInRequest, SignInService, SignInSettings, TargetApplication,
};
use portcullis_signin::Protocol;

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|text| text.parse().ok())
        .unwrap_or(200);
    let server = bench::start().await;
    let signin = SignInService::start(
        server.services.store().clone(),
        SignInSettings {
            // One address asks for hundreds of names on purpose.
            rate_limits: RateLimitSettings {
                per_ip_per_minute: u32::MAX / 2,
                per_ip_burst: u32::MAX / 2,
                per_account_per_minute: u32::MAX / 2,
                per_account_burst: u32::MAX / 2,
            },
            ..SignInSettings::default()
        },
        Arc::new(FileCodeSender::new(None)),
    )
    .await
    .unwrap();
    let mut names = Vec::with_capacity(n);
    for i in 0..n {
        let sent = format!("sent{i}@example.org");
        let user = bench::create_user(&server.services, &sent).await;
        bench::activate_with(&server.services, &server.url, &user, &sent, true).await;
        let without = format!("nodevice{i}@example.org");
        bench::create_user(&server.services, &without).await;
        names.push([sent, format!("nobody{i}@example.org"), without]);
    }
    let kinds = [
        "sent (enabled device)",
        "not sent: no such user",
        "not sent: no enabled device",
    ];
    let mut times: [Vec<Duration>; 3] = Default::default();
    for (i, row) in names.iter().enumerate() {
        // Rotate which kind goes first, so no kind always follows another.
        for k in 0..3 {
            let kind = (i + k) % 3;
            let begun = signin
                .begin(SignInRequest::new(
                    Protocol::Browser,
                    TargetApplication::Portal,
                    &row[kind],
                ))
                .await
                .unwrap();
            let started = Instant::now();
            signin
                .start_phone_sign_in(server.services.push(), &begun.transaction)
                .await
                .unwrap();
            times[kind].push(started.elapsed());
        }
    }
    for list in &mut times {
        list.sort();
    }
    let sent_median = bench::quantile(&times[0], 0.5);
    println!("names of each kind: {n}");
    for (kind, list) in kinds.iter().zip(&times) {
        let median = bench::quantile(list, 0.5);
        println!(
            "{kind:<30} median {:>7.3} ms   p90 {:>7.3} ms   median / sent {:.2}",
            bench::ms(median),
            bench::ms(bench::quantile(list, 0.9)),
            median.as_secs_f64() / sent_median.as_secs_f64()
        );
    }
}
