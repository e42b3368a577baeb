//! One-time code send counters: limits, windows, all-or-nothing claims, and concurrent
//! sends of which only the allowed number pass.

use std::sync::Arc;

use time::Duration;

use super::{TestBackend, t0};
use crate::{SendClaim, SendLimit, Store};

fn limit(key: &str, max_sends: u32, min_interval_seconds: i64) -> SendLimit {
    SendLimit {
        key: key.to_owned(),
        max_sends,
        min_interval: Duration::seconds(min_interval_seconds),
        window: Duration::hours(1),
    }
}

/// The interval, the window's cap and its end; a refused claim counts under no key.
pub async fn code_send_limits_and_windows(backend: &dyn TestBackend) {
    let store = backend.store();
    let destination = limit("destination:+15550001", 2, 30);
    let user = limit("user:u1", 3, 0);
    let both = [destination.clone(), user.clone()];
    assert_eq!(
        store.claim_code_send(&both, t0()).await.unwrap(),
        SendClaim::Granted
    );
    // Too soon after the first send: refused until the interval has passed.
    assert_eq!(
        store
            .claim_code_send(&both, t0() + Duration::seconds(10))
            .await
            .unwrap(),
        SendClaim::Refused {
            retry_at: t0() + Duration::seconds(30)
        }
    );
    assert_eq!(
        store
            .claim_code_send(&both, t0() + Duration::seconds(30))
            .await
            .unwrap(),
        SendClaim::Granted
    );
    // The destination's window is full (2): refused until the window ends, and the
    // user's counter was not touched by the refusal.
    assert_eq!(
        store
            .claim_code_send(&both, t0() + Duration::minutes(5))
            .await
            .unwrap(),
        SendClaim::Refused {
            retry_at: t0() + Duration::hours(1)
        }
    );
    let other = [limit("destination:+15550002", 2, 30), user.clone()];
    assert_eq!(
        store
            .claim_code_send(&other, t0() + Duration::minutes(6))
            .await
            .unwrap(),
        SendClaim::Granted,
        "the refused claim must not have counted against the user"
    );
    // The user's cap (3) now refuses even a fresh destination.
    let third = [limit("destination:+15550003", 2, 30), user.clone()];
    assert!(matches!(
        store
            .claim_code_send(&third, t0() + Duration::minutes(7))
            .await
            .unwrap(),
        SendClaim::Refused { .. }
    ));
    // A new window starts once the old one has passed.
    assert_eq!(
        store
            .claim_code_send(&both, t0() + Duration::hours(1))
            .await
            .unwrap(),
        SendClaim::Granted
    );
    // Nothing to count against is always granted; an empty claim writes nothing.
    assert_eq!(
        store.claim_code_send(&[], t0()).await.unwrap(),
        SendClaim::Granted
    );
}

/// Concurrent sends to one destination, and to many destinations of one user: exactly
/// the allowed number pass, however the claims interleave.
pub async fn concurrent_code_sends_pass_only_the_allowed_number(backend: &dyn TestBackend) {
    let store = backend.store();
    let granted = race(&store, 12, |_| vec![limit("destination:+15559999", 3, 0)]).await;
    assert_eq!(granted, 3, "one destination allows three sends per window");

    let granted = race(&store, 12, |n| {
        vec![
            limit(&format!("destination:+1555100{n:02}"), 5, 30),
            limit("user:racer", 4, 0),
        ]
    })
    .await;
    assert_eq!(granted, 4, "the user allows four sends per window");

    // Each destination the user was refused for is still unused.
    let unused = (0..12)
        .map(|n| format!("destination:+1555100{n:02}"))
        .collect::<Vec<_>>();
    let mut fresh = 0;
    for key in unused {
        if store
            .claim_code_send(&[limit(&key, 1, 0)], t0())
            .await
            .unwrap()
            == SendClaim::Granted
        {
            fresh += 1;
        }
    }
    assert_eq!(fresh, 8, "a refused claim must count under no key");
}

async fn race(
    store: &Arc<dyn Store>,
    senders: usize,
    limits: impl Fn(usize) -> Vec<SendLimit>,
) -> usize {
    let claims = (0..senders).map(|n| {
        let store = store.clone();
        let limits = limits(n);
        tokio::spawn(async move { store.claim_code_send(&limits, t0()).await.unwrap() })
    });
    let mut granted = 0;
    for claim in futures::future::join_all(claims).await {
        if claim.unwrap() == SendClaim::Granted {
            granted += 1;
        }
    }
    granted
}
