//! Users: list, read, create, update, delete.

use portcullis_core::audit::{ModifiedProperty, category};
use portcullis_core::{Permission, Target, User, UserId, UserType};
use portcullis_store::{Batch, Change, ListQuery, Page, UserField};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::bootstrap::user_target;
use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::services::{Services, audit_record};
use crate::signin::credential_payload::PasswordPayload;
use crate::signin::password_replacement;

/// A user to create (Graph `POST /users`).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub user_principal_name: String,
    pub display_name: String,
    pub mail: Option<String>,
    pub mobile_phone: Option<String>,
    pub user_type: UserType,
    pub account_enabled: bool,
    /// `passwordProfile.password`; hashed with argon2id, never stored in clear.
    pub password: Option<String>,
    /// `passwordProfile.forceChangePasswordNextSignIn`: the sign-in asks for a new
    /// password before it completes.
    pub force_change_password: bool,
    pub attributes: Map<String, Value>,
}

/// Changes to a user (Graph `PATCH /users/{id}`); `None` leaves a property alone.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub user_principal_name: Option<String>,
    pub display_name: Option<String>,
    pub mail: Option<Option<String>>,
    pub mobile_phone: Option<Option<String>>,
    pub user_type: Option<UserType>,
    pub account_enabled: Option<bool>,
    pub password: Option<String>,
    /// `passwordProfile.forceChangePasswordNextSignIn`, for the new password or, without
    /// one, for the current password.
    pub force_change_password: Option<bool>,
    pub attributes: Map<String, Value>,
}

impl Services {
    pub async fn list_users(
        &self,
        caller: &Caller,
        query: &ListQuery<UserField>,
    ) -> ServiceResult<Page<User>> {
        caller.authorize(Permission::UserRead, Target::Nothing)?;
        Ok(self.store.list_users(query).await?)
    }

    /// Resolves `/users/{id | userPrincipalName}` as Graph does. Looking a user up by
    /// name needs the read permission, so names cannot be probed without it.
    pub async fn resolve_user(&self, caller: &Caller, reference: &str) -> ServiceResult<UserId> {
        if let Ok(id) = UserId::parse(reference) {
            return Ok(id);
        }
        let not_found = || ServiceError::NotFound(format!("user {reference}"));
        if !reference.contains('@') {
            return Err(not_found());
        }
        caller.authorize(Permission::UserRead, Target::Nothing)?;
        self.store
            .find_user_by_upn(reference)
            .await?
            .map(|user| user.id)
            .ok_or_else(not_found)
    }

    pub async fn get_user(&self, caller: &Caller, id: &UserId) -> ServiceResult<User> {
        caller.authorize(Permission::UserRead, Target::Nothing)?;
        Ok(self.store.get_user(id).await?)
    }

    pub async fn create_user(&self, caller: &Caller, new: NewUser) -> ServiceResult<User> {
        caller.authorize(Permission::UserCreate, Target::Nothing)?;
        portcullis_core::user::validate_upn(&new.user_principal_name)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        if new.display_name.trim().is_empty() {
            return Err(ServiceError::Invalid(
                "displayName must not be empty".into(),
            ));
        }
        let now = OffsetDateTime::now_utc();
        let user = User {
            id: UserId::from_uuid(Uuid::new_v4()),
            user_principal_name: new.user_principal_name.trim().to_owned(),
            display_name: new.display_name.trim().to_owned(),
            mail: new.mail,
            mobile_phone: new.mobile_phone,
            user_type: new.user_type,
            account_enabled: new.account_enabled,
            created_date_time: now,
            attributes: new.attributes,
        };
        let mut batch = Batch::new().change(Change::CreateUser(user.clone()));
        if let Some(password) = new.password {
            let phc = self
                .checked_password_hash(
                    "passwordProfile.password",
                    &user.user_principal_name,
                    &user.display_name,
                    &password,
                )
                .await?;
            for change in password_replacement(&[], &user.id, phc, new.force_change_password, now) {
                batch = batch.change(change);
            }
        }
        let audit = audit_record(caller, category::USER_MANAGEMENT, "Add user", "Add")
            .with_target(user_target(&user));
        self.store.commit(batch.audit(audit)).await?;
        Ok(user)
    }

