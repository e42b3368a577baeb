//! User risk (the Graph `riskyUser`): how a user's risk level, state and detail follow
//! from their risk detections. Pure: the caller passes the detections and the time.
//!
//! The rule (Entra Identity Protection, reference §7):
//! * a detection counts while it is *open* (`atRisk` or `confirmedCompromised`); low
//!   detections age out 180 days after they were made, medium and high ones stay until
//!   remediated or dismissed;
//! * the user's level is the highest open detection's; the state is
//!   `confirmedCompromised` when an admin confirmed it, else `atRisk`;
//! * with nothing open the user keeps the state and detail of their newest detection
//!   (`remediated` after a secure password change, `dismissed` by an admin, …) at level
//!   `none`, or `none` when that detection simply aged out.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::ids::UserId;
use crate::risk::RiskEvent;

/// How long a low-risk detection keeps a user at risk.
pub const LOW_RISK_LIFETIME: Duration = Duration::days(180);

/// `riskLevel` of a user or detection. Ordered: `None < Low < Medium < High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UserRiskLevel {
    None,
    Low,
    Medium,
    High,
}

impl UserRiskLevel {
    pub const ALL: [UserRiskLevel; 4] = [Self::None, Self::Low, Self::Medium, Self::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }

    /// Parses a Graph value (case-insensitive). `hidden` and anything unknown is `None`
    /// here: a level nobody can read cannot be ranked.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|level| level.as_str().eq_ignore_ascii_case(value))
    }
}

/// `riskState` of a user or detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UserRiskState {
    None,
    AtRisk,
    ConfirmedCompromised,
    Remediated,
    Dismissed,
    ConfirmedSafe,
}

impl UserRiskState {
    pub const ALL: [UserRiskState; 6] = [
        Self::None,
        Self::AtRisk,
        Self::ConfirmedCompromised,
        Self::Remediated,
        Self::Dismissed,
        Self::ConfirmedSafe,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::AtRisk => "atRisk",
            Self::ConfirmedCompromised => "confirmedCompromised",
            Self::Remediated => "remediated",
            Self::Dismissed => "dismissed",
            Self::ConfirmedSafe => "confirmedSafe",
        }
    }

    /// Parses a Graph value (case-insensitive).
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str().eq_ignore_ascii_case(value))
    }

    /// Whether a detection in this state still counts towards the user's risk.
    pub fn is_open(self) -> bool {
        matches!(self, Self::AtRisk | Self::ConfirmedCompromised)
    }
}

/// `riskDetail` values this module writes.
pub mod detail {
    pub const NONE: &str = "none";
    pub const ADMIN_CONFIRMED_USER_COMPROMISED: &str = "adminConfirmedUserCompromised";
    pub const ADMIN_DISMISSED_ALL_RISK_FOR_USER: &str = "adminDismissedAllRiskForUser";
    pub const USER_PERFORMED_SECURED_PASSWORD_CHANGE: &str = "userPerformedSecuredPasswordChange";
    pub const USER_PERFORMED_SECURED_PASSWORD_RESET: &str = "userPerformedSecuredPasswordReset";
}

/// The `riskEventType` of the detection an admin's "confirm compromised" adds.
pub const ADMIN_CONFIRMED_USER_COMPROMISED_EVENT: &str = "adminConfirmedUserCompromised";

/// One user's risk as last computed from their detections (the stored `riskyUser` row).
/// Read it through [`UserRisk::at`]: low risk ages out without any write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRisk {
    pub user_id: UserId,
    pub risk_level: UserRiskLevel,
    pub risk_state: UserRiskState,
    pub risk_detail: String,
    #[serde(with = "time::serde::rfc3339")]
    pub risk_last_updated_date_time: OffsetDateTime,
    /// When the level drops to `none` by itself: set only when every open detection is
    /// low (180 days after the newest of them).
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_date_time: Option<OffsetDateTime>,
    /// When the newest open high detection was made: continuous access evaluation ends
    /// sessions that began before it.
    #[serde(with = "time::serde::rfc3339::option")]
    pub high_risk_detected_date_time: Option<OffsetDateTime>,
}

impl UserRisk {
    /// A user with no detections at all.
    pub fn none(user_id: UserId, at: OffsetDateTime) -> Self {
        UserRisk {
            user_id,
            risk_level: UserRiskLevel::None,
            risk_state: UserRiskState::None,
            risk_detail: detail::NONE.to_owned(),
            risk_last_updated_date_time: at,
            expires_date_time: None,
            high_risk_detected_date_time: None,
        }
    }

