//! Passwordless phone sign-in (Graph mode `deviceBasedPush`) as the first factor: the
//! user typed their name, approved the push in Portcullis Authenticator with the number
//! shown and the app's local unlock, and the edge verified the signed answer.
//!
//! No user enumeration: the edge shows a number and waits for every name, whether or not
//! it exists or has an enabled device; a request that was never sent simply expires.
//! Every way it can end without an approval answers 50126, exactly like a wrong
//! password, and only the log tells an unknown name (50034) from a real refusal.

use portcullis_authn::methods::MethodKind;
use portcullis_core::CredentialId;
use portcullis_policy::strength::AuthenticationMethodMode;

use super::Run;
use super::first_factor::{PRIMARY, used};
use crate::effect::Effect;
use crate::error_code::ErrorCode;
use crate::input::OutOfBandDecline;
use crate::outcome::Outcome;
use crate::subject::MethodMaterial;
use crate::transaction::SignInTransaction;

/// The `authenticationMethod` the sign-in log shows for this step (Entra's wording).
pub(crate) const METHOD: &str = "Passwordless phone sign-in";

impl Run<'_, '_> {
    /// The app approved the passwordless request (number matched, local unlock attested).
    pub(crate) fn first_factor_phone_sign_in(
        &mut self,
        transaction: &mut SignInTransaction,
        credential_id: &CredentialId,
    ) -> Outcome {
        let env = self.env;
        let Some(user) = env.subject.user() else {
            self.record_step(transaction, METHOD, PRIMARY, "Unknown device", false);
            return self.fail(ErrorCode::UserAccountNotFound, None);
        };
        let registered = user
            .method(credential_id)
            .is_some_and(|method| matches!(method.material, MethodMaterial::AuthenticatorPush));
        if !registered {
            self.record_step(transaction, METHOD, PRIMARY, "Unknown device", false);
            return self.fail(
                ErrorCode::InvalidUserNameOrPassword,
                "the approving device is not a Portcullis Authenticator of this user".to_owned(),
            );
        }
        // Checked again here although the edge sends no push when it is off: the policy
        // may have changed while the request was waiting.
        if !env
            .policy
            .methods
            .allows(MethodKind::PasswordlessPhoneSignIn, user)
        {
            self.record_step(
                transaction,
                METHOD,
                PRIMARY,
                "Method disabled by policy",
                false,
            );
            return self.fail(
                ErrorCode::InvalidUserNameOrPassword,
                "the authentication methods policy does not enable passwordless sign-in with the Authenticator for this user"
                    .to_owned(),
            );
        }
        self.effects.push(Effect::RecordCredentialUse {
            user_id: user.id.clone(),
            credential_id: credential_id.clone(),
            at: env.now,
        });
        self.first_factor_succeeded(
            transaction,
            user,
            used(AuthenticationMethodMode::DeviceBasedPush, env.now),
            METHOD,
            "MFA successfully completed",
        )
    }

    /// The passwordless request ended without an approval (denied, wrong number,
    /// reported, expired — or never sent because the name has no enabled device). The
    /// sign-in ends like a wrong password; a fraud report has already raised the
    /// user's risk at the edge.
    pub(crate) fn first_factor_phone_sign_in_declined(
        &mut self,
        transaction: &mut SignInTransaction,
        reason: OutOfBandDecline,
    ) -> Outcome {
        let code = if self.env.subject.user().is_some() {
            ErrorCode::InvalidUserNameOrPassword
        } else {
            ErrorCode::UserAccountNotFound
        };
        self.record_step(transaction, METHOD, PRIMARY, reason.result_detail(), false);
        self.fail(code, None)
    }
}
