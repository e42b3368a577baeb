//! The first factor: password, Temporary Access Pass, or a passwordless passkey, with
//! smart lockout around the guessable ones and no user enumeration.
//!
//! Unknown users take the same path as a wrong password: the dummy hash is verified (same
//! cost), the answer is 50126, and only the log says 50034. A disabled user gets 50126
//! for a wrong credential and 50057 only after a correct one, as in Entra: the account's
//! state is revealed only to someone who proved they hold it.

use portcullis_authn::CryptoRng;
use portcullis_authn::lockout::LockoutDecision;
use portcullis_authn::methods::MethodKind;
use portcullis_authn::tap::TapRedeemError;
use portcullis_policy::evaluate::UsedMethod;
use portcullis_policy::strength::AuthenticationMethodMode;
use uuid::Uuid;

use super::Run;
use crate::effect::Effect;
use crate::error_code::ErrorCode;
use crate::input::PasskeyAssertion;
use crate::outcome::Outcome;
use crate::subject::{MethodMaterial, UserRecord};
use crate::transaction::SignInTransaction;

pub(crate) const PRIMARY: &str = "Primary authentication";

/// A method performed now.
pub(crate) fn used(method: AuthenticationMethodMode, at: time::OffsetDateTime) -> UsedMethod {
    UsedMethod {
        method,
        at,
        aaguid: None,
        certificate_issuer_ski: None,
        certificate_policy_oids: Vec::new(),
    }
}

/// The strength engine's mode for a method kind.
pub(crate) fn mode_of(kind: MethodKind) -> AuthenticationMethodMode {
    kind.graph_mode()
        .parse()
        .unwrap_or(AuthenticationMethodMode::Other(
            kind.graph_mode().to_owned(),
        ))
}

impl Run<'_, '_> {
    fn spend_dummy_hash(&mut self, secret: &str) {
        let config = self.env.config;
        config.dummy_hash.verify(&config.hasher, secret);
        self.dummy_hash_spent = true;
    }

    /// Refuses a locked location class before any secret is checked.
    fn locked(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
        method: &str,
    ) -> Option<Outcome> {
        match user.lockout.check(self.env.now, user.familiarity) {
            LockoutDecision::Allowed => None,
            LockoutDecision::LockedUntil(until) => {
                self.record_step(transaction, method, PRIMARY, "Account is locked", false);
                Some(self.fail(ErrorCode::AccountLocked, format!("locked until {until}")))
            }
        }
    }

    pub(crate) fn password<R: CryptoRng + ?Sized>(
        &mut self,
        transaction: &mut SignInTransaction,
        password: &str,
        rng: &mut R,
    ) -> Outcome {
        let env = self.env;
        let Some(user) = env.subject.user() else {
            self.spend_dummy_hash(password);
            self.record_step(
                transaction,
                "Password",
                PRIMARY,
                "Invalid username or password",
                false,
            );
            return self.fail(ErrorCode::UserAccountNotFound, None);
        };
        if let Some(locked) = self.locked(transaction, user, "Password") {
            return locked;
        }
        let verified = match &user.password {
            None => {
                self.spend_dummy_hash(password);
                Ok(false)
            }
            Some(record) => env.config.hasher.verify(password, &record.phc),
        };
        match verified {
            Ok(true) => {}
            Ok(false) => return self.first_factor_failed(transaction, user, "Password", password),
            Err(error) => {
                self.record_step(
                    transaction,
                    "Password",
                    PRIMARY,
                    "Invalid username or password",
                    false,
                );
                return self.fail(
                    ErrorCode::InvalidUserNameOrPassword,
                    format!("the stored password hash cannot be used: {error}"),
                );
            }
        }
        if let Some(record) = &user.password
            && env.config.hasher.needs_rehash(&record.phc) == Ok(true)
            && let Ok(phc) = env.config.hasher.hash(password, rng)
        {
            self.effects.push(Effect::ReplacePasswordHash {
                user_id: user.id.clone(),
                phc,
            });
        }
        self.first_factor_succeeded(
            transaction,
            user,
            used(AuthenticationMethodMode::Password, env.now),
            "Password",
            "Correct password",
        )
    }

