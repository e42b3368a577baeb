//! No configuration, clock value or input makes a ceremony panic: policies are fed
//! unvalidated and times range over everything `OffsetDateTime` can hold.

#![allow(clippy::unwrap_used)]

use portcullis_authn::lockout::{Familiarity, LockoutPolicy, LockoutState, PasswordFingerprint};
use portcullis_authn::otp_code::{OtpChallenge, OtpCodePolicy, SendThrottle};
use portcullis_authn::password::{Argon2Params, PasswordHasher};
use portcullis_authn::tap::{TapIssueRequest, TapPolicy, TemporaryAccessPass};
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use time::{Duration, OffsetDateTime};

/// Any representable instant (years −9999 to 9999), biased towards the edges.
fn instant() -> impl Strategy<Value = OffsetDateTime> {
    let min = OffsetDateTime::new_utc(time::Date::MIN, time::Time::MIDNIGHT).unix_timestamp();
    let max = time::PrimitiveDateTime::MAX.assume_utc().unix_timestamp();
    prop_oneof![
        Just(min),
        Just(max),
        min..=max,
        1_600_000_000i64..1_900_000_000
    ]
    .prop_map(|seconds| OffsetDateTime::from_unix_timestamp(seconds).unwrap())
}

/// Counts with 0 and 1 (the edge cases) well represented.
fn small_or_any() -> impl Strategy<Value = u32> {
    prop_oneof![Just(0u32), Just(1), 0u32..20, any::<u32>()]
}

/// Any duration, including the extremes and everyday values either side of zero.
fn seconds_duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::MAX),
        Just(Duration::MIN),
        Just(Duration::ZERO),
        any::<i64>().prop_map(Duration::seconds),
        (-100_000i64..100_000).prop_map(Duration::seconds),
    ]
}

proptest! {
    #[test]
    fn otp_codes_survive_any_policy_and_clock(
        digits in 0usize..40,
        lifetime in seconds_duration(),
        max_attempts in small_or_any(),
        min_resend_interval in seconds_duration(),
        max_sends_per_window in small_or_any(),
        send_window in seconds_duration(),
        times in proptest::collection::vec(instant(), 1..6),
        typed in "[0-9 a]{0,10}",
    ) {
        let policy = OtpCodePolicy { digits, lifetime, max_attempts, min_resend_interval, max_sends_per_window, send_window };
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let mut throttle = SendThrottle::default();
        if let Ok((mut challenge, code)) = OtpChallenge::issue(&policy, &mut throttle, times[0], &mut rng) {
            prop_assert!((6..=8).contains(&code.as_str().len()));
            for now in &times {
                let _ = challenge.verify(&policy, &typed, *now);
                let _ = challenge.verify(&policy, "", *now);
                let _ = challenge.resend(&policy, &mut throttle, *now, &mut rng);
                let _ = throttle.check(&policy, *now);
            }
        }
    }

    #[test]
    fn lockout_survives_any_policy_and_clock(
        threshold in small_or_any(),
        first_lockout in seconds_duration(),
        max_lockout in seconds_duration(),
        failure_memory in seconds_duration(),
        steps in proptest::collection::vec((instant(), any::<bool>(), 0u8..5), 1..30),
    ) {
        let policy = LockoutPolicy { threshold, first_lockout, max_lockout, failure_memory };
        let mut state = LockoutState::new(&mut ChaCha20Rng::seed_from_u64(2));
        for (now, familiar, password) in steps {
            let familiarity = if familiar { Familiarity::Familiar } else { Familiarity::Unfamiliar };
            let _ = state.check(now, familiarity);
            let _ = state.record_failure(&policy, now, familiarity, PasswordFingerprint::from_bytes_for_tests([password; 16]));
        }
    }

    #[test]
    fn tap_issue_survives_any_request_and_clock(
        now in instant(),
        start in proptest::option::of(instant()),
        lifetime in proptest::option::of(any::<u32>()),
        once in proptest::option::of(any::<bool>()),
        minimum in 0u32..50_000,
        maximum in 0u32..50_000,
        default_length in 0usize..100,
    ) {
        let hasher = PasswordHasher::new(Argon2Params { memory_kib: 8, iterations: 1, parallelism: 1 }).unwrap();
        let policy = TapPolicy {
            default_length,
            default_lifetime_in_minutes: minimum,
            minimum_lifetime_in_minutes: minimum,
            maximum_lifetime_in_minutes: maximum,
            is_usable_once: false,
        };
        let request = TapIssueRequest { start, lifetime_in_minutes: lifetime, is_usable_once: once };
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        if let Ok((mut record, pass)) = TemporaryAccessPass::issue(&policy, request, &hasher, now, &mut rng) {
            prop_assert!(record.usability(now).is_ok() || start.is_some_and(|start| start > now));
            let _ = record.redeem(&hasher, pass.as_str(), now);
        }
    }
}
