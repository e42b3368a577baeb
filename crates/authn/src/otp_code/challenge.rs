//! One code challenge: issue → verify (until accepted, expired or out of attempts), with
//! resend replacing the code.

use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::policy::OtpCodePolicy;
use super::throttle::{SendThrottle, Throttled};
use crate::SaltedDigest;
use crate::clock;
use crate::random::random_string;

const MIN_DIGITS: usize = 6;
const MAX_DIGITS: usize = 8;

/// The code to deliver. It exists only in memory: send it and drop it.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedCode(String);

impl IssuedCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for IssuedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IssuedCode(redacted)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OtpChallengeStatus {
    Pending,
    /// The right code was entered; the challenge cannot be used again.
    Accepted,
    /// Too many wrong codes; the challenge is dead and the user must start again.
    Exhausted,
}

/// Result of typing a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyOutcome {
    Accepted,
    Wrong {
        attempts_left: u32,
    },
    /// That wrong code used the last attempt, or a previous one did.
    Exhausted,
    Expired,
    AlreadyUsed,
    /// Not `digits` digits; does not use an attempt (it cannot be a guess of the code).
    Malformed {
        expected_digits: usize,
    },
}

/// Result of asking for the code again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResendOutcome {
    /// A new code replaced the old one (which no longer works), with a fresh lifetime.
    Sent(IssuedCode),
    Throttled(Throttled),
    /// The challenge is accepted or exhausted; start a new one.
    Finished(OtpChallengeStatus),
}

/// A pending one-time code, as persisted between requests. Only a salted digest of the
/// code is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtpChallenge {
    code: SaltedDigest,
    digits: usize,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    failed_attempts: u32,
    status: OtpChallengeStatus,
}

impl OtpChallenge {
    /// Issues a code if `throttle` (the destination's send history) allows a send now,
    /// recording the send in it.
    pub fn issue<R: CryptoRng + ?Sized>(
        policy: &OtpCodePolicy,
        throttle: &mut SendThrottle,
        now: OffsetDateTime,
        rng: &mut R,
    ) -> Result<(Self, IssuedCode), Throttled> {
        throttle.check(policy, now)?;
        throttle.record(policy, now);
        // Clamped so an unvalidated policy can neither issue an empty code (which an
        // empty answer would match) nor an enormous one.
        let digits = policy.digits.clamp(MIN_DIGITS, MAX_DIGITS);
        let code = random_string(rng, b"0123456789", digits);
        let challenge = Self {
            code: SaltedDigest::new(rng, code.as_bytes()),
            digits,
            expires_at: clock::add(now, policy.lifetime),
            failed_attempts: 0,
            status: OtpChallengeStatus::Pending,
        };
        Ok((challenge, IssuedCode(code)))
    }

    pub fn status(&self) -> OtpChallengeStatus {
        self.status
    }

    pub fn expires_at(&self) -> OffsetDateTime {
        self.expires_at
    }

    pub fn failed_attempts(&self) -> u32 {
        self.failed_attempts
    }

    /// Checks a typed code (spaces ignored). Persist the challenge afterwards: a wrong
    /// code uses an attempt.
    pub fn verify(
        &mut self,
        policy: &OtpCodePolicy,
        typed: &str,
        now: OffsetDateTime,
    ) -> VerifyOutcome {
        match self.status {
            OtpChallengeStatus::Accepted => return VerifyOutcome::AlreadyUsed,
            OtpChallengeStatus::Exhausted => return VerifyOutcome::Exhausted,
            OtpChallengeStatus::Pending => {}
        }
        if now >= self.expires_at {
            return VerifyOutcome::Expired;
        }
        let typed: Vec<u8> = typed.bytes().filter(|byte| *byte != b' ').collect();
        if typed.len() != self.digits || !typed.iter().all(u8::is_ascii_digit) {
            return VerifyOutcome::Malformed {
                expected_digits: self.digits,
            };
        }
        if self.code.matches(&typed) {
            self.status = OtpChallengeStatus::Accepted;
            return VerifyOutcome::Accepted;
        }
        self.failed_attempts = self.failed_attempts.saturating_add(1);
        if self.failed_attempts >= policy.max_attempts {
            self.status = OtpChallengeStatus::Exhausted;
            VerifyOutcome::Exhausted
        } else {
            VerifyOutcome::Wrong {
                attempts_left: policy.max_attempts - self.failed_attempts,
            }
        }
    }