    /// The risk as it stands at `now`: low risk past its lifetime has aged out.
    pub fn at(&self, now: OffsetDateTime) -> UserRisk {
        match self.expires_date_time {
            Some(expires) if expires <= now => UserRisk::none(self.user_id.clone(), expires),
            _ => self.clone(),
        }
    }

    /// Whether Conditional Access should treat the user as at risk.
    pub fn is_at_risk(&self) -> bool {
        self.risk_state.is_open() && self.risk_level > UserRiskLevel::None
    }
}

/// Whether a detection counts towards the user's risk at `now`.
pub fn is_open_at(event: &RiskEvent, now: OffsetDateTime) -> bool {
    let open = UserRiskState::parse(&event.risk_state).is_some_and(UserRiskState::is_open);
    let level = UserRiskLevel::parse(&event.risk_level).unwrap_or(UserRiskLevel::None);
    open && level > UserRiskLevel::None
        && (level > UserRiskLevel::Low || event.detected_date_time + LOW_RISK_LIFETIME > now)
}

/// Computes a user's risk from all their detections (any order) at `changed_at`, the
/// time of the write that calls for it. `None` when the user has no detections.
pub fn aggregate(
    user_id: &UserId,
    events: &[RiskEvent],
    changed_at: OffsetDateTime,
) -> Option<UserRisk> {
    let newest = events.iter().max_by_key(|e| e.detected_date_time)?;
    let open: Vec<(&RiskEvent, UserRiskLevel)> = events
        .iter()
        .filter(|event| is_open_at(event, changed_at))
        .map(|event| {
            let level = UserRiskLevel::parse(&event.risk_level).unwrap_or(UserRiskLevel::None);
            (event, level)
        })
        .collect();
    let mut risk = UserRisk::none(user_id.clone(), changed_at);
    let Some(level) = open.iter().map(|(_, level)| *level).max() else {
        // Nothing open: the newest detection says how the risk ended, unless it was only
        // a low one that aged out.
        if let Some(state) = UserRiskState::parse(&newest.risk_state)
            && !state.is_open()
        {
            risk.risk_state = state;
            risk.risk_detail = newest
                .risk_detail
                .clone()
                .unwrap_or_else(|| detail::NONE.to_owned());
        }
        return Some(risk);
    };
    risk.risk_level = level;
    let confirmed = open.iter().find(|(event, _)| {
        UserRiskState::parse(&event.risk_state) == Some(UserRiskState::ConfirmedCompromised)
    });
    match confirmed {
        Some((event, _)) => {
            risk.risk_state = UserRiskState::ConfirmedCompromised;
            risk.risk_detail = event
                .risk_detail
                .clone()
                .unwrap_or_else(|| detail::ADMIN_CONFIRMED_USER_COMPROMISED.to_owned());
        }
        None => risk.risk_state = UserRiskState::AtRisk,
    }
    if level == UserRiskLevel::Low {
        risk.expires_date_time = open
            .iter()
            .map(|(event, _)| event.detected_date_time + LOW_RISK_LIFETIME)
            .max();
    }
    risk.high_risk_detected_date_time = open
        .iter()
        .filter(|(_, level)| *level == UserRiskLevel::High)
        .map(|(event, _)| event.detected_date_time)
        .max();
    Some(risk)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::RiskEventId;

    const T0: i64 = 1_790_000_000;

    fn at(seconds: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(T0 + seconds).unwrap()
    }

    fn user() -> UserId {
        UserId::parse("11111111-1111-1111-1111-111111111111").unwrap()
    }

    fn event(level: &str, state: &str, detail: Option<&str>, when: OffsetDateTime) -> RiskEvent {
        RiskEvent {
            id: RiskEventId::from_uuid(uuid::Uuid::new_v4()),
            user_id: Some(user()),
            user_principal_name: None,
            risk_event_type: "userReportedSuspiciousActivity".into(),
            risk_level: level.into(),
            risk_state: state.into(),
            risk_detail: detail.map(str::to_owned),
            detection_timing_type: "realtime".into(),
            detected_date_time: when,
            ip_address: None,
            sign_in_id: None,
            additional_info: serde_json::Value::Null,
        }
    }

    #[test]
    fn no_detections_no_row() {
        assert_eq!(aggregate(&user(), &[], at(0)), None);
    }

    #[test]
    fn highest_open_detection_wins() {
        let events = [
            event("low", "atRisk", None, at(0)),
            event("high", "atRisk", None, at(10)),
            event("medium", "atRisk", None, at(20)),
        ];
        let risk = aggregate(&user(), &events, at(30)).unwrap();
        assert_eq!(risk.risk_level, UserRiskLevel::High);
        assert_eq!(risk.risk_state, UserRiskState::AtRisk);
        assert_eq!(risk.risk_detail, "none");
        assert_eq!(risk.high_risk_detected_date_time, Some(at(10)));
        assert_eq!(risk.expires_date_time, None);
        assert_eq!(risk.risk_last_updated_date_time, at(30));
        assert!(risk.is_at_risk());
    }

    #[test]
    fn admin_confirmation_sets_the_state() {
        let events = [
            event("medium", "atRisk", None, at(0)),
            event(
                "high",
                "confirmedCompromised",
                Some(detail::ADMIN_CONFIRMED_USER_COMPROMISED),
                at(5),
            ),
        ];
        let risk = aggregate(&user(), &events, at(5)).unwrap();
        assert_eq!(risk.risk_level, UserRiskLevel::High);
        assert_eq!(risk.risk_state, UserRiskState::ConfirmedCompromised);
        assert_eq!(risk.risk_detail, detail::ADMIN_CONFIRMED_USER_COMPROMISED);
    }

    #[test]
    fn resolved_detections_leave_their_state_at_level_none() {
        let events = [
            event(
                "high",
                "remediated",
                Some(detail::USER_PERFORMED_SECURED_PASSWORD_RESET),
                at(0),
            ),
            event(
                "medium",
                "remediated",
                Some(detail::USER_PERFORMED_SECURED_PASSWORD_RESET),
                at(10),
            ),
        ];
        let risk = aggregate(&user(), &events, at(20)).unwrap();
        assert_eq!(risk.risk_level, UserRiskLevel::None);
        assert_eq!(risk.risk_state, UserRiskState::Remediated);
        assert_eq!(
            risk.risk_detail,
            detail::USER_PERFORMED_SECURED_PASSWORD_RESET
        );
        assert_eq!(risk.high_risk_detected_date_time, None);
        assert!(!risk.is_at_risk());
    }

    #[test]
    fn a_new_detection_after_dismissal_puts_the_user_back_at_risk() {
        let events = [
            event(
                "high",
                "dismissed",
                Some(detail::ADMIN_DISMISSED_ALL_RISK_FOR_USER),
                at(0),
            ),
            event("medium", "atRisk", None, at(100)),
        ];
        let risk = aggregate(&user(), &events, at(100)).unwrap();
        assert_eq!(risk.risk_level, UserRiskLevel::Medium);
        assert_eq!(risk.risk_state, UserRiskState::AtRisk);
    }

    #[test]
    fn low_risk_ages_out_after_180_days_medium_does_not() {
        let lifetime = LOW_RISK_LIFETIME.whole_seconds();
        let low = [event("low", "atRisk", None, at(0))];
        let risk = aggregate(&user(), &low, at(0)).unwrap();
        assert_eq!(risk.expires_date_time, Some(at(lifetime)));
        assert_eq!(risk.at(at(lifetime - 1)).risk_level, UserRiskLevel::Low);
        let aged = risk.at(at(lifetime));
        assert_eq!(aged.risk_level, UserRiskLevel::None);
        assert_eq!(aged.risk_state, UserRiskState::None);
        // Recomputed after the lifetime, the aged detection no longer counts either.
        let later = aggregate(&user(), &low, at(lifetime + 1)).unwrap();
        assert_eq!(later.risk_level, UserRiskLevel::None);
        assert_eq!(later.risk_state, UserRiskState::None);

        let medium = [event("medium", "atRisk", None, at(0))];
        let risk = aggregate(&user(), &medium, at(0)).unwrap();
        assert_eq!(risk.expires_date_time, None);
        assert_eq!(risk.at(at(lifetime * 10)).risk_level, UserRiskLevel::Medium);
    }

    #[test]
    fn unreadable_levels_and_states_do_not_count() {
        let events = [
            event("hidden", "atRisk", None, at(0)),
            event("high", "somethingNew", None, at(1)),
        ];
        let risk = aggregate(&user(), &events, at(2)).unwrap();
        assert_eq!(risk.risk_level, UserRiskLevel::None);
        assert_eq!(risk.risk_state, UserRiskState::None);
    }

    #[test]
    fn enums_parse_graph_values_case_insensitively() {
        assert_eq!(UserRiskLevel::parse("HIGH"), Some(UserRiskLevel::High));
        assert_eq!(UserRiskLevel::parse("hidden"), None);
        assert_eq!(
            UserRiskState::parse("confirmedcompromised"),
            Some(UserRiskState::ConfirmedCompromised)
        );
        assert!(UserRiskLevel::Low < UserRiskLevel::Medium);
        for state in UserRiskState::ALL {
            assert_eq!(UserRiskState::parse(state.as_str()), Some(state));
        }
    }
}
