//! Graph `identityProtection`: risky users (list, get, confirm compromised, dismiss) and
//! risk detections. Least privilege: reading needs `RiskRead` (Security Administrator,
//! Security Operator, Security Reader, Global Reader; app role
//! `IdentityRiskyUser.Read.All`), acting needs `RiskWrite` (Security Administrator,
//! Security Operator; `IdentityRiskyUser.ReadWrite.All`). Every action is audited in the
//! same transaction as its change.

use portcullis_core::audit::category;
use portcullis_core::user_risk::{ADMIN_CONFIRMED_USER_COMPROMISED_EVENT, detail};
use portcullis_core::{
    Permission, RiskEvent, RiskEventId, Target, User, UserId, UserRisk, UserRiskLevel,
    UserRiskState,
};
use portcullis_store::{Batch, Change, ListQuery, Page, RiskyUserField, StoreError};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::bootstrap::user_target;
use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::services::{Services, audit_record};

/// Most user ids one `confirmCompromised` or `dismiss` call may name (Graph's limit).
pub const MAX_USER_IDS: usize = 60;

/// A `riskyUser` with the directory names Graph shows beside the risk.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskyUser {
    /// As of the time of reading (low risk ages out).
    pub risk: UserRisk,
    pub user_principal_name: Option<String>,
    pub user_display_name: Option<String>,
    /// The user was deleted; their risk stays listed, as in Entra.
    pub is_deleted: bool,
}

impl Services {
    /// `GET /identityProtection/riskyUsers`. Filters apply to the stored level and state.
    pub async fn list_risky_users(
        &self,
        caller: &Caller,
        query: &ListQuery<RiskyUserField>,
    ) -> ServiceResult<Page<RiskyUser>> {
        caller.authorize(Permission::RiskRead, Target::Nothing)?;
        let now = OffsetDateTime::now_utc();
        let page = self.store.list_user_risks(query, now).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for risk in page.items {
            items.push(self.with_names(risk.at(now)).await?);
        }
        Ok(Page {
            items,
            next: page.next,
        })
    }

    /// `GET /identityProtection/riskyUsers/{id}`: not found when the user never had a
    /// detection.
    pub async fn get_risky_user(&self, caller: &Caller, id: &UserId) -> ServiceResult<RiskyUser> {
        caller.authorize(Permission::RiskRead, Target::Nothing)?;
        let risk = self
            .store
            .get_user_risk(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("riskyUser {id}")))?;
        self.with_names(risk.at(OffsetDateTime::now_utc())).await
    }

    /// `POST /identityProtection/riskyUsers/confirmCompromised`: each user gets an
    /// `adminConfirmedUserCompromised` detection (high, `confirmedCompromised`), which
    /// also ends their sessions and refresh tokens (continuous access evaluation).
    pub async fn confirm_users_compromised(
        &self,
        caller: &Caller,
        user_ids: &[UserId],
    ) -> ServiceResult<()> {
        caller.authorize(Permission::RiskWrite, Target::Nothing)?;
        let users = self.existing_users(user_ids).await?;
        let now = OffsetDateTime::now_utc();
        let mut batch = Batch::new();
        for user in &users {
            batch = batch
                .change(Change::AddRiskEvent(confirmed_compromised(user, now)))
                .audit(
                    audit_record(
                        caller,
                        category::IDENTITY_PROTECTION,
                        "Confirm user compromised",
                        "Update",
                    )
                    .with_target(user_target(user)),
                );
        }
        self.store.commit(batch).await?;
        self.sessions().epochs().mark_stale();
        Ok(())
    }

    /// `POST /identityProtection/riskyUsers/dismiss`: every open detection of each user
    /// becomes `dismissed` (`adminDismissedAllRiskForUser`). Irreversible, and it does not
    /// reset the password (Entra's semantics).
    pub async fn dismiss_user_risk(
        &self,
        caller: &Caller,
        user_ids: &[UserId],
    ) -> ServiceResult<()> {
        caller.authorize(Permission::RiskWrite, Target::Nothing)?;
        // Deleted users cannot be dismissed (Entra): only existing ones are accepted.
        let users = self.existing_users(user_ids).await?;
        let now = OffsetDateTime::now_utc();
        let mut batch = Batch::new();
        for user in &users {
            batch = batch
                .change(Change::ResolveUserRisk {
                    user: user.id.clone(),
                    risk_state: UserRiskState::Dismissed.as_str().to_owned(),
                    risk_detail: detail::ADMIN_DISMISSED_ALL_RISK_FOR_USER.to_owned(),
                    at: now,
                })
                .audit(
                    audit_record(
                        caller,
                        category::IDENTITY_PROTECTION,
                        "Dismiss user risk",
                        "Update",
                    )
                    .with_target(user_target(user)),
                );
        }
        self.store.commit(batch).await?;
        Ok(())
    }

    /// `GET /identityProtection/riskDetections`: newest first, optionally one user's and
    /// only those detected since a time.
    pub async fn list_risk_detections(
        &self,
        caller: &Caller,
        user: Option<&UserId>,
        since: Option<OffsetDateTime>,
        limit: u32,
    ) -> ServiceResult<Vec<RiskEvent>> {
        caller.authorize(Permission::RiskRead, Target::Nothing)?;
        Ok(self.store.list_risk_events(user, since, limit).await?)
    }

    async fn with_names(&self, risk: UserRisk) -> ServiceResult<RiskyUser> {
        let (user_principal_name, user_display_name, is_deleted) =
            match self.store.get_user(&risk.user_id).await {
                Ok(user) => (
                    Some(user.user_principal_name),
                    Some(user.display_name),
                    false,
                ),
                Err(StoreError::NotFound(_)) => (None, None, true),
                Err(other) => return Err(other.into()),
            };
        Ok(RiskyUser {
            risk,
            user_principal_name,
            user_display_name,
            is_deleted,
        })
    }

    /// The users named, each once; the request fails as a whole if one does not exist.
    async fn existing_users(&self, user_ids: &[UserId]) -> ServiceResult<Vec<User>> {
        if user_ids.is_empty() {
            return Err(ServiceError::Invalid(
                "userIds must name at least one user".into(),
            ));
        }
        if user_ids.len() > MAX_USER_IDS {
            return Err(ServiceError::Invalid(format!(
                "userIds may name at most {MAX_USER_IDS} users, not {}",
                user_ids.len()
            )));
        }
        let mut users: Vec<User> = Vec::with_capacity(user_ids.len());
        for id in user_ids {
            if users.iter().any(|user| &user.id == id) {
                continue;
            }
            users.push(self.store.get_user(id).await?);
        }
        Ok(users)
    }
}

fn confirmed_compromised(user: &User, now: OffsetDateTime) -> RiskEvent {
    RiskEvent {
        id: RiskEventId::from_uuid(Uuid::new_v4()),
        user_id: Some(user.id.clone()),
        user_principal_name: Some(user.user_principal_name.clone()),
        risk_event_type: ADMIN_CONFIRMED_USER_COMPROMISED_EVENT.to_owned(),
        risk_level: UserRiskLevel::High.as_str().to_owned(),
        risk_state: UserRiskState::ConfirmedCompromised.as_str().to_owned(),
        risk_detail: Some(detail::ADMIN_CONFIRMED_USER_COMPROMISED.to_owned()),
        detection_timing_type: "offline".to_owned(),
        detected_date_time: now,
        ip_address: None,
        sign_in_id: None,
        additional_info: serde_json::json!([{"Key": "source", "Value": "Admin"}]),
    }
}
