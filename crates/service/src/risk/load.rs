//! Reading a user's risk (one indexed row) and handing it to the pipeline.

use portcullis_core::{UserId, UserRisk, UserRiskLevel};
use portcullis_policy::model::RiskLevel;
use portcullis_signin::RiskInput;
use portcullis_store::{Store, StoreError};
use time::OffsetDateTime;

/// The user's risk as it stands at `now` (low risk ages out without a write); a user
/// without detections is `none`.
pub async fn current_user_risk(
    store: &dyn Store,
    user: &UserId,
    now: OffsetDateTime,
) -> Result<UserRisk, StoreError> {
    Ok(user_risk_as_of(store.get_user_risk(user).await?, user, now))
}

/// The user's risk at `now` from the stored row read by the caller (`None`: no
/// detections, so `none`).
pub fn user_risk_as_of(stored: Option<UserRisk>, user: &UserId, now: OffsetDateTime) -> UserRisk {
    match stored {
        Some(stored) => stored.at(now),
        None => UserRisk::none(user.clone(), now),
    }
}

/// Sets the user-risk fields of the pipeline's risk input: the level Conditional Access
/// matches `userRiskLevels` against (`none` unless the risk is open: a remediated or
/// dismissed user is not risky), and the state and detail the sign-in log shows.
pub fn apply_user_risk(risk: &UserRisk, input: &mut RiskInput) {
    let level = if risk.is_at_risk() {
        risk.risk_level
    } else {
        UserRiskLevel::None
    };
    input.user_risk_level = Some(match level {
        UserRiskLevel::None => RiskLevel::None,
        UserRiskLevel::Low => RiskLevel::Low,
        UserRiskLevel::Medium => RiskLevel::Medium,
        UserRiskLevel::High => RiskLevel::High,
    });
    input.user_risk_state = Some(risk.risk_state.as_str().to_owned());
    input.user_risk_detail = Some(risk.risk_detail.clone());
}

/// [`current_user_risk`] then [`apply_user_risk`].
pub async fn load_user_risk(
    store: &dyn Store,
    user: &UserId,
    input: &mut RiskInput,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let risk = current_user_risk(store, user, now).await?;
    apply_user_risk(&risk, input);
    Ok(())
}

#[cfg(test)]
mod tests {
    use portcullis_core::UserRiskState;

    use super::*;

    fn risk(level: UserRiskLevel, state: UserRiskState) -> UserRisk {
        UserRisk {
            risk_level: level,
            risk_state: state,
            ..UserRisk::none(
                UserId::from_uuid(uuid::Uuid::nil()),
                OffsetDateTime::UNIX_EPOCH,
            )
        }
    }

    #[test]
    fn open_risk_reaches_conditional_access_and_resolved_risk_does_not() {
        let mut input = RiskInput::default();
        apply_user_risk(
            &risk(UserRiskLevel::High, UserRiskState::AtRisk),
            &mut input,
        );
        assert_eq!(input.user_risk_level, Some(RiskLevel::High));
        assert_eq!(input.user_risk_state.as_deref(), Some("atRisk"));

        let mut input = RiskInput::default();
        apply_user_risk(
            &risk(UserRiskLevel::None, UserRiskState::Remediated),
            &mut input,
        );
        assert_eq!(input.user_risk_level, Some(RiskLevel::None));
        assert_eq!(input.user_risk_state.as_deref(), Some("remediated"));
    }
}