    pub(crate) fn first_factor_pass(
        &mut self,
        transaction: &mut SignInTransaction,
        typed: &str,
    ) -> Outcome {
        const METHOD: &str = "Temporary Access Pass";
        let env = self.env;
        let Some(user) = env.subject.user() else {
            self.spend_dummy_hash(typed);
            self.record_step(
                transaction,
                METHOD,
                PRIMARY,
                "Invalid Temporary Access Pass",
                false,
            );
            return self.fail(ErrorCode::UserAccountNotFound, None);
        };
        if let Some(locked) = self.locked(transaction, user, METHOD) {
            return locked;
        }
        let Some((credential_id, pass)) = user.temporary_access_pass() else {
            self.spend_dummy_hash(typed);
            return self.first_factor_failed(transaction, user, METHOD, typed);
        };
        let kind = user
            .method(credential_id)
            .map_or(MethodKind::TemporaryAccessPassOneTime, |method| {
                method.material.kind()
            });
        if !env.policy.methods.allows(kind, user) {
            self.spend_dummy_hash(typed);
            self.record_step(
                transaction,
                METHOD,
                PRIMARY,
                "Method disabled by policy",
                false,
            );
            return self.fail(
                ErrorCode::InvalidUserNameOrPassword,
                "the authentication methods policy does not enable Temporary Access Pass for this user"
                    .to_owned(),
            );
        }
        let mut pass = pass.clone();
        match pass.redeem(&env.config.hasher, typed, env.now) {
            Ok(expires_at) => {
                self.effects.push(Effect::PersistTemporaryAccessPass {
                    user_id: user.id.clone(),
                    credential_id: credential_id.clone(),
                    pass,
                });
                transaction.not_after = Some(expires_at);
                self.first_factor_succeeded(
                    transaction,
                    user,
                    used(mode_of(kind), env.now),
                    METHOD,
                    "Temporary Access Pass accepted",
                )
            }
            Err(TapRedeemError::Mismatch) => {
                self.first_factor_failed(transaction, user, METHOD, typed)
            }
            Err(TapRedeemError::Unusable(reason)) => {
                // The pass was right, so this is not a guess: lockout does not count it.
                self.record_step(
                    transaction,
                    METHOD,
                    PRIMARY,
                    "Temporary Access Pass unusable",
                    false,
                );
                self.fail(ErrorCode::InvalidUserNameOrPassword, reason.to_string())
            }
            Err(TapRedeemError::Hash(error)) => {
                self.record_step(
                    transaction,
                    METHOD,
                    PRIMARY,
                    "Invalid Temporary Access Pass",
                    false,
                );
                self.fail(ErrorCode::InvalidUserNameOrPassword, error.to_string())
            }
        }
    }

    /// A passkey answer the edge could not verify, as the first factor: the passkey
    /// named no user this sign-in can trust, so the sign-in ends like a wrong password.
    pub(crate) fn first_factor_passkey_refused(
        &mut self,
        transaction: &mut SignInTransaction,
        reason: &str,
    ) -> Outcome {
        self.record_step(transaction, "Passkey (FIDO2)", PRIMARY, reason, false);
        self.fail(ErrorCode::InvalidUserNameOrPassword, reason.to_owned())
    }

