//! Risk templates: risky sign-ins, high-risk users, insider risk.

use crate::model::{
    BuiltInControl, FlagSet, GrantOperator, GuestOrExternalUserType, InsiderRiskLevel, RiskLevel,
    Users,
};

use super::super::parameters::{ParameterKind, ParameterSpec};
use super::super::shape::{
    all_resources, all_users, block, conditions, every_time, grant, guests_of, mfa_strength,
};
use super::super::{TemplateDetails, TemplateError, TemplateParameters};

const SIGN_IN_RISK_LEVELS: &str = "signInRiskLevels";
const USER_RISK_LEVELS: &str = "userRiskLevels";

/// Parameters of [`mfa_for_risky_sign_ins`].
pub(super) const RISKY_SIGN_IN_PARAMETERS: [ParameterSpec; 1] = [ParameterSpec {
    name: SIGN_IN_RISK_LEVELS,
    kind: ParameterKind::RiskLevels,
    description: "the sign-in risk levels that need MFA; default high, medium",
}];

/// MFA for risky sign-ins: sign-in risk high or medium, the MFA strength, sign-in
/// frequency every time.
pub(super) fn mfa_for_risky_sign_ins(
    parameters: &TemplateParameters,
) -> Result<TemplateDetails, TemplateError> {
    let mut conditions = conditions(all_users(), all_resources());
    conditions.sign_in_risk_levels = parameters
        .risk_levels(SIGN_IN_RISK_LEVELS)?
        .unwrap_or_else(|| vec![RiskLevel::High, RiskLevel::Medium]);
    Ok(TemplateDetails {
        conditions,
        grant_controls: Some(mfa_strength()),
        session_controls: Some(every_time()),
    })
}

/// Parameters of [`password_change_for_high_risk_users`].
pub(super) const HIGH_RISK_USER_PARAMETERS: [ParameterSpec; 1] = [ParameterSpec {
    name: USER_RISK_LEVELS,
    kind: ParameterKind::RiskLevels,
    description: "the user risk levels that need a secure password change; default high",
}];

/// Password change for high-risk users: user risk high, `mfa` AND `passwordChange`,
/// sign-in frequency every time.
pub(super) fn password_change_for_high_risk_users(
    parameters: &TemplateParameters,
) -> Result<TemplateDetails, TemplateError> {
    let mut conditions = conditions(all_users(), all_resources());
    conditions.user_risk_levels = parameters
        .risk_levels(USER_RISK_LEVELS)?
        .unwrap_or_else(|| vec![RiskLevel::High]);
    Ok(TemplateDetails {
        conditions,
        grant_controls: Some(grant(
            GrantOperator::And,
            &[BuiltInControl::Mfa, BuiltInControl::PasswordChange],
        )),
        session_controls: Some(every_time()),
    })
}

/// Block users with elevated insider risk: All users minus B2B direct-connect users,
/// service providers and other external users (they have no Purview signal), `block`.
pub(super) fn block_insider_risk(_: &TemplateParameters) -> Result<TemplateDetails, TemplateError> {
    let users = Users {
        exclude_guests_or_external_users: Some(guests_of(&[
            GuestOrExternalUserType::B2bDirectConnectUser,
            GuestOrExternalUserType::ServiceProvider,
            GuestOrExternalUserType::OtherExternalUser,
        ])),
        ..all_users()
    };
    let mut conditions = conditions(users, all_resources());
    conditions.insider_risk_levels = [InsiderRiskLevel::Elevated]
        .into_iter()
        .collect::<FlagSet<_>>();
    Ok(TemplateDetails {
        conditions,
        grant_controls: Some(block()),
        session_controls: None,
    })
}
