//! Aggregates for dashboards: sign-ins over time by result, legacy authentication and
//! risk, top failure codes, registration coverage by method strength, and what each
//! Conditional Access policy did (or, in report-only, would have done).
//!
//! Why rollups: a dashboard over a million-row sign-in log must not scan the log. Each
//! backend keeps small summary tables up to date with database triggers on the log and
//! credential tables (hour buckets of counters, one tier per user, and one row per
//! sign-in a policy challenged or blocked), so every method here reads a few hundred
//! rows through an index whatever the size of the log.

use async_trait::async_trait;
use portcullis_core::{SignIn, UserId};
use serde::Serialize;
use time::OffsetDateTime;

use crate::error::StoreResult;

/// Microseconds in the finest bucket the rollups keep.
pub const HOUR_MICROS: i64 = 3_600_000_000;

/// How a sign-in ended, as the dashboards group it (Entra's "Success / Failure /
/// Interrupted").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SignInResult {
    Success,
    /// Paused for a further step the user could take (an MFA challenge, registration
    /// or a password change): error codes 50074, 50072 and 50125.
    Interrupted,
    Failure,
}

impl SignInResult {
    pub const ALL: [SignInResult; 3] = [
        SignInResult::Success,
        SignInResult::Interrupted,
        SignInResult::Failure,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignInResult::Success => "success",
            SignInResult::Interrupted => "interrupted",
            SignInResult::Failure => "failure",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// A time window `[from, to)` cut into buckets of `bucket_micros` (a multiple of an hour;
/// bucket starts are aligned to the Unix epoch, so days are UTC days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportWindow {
    pub from: OffsetDateTime,
    pub to: OffsetDateTime,
    pub bucket_micros: i64,
}

/// Sign-ins counted in one bucket for one combination of properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInCount {
    /// Unix microseconds of the bucket's start.
    pub bucket_start: i64,
    pub result: SignInResult,
    /// The client app was neither a browser nor a modern desktop or mobile client
    /// (`clientAppUsed` IMAP, POP3, SMTP, Exchange ActiveSync, "Other clients", …).
    pub legacy: bool,
    /// `riskLevelDuringSignIn` (`none` when absent).
    pub risk_level: String,
    pub count: u64,
}

/// How many failed sign-ins ended with one error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureCount {
    pub error_code: i32,
    pub count: u64,
}

/// The strongest kind of method a user has registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum MethodStrength {
    /// No usable method (none, or only a Temporary Access Pass).
    None,
    /// A password or an email code only.
    SingleFactor,
    /// A second factor: authenticator app, TOTP or phone.
    Mfa,
    /// A FIDO2 security key or passkey.
    PhishingResistant,
}

impl MethodStrength {
    pub const ALL: [MethodStrength; 4] = [
        MethodStrength::None,
        MethodStrength::SingleFactor,
        MethodStrength::Mfa,
        MethodStrength::PhishingResistant,
    ];

    pub fn label(self) -> &'static str {
        match self {
            MethodStrength::None => "No method",
            MethodStrength::SingleFactor => "Single factor",
            MethodStrength::Mfa => "MFA",
            MethodStrength::PhishingResistant => "Phishing-resistant",
        }
    }

    /// The tier number the rollup stores (0..=3).
    pub fn from_tier(tier: i64) -> Self {
        match tier {
            3.. => MethodStrength::PhishingResistant,
            2 => MethodStrength::Mfa,
            1 => MethodStrength::SingleFactor,
            _ => MethodStrength::None,
        }
    }
}

/// Users per method strength; `users_total` counts every user, so users without any
/// registered method are `users_total` minus the others.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegistrationCoverage {
    pub users_total: u64,
    pub single_factor: u64,
    pub mfa: u64,
    pub phishing_resistant: u64,
}

impl RegistrationCoverage {
    pub fn count(&self, strength: MethodStrength) -> u64 {
        match strength {
            MethodStrength::None => self
                .users_total
                .saturating_sub(self.single_factor + self.mfa + self.phishing_resistant),
            MethodStrength::SingleFactor => self.single_factor,
            MethodStrength::Mfa => self.mfa,
            MethodStrength::PhishingResistant => self.phishing_resistant,
        }
    }
}

/// How often one policy produced one result in one bucket. Only results that did
/// something are kept: `success`, `failure`, `reportOnlySuccess`, `reportOnlyFailure`,
/// `reportOnlyInterrupted` (never the `notApplied` kinds, which every sign-in has).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyResultCount {
    pub bucket_start: i64,
    pub policy_id: String,
    pub result: String,
    pub count: u64,
}

/// Policy results that acted on a sign-in (the ones listed in impact views).
pub const ACTING_RESULTS: [&str; 3] = ["failure", "reportOnlyFailure", "reportOnlyInterrupted"];

/// Dashboard aggregates. Every method reads indexed summary rows, never the whole log.
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Sign-in counts per bucket, result, legacy flag and risk level, ordered by bucket.
    async fn sign_in_counts(&self, window: &ReportWindow) -> StoreResult<Vec<SignInCount>>;

    /// The most frequent error codes of failed and interrupted sign-ins, most first.
    async fn top_failures(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<FailureCount>>;

    /// Users per strongest registered method.
    async fn registration_coverage(&self) -> StoreResult<RegistrationCoverage>;

    /// Users' strongest registered method, for the given users (absent: no method).
    async fn method_strengths(
        &self,
        users: &[UserId],
    ) -> StoreResult<Vec<(UserId, MethodStrength)>>;

    /// Policy results per bucket; `policy: None` covers every policy.
    async fn policy_result_counts(
        &self,
        window: &ReportWindow,
        policy: Option<&str>,
    ) -> StoreResult<Vec<PolicyResultCount>>;

    /// The newest sign-ins in `[from, to)` where `policy` produced one of
    /// [`ACTING_RESULTS`], newest first, with the policy's result for each.
    async fn policy_acted_sign_ins(
        &self,
        policy: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<(String, SignIn)>>;
}
