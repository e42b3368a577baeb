//! The user's own methods: list, rename, choose the default, remove.

use portcullis_core::audit::{TargetResource, category};
use portcullis_core::{Credential, CredentialId, CredentialKind, UserId};
use portcullis_store::{Batch, Change};
use serde_json::Value;
use time::OffsetDateTime;

use super::SecurityInfoService;
use super::context::RegistrationContext;
use super::error::{SecurityInfoError, SecurityInfoResult};
use super::gate::require_fresh_strong_sign_in;
use super::view::{DEFAULT_KEY, SecurityMethod, is_strong};
use crate::caller::Caller;
use crate::error::ServiceError;
use crate::services::{audit_record, target};

/// Longest display name a user may give a method.
pub(crate) const MAX_NAME_CHARS: usize = 64;

impl SecurityInfoService {
    /// The user's methods, oldest first (the password included, as on Entra's page).
    pub async fn list_methods(&self, user: &UserId) -> SecurityInfoResult<Vec<SecurityMethod>> {
        let now = OffsetDateTime::now_utc();
        Ok(self
            .store()
            .list_credentials(user)
            .await?
            .iter()
            .map(|credential| SecurityMethod::from_credential(credential, now))
            .collect())
    }

    /// Renames one of the user's own methods.
    pub async fn rename_method(
        &self,
        context: &RegistrationContext<'_>,
        id: &CredentialId,
        display_name: &str,
    ) -> SecurityInfoResult<SecurityMethod> {
        let name = checked_name(display_name)?;
        let mut credential = self.own_credential(&context.user.id, id).await?;
        let old = credential.display_name.replace(name.clone());
        let audit = audit_record(
            &context.caller(),
            category::USER_AUTHENTICATION_METHOD,
            "User changed security info",
            "Update",
        )
        .with_target(method_target(&credential))
        .with_detail("oldDisplayName", old.as_deref().unwrap_or(""))
        .with_detail("newDisplayName", &name);
        self.store()
            .commit(Batch::single(
                Change::UpdateCredential(credential.clone()),
                audit,
            ))
            .await?;
        credential.revision += 1;
        Ok(SecurityMethod::from_credential(
            &credential,
            OffsetDateTime::now_utc(),
        ))
    }

    /// Makes one of the user's strong methods the default (asked for first). The
    /// previous default loses the mark in the same commit.
    pub async fn set_default_method(
        &self,
        context: &RegistrationContext<'_>,
        id: &CredentialId,
    ) -> SecurityInfoResult<()> {
        let credentials = self.store().list_credentials(&context.user.id).await?;
        let chosen = credentials
            .iter()
            .find(|credential| &credential.id == id)
            .ok_or_else(|| not_found(id))?;
        if !is_strong(chosen.kind) {
            return Err(ServiceError::Invalid(format!(
                "a {} method cannot be the default sign-in method",
                chosen.kind.as_str()
            ))
            .into());
        }
        let mut batch = Batch::new();
        for credential in &credentials {
            let marked = credential.metadata.get(DEFAULT_KEY) == Some(&Value::Bool(true));
            let wanted = &credential.id == id;
            if marked != wanted {
                let mut changed = credential.clone();
                set_metadata(&mut changed, DEFAULT_KEY, Value::Bool(wanted));
                batch = batch.change(Change::UpdateCredential(changed));
            }
        }
        let audit = audit_record(
            &context.caller(),
            category::USER_AUTHENTICATION_METHOD,
            "User changed default security info",
            "Update",
        )
        .with_target(method_target(chosen));
        self.store().commit(batch.audit(audit)).await?;
        Ok(())
    }

    /// Removes one of the user's own methods. Removing the last strong method needs a
    /// multifactor sign-in within the fresh-sign-in window, so a stolen session cannot
    /// strip an account down to its password. The password itself is not removed here.
    pub async fn remove_method(
        &self,
        context: &RegistrationContext<'_>,
        id: &CredentialId,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<()> {
        let credentials = self.store().list_credentials(&context.user.id).await?;
        let credential = credentials
            .iter()
            .find(|credential| &credential.id == id)
            .ok_or_else(|| not_found(id))?;
        if credential.kind == CredentialKind::Password {
            return Err(ServiceError::Invalid(
                "the password is changed or reset, not removed".into(),
            )
            .into());
        }
        let other_strong = credentials
            .iter()
            .any(|other| &other.id != id && is_strong(other.kind));
        if is_strong(credential.kind) && !other_strong {
            require_fresh_strong_sign_in(context.session, now, self.settings().fresh_sign_in)?;
        }
        let audit = delete_audit(&context.caller(), credential, "User deleted security info");
        self.store()
            .commit(Batch::single(Change::DeleteCredential(id.clone()), audit))
            .await?;
        Ok(())
    }

    /// One of `user`'s credentials; another user's is "not found", never "forbidden", so
    /// IDs cannot be probed.
    pub(crate) async fn own_credential(
        &self,
        user: &UserId,
        id: &CredentialId,
    ) -> SecurityInfoResult<Credential> {
        match self.store().get_credential(id).await {
            Ok(credential) if &credential.user_id == user => Ok(credential),
            Ok(_) | Err(portcullis_store::StoreError::NotFound(_)) => Err(not_found(id)),
            Err(other) => Err(other.into()),
        }
    }
}

pub(crate) fn not_found(id: &CredentialId) -> SecurityInfoError {
    ServiceError::NotFound(format!("authentication method {id}")).into()
}

pub(crate) fn checked_name(display_name: &str) -> SecurityInfoResult<String> {
    let name = display_name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(ServiceError::Invalid(format!(
            "a method's name must be 1 to {MAX_NAME_CHARS} printable characters"
        ))
        .into());
    }
    Ok(name.to_owned())
}

pub(crate) fn set_metadata(credential: &mut Credential, key: &str, value: Value) {
    if !credential.metadata.is_object() {
        credential.metadata = Value::Object(serde_json::Map::new());
    }
    if let Some(map) = credential.metadata.as_object_mut() {
        map.insert(key.to_owned(), value);
    }
}

pub(crate) fn method_target(credential: &Credential) -> TargetResource {
    let mut resource = target(
        "AuthenticationMethod",
        credential.id.as_str(),
        credential.display_name.as_deref(),
    );
    resource.user_principal_name = None;
    resource
}

pub(crate) fn delete_audit(
    caller: &Caller,
    credential: &Credential,
    activity: &str,
) -> portcullis_core::AuditRecord {
    audit_record(
        caller,
        category::USER_AUTHENTICATION_METHOD,
        activity,
        "Delete",
    )
    .with_target(method_target(credential))
    .with_detail("methodType", credential.kind.as_str())
    .with_detail("userId", credential.user_id.as_str())
}
