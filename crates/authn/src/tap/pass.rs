//! Issuing, validating and redeeming one Temporary Access Pass.

use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Duration, OffsetDateTime};

use super::policy::{TapPolicy, TapPolicyError};
use crate::password::{PasswordHashError, PasswordHasher};
use crate::random::random_string;

/// Letters and digits without the look-alikes 0/O/o, 1/I/i/l, so a pass read out over
/// the phone or copied from a screen is typed right: 55 symbols, about 5.8 bits each
/// (an 8-character pass has about 46 bits).
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789";

/// What the admin asked for; unset fields take the policy's defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TapIssueRequest {
    /// When the pass starts to work; `None` or a time in the past means now.
    pub start: Option<OffsetDateTime>,
    pub lifetime_in_minutes: Option<u32>,
    pub is_usable_once: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TapIssueError {
    #[error("lifetime {requested} minutes is outside the policy's {minimum} to {maximum} minutes")]
    Lifetime {
        requested: u32,
        minimum: u32,
        maximum: u32,
    },
    #[error("the start time is so far ahead that the end cannot be represented")]
    StartOutOfRange,
    #[error("the policy only allows one-time passes")]
    MultiUseNotAllowed,
    #[error(transparent)]
    Policy(#[from] TapPolicyError),
    #[error(transparent)]
    Hash(#[from] PasswordHashError),
}

/// The pass to show the admin once. Never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedPass(String);

impl IssuedPass {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for IssuedPass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IssuedPass(redacted)")
    }
}

/// Why a pass cannot be used now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum TapUnusable {
    #[error("the pass is not valid before {starts_at}")]
    NotYetValid { starts_at: OffsetDateTime },
    #[error("the pass expired at {expired_at}")]
    Expired { expired_at: OffsetDateTime },
    #[error("the one-time pass was already used at {used_at}")]
    Used { used_at: OffsetDateTime },
    #[error("the pass was revoked at {revoked_at}")]
    Revoked { revoked_at: OffsetDateTime },
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TapRedeemError {
    #[error("the pass is wrong")]
    Mismatch,
    #[error(transparent)]
    Unusable(#[from] TapUnusable),
    #[error(transparent)]
    Hash(#[from] PasswordHashError),
}

/// A user's Temporary Access Pass as persisted: an argon2id hash, never the pass.
///
/// Why argon2id rather than a fast salted hash: a pass lives up to 30 days and has about
/// 46 bits at the default length, which a GPU searches through in hours if a database
/// dump leaks a fast hash; at password-hash cost it is out of reach for the pass's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemporaryAccessPass {
    phc: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    start_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    is_usable_once: bool,
    #[serde(with = "time::serde::rfc3339::option", default)]
    last_used_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    revoked_at: Option<OffsetDateTime>,
}

impl TemporaryAccessPass {
    /// Issues a pass under `policy`. A user has at most one pass: the caller replaces any
    /// previous one with this.
    pub fn issue<R: CryptoRng + ?Sized>(
        policy: &TapPolicy,
        request: TapIssueRequest,
        hasher: &PasswordHasher,
        now: OffsetDateTime,
        rng: &mut R,
    ) -> Result<(Self, IssuedPass), TapIssueError> {
        policy.validate()?;
        let lifetime = request
            .lifetime_in_minutes
            .unwrap_or(policy.default_lifetime_in_minutes);
        if !(policy.minimum_lifetime_in_minutes..=policy.maximum_lifetime_in_minutes)
            .contains(&lifetime)
        {
            return Err(TapIssueError::Lifetime {
                requested: lifetime,
                minimum: policy.minimum_lifetime_in_minutes,
                maximum: policy.maximum_lifetime_in_minutes,
            });
        }
        let is_usable_once = match request.is_usable_once {
            Some(false) if policy.is_usable_once => return Err(TapIssueError::MultiUseNotAllowed),
            Some(once) => once,
            None => policy.is_usable_once,
        };
        let start_at = request.start.map_or(now, |start| start.max(now));
        let expires_at = start_at
            .checked_add(Duration::minutes(i64::from(lifetime)))
            .ok_or(TapIssueError::StartOutOfRange)?;
        let pass = random_string(rng, ALPHABET, policy.default_length);
        let record = Self {
            phc: hasher.hash(&pass, rng)?,
            created_at: now,
            start_at,
            expires_at,
            is_usable_once,
            last_used_at: None,
            revoked_at: None,
        };
        Ok((record, IssuedPass(pass)))
    }

    pub fn created_at(&self) -> OffsetDateTime {
        self.created_at
    }

    pub fn start_at(&self) -> OffsetDateTime {
        self.start_at
    }

    pub fn expires_at(&self) -> OffsetDateTime {
        self.expires_at
    }

    pub fn is_usable_once(&self) -> bool {
        self.is_usable_once
    }

    pub fn lifetime_in_minutes(&self) -> i64 {
        (self.expires_at - self.start_at).whole_minutes()
    }

    /// Whether the pass could be used at `now`, from its metadata alone.
    pub fn usability(&self, now: OffsetDateTime) -> Result<(), TapUnusable> {
        if let Some(revoked_at) = self.revoked_at {
            return Err(TapUnusable::Revoked { revoked_at });
        }
        if let (true, Some(used_at)) = (self.is_usable_once, self.last_used_at) {
            return Err(TapUnusable::Used { used_at });
        }
        if now < self.start_at {
            return Err(TapUnusable::NotYetValid {
                starts_at: self.start_at,
            });
        }
        if now >= self.expires_at {
            return Err(TapUnusable::Expired {
                expired_at: self.expires_at,
            });
        }
        Ok(())
    }

    /// Graph's `isUsable` and `methodUsabilityReason` for this pass at `now` (a revoked
    /// pass is reported as `DisabledByPolicy`: in Graph it would simply be deleted).
    pub fn graph_usability(&self, now: OffsetDateTime) -> (bool, &'static str) {
        match self.usability(now) {
            Ok(()) => (true, "EnabledByPolicy"),
            Err(TapUnusable::NotYetValid { .. }) => (false, "NotYetValid"),
            Err(TapUnusable::Expired { .. }) => (false, "Expired"),
            Err(TapUnusable::Used { .. }) => (false, "OneTimeUsed"),
            Err(TapUnusable::Revoked { .. }) => (false, "DisabledByPolicy"),
        }
    }

    /// Checks a typed pass and, when it is right and usable, records the use (a
    /// one-time pass is spent). Returns when the pass expires: sessions and tokens
    /// issued from this sign-in must not outlive it.
    ///
    /// The hash is checked *before* the pass's state, so someone without the pass learns
    /// nothing about whether one exists, has expired or was used.
    pub fn redeem(
        &mut self,
        hasher: &PasswordHasher,
        typed: &str,
        now: OffsetDateTime,
    ) -> Result<OffsetDateTime, TapRedeemError> {
        if !hasher.verify(typed.trim(), &self.phc)? {
            return Err(TapRedeemError::Mismatch);
        }
        self.usability(now)?;
        self.last_used_at = Some(now);
        Ok(self.expires_at)
    }

    /// Revokes the pass (an admin deleted it, or the user registered a method with it and
    /// policy ends it).
    pub fn revoke(&mut self, now: OffsetDateTime) {
        self.revoked_at.get_or_insert(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::password::Argon2Params;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn hasher() -> PasswordHasher {
        PasswordHasher::new(Argon2Params {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap()
    }

    fn at(minutes: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap() + Duration::minutes(minutes)
    }

    fn issue(policy: &TapPolicy, request: TapIssueRequest) -> (TemporaryAccessPass, IssuedPass) {
        let mut rng = ChaCha20Rng::seed_from_u64(30);
        TemporaryAccessPass::issue(policy, request, &hasher(), at(0), &mut rng).unwrap()
    }

    #[test]
    fn default_pass_is_eight_unambiguous_characters_for_an_hour() {
        let (record, pass) = issue(&TapPolicy::default(), TapIssueRequest::default());
        assert_eq!(pass.as_str().len(), 8);
        assert!(pass.as_str().bytes().all(|byte| ALPHABET.contains(&byte)));
        assert_eq!(record.lifetime_in_minutes(), 60);
        assert!(!record.is_usable_once());
        assert_eq!(format!("{pass:?}"), "IssuedPass(redacted)");
        assert!(
            !serde_json::to_string(&record)
                .unwrap()
                .contains(pass.as_str())
        );
    }

    #[test]
    fn alphabet_has_no_look_alikes() {
        for confusable in b"0O1Iilo" {
            assert!(
                !ALPHABET.contains(confusable),
                "{}",
                char::from(*confusable)
            );
        }
        assert_eq!(ALPHABET.len(), 55);
    }

    #[test]
    fn length_follows_policy() {
        let policy = TapPolicy {
            default_length: 48,
            ..Default::default()
        };
        let (_, pass) = issue(&policy, TapIssueRequest::default());
        assert_eq!(pass.as_str().len(), 48);
    }

    #[test]
    fn multi_use_pass_works_repeatedly_within_its_window() {
        let (mut record, pass) = issue(&TapPolicy::default(), TapIssueRequest::default());
        assert_eq!(record.redeem(&hasher(), pass.as_str(), at(1)), Ok(at(60)));
        assert_eq!(
            record.redeem(&hasher(), &format!(" {} ", pass.as_str()), at(2)),
            Ok(at(60))
        );
        assert_eq!(
            record.redeem(&hasher(), pass.as_str(), at(60)),
            Err(TapRedeemError::Unusable(TapUnusable::Expired {
                expired_at: at(60)
            }))
        );
        assert_eq!(record.graph_usability(at(61)), (false, "Expired"));
    }

    #[test]
    fn one_time_pass_is_spent() {
        let request = TapIssueRequest {
            is_usable_once: Some(true),
            ..Default::default()
        };
        let (mut record, pass) = issue(&TapPolicy::default(), request);
        assert_eq!(record.graph_usability(at(1)), (true, "EnabledByPolicy"));
        assert!(record.redeem(&hasher(), pass.as_str(), at(1)).is_ok());
        assert_eq!(
            record.redeem(&hasher(), pass.as_str(), at(2)),
            Err(TapRedeemError::Unusable(TapUnusable::Used {
                used_at: at(1)
            }))
        );
        assert_eq!(record.graph_usability(at(2)), (false, "OneTimeUsed"));
    }

    #[test]
    fn delayed_start() {
        let request = TapIssueRequest {
            start: Some(at(30)),
            ..Default::default()
        };
        let (mut record, pass) = issue(&TapPolicy::default(), request);
        assert_eq!(record.expires_at(), at(90));
        assert_eq!(
            record.redeem(&hasher(), pass.as_str(), at(29)),
            Err(TapRedeemError::Unusable(TapUnusable::NotYetValid {
                starts_at: at(30)
            }))
        );
        assert_eq!(record.graph_usability(at(29)), (false, "NotYetValid"));
        assert!(record.redeem(&hasher(), pass.as_str(), at(30)).is_ok());
        // A start in the past means now.
        let past = TapIssueRequest {
            start: Some(at(-100)),
            ..Default::default()
        };
        assert_eq!(issue(&TapPolicy::default(), past).0.start_at(), at(0));
    }

    #[test]
    fn wrong_pass_is_a_mismatch_even_when_revoked() {
        let (mut record, pass) = issue(&TapPolicy::default(), TapIssueRequest::default());
        record.revoke(at(5));
        assert_eq!(
            record.redeem(&hasher(), "WrongPass", at(6)),
            Err(TapRedeemError::Mismatch)
        );
        assert_eq!(
            record.redeem(&hasher(), pass.as_str(), at(6)),
            Err(TapRedeemError::Unusable(TapUnusable::Revoked {
                revoked_at: at(5)
            }))
        );
        // Case matters (this seed's pass has upper-case letters).
        let lower = pass.as_str().to_ascii_lowercase();
        assert_ne!(lower, pass.as_str());
        let mut fresh = issue(&TapPolicy::default(), TapIssueRequest::default()).0;
        assert_eq!(
            fresh.redeem(&hasher(), &lower, at(1)),
            Err(TapRedeemError::Mismatch)
        );
    }

    #[test]
    fn requests_outside_policy_are_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(31);
        let policy = TapPolicy::default();
        let long = TapIssueRequest {
            lifetime_in_minutes: Some(481),
            ..Default::default()
        };
        assert_eq!(
            TemporaryAccessPass::issue(&policy, long, &hasher(), at(0), &mut rng).unwrap_err(),
            TapIssueError::Lifetime {
                requested: 481,
                minimum: 60,
                maximum: 480
            }
        );
        let once_only = TapPolicy {
            is_usable_once: true,
            ..Default::default()
        };
        let multi = TapIssueRequest {
            is_usable_once: Some(false),
            ..Default::default()
        };
        assert_eq!(
            TemporaryAccessPass::issue(&once_only, multi, &hasher(), at(0), &mut rng).unwrap_err(),
            TapIssueError::MultiUseNotAllowed
        );
        let (record, _) = TemporaryAccessPass::issue(
            &once_only,
            TapIssueRequest::default(),
            &hasher(),
            at(0),
            &mut rng,
        )
        .unwrap();
        assert!(record.is_usable_once());
        let broken = TapPolicy {
            default_length: 4,
            ..Default::default()
        };
        assert!(matches!(
            TemporaryAccessPass::issue(
                &broken,
                TapIssueRequest::default(),
                &hasher(),
                at(0),
                &mut rng
            ),
            Err(TapIssueError::Policy(TapPolicyError::Length(4)))
        ));
    }

    #[test]
    fn longest_lifetime_is_thirty_days() {
        let policy = TapPolicy {
            minimum_lifetime_in_minutes: 10,
            maximum_lifetime_in_minutes: 43_200,
            ..Default::default()
        };
        let request = TapIssueRequest {
            lifetime_in_minutes: Some(43_200),
            ..Default::default()
        };
        let (record, _) = issue(&policy, request);
        assert_eq!(record.expires_at() - record.start_at(), Duration::days(30));
    }

    #[test]
    fn serde_round_trip() {
        let (mut record, pass) = issue(&TapPolicy::default(), TapIssueRequest::default());
        record.redeem(&hasher(), pass.as_str(), at(1)).unwrap();
        let json = serde_json::to_string(&record).unwrap();
        assert_eq!(
            serde_json::from_str::<TemporaryAccessPass>(&json).unwrap(),
            record
        );
    }
}