    /// Sends a new code for the same challenge. The old code stops working, the lifetime
    /// restarts, but failed attempts are *kept*: otherwise each resend would buy an
    /// attacker a fresh set of guesses.
    pub fn resend<R: CryptoRng + ?Sized>(
        &mut self,
        policy: &OtpCodePolicy,
        throttle: &mut SendThrottle,
        now: OffsetDateTime,
        rng: &mut R,
    ) -> ResendOutcome {
        if self.status != OtpChallengeStatus::Pending {
            return ResendOutcome::Finished(self.status);
        }
        match Self::issue(policy, throttle, now, rng) {
            Ok((fresh, code)) => {
                self.code = fresh.code;
                self.digits = fresh.digits;
                self.expires_at = fresh.expires_at;
                ResendOutcome::Sent(code)
            }
            Err(throttled) => ResendOutcome::Throttled(throttled),
        }
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

    fn wrong_code(code: &IssuedCode) -> String {
        code.as_str()
            .bytes()
            .map(|digit| char::from(b'0' + (digit - b'0' + 1) % 10))
            .collect()
    }

    fn issue(
        policy: &OtpCodePolicy,
        rng: &mut ChaCha20Rng,
    ) -> (OtpChallenge, IssuedCode, SendThrottle) {
        let mut throttle = SendThrottle::default();
        let (challenge, code) = OtpChallenge::issue(policy, &mut throttle, at(0), rng).unwrap();
        (challenge, code, throttle)
    }

    #[test]
    fn issued_code_has_the_configured_digits() {
        let mut rng = ChaCha20Rng::seed_from_u64(20);
        for digits in 6..=8 {
            let policy = OtpCodePolicy {
                digits,
                ..Default::default()
            };
            let (_, code, _) = issue(&policy, &mut rng);
            assert_eq!(code.as_str().len(), digits);
            assert!(code.as_str().bytes().all(|byte| byte.is_ascii_digit()));
            assert_eq!(format!("{code:?}"), "IssuedCode(redacted)");
        }
    }

    #[test]
    fn right_code_is_accepted_once() {
        let policy = OtpCodePolicy::default();
        let (mut challenge, code, _) = issue(&policy, &mut ChaCha20Rng::seed_from_u64(21));
        let spaced = format!("{} {}", &code.as_str()[..3], &code.as_str()[3..]);
        assert_eq!(
            challenge.verify(&policy, &spaced, at(60)),
            VerifyOutcome::Accepted
        );
        assert_eq!(
            challenge.verify(&policy, code.as_str(), at(61)),
            VerifyOutcome::AlreadyUsed
        );
    }

    #[test]
    fn code_expires_after_lifetime() {
        let policy = OtpCodePolicy::default();
        let (mut challenge, code, _) = issue(&policy, &mut ChaCha20Rng::seed_from_u64(22));
        assert_eq!(
            challenge.verify(&policy, code.as_str(), at(600)),
            VerifyOutcome::Expired
        );
        assert_eq!(challenge.status(), OtpChallengeStatus::Pending);
    }

    #[test]
    fn attempts_run_out_then_even_the_right_code_fails() {
        let policy = OtpCodePolicy::default();
        let (mut challenge, code, _) = issue(&policy, &mut ChaCha20Rng::seed_from_u64(23));
        let wrong = wrong_code(&code);
        for left in (1..=4).rev() {
            assert_eq!(
                challenge.verify(&policy, &wrong, at(1)),
                VerifyOutcome::Wrong {
                    attempts_left: left
                }
            );
        }
        assert_eq!(
            challenge.verify(&policy, &wrong, at(1)),
            VerifyOutcome::Exhausted
        );
        assert_eq!(
            challenge.verify(&policy, code.as_str(), at(1)),
            VerifyOutcome::Exhausted
        );
        assert_eq!(challenge.failed_attempts(), 5);
    }

    #[test]
    fn malformed_input_uses_no_attempt() {
        let policy = OtpCodePolicy::default();
        let (mut challenge, _, _) = issue(&policy, &mut ChaCha20Rng::seed_from_u64(24));
        for typed in ["", "12345", "1234567", "12a456"] {
            assert_eq!(
                challenge.verify(&policy, typed, at(1)),
                VerifyOutcome::Malformed { expected_digits: 6 }
            );
        }
        assert_eq!(challenge.failed_attempts(), 0);
    }

    #[test]
    fn resend_replaces_code_keeps_attempts_and_is_throttled() {
        let policy = OtpCodePolicy::default();
        let mut rng = ChaCha20Rng::seed_from_u64(25);
        let (mut challenge, first, mut throttle) = issue(&policy, &mut rng);
        assert!(matches!(
            challenge.verify(&policy, &wrong_code(&first), at(5)),
            VerifyOutcome::Wrong { .. }
        ));
        assert_eq!(
            challenge.resend(&policy, &mut throttle, at(10), &mut rng),
            ResendOutcome::Throttled(Throttled { retry_at: at(30) })
        );
        let ResendOutcome::Sent(second) =
            challenge.resend(&policy, &mut throttle, at(30), &mut rng)
        else {
            panic!("resend after the interval must send");
        };
        assert_eq!(challenge.expires_at(), at(30) + Duration::minutes(10));
        assert_eq!(challenge.failed_attempts(), 1);
        assert_ne!(first, second);
        assert!(matches!(
            challenge.verify(&policy, first.as_str(), at(40)),
            VerifyOutcome::Wrong { attempts_left: 3 }
        ));
        assert_eq!(
            challenge.verify(&policy, second.as_str(), at(41)),
            VerifyOutcome::Accepted
        );
        assert_eq!(
            challenge.resend(&policy, &mut throttle, at(100), &mut rng),
            ResendOutcome::Finished(OtpChallengeStatus::Accepted)
        );
    }

    #[test]
    fn persisted_form_holds_no_code() {
        let policy = OtpCodePolicy::default();
        let (challenge, code, _) = issue(&policy, &mut ChaCha20Rng::seed_from_u64(26));
        let json = serde_json::to_string(&challenge).unwrap();
        assert!(!json.contains(code.as_str()), "{json}");
        assert_eq!(
            serde_json::from_str::<OtpChallenge>(&json).unwrap(),
            challenge
        );
    }
}
