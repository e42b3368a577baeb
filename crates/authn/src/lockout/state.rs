//! Per-user smart lockout state and its transitions.

use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::fingerprint::{FingerprintKey, PasswordFingerprint};
use super::policy::LockoutPolicy;
use crate::clock;

/// Recent wrong passwords remembered, so repeating one does not count again (Entra: 3).
const REMEMBERED_BAD_PASSWORDS: usize = 3;
const SALT_LEN: usize = 16;

/// Whether the sign-in comes from somewhere the user has signed in from before. Decided
/// by the caller (sign-in history, named locations); lockout only keeps the counters apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Familiarity {
    Familiar,
    Unfamiliar,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockoutDecision {
    Allowed,
    /// Refuse the attempt without checking the password until this time.
    LockedUntil(OffsetDateTime),
}

/// Why the counters were cleared, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LockoutReset {
    /// The user reset a forgotten password (SSPR "I forgot my password").
    SelfServicePasswordReset,
    AdminUnlock,
}

/// One location class's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Counter {
    /// Counted failures in the current streak.
    failures: u32,
    /// Lockouts so far in the current streak, which sets the next lockout's length.
    lockouts: u32,
    #[serde(with = "time::serde::rfc3339::option", default)]
    last_failure_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    locked_until: Option<OffsetDateTime>,
}

impl Counter {
    fn decision(&self, now: OffsetDateTime) -> LockoutDecision {
        match self.locked_until {
            Some(until) if until > now => LockoutDecision::LockedUntil(until),
            _ => LockoutDecision::Allowed,
        }
    }

    /// Ends the streak when the last counted failure is older than the policy's memory.
    fn forget_if_stale(&mut self, policy: &LockoutPolicy, now: OffsetDateTime) {
        if self
            .last_failure_at
            .is_some_and(|last| now - last > policy.failure_memory)
        {
            *self = Self::default();
        }
    }
}

/// A user's lockout state, as persisted by the store (serde).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LockoutState {
    #[serde(with = "hex::serde")]
    fingerprint_salt: [u8; SALT_LEN],
    /// Newest last; at most three.
    recent_bad_passwords: Vec<PasswordFingerprint>,
    familiar: Counter,
    unfamiliar: Counter,
}

