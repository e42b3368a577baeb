//! Self-remediation of user risk: a secure password change or reset (after MFA, inside
//! the sign-in pipeline or self-service password reset) is Entra's only way for users to
//! clear their own risk (reference §7.5).

use portcullis_core::audit::category;
use portcullis_core::user_risk::detail;
use portcullis_core::{UserId, UserRiskState};
use portcullis_store::{Batch, Change, Store, StoreError};
use time::OffsetDateTime;

use crate::bootstrap::user_target;
use crate::caller::Caller;
use crate::services::audit_record;

/// How the user proved they hold the account again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remediation {
    /// "I know my password": changed after MFA (the `passwordChange` grant).
    SecuredPasswordChange,
    /// "I forgot my password": self-service password reset with verified methods.
    SecuredPasswordReset,
}

impl Remediation {
    fn risk_detail(self) -> &'static str {
        match self {
            Remediation::SecuredPasswordChange => detail::USER_PERFORMED_SECURED_PASSWORD_CHANGE,
            Remediation::SecuredPasswordReset => detail::USER_PERFORMED_SECURED_PASSWORD_RESET,
        }
    }
}

/// Marks every open detection of the user `remediated` and recomputes their risk, with
/// an audit record initiated by the user. Call it after a successful secure password
/// change or reset has been committed. Returns whether there was open risk to remediate
/// (nothing is written otherwise).
///
/// Only call it for a change made after multi-factor authentication or through
/// self-service password reset: an ordinary change does not count in Entra.
pub async fn remediate_user_risk(
    store: &dyn Store,
    user: &UserId,
    how: Remediation,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let risk = super::current_user_risk(store, user, now).await?;
    if !risk.risk_state.is_open() {
        return Ok(false);
    }
    let account = store.get_user(user).await?;
    let caller = Caller::user(user, &account.user_principal_name, None);
    let audit = audit_record(
        &caller,
        category::IDENTITY_PROTECTION,
        "Remediate user risk",
        "Update",
    )
    .with_target(user_target(&account))
    .with_detail("riskDetail", how.risk_detail())
    .with_detail("previousRiskLevel", risk.risk_level.as_str());
    store
        .commit(Batch::single(
            Change::ResolveUserRisk {
                user: user.clone(),
                risk_state: UserRiskState::Remediated.as_str().to_owned(),
                risk_detail: how.risk_detail().to_owned(),
                at: now,
            },
            audit,
        ))
        .await?;
    tracing::info!(user = %user, detail = how.risk_detail(), "user risk remediated");
    Ok(true)
}
