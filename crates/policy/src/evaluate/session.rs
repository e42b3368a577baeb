//! Session controls: merging them across applying policies (most restrictive wins) and
//! detecting when sign-in frequency asks for reauthentication (entra.md §1.7, §11.2–§11.3).

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use super::compiled::{CompiledSession, CompiledSignInFrequency};
use super::context::SessionState;
use crate::model::{CloudAppSecurityType, ContinuousAccessEvaluationMode, PersistentBrowserMode};

/// "Every time" does not prompt again when the user authenticated within this window
/// (entra.md §11.2).
pub const EVERY_TIME_TOLERANCE: Duration = Duration::minutes(5);

/// The session controls in force after merging every applying enforced policy.
///
/// Entra does not document how several policies' session controls combine (entra.md
/// §2.3, marked unverified); Portcullis applies the most restrictive of each: "every time"
/// beats any interval and the shortest interval beats longer ones; if any policy asks
/// for the primary factor too, both factors are repeated; persistent browser `never`
/// beats `always`; Defender for Cloud Apps `blockDownloads` beats `mcasConfigured` beats
/// `monitorOnly`; CAE `strictEnforcement` beats `strictLocation` beats `disabled`; the
/// on/off controls are on when any policy turns them on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EffectiveSessionControls {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_in_frequency: Option<EffectiveSignInFrequency>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persistent_browser: Option<PersistentBrowserMode>,
    pub application_enforced_restrictions: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_app_security: Option<CloudAppSecurityType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continuous_access_evaluation: Option<ContinuousAccessEvaluationMode>,
    pub disable_resilience_defaults: bool,
    pub secure_sign_in_session: bool,
}

/// The merged sign-in frequency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EffectiveSignInFrequency {
    /// Reauthenticate on every evaluation (with the 5-minute tolerance).
    pub every_time: bool,
    /// Otherwise, the longest a session may go without reauthenticating, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<i64>,
    /// `primaryAndSecondaryAuthentication` or `secondaryAuthentication`.
    pub authentication_type: &'static str,
}

impl EffectiveSessionControls {
    /// Adds one applying policy's controls.
    pub(crate) fn merge(&mut self, session: &CompiledSession) {
        if let Some(frequency) = &session.sign_in_frequency {
            self.sign_in_frequency = Some(merge_frequency(self.sign_in_frequency, frequency));
        }
        if let Some(mode) = &session.persistent_browser {
            self.persistent_browser = Some(match (&self.persistent_browser, mode) {
                (Some(PersistentBrowserMode::Always), PersistentBrowserMode::Always)
                | (None, PersistentBrowserMode::Always) => PersistentBrowserMode::Always,
                // `never`, or a mode this build does not know: the restrictive reading.
                _ => PersistentBrowserMode::Never,
            });
        }
        self.application_enforced_restrictions |= session.application_enforced_restrictions;
        if let Some(kind) = &session.cloud_app_security {
            self.cloud_app_security = Some(most_restrictive(
                self.cloud_app_security.take(),
                kind.clone(),
                cloud_app_security_rank,
            ));
        }
        if let Some(mode) = &session.continuous_access_evaluation {
            self.continuous_access_evaluation = Some(most_restrictive(
                self.continuous_access_evaluation.take(),
                mode.clone(),
                continuous_access_evaluation_rank,
            ));
        }
        self.disable_resilience_defaults |= session.disable_resilience_defaults;
        self.secure_sign_in_session |= session.secure_sign_in_session;
    }
}

fn merge_frequency(
    current: Option<EffectiveSignInFrequency>,
    next: &CompiledSignInFrequency,
) -> EffectiveSignInFrequency {
    let next_type = if next.secondary_only {
        SECONDARY
    } else {
        PRIMARY_AND_SECONDARY
    };
    let Some(current) = current else {
        return EffectiveSignInFrequency {
            every_time: next.period_seconds.is_none(),
            period_seconds: next.period_seconds,
            authentication_type: next_type,
        };
    };
    let every_time = current.every_time || next.period_seconds.is_none();
    let period_seconds = match (current.period_seconds, next.period_seconds) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    EffectiveSignInFrequency {
        every_time,
        period_seconds: if every_time { None } else { period_seconds },
        authentication_type: if current.authentication_type == SECONDARY && next.secondary_only {
            SECONDARY
        } else {
            PRIMARY_AND_SECONDARY
        },
    }
}

const PRIMARY_AND_SECONDARY: &str = "primaryAndSecondaryAuthentication";
const SECONDARY: &str = "secondaryAuthentication";

fn most_restrictive<T>(current: Option<T>, next: T, rank: fn(&T) -> u8) -> T {
    match current {
        Some(current) if rank(&current) >= rank(&next) => current,
        _ => next,
    }
}

fn cloud_app_security_rank(kind: &CloudAppSecurityType) -> u8 {
    match kind {
        CloudAppSecurityType::MonitorOnly => 1,
        CloudAppSecurityType::BlockDownloads => 3,
        _ => 2,
    }
}

fn continuous_access_evaluation_rank(mode: &ContinuousAccessEvaluationMode) -> u8 {
    match mode {
        ContinuousAccessEvaluationMode::Disabled => 0,
        ContinuousAccessEvaluationMode::StrictLocation => 2,
        ContinuousAccessEvaluationMode::StrictEnforcement => 3,
        _ => 1,
    }
}

/// Whether the policy's sign-in frequency asks this session to reauthenticate.
///
/// For `primaryAndSecondaryAuthentication` the clock is the session's first-factor time
/// (`authenticatedAt`, absent = now). For `secondaryAuthentication` it is the latest
/// method used that is not first-factor-only; a session without such a method has no
/// MFA to repeat, so it is never due (its MFA grant, if any, asks for MFA anyway).
/// "Every time" is due when that time is more than [`EVERY_TIME_TOLERANCE`] old; a
/// time-based control when it is older than the period.
pub(crate) fn is_due(
    frequency: &CompiledSignInFrequency,
    session: &SessionState,
    now: OffsetDateTime,
) -> bool {
    let reference = if frequency.secondary_only {
        match session
            .methods
            .iter()
            .filter(|method| !method.method.is_first_factor_only())
            .map(|method| method.at)
            .max()
        {
            Some(at) => at,
            None => return false,
        }
    } else {
        session.authenticated_at.unwrap_or(now)
    };
    let age = now - reference;
    match frequency.period_seconds {
        None => age > EVERY_TIME_TOLERANCE,
        Some(seconds) => age > Duration::seconds(seconds),
    }
}