impl LockoutState {
    /// Fresh state for a user, with a random salt for its fingerprints.
    pub fn new<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut fingerprint_salt = [0u8; SALT_LEN];
        rng.fill_bytes(&mut fingerprint_salt);
        Self {
            fingerprint_salt,
            recent_bad_passwords: Vec::new(),
            familiar: Counter::default(),
            unfamiliar: Counter::default(),
        }
    }

    /// The fingerprint of a wrong password for this user. Compute it only after the
    /// password was found wrong, and drop the password.
    pub fn fingerprint(&self, key: &FingerprintKey, wrong_password: &str) -> PasswordFingerprint {
        PasswordFingerprint::compute(key, &self.fingerprint_salt, wrong_password)
    }

    fn counter_mut(&mut self, familiarity: Familiarity) -> &mut Counter {
        match familiarity {
            Familiarity::Familiar => &mut self.familiar,
            Familiarity::Unfamiliar => &mut self.unfamiliar,
        }
    }

    fn counter(&self, familiarity: Familiarity) -> &Counter {
        match familiarity {
            Familiarity::Familiar => &self.familiar,
            Familiarity::Unfamiliar => &self.unfamiliar,
        }
    }

    /// Before checking a password: is this location class locked?
    pub fn check(&self, now: OffsetDateTime, familiarity: Familiarity) -> LockoutDecision {
        self.counter(familiarity).decision(now)
    }

    /// Counted failures in the current streak for a location class.
    pub fn failures(&self, familiarity: Familiarity) -> u32 {
        self.counter(familiarity).failures
    }

    /// After a wrong password. Does not count when the class is already locked (the
    /// password should not even have been checked) or when the same wrong password is one
    /// of the last three; otherwise counts, and locks once the threshold is reached. After a
    /// lockout has run out, the next counted failure locks again, for twice as long.
    pub fn record_failure(
        &mut self,
        policy: &LockoutPolicy,
        now: OffsetDateTime,
        familiarity: Familiarity,
        fingerprint: PasswordFingerprint,
    ) -> LockoutDecision {
        let counter = self.counter_mut(familiarity);
        counter.forget_if_stale(policy, now);
        if let locked @ LockoutDecision::LockedUntil(_) = counter.decision(now) {
            return locked;
        }
        if self.recent_bad_passwords.contains(&fingerprint) {
            return LockoutDecision::Allowed;
        }
        if self.recent_bad_passwords.len() == REMEMBERED_BAD_PASSWORDS {
            self.recent_bad_passwords.remove(0);
        }
        self.recent_bad_passwords.push(fingerprint);
        let counter = self.counter_mut(familiarity);
        counter.failures = counter.failures.saturating_add(1);
        counter.last_failure_at = Some(now);
        if counter.failures < policy.threshold {
            return LockoutDecision::Allowed;
        }
        counter.lockouts = counter.lockouts.saturating_add(1);
        let until = clock::add(now, policy.lockout_duration(counter.lockouts));
        counter.locked_until = Some(until);
        LockoutDecision::LockedUntil(until)
    }

    /// After a correct password: clears the streak of *this* location class and the
    /// remembered wrong passwords. The other class keeps its counters, so the real user
    /// signing in at the office does not hand an attacker elsewhere a fresh set of guesses.
    pub fn record_success(&mut self, familiarity: Familiarity) {
        *self.counter_mut(familiarity) = Counter::default();
        self.recent_bad_passwords.clear();
    }

    /// Clears everything: after a forgotten-password reset or an admin unlock. (A reset
    /// by a user who knows the password should not call this: Entra keeps the timer
    /// running until the password is changed.) The reason is taken so every call site
    /// names one; recording it in the audit log is the caller's job.
    pub fn reset(&mut self, _reason: LockoutReset) {
        self.familiar = Counter::default();
        self.unfamiliar = Counter::default();
        self.recent_bad_passwords.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;
    use time::Duration;

    fn at(seconds: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_700_000_000 + seconds).unwrap()
    }

    fn key() -> FingerprintKey {
        FingerprintKey::new([42; 32])
    }

    fn state() -> LockoutState {
        LockoutState::new(&mut ChaCha20Rng::seed_from_u64(40))
    }

    /// Fails `count` distinct wrong passwords from `familiarity`, one second apart from `start`.
    fn fail_distinct(
        state: &mut LockoutState,
        policy: &LockoutPolicy,
        familiarity: Familiarity,
        start: i64,
        count: u32,
    ) -> LockoutDecision {
        let mut last = LockoutDecision::Allowed;
        for attempt in 0..count {
            let fingerprint = state.fingerprint(&key(), &format!("guess-{start}-{attempt}"));
            last = state.record_failure(
                policy,
                at(start + i64::from(attempt)),
                familiarity,
                fingerprint,
            );
        }
        last
    }

    #[test]
    fn locks_at_threshold_for_sixty_seconds() {
        let policy = LockoutPolicy::default();
        let mut state = state();
        assert_eq!(
            fail_distinct(&mut state, &policy, Familiarity::Unfamiliar, 0, 9),
            LockoutDecision::Allowed
        );
        assert_eq!(state.failures(Familiarity::Unfamiliar), 9);
        let tenth = state.fingerprint(&key(), "tenth");
        assert_eq!(
            state.record_failure(&policy, at(9), Familiarity::Unfamiliar, tenth),
            LockoutDecision::LockedUntil(at(69))
        );
        assert_eq!(
            state.check(at(68), Familiarity::Unfamiliar),
            LockoutDecision::LockedUntil(at(69))
        );
        assert_eq!(
            state.check(at(69), Familiarity::Unfamiliar),
            LockoutDecision::Allowed
        );
    }

    #[test]
    fn familiar_location_is_not_locked_by_an_attacker_elsewhere() {
        let policy = LockoutPolicy::default();
        let mut state = state();
        fail_distinct(&mut state, &policy, Familiarity::Unfamiliar, 0, 10);
        assert!(matches!(
            state.check(at(10), Familiarity::Unfamiliar),
            LockoutDecision::LockedUntil(_)
        ));
        assert_eq!(
            state.check(at(10), Familiarity::Familiar),
            LockoutDecision::Allowed
        );
        assert_eq!(state.failures(Familiarity::Familiar), 0);
    }

    #[test]
    fn repeating_a_recent_wrong_password_does_not_count() {
        let policy = LockoutPolicy::default();
        let mut state = state();
        let typo = state.fingerprint(&key(), "Summer2026");
        for second in 0..50 {
            assert_eq!(
                state.record_failure(&policy, at(second), Familiarity::Familiar, typo),
                LockoutDecision::Allowed
            );
        }
        assert_eq!(state.failures(Familiarity::Familiar), 1);
    }

    #[test]
    fn only_the_last_three_are_remembered() {
        let policy = LockoutPolicy::default();
        let mut state = state();
        let [a, b, c, d] = ["a", "b", "c", "d"].map(|password| state.fingerprint(&key(), password));
        for fingerprint in [a, b, c, a, b, c] {
            state.record_failure(&policy, at(0), Familiarity::Familiar, fingerprint);
        }
        assert_eq!(state.failures(Familiarity::Familiar), 3);
        state.record_failure(&policy, at(1), Familiarity::Familiar, d); // evicts a
        state.record_failure(&policy, at(2), Familiarity::Familiar, a);
        assert_eq!(state.failures(Familiarity::Familiar), 5);
    }

    #[test]
    fn further_failures_relock_for_longer() {
        let policy = LockoutPolicy::default();
        let mut state = state();
        assert_eq!(
            fail_distinct(&mut state, &policy, Familiarity::Unfamiliar, 0, 10),
            LockoutDecision::LockedUntil(at(9 + 60))
        );
        // Attempts while locked are not counted.
        let during = state.fingerprint(&key(), "during");
        assert_eq!(
            state.record_failure(&policy, at(30), Familiarity::Unfamiliar, during),
            LockoutDecision::LockedUntil(at(69))
        );
        assert_eq!(state.failures(Familiarity::Unfamiliar), 10);
        // First failure after it ran out: locked again for 120 s, then 240 s.
        assert_eq!(
            fail_distinct(&mut state, &policy, Familiarity::Unfamiliar, 100, 1),
            LockoutDecision::LockedUntil(at(220))
        );
        assert_eq!(
            fail_distinct(&mut state, &policy, Familiarity::Unfamiliar, 300, 1),
            LockoutDecision::LockedUntil(at(540))
        );
    }

    #[test]
    fn streak_is_forgotten_after_failure_memory() {
        let policy = LockoutPolicy::default();
        let mut state = state();
        fail_distinct(&mut state, &policy, Familiarity::Familiar, 0, 9);
        let later = Duration::hours(25).whole_seconds();
        assert_eq!(
            fail_distinct(&mut state, &policy, Familiarity::Familiar, later, 1),
            LockoutDecision::Allowed
        );
        assert_eq!(state.failures(Familiarity::Familiar), 1);
    }

    #[test]
    fn success_clears_its_own_class_only() {
        let policy = LockoutPolicy::default();
        let mut state = state();
        fail_distinct(&mut state, &policy, Familiarity::Unfamiliar, 0, 10);
        fail_distinct(&mut state, &policy, Familiarity::Familiar, 0, 5);
        state.record_success(Familiarity::Familiar);
        assert_eq!(state.failures(Familiarity::Familiar), 0);
        assert_eq!(state.failures(Familiarity::Unfamiliar), 10);
        assert!(matches!(
            state.check(at(20), Familiarity::Unfamiliar),
            LockoutDecision::LockedUntil(_)
        ));
    }

    #[test]
    fn reset_and_admin_unlock_clear_everything() {
        let policy = LockoutPolicy::default();
        for reason in [
            LockoutReset::SelfServicePasswordReset,
            LockoutReset::AdminUnlock,
        ] {
            let mut state = state();
            fail_distinct(&mut state, &policy, Familiarity::Unfamiliar, 0, 10);
            fail_distinct(&mut state, &policy, Familiarity::Familiar, 0, 10);
            state.reset(reason);
            for familiarity in [Familiarity::Familiar, Familiarity::Unfamiliar] {
                assert_eq!(state.check(at(11), familiarity), LockoutDecision::Allowed);
                assert_eq!(state.failures(familiarity), 0);
            }
        }
    }

    #[test]
    fn persisted_form_round_trips_and_holds_no_password() {
        let policy = LockoutPolicy::default();
        let mut state = state();
        let fingerprint = state.fingerprint(&key(), "Hunter2!");
        state.record_failure(&policy, at(0), Familiarity::Unfamiliar, fingerprint);
        let json = serde_json::to_string(&state).unwrap();
        assert!(!json.contains("Hunter2"), "{json}");
        assert_eq!(serde_json::from_str::<LockoutState>(&json).unwrap(), state);
    }
}
