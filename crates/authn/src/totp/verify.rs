//! Code generation and verification with ±1 step of drift and replay protection.

use subtle::ConstantTimeEq;
use thiserror::Error;
use time::OffsetDateTime;

use super::config::TotpConfig;
use super::hotp::{InvalidHmacKey, hotp};
use super::secret::TotpSecret;

/// Steps either side of the current one that are accepted, to absorb clock drift between
/// the server and the phone and the time the user takes to type (RFC 6238 §5.2 suggests
/// at most one step of network delay).
const DRIFT_STEPS: u64 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TotpError {
    #[error("the code must be exactly {expected_digits} digits")]
    MalformedCode { expected_digits: usize },
    #[error("the code is wrong or has expired")]
    Mismatch,
    /// The code is right but belongs to a time step already used: someone may have seen
    /// it over the user's shoulder or through a phishing proxy.
    #[error("the code was already used; wait for the next one")]
    Replayed { step: u64 },
    #[error("the clock is before 1970, TOTP time steps are undefined")]
    ClockBeforeEpoch,
    #[error(transparent)]
    InvalidKey(#[from] InvalidHmacKey),
}

/// One TOTP credential: its secret and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totp {
    secret: TotpSecret,
    config: TotpConfig,
}

impl Totp {
    pub fn new(secret: TotpSecret, config: TotpConfig) -> Self {
        Self { secret, config }
    }

    pub fn secret(&self) -> &TotpSecret {
        &self.secret
    }

    pub fn config(&self) -> TotpConfig {
        self.config
    }

    /// The RFC 6238 time step `T = floor(unix_time / period)` at `now`.
    pub fn step_at(&self, now: OffsetDateTime) -> Result<u64, TotpError> {
        let seconds =
            u64::try_from(now.unix_timestamp()).map_err(|_| TotpError::ClockBeforeEpoch)?;
        Ok(seconds / u64::from(self.config.period_seconds()))
    }

    /// The code for one time step, zero-padded to the configured digits.
    pub fn code_at_step(&self, step: u64) -> Result<String, TotpError> {
        let value = hotp(
            self.config.algorithm(),
            self.secret.as_bytes(),
            step,
            self.config.digits(),
        )?;
        Ok(format!(
            "{value:0width$}",
            width = self.config.digits().count()
        ))
    }

    /// The code an authenticator app shows at `now`.
    pub fn code_at(&self, now: OffsetDateTime) -> Result<String, TotpError> {
        self.code_at_step(self.step_at(now)?)
    }