    pub(crate) fn first_factor_passkey(
        &mut self,
        transaction: &mut SignInTransaction,
        assertion: &PasskeyAssertion,
    ) -> Outcome {
        const METHOD: &str = "Passkey (FIDO2)";
        let env = self.env;
        let Some(user) = env.subject.user() else {
            self.record_step(transaction, METHOD, PRIMARY, "Unknown passkey", false);
            return self.fail(ErrorCode::UserAccountNotFound, None);
        };
        let Some(aaguid) = registered_passkey(user, assertion) else {
            self.record_step(transaction, METHOD, PRIMARY, "Unknown passkey", false);
            return self.fail(
                ErrorCode::InvalidUserNameOrPassword,
                "the passkey is not registered to this user".to_owned(),
            );
        };
        if !env.policy.methods.allows(MethodKind::Fido2, user) {
            self.record_step(
                transaction,
                METHOD,
                PRIMARY,
                "Method disabled by policy",
                false,
            );
            return self.fail(
                ErrorCode::InvalidUserNameOrPassword,
                "the authentication methods policy does not enable passkeys for this user"
                    .to_owned(),
            );
        }
        if !env.policy.methods.fido2_key_restrictions.permits(aaguid) {
            self.record_step(
                transaction,
                METHOD,
                PRIMARY,
                "Authenticator model not allowed",
                false,
            );
            return self.fail(
                ErrorCode::InvalidUserNameOrPassword,
                "the passkey's authenticator model is restricted by the methods policy".to_owned(),
            );
        }
        if !assertion.user_verified {
            self.record_step(
                transaction,
                METHOD,
                PRIMARY,
                "User verification required",
                false,
            );
            return self.fail(
                ErrorCode::StrongAuthenticationFailed,
                "a passwordless passkey sign-in needs user verification".to_owned(),
            );
        }
        self.effects.push(Effect::RecordCredentialUse {
            user_id: user.id.clone(),
            credential_id: assertion.credential_id.clone(),
            at: env.now,
        });
        let mut method = used(AuthenticationMethodMode::Fido2, env.now);
        method.aaguid = aaguid;
        self.first_factor_succeeded(transaction, user, method, METHOD, "Passkey verified")
    }

    /// A wrong guessable secret: count it for smart lockout (unless it repeats one of the
    /// last wrong ones) and answer 50126.
    fn first_factor_failed(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
        method: &str,
        wrong_secret: &str,
    ) -> Outcome {
        let env = self.env;
        let mut lockout = user.lockout.clone();
        let fingerprint = lockout.fingerprint(&env.config.fingerprint_key, wrong_secret);
        let decision =
            lockout.record_failure(&env.config.lockout, env.now, user.familiarity, fingerprint);
        let details = match decision {
            LockoutDecision::Allowed => None,
            LockoutDecision::LockedUntil(until) => {
                Some(format!("smart lockout engaged until {until}"))
            }
        };
        if lockout != user.lockout {
            self.effects.push(Effect::PersistLockoutState {
                user_id: user.id.clone(),
                state: lockout,
            });
        }
        self.record_step(
            transaction,
            method,
            PRIMARY,
            "Invalid username or password",
            false,
        );
        self.fail(ErrorCode::InvalidUserNameOrPassword, details)
    }

    pub(crate) fn first_factor_succeeded(
        &mut self,
        transaction: &mut SignInTransaction,
        user: &UserRecord,
        method: UsedMethod,
        method_name: &str,
        detail: &str,
    ) -> Outcome {
        let env = self.env;
        if user.lockout.failures(user.familiarity) > 0 {
            let mut lockout = user.lockout.clone();
            lockout.record_success(user.familiarity);
            self.effects.push(Effect::PersistLockoutState {
                user_id: user.id.clone(),
                state: lockout,
            });
        }
        transaction.user_id = Some(user.id.clone());
        transaction.session.authenticated_at = Some(env.now);
        transaction.session.methods.push(method);
        self.record_step(transaction, method_name, PRIMARY, detail, true);
        if !user.account_enabled {
            return self.fail(ErrorCode::UserDisabled, None);
        }
        self.decide(transaction, user)
    }
}

/// The AAGUID of the registered passkey the assertion used (`Some(None)`: registered,
/// model unknown); `None` when it is not one of the user's passkeys.
pub(crate) fn registered_passkey(
    user: &UserRecord,
    assertion: &PasskeyAssertion,
) -> Option<Option<Uuid>> {
    match &user.method(&assertion.credential_id)?.material {
        MethodMaterial::Passkey { aaguid } => Some(assertion.aaguid.or(*aaguid)),
        _ => None,
    }
}
