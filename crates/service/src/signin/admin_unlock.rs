//! The helpdesk's view of a user's smart lockout, and the unlock. The counters live in
//! the user's sign-in state (this module's sibling `subject` owns its shape), so the
//! unlock lives here too: it clears both location classes' counters and the remembered
//! wrong passwords ([`LockoutState::reset`]) and writes the state back at the revision
//! read, with its audit record in the same transaction. A sign-in that wrote the state in
//! between makes the write a conflict, and the unlock is redone on the fresh state.

use portcullis_authn::lockout::{Familiarity, LockoutDecision, LockoutReset, LockoutState};
use portcullis_core::audit::{ModifiedProperty, category};
use portcullis_core::{Permission, Target, UserId};
use portcullis_store::{Batch, Change, Store, StoreError, UserStateWrite};
use time::OffsetDateTime;

use super::subject::UserSignInState;
use crate::bootstrap::user_target;
use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::services::{Services, audit_record};

/// How often the unlock is redone when sign-ins keep writing the state.
const UNLOCK_ATTEMPTS: usize = 3;

/// A user's smart-lockout record, when there is one worth showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutStatus {
    /// Counted wrong passwords in the current streaks (familiar plus unfamiliar places).
    pub failures: u32,
    /// The later end of a running lockout, if a location class is locked now.
    pub locked_until: Option<OffsetDateTime>,
}

fn status_of(lockout: &LockoutState, now: OffsetDateTime) -> Option<LockoutStatus> {
    let classes = [Familiarity::Familiar, Familiarity::Unfamiliar];
    let failures = classes
        .iter()
        .map(|class| lockout.failures(*class))
        .fold(0u32, u32::saturating_add);
    let locked_until = classes
        .iter()
        .filter_map(|class| match lockout.check(now, *class) {
            LockoutDecision::LockedUntil(until) => Some(until),
            LockoutDecision::Allowed => None,
        })
        .max();
    (failures > 0 || locked_until.is_some()).then_some(LockoutStatus {
        failures,
        locked_until,
    })
}

impl Services {
    /// The user's lockout record (`None`: no counted failures, nothing locked).
    pub async fn lockout_status(
        &self,
        caller: &Caller,
        user: &UserId,
    ) -> ServiceResult<Option<LockoutStatus>> {
        caller.authorize(Permission::UserRead, Target::Nothing)?;
        let Some(stored) = self.store.get_user_sign_in_state(user).await? else {
            return Ok(None);
        };
        let state: UserSignInState = decode(stored.doc)?;
        Ok(state
            .lockout
            .as_ref()
            .and_then(|lockout| status_of(lockout, OffsetDateTime::now_utc())))
    }

    /// Clears the user's smart-lockout counters. Needs the password-reset permission on
    /// the user (a Helpdesk Administrator unlocks non-admins only), as a reset of a
    /// forgotten password clears them too. Unlocking a user with no record is a no-op
    /// without an audit record.
    pub async fn unlock_user(&self, caller: &Caller, user: &UserId) -> ServiceResult<()> {
        let roles = self.store.effective_roles_of_user(user).await?;
        caller.authorize(
            Permission::UserPasswordReset,
            Target::User { roles: &roles },
        )?;
        clear_lockout(
            self.store.as_ref(),
            caller,
            user,
            LockoutReset::AdminUnlock,
            "Unlock user (smart lockout)",
        )
        .await
    }
}

/// Clears the counters for `reason`, audited as `activity` (the caller is already
/// authorised: an admin's unlock, or the user's own verified password reset).
pub(crate) async fn clear_lockout(
    store: &dyn Store,
    caller: &Caller,
    user: &UserId,
    reason: LockoutReset,
    activity: &str,
) -> ServiceResult<()> {
    let target_user = store.get_user(user).await?;
    for _ in 0..UNLOCK_ATTEMPTS {
        let Some(stored) = store.get_user_sign_in_state(user).await? else {
            return Ok(());
        };
        let mut state: UserSignInState = decode(stored.doc)?;
        let Some(lockout) = state.lockout.as_mut() else {
            return Ok(());
        };
        let before = status_of(lockout, OffsetDateTime::now_utc());
        if before.is_none() {
            return Ok(());
        }
        lockout.reset(reason);
        let doc = serde_json::to_value(&state)
            .map_err(|e| ServiceError::Internal(format!("sign-in state: {e}")))?;
        let mut target = user_target(&target_user);
        target.modified_properties = vec![ModifiedProperty {
            display_name: "SmartLockout".into(),
            old_value: before.map(|s| {
                format!(
                    "failures={}, lockedUntil={}",
                    s.failures,
                    s.locked_until.map_or_else(|| "-".into(), |t| t.to_string())
                )
            }),
            new_value: Some("cleared".into()),
        }];
        let audit =
            audit_record(caller, category::USER_MANAGEMENT, activity, "Update").with_target(target);
        let write = Change::PutUserSignInState(UserStateWrite {
            user_id: user.clone(),
            expected_revision: Some(stored.revision),
            doc,
        });
        match store.commit(Batch::single(write, audit)).await {
            Ok(_) => return Ok(()),
            // A sign-in wrote the state meanwhile: unlock the fresh state.
            Err(StoreError::Conflict(_)) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(ServiceError::Conflict(
        "sign-ins kept changing the user's lockout state; try again".into(),
    ))
}

fn decode(doc: serde_json::Value) -> ServiceResult<UserSignInState> {
    serde_json::from_value(doc)
        .map_err(|e| ServiceError::Internal(format!("stored sign-in state does not decode: {e}")))
}