    /// Verifies a typed code at `now`, accepting the steps `now − 1`, `now`, `now + 1`, but
    /// never a step at or below `last_used_step` (the one stored after the previous
    /// success), so a code cannot be used twice, nor an older code after a newer one.
    ///
    /// Returns the matched step, which the caller must persist as the new
    /// `last_used_step` *in the same transaction* that accepts the sign-in. Spaces in the
    /// typed code are ignored. All candidate steps are computed and compared in constant
    /// time, so timing does not reveal which one matched.
    pub fn verify(
        &self,
        code: &str,
        now: OffsetDateTime,
        last_used_step: Option<u64>,
    ) -> Result<u64, TotpError> {
        let expected_digits = self.config.digits().count();
        let typed: Vec<u8> = code.bytes().filter(|byte| *byte != b' ').collect();
        if typed.len() != expected_digits || !typed.iter().all(u8::is_ascii_digit) {
            return Err(TotpError::MalformedCode { expected_digits });
        }
        let current = self.step_at(now)?;
        let first = current.saturating_sub(DRIFT_STEPS);
        let last = current.saturating_add(DRIFT_STEPS);
        let mut newest_fresh_match = None;
        let mut replayed_match = None;
        for step in first..=last {
            let candidate = self.code_at_step(step)?;
            let matches: bool = candidate.as_bytes().ct_eq(&typed).into();
            if !matches {
                continue;
            }
            if last_used_step.is_some_and(|used| step <= used) {
                replayed_match = Some(step);
            } else {
                newest_fresh_match = Some(step);
            }
        }
        match (newest_fresh_match, replayed_match) {
            (Some(step), _) => Ok(step),
            (None, Some(step)) => Err(TotpError::Replayed { step }),
            (None, None) => Err(TotpError::Mismatch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::totp::{Digits, TotpAlgorithm};

    fn at(unix: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(unix).unwrap()
    }

    fn rfc_totp(algorithm: TotpAlgorithm) -> Totp {
        // RFC 6238 App. B seeds: the ASCII digits repeated to the hash's output length.
        let seed: Vec<u8> = b"1234567890"
            .iter()
            .copied()
            .cycle()
            .take(algorithm.output_len())
            .collect();
        Totp::new(
            TotpSecret::from_bytes(seed).unwrap(),
            TotpConfig::new(algorithm, Digits::Eight, 30).unwrap(),
        )
    }

    /// RFC 6238 Appendix B, every row, all three hashes.
    #[test]
    fn rfc6238_appendix_b() {
        let rows: [(i64, &str, &str, &str); 6] = [
            (59, "94287082", "46119246", "90693936"),
            (1_111_111_109, "07081804", "68084774", "25091201"),
            (1_111_111_111, "14050471", "67062674", "99943326"),
            (1_234_567_890, "89005924", "91819424", "93441116"),
            (2_000_000_000, "69279037", "90698825", "38618901"),
            (20_000_000_000, "65353130", "77737706", "47863826"),
        ];
        for (time, sha1, sha256, sha512) in rows {
            for (algorithm, expected) in [
                (TotpAlgorithm::Sha1, sha1),
                (TotpAlgorithm::Sha256, sha256),
                (TotpAlgorithm::Sha512, sha512),
            ] {
                let totp = rfc_totp(algorithm);
                assert_eq!(
                    totp.code_at(at(time)).unwrap(),
                    expected,
                    "{algorithm:?} at {time}"
                );
                assert!(totp.verify(expected, at(time), None).is_ok());
            }
        }
    }

    #[test]
    fn six_digit_code_is_the_low_digits() {
        let seed = b"12345678901234567890".to_vec();
        let totp = Totp::new(TotpSecret::from_bytes(seed).unwrap(), TotpConfig::default());
        assert_eq!(totp.code_at(at(59)).unwrap(), "287082");
    }

    #[test]
    fn drift_of_one_step_either_way() {
        let totp = rfc_totp(TotpAlgorithm::Sha1);
        let now = at(1_111_111_111); // step 37037037
        let step = totp.step_at(now).unwrap();
        for offset in [-1i64, 0, 1] {
            let candidate = step.checked_add_signed(offset).unwrap();
            let code = totp.code_at_step(candidate).unwrap();
            assert_eq!(totp.verify(&code, now, None), Ok(candidate));
        }
        for offset in [-2i64, 2] {
            let code = totp
                .code_at_step(step.checked_add_signed(offset).unwrap())
                .unwrap();
            assert_eq!(totp.verify(&code, now, None), Err(TotpError::Mismatch));
        }
    }

    #[test]
    fn a_used_step_is_never_accepted_again() {
        let totp = rfc_totp(TotpAlgorithm::Sha256);
        let now = at(1_234_567_890);
        let code = totp.code_at(now).unwrap();
        let step = totp.verify(&code, now, None).unwrap();
        assert_eq!(
            totp.verify(&code, now, Some(step)),
            Err(TotpError::Replayed { step })
        );
        // An older (still in-window) code is refused after a newer one was used.
        let older = totp.code_at_step(step - 1).unwrap();
        assert_eq!(
            totp.verify(&older, now, Some(step)),
            Err(TotpError::Replayed { step: step - 1 })
        );
        // The next step's code is still fine.
        let newer = totp.code_at_step(step + 1).unwrap();
        assert_eq!(totp.verify(&newer, now, Some(step)), Ok(step + 1));
    }

    #[test]
    fn malformed_codes_are_refused_before_any_work() {
        let totp = rfc_totp(TotpAlgorithm::Sha1);
        for code in ["", "1234567", "123456789", "1234abcd", "１２３４５６７８"] {
            assert_eq!(
                totp.verify(code, at(59), None),
                Err(TotpError::MalformedCode { expected_digits: 8 }),
                "{code:?}"
            );
        }
        assert!(totp.verify("9428 7082", at(59), None).is_ok());
    }

    #[test]
    fn time_before_epoch_is_an_error() {
        let totp = rfc_totp(TotpAlgorithm::Sha1);
        assert_eq!(totp.step_at(at(-1)), Err(TotpError::ClockBeforeEpoch));
    }

    #[test]
    fn first_steps_do_not_underflow() {
        let totp = rfc_totp(TotpAlgorithm::Sha1);
        let code = totp.code_at_step(0).unwrap();
        assert_eq!(totp.verify(&code, at(5), None), Ok(0));
    }
}
