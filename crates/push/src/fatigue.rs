//! MFA-fatigue defences: an attacker who has the password floods the user with pushes
//! until one is approved by reflex. Three rules stop it, each decision carrying the reason
//! the edge writes to the sign-in log and the audit log:
//!
//! * **cap**: at most `max_outstanding` unanswered pushes per user at once;
//! * **cool-down**: no new push for `denial_cooldown` after a denial;
//! * **suspension**: `suspension_threshold` denials within `suspension_window` suspend
//!   pushes for `suspension_duration` (a fraud report suspends at once). The user can
//!   still sign in with any other method; an admin can lift it.
//!
//! ```text
//!            denial (count < threshold)          denial (count = threshold) / report
//!  Open ───────────────────────────▶ CoolingDown ─────────────────────────────▶ Suspended
//!   ▲                                   │  cool-down over                          │
//!   └───────────────────────────────────┴──────────────────────────────────────────┘
//!                                        suspension over, or lifted by an admin
//! ```

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Duration, OffsetDateTime};

use crate::answer::Verdict;

/// The tunable limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FatiguePolicy {
    pub max_outstanding: usize,
    pub denial_cooldown: Duration,
    pub suspension_threshold: usize,
    pub suspension_window: Duration,
    pub suspension_duration: Duration,
    /// How long a "report suspicious" suspends pushes (the user's risk is raised too, so
    /// Conditional Access may block more than pushes).
    pub report_suspension: Duration,
}

impl Default for FatiguePolicy {
    fn default() -> Self {
        Self {
            // Two: a user may have started a second sign-in in another tab.
            max_outstanding: 2,
            denial_cooldown: Duration::seconds(60),
            suspension_threshold: 3,
            suspension_window: Duration::minutes(15),
            suspension_duration: Duration::hours(1),
            report_suspension: Duration::hours(24),
        }
    }
}

/// Why pushes are suspended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum SuspensionReason {
    #[serde(rename_all = "camelCase")]
    RepeatedDenials {
        denials: usize,
        window_minutes: i64,
    },
    FraudReported,
}

impl std::fmt::Display for SuspensionReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SuspensionReason::RepeatedDenials {
                denials,
                window_minutes,
            } => write!(f, "{denials} denied pushes within {window_minutes} minutes"),
            SuspensionReason::FraudReported => f.write_str("the user reported a push as fraud"),
        }
    }
}

/// Why a new push was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PushRefusal {
    #[error("pushes are suspended until {until} because {reason}")]
    Suspended {
        until: OffsetDateTime,
        reason: SuspensionReason,
    },
    #[error("a push was denied recently; the next one may be sent from {until}")]
    CoolingDown { until: OffsetDateTime },
    #[error("{outstanding} pushes are already waiting for an answer (at most {cap})")]
    TooManyOutstanding { outstanding: usize, cap: usize },
}

/// What recording an answer did, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FatigueEvent {
    /// An approval: nothing changes.
    Unchanged,
    #[doc = "A denial was counted; pushes cool down until `cooldown_until`."]
    DenialCounted {
        denials_in_window: usize,
        cooldown_until: OffsetDateTime,
    },
    Suspended {
        until: OffsetDateTime,
        reason: SuspensionReason,
    },
}

impl std::fmt::Display for FatigueEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FatigueEvent::Unchanged => f.write_str("push answered; fatigue state unchanged"),
            FatigueEvent::DenialCounted {
                denials_in_window,
                cooldown_until,
            } => write!(
                f,
                "denial {denials_in_window} in the window counted; pushes cool down until {cooldown_until}"
            ),
            FatigueEvent::Suspended { until, reason } => {
                write!(f, "pushes suspended until {until} because {reason}")
            }
        }
    }
}

/// One user's fatigue state, stored with the user's push data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FatigueState {
    /// Denials inside the window, oldest first; never longer than the threshold.
    #[serde(with = "rfc3339_list")]
    recent_denials: Vec<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    suspended_until: Option<OffsetDateTime>,
    #[serde(default)]
    suspension_reason: Option<SuspensionReason>,
}

impl FatigueState {
    /// May a new push be sent now, given how many are already outstanding?
    pub fn may_push(
        &self,
        policy: &FatiguePolicy,
        outstanding: usize,
        now: OffsetDateTime,
    ) -> Result<(), PushRefusal> {
        if let (Some(until), Some(reason)) = (self.suspended_until, self.suspension_reason)
            && now < until
        {
            return Err(PushRefusal::Suspended { until, reason });
        }
        if let Some(last) = self.recent_denials.last() {
            let until = *last + policy.denial_cooldown;
            if now < until {
                return Err(PushRefusal::CoolingDown { until });
            }
        }
        if outstanding >= policy.max_outstanding {
            return Err(PushRefusal::TooManyOutstanding {
                outstanding,
                cap: policy.max_outstanding,
            });
        }
        Ok(())
    }

    /// Records an accepted answer.
    pub fn record(
        &mut self,
        policy: &FatiguePolicy,
        verdict: &Verdict,
        now: OffsetDateTime,
    ) -> FatigueEvent {
        match verdict {
            Verdict::Approved { .. } => FatigueEvent::Unchanged,
            Verdict::Reported { .. } => self.suspend(
                now + policy.report_suspension,
                SuspensionReason::FraudReported,
            ),
            Verdict::Denied { .. } | Verdict::WrongNumber { .. } => self.count_denial(policy, now),
        }
    }

    /// An admin lifts a suspension (after confirming the user safe) and clears the count.
    pub fn lift(&mut self) {
        *self = Self::default();
    }

    pub fn suspended_until(&self) -> Option<OffsetDateTime> {
        self.suspended_until
    }

    fn count_denial(&mut self, policy: &FatiguePolicy, now: OffsetDateTime) -> FatigueEvent {
        let window_start = now - policy.suspension_window;
        self.recent_denials.retain(|at| *at > window_start);
        self.recent_denials.push(now);
        let denials = self.recent_denials.len();
        if denials >= policy.suspension_threshold.max(1) {
            self.suspend(
                now + policy.suspension_duration,
                SuspensionReason::RepeatedDenials {
                    denials,
                    window_minutes: policy.suspension_window.whole_minutes(),
                },
            )
        } else {
            FatigueEvent::DenialCounted {
                denials_in_window: denials,
                cooldown_until: now + policy.denial_cooldown,
            }
        }
    }

    fn suspend(&mut self, until: OffsetDateTime, reason: SuspensionReason) -> FatigueEvent {
        // A later suspension never shortens an earlier, longer one.
        let until = self
            .suspended_until
            .map_or(until, |current| current.max(until));
        self.suspended_until = Some(until);
        self.suspension_reason = Some(reason);
        self.recent_denials.clear();
        FatigueEvent::Suspended { until, reason }
    }
}

mod rfc3339_list {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    pub fn serialize<S: Serializer>(list: &[OffsetDateTime], s: S) -> Result<S::Ok, S::Error> {
        let texts: Result<Vec<String>, _> = list.iter().map(|at| at.format(&Rfc3339)).collect();
        texts.map_err(serde::ser::Error::custom)?.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<OffsetDateTime>, D::Error> {
        let texts = Vec::<String>::deserialize(d)?;
        texts
            .iter()
            .map(|text| OffsetDateTime::parse(text, &Rfc3339).map_err(serde::de::Error::custom))
            .collect()
    }
}
