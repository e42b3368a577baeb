//! Passwords someone other than the user chooses: an administrator creating or resetting
//! a user (Graph `passwordProfile`), and the first Global Administrator at bootstrap.
//!
//! They follow the same rules as a password the user picks (`[signin.passwords]`:
//! length, the common list, banned words, the user's own names, leaked ranges), as
//! Entra's password protection covers admin resets too: a weak initial password is the
//! one an attacker guesses before its owner ever signs in. They are hashed with the
//! configured argon2id parameters on a blocking thread.

use std::sync::Arc;

use portcullis_authn::password::{Argon2Params, PasswordHasher};

use crate::error::{ServiceError, ServiceResult};
use crate::services::Services;
use crate::signin::{NewPasswordChecker, NewPasswordSettings, rejection_message};

/// The rules and hasher for passwords set on a user's behalf.
#[derive(Clone)]
pub(crate) struct SetPasswordRules {
    checker: Arc<NewPasswordChecker>,
    hasher: PasswordHasher,
}

impl SetPasswordRules {
    pub(crate) fn new(settings: &NewPasswordSettings, argon2: Argon2Params) -> ServiceResult<Self> {
        Ok(SetPasswordRules {
            checker: Arc::new(
                NewPasswordChecker::new(settings)
                    .map_err(|err| ServiceError::Invalid(format!("passwords: {err}")))?,
            ),
            hasher: PasswordHasher::new(argon2)
                .map_err(|err| ServiceError::Invalid(format!("argon2 parameters: {err}")))?,
        })
    }

    /// The shipped defaults (used until the server applies its configuration).
    pub(crate) fn defaults() -> ServiceResult<Self> {
        Self::new(&NewPasswordSettings::default(), Argon2Params::default())
    }
}

impl Services {
    /// Applies the server's `[signin.passwords]` rules and argon2id parameters to passwords
    /// set by administrators and at bootstrap (call once at start-up, before sharing).
    pub fn use_password_settings(
        &mut self,
        settings: &NewPasswordSettings,
        argon2: Argon2Params,
    ) -> ServiceResult<()> {
        self.set_passwords = SetPasswordRules::new(settings, argon2)?;
        Ok(())
    }

    /// Checks `password` for the user named here and returns its PHC hash. A refusal
    /// names every rule it breaks (`field` is the API's name for the password).
    pub(crate) async fn checked_password_hash(
        &self,
        field: &str,
        user_principal_name: &str,
        display_name: &str,
        password: &str,
    ) -> ServiceResult<String> {
        let rules = self.set_passwords.clone();
        rules
            .checker
            .check(user_principal_name, display_name, password)
            .await
            .map_err(|rejection| {
                ServiceError::Invalid(format!("{field}: {}", rejection_message(&rejection)))
            })?;
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || rules.hasher.hash(&password, &mut rand::rng()))
            .await
            .map_err(|err| ServiceError::Internal(format!("password hashing thread: {err}")))?
            .map_err(|err| ServiceError::Internal(format!("password hashing: {err}")))
    }
}