    pub async fn update_user(
        &self,
        caller: &Caller,
        id: &UserId,
        patch: UserPatch,
    ) -> ServiceResult<User> {
        let old = self
            .authorize_on_user(caller, Permission::UserUpdate, id)
            .await?;
        if patch.password.is_some() || patch.force_change_password.is_some() {
            self.authorize_on_user(caller, Permission::UserPasswordReset, id)
                .await?;
        }
        let mut user = old.clone();
        let mut modified = Vec::new();
        if let Some(upn) = patch.user_principal_name {
            portcullis_core::user::validate_upn(&upn)
                .map_err(|e| ServiceError::Invalid(e.to_string()))?;
            user.user_principal_name = upn.trim().to_owned();
        }
        if let Some(name) = patch.display_name {
            if name.trim().is_empty() {
                return Err(ServiceError::Invalid(
                    "displayName must not be empty".into(),
                ));
            }
            user.display_name = name.trim().to_owned();
        }
        if let Some(mail) = patch.mail {
            user.mail = mail;
        }
        if let Some(phone) = patch.mobile_phone {
            user.mobile_phone = phone;
        }
        if let Some(user_type) = patch.user_type {
            user.user_type = user_type;
        }
        if let Some(enabled) = patch.account_enabled {
            user.account_enabled = enabled;
        }
        for (key, value) in patch.attributes {
            let old_value = user.attributes.get(&key).map(Value::to_string);
            if value.is_null() {
                user.attributes.remove(&key);
            } else {
                user.attributes.insert(key.clone(), value.clone());
            }
            ModifiedProperty::push_if_changed(
                &mut modified,
                &key,
                old_value,
                (!value.is_null()).then(|| value.to_string()),
            );
        }
        modified.extend(user.changes_since(&old));
        let mut batch = Batch::new().change(Change::UpdateUser(user.clone()));
        let force_change = patch.force_change_password;
        if let Some(password) = patch.password {
            let phc = self
                .checked_password_hash(
                    "passwordProfile.password",
                    &user.user_principal_name,
                    &user.display_name,
                    &password,
                )
                .await?;
            // A new password replaces every old one.
            let existing = self.store.list_credentials(id).await?;
            let now = OffsetDateTime::now_utc();
            for change in
                password_replacement(&existing, id, phc, force_change.unwrap_or(false), now)
            {
                batch = batch.change(change);
            }
            modified.push(ModifiedProperty {
                display_name: "passwordProfile".into(),
                old_value: None,
                new_value: Some("(changed)".into()),
            });
        } else if let Some(must_change) = force_change {
            // Force (or stop forcing) a change of the current password.
            for mut credential in self.store.list_credentials(id).await? {
                if credential.kind != portcullis_core::CredentialKind::Password {
                    continue;
                }
                let Ok(mut payload) = PasswordPayload::from_credential(&credential) else {
                    continue;
                };
                payload.must_change = must_change;
                credential.payload = payload.to_value();
                batch = batch.change(Change::UpdateCredential(credential));
            }
            modified.push(ModifiedProperty {
                display_name: "passwordProfile.forceChangePasswordNextSignIn".into(),
                old_value: None,
                new_value: Some(must_change.to_string()),
            });
        }
        let mut target = user_target(&user);
        target.modified_properties = modified;
        let audit = audit_record(caller, category::USER_MANAGEMENT, "Update user", "Update")
            .with_target(target);
        self.store.commit(batch.audit(audit)).await?;
        Ok(user)
    }

    pub async fn delete_user(&self, caller: &Caller, id: &UserId) -> ServiceResult<()> {
        let user = self
            .authorize_on_user(caller, Permission::UserDelete, id)
            .await?;
        let audit = audit_record(caller, category::USER_MANAGEMENT, "Delete user", "Delete")
            .with_target(user_target(&user));
        self.store
            .commit(Batch::single(Change::DeleteUser(id.clone()), audit))
            .await?;
        Ok(())
    }

    /// Loads the user and checks `permission` against the roles the user holds, so
    /// that e.g. a User Administrator cannot change a Global Administrator. The read
    /// permission is checked first so that a caller who may not read users learns
    /// nothing about which ids exist.
    pub(crate) async fn authorize_on_user(
        &self,
        caller: &Caller,
        permission: Permission,
        id: &UserId,
    ) -> ServiceResult<User> {
        if caller
            .authorize(Permission::UserRead, Target::Nothing)
            .is_err()
        {
            caller.authorize(permission, Target::User { roles: &[] })?;
        }
        let user = self.store.get_user(id).await?;
        let roles = self.store.effective_roles_of_user(id).await?;
        caller.authorize(permission, Target::User { roles: &roles })?;
        Ok(user)
    }
}
