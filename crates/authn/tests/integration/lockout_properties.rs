//! Smart lockout never locks below the threshold and never counts a repeated wrong
//! password twice, whatever the sequence of attempts.

#![allow(clippy::unwrap_used)]

use portcullis_authn::lockout::{
    Familiarity, LockoutDecision, LockoutPolicy, LockoutState, PasswordFingerprint,
};
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone)]
struct Attempt {
    familiarity: Familiarity,
    password: u8,
    seconds_later: i64,
}

fn attempt() -> impl Strategy<Value = Attempt> {
    (
        prop_oneof![Just(Familiarity::Familiar), Just(Familiarity::Unfamiliar)],
        0u8..8,
        0i64..200,
    )
        .prop_map(|(familiarity, password, seconds_later)| Attempt {
            familiarity,
            password,
            seconds_later,
        })
}

fn fingerprint(password: u8) -> PasswordFingerprint {
    PasswordFingerprint::from_bytes_for_tests([password; 16])
}

fn policy(threshold: u32) -> LockoutPolicy {
    LockoutPolicy {
        threshold,
        ..LockoutPolicy::default()
    }
}

proptest! {
    #[test]
    fn never_locks_below_threshold(
        threshold in 1u32..=12,
        attempts in proptest::collection::vec(attempt(), 0..80),
    ) {
        let policy = policy(threshold);
        let mut state = LockoutState::new(&mut ChaCha20Rng::seed_from_u64(1));
        let mut now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let mut calls = [0u32; 2];
        for attempt in attempts {
            now += Duration::seconds(attempt.seconds_later);
            let class = attempt.familiarity as usize;
            calls[class] += 1;
            let before = state.check(now, attempt.familiarity);
            let after = state.record_failure(&policy, now, attempt.familiarity, fingerprint(attempt.password));
            let failures = state.failures(attempt.familiarity);
            prop_assert!(failures <= calls[class]);
            if before == LockoutDecision::Allowed && matches!(after, LockoutDecision::LockedUntil(_)) {
                prop_assert!(failures >= threshold, "locked with {failures} < {threshold}");
                prop_assert!(calls[class] >= threshold);
            }
            if calls[class] < threshold {
                prop_assert_eq!(after, LockoutDecision::Allowed);
            }
        }
    }

    #[test]
    fn a_repeated_fingerprint_never_counts_twice(
        attempts in proptest::collection::vec(attempt(), 1..60),
    ) {
        let policy = LockoutPolicy::default();
        let mut state = LockoutState::new(&mut ChaCha20Rng::seed_from_u64(2));
        let mut now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        for attempt in attempts {
            now += Duration::seconds(attempt.seconds_later);
            let fingerprint = fingerprint(attempt.password);
            let total = |state: &LockoutState| {
                state.failures(Familiarity::Familiar) + state.failures(Familiarity::Unfamiliar)
            };
            let before = total(&state);
            state.record_failure(&policy, now, attempt.familiarity, fingerprint);
            // The same wrong password again, several times, from both classes, at the same
            // moment: across all these calls it is counted at most once. (It may count on
            // a repeat rather than the first call: a locked class does not record it.)
            for familiarity in [
                Familiarity::Familiar,
                Familiarity::Unfamiliar,
                attempt.familiarity,
                Familiarity::Familiar,
                Familiarity::Unfamiliar,
            ] {
                state.record_failure(&policy, now, familiarity, fingerprint);
            }
            prop_assert!(total(&state) <= before + 1, "{} > {} + 1", total(&state), before);
        }
    }

    #[test]
    fn one_password_repeated_counts_once(repeats in 1usize..200, threshold in 2u32..=12) {
        let policy = policy(threshold);
        let mut state = LockoutState::new(&mut ChaCha20Rng::seed_from_u64(3));
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        for _ in 0..repeats {
            prop_assert_eq!(
                state.record_failure(&policy, now, Familiarity::Unfamiliar, fingerprint(7)),
                LockoutDecision::Allowed
            );
        }
        prop_assert_eq!(state.failures(Familiarity::Unfamiliar), 1);
    }
}
