//! The admin side of a user's methods (Graph `/users/{id}/authentication/methods`):
//! least privilege through `authorize` against the target user's roles, so a Helpdesk
//! Administrator acts on non-admins only.

use portcullis_core::{Actor, CredentialId, CredentialKind, Permission, Target, UserId};
use portcullis_store::{Batch, Change};
use time::OffsetDateTime;

use super::SecurityInfoService;
use super::error::SecurityInfoResult;
use super::manage::{delete_audit, not_found};
use super::view::SecurityMethod;
use crate::caller::Caller;
use crate::error::ServiceError;

impl SecurityInfoService {
    /// A user's methods, for an admin allowed to manage them.
    pub async fn list_user_methods(
        &self,
        caller: &Caller,
        user: &UserId,
    ) -> SecurityInfoResult<Vec<SecurityMethod>> {
        self.authorize_on_user(caller, Permission::UserAuthMethodsManage, user)
            .await?;
        self.list_methods(user).await
    }

    /// One of a user's methods.
    pub async fn get_user_method(
        &self,
        caller: &Caller,
        user: &UserId,
        id: &CredentialId,
    ) -> SecurityInfoResult<SecurityMethod> {
        self.authorize_on_user(caller, Permission::UserAuthMethodsManage, user)
            .await?;
        let credential = self.own_credential(user, id).await?;
        Ok(SecurityMethod::from_credential(
            &credential,
            OffsetDateTime::now_utc(),
        ))
    }

    /// Deletes one of a user's methods (not the password: that is reset). `expected`
    /// narrows the kind (the Graph route names one, e.g. `fido2Methods/{id}`).
    pub async fn delete_user_method(
        &self,
        caller: &Caller,
        user: &UserId,
        id: &CredentialId,
        expected: Option<CredentialKind>,
    ) -> SecurityInfoResult<()> {
        self.authorize_on_user(caller, Permission::UserAuthMethodsManage, user)
            .await?;
        let credential = self.own_credential(user, id).await?;
        if expected.is_some_and(|kind| kind != credential.kind) {
            return Err(not_found(id));
        }
        if credential.kind == CredentialKind::Password {
            return Err(ServiceError::Invalid(
                "the password method cannot be deleted; reset it instead".into(),
            )
            .into());
        }
        let audit = delete_audit(caller, &credential, "Admin deleted security info");
        self.store()
            .commit(Batch::single(Change::DeleteCredential(id.clone()), audit))
            .await?;
        Ok(())
    }

    /// `permission` on `user`, judged against the roles the user holds. A missing user
    /// is "not found" only to callers allowed to see users at all.
    pub(crate) async fn authorize_on_user(
        &self,
        caller: &Caller,
        permission: Permission,
        user: &UserId,
    ) -> SecurityInfoResult<()> {
        match self.store().get_user(user).await {
            Ok(_) => {}
            Err(portcullis_store::StoreError::NotFound(_)) => {
                caller.authorize(permission, Target::User { roles: &[] })?;
                return Err(ServiceError::NotFound(format!("user {user}")).into());
            }
            Err(other) => return Err(other.into()),
        }
        let roles = self.store().effective_roles_of_user(user).await?;
        caller.authorize(permission, Target::User { roles: &roles })?;
        Ok(())
    }
}

/// Whether the caller is this very user (admins may not issue themselves a pass).
pub(crate) fn is_self(caller: &Caller, user: &UserId) -> bool {
    matches!(&caller.actor, Actor::User { id, .. } if id == user)
}

impl From<portcullis_core::Denied> for super::error::SecurityInfoError {
    fn from(denied: portcullis_core::Denied) -> Self {
        super::error::SecurityInfoError::Service(denied.into())
    }
}
