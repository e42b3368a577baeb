//! Reading the sign-in log (`/v1.0/auditLogs/signIns`) with least privilege: callers
//! need `SignInLogRead` (AuditLog.Read.All for apps; Reports Reader, Security Reader,
//! Global Reader, Security Administrator … for users).

use portcullis_core::{Permission, SignIn, SignInId, Target};
use portcullis_store::{Page, SignInQuery, StoreError};

use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::services::Services;

impl Services {
    /// Newest first.
    pub async fn list_sign_ins(
        &self,
        caller: &Caller,
        query: &SignInQuery,
    ) -> ServiceResult<Page<SignIn>> {
        caller.authorize(Permission::SignInLogRead, Target::Nothing)?;
        Ok(self.store.query_sign_ins(query).await?)
    }

    pub async fn get_sign_in(&self, caller: &Caller, id: &str) -> ServiceResult<SignIn> {
        caller.authorize(Permission::SignInLogRead, Target::Nothing)?;
        let id = SignInId::parse(id.trim())
            .map_err(|_| ServiceError::NotFound(format!("sign-in {id}")))?;
        match self.store.get_sign_in(&id).await {
            Err(StoreError::NotFound(what)) => Err(ServiceError::NotFound(what)),
            other => Ok(other?),
        }
    }
}
