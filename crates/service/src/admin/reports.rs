//! Reads behind the admin portal's dashboards and log pages: the sign-in log, its
//! aggregates, registration coverage and per-policy impact. Each checks the caller's
//! permission first (least privilege), like every admin operation; none writes.

use portcullis_core::{Credential, Permission, Session, SignIn, SignInId, Target, UserId};
use portcullis_store::reports::{
    FailureCount, MethodStrength, PolicyResultCount, RegistrationCoverage, ReportWindow,
    SignInCount,
};
use portcullis_store::{Page, SignInQuery};
use time::OffsetDateTime;

use crate::caller::Caller;
use crate::error::ServiceResult;
use crate::services::Services;

impl Services {
    /// The sign-in log, newest first.
    pub async fn query_sign_in_log(
        &self,
        caller: &Caller,
        query: &SignInQuery,
    ) -> ServiceResult<Page<SignIn>> {
        caller.authorize(Permission::SignInLogRead, Target::Nothing)?;
        Ok(self.store.query_sign_ins(query).await?)
    }

    /// One sign-in log entry.
    pub async fn sign_in_log_entry(&self, caller: &Caller, id: &SignInId) -> ServiceResult<SignIn> {
        caller.authorize(Permission::SignInLogRead, Target::Nothing)?;
        Ok(self.store.get_sign_in(id).await?)
    }

    /// Sign-ins per bucket by result, legacy client and risk level.
    pub async fn sign_in_counts(
        &self,
        caller: &Caller,
        window: &ReportWindow,
    ) -> ServiceResult<Vec<SignInCount>> {
        caller.authorize(Permission::SignInLogRead, Target::Nothing)?;
        Ok(self.store.sign_in_counts(window).await?)
    }

    /// The most frequent error codes of unsuccessful sign-ins.
    pub async fn top_sign_in_failures(
        &self,
        caller: &Caller,
        from: OffsetDateTime,
        to: OffsetDateTime,
        limit: u32,
    ) -> ServiceResult<Vec<FailureCount>> {
        caller.authorize(Permission::SignInLogRead, Target::Nothing)?;
        Ok(self.store.top_failures(from, to, limit).await?)
    }

    /// Users per strongest registered method (reading it needs the user read right).
    pub async fn registration_coverage(
        &self,
        caller: &Caller,
    ) -> ServiceResult<RegistrationCoverage> {
        caller.authorize(Permission::UserRead, Target::Nothing)?;
        Ok(self.store.registration_coverage().await?)
    }

    /// The strongest registered method of each listed user.
    pub async fn method_strengths(
        &self,
        caller: &Caller,
        users: &[UserId],
    ) -> ServiceResult<Vec<(UserId, MethodStrength)>> {
        caller.authorize(Permission::UserRead, Target::Nothing)?;
        Ok(self.store.method_strengths(users).await?)
    }

    /// What Conditional Access policies did, or in report-only would have done. It
    /// reveals sign-in activity, so it needs both the policy and the sign-in log right.
    pub async fn policy_result_counts(
        &self,
        caller: &Caller,
        window: &ReportWindow,
        policy: Option<&str>,
    ) -> ServiceResult<Vec<PolicyResultCount>> {
        caller.authorize(Permission::PolicyRead, Target::Nothing)?;
        caller.authorize(Permission::SignInLogRead, Target::Nothing)?;
        Ok(self.store.policy_result_counts(window, policy).await?)
    }

    /// The newest sign-ins a policy blocked or (report-only) would have blocked or
    /// challenged, with the policy's result for each.
    pub async fn policy_acted_sign_ins(
        &self,
        caller: &Caller,
        policy: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
        limit: u32,
    ) -> ServiceResult<Vec<(String, SignIn)>> {
        caller.authorize(Permission::PolicyRead, Target::Nothing)?;
        caller.authorize(Permission::SignInLogRead, Target::Nothing)?;
        Ok(self
            .store
            .policy_acted_sign_ins(policy, from, to, limit)
            .await?)
    }

    /// A user's registered methods, without their secret payloads.
    pub async fn user_methods_overview(
        &self,
        caller: &Caller,
        user: &UserId,
    ) -> ServiceResult<Vec<Credential>> {
        caller.authorize(Permission::UserRead, Target::Nothing)?;
        let mut credentials = self.store.list_credentials(user).await?;
        for credential in &mut credentials {
            // Hashes and protected secrets never leave the service for a page.
            credential.payload = serde_json::Value::Null;
        }
        Ok(credentials)
    }

    /// A user's sessions, newest first.
    pub async fn user_sessions_overview(
        &self,
        caller: &Caller,
        user: &UserId,
    ) -> ServiceResult<Vec<Session>> {
        caller.authorize(Permission::UserRead, Target::Nothing)?;
        Ok(self.store.list_sessions(user).await?)
    }
}
