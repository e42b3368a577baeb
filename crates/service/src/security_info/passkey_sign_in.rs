//! Passkey sign-in for the edge (the sign-in service and the pages): options for
//! `navigator.credentials.get`, then the verified assertion the pipeline takes as
//! `Input::Passkey`, with the credential's counter update.

use portcullis_core::audit::category;
use portcullis_core::{Credential, CredentialKind, UserId};
use portcullis_passkeys::{
    AaguidPolicy, AuthenticationCeremony, AuthenticationTarget, PasskeyCandidate, PasskeyError,
    PasskeyResponse, StoredPasskey,
};
use portcullis_signin::PasskeyAssertion;
use portcullis_store::{Batch, Change, StoreError};
use serde_json::Value;
use time::OffsetDateTime;

use super::SecurityInfoService;
use super::error::{SecurityInfoError, SecurityInfoResult};
use super::manage::method_target;
use crate::caller::Caller;
use crate::error::ServiceError;
use crate::services::audit_record;

/// Whom a passkey sign-in is for.
#[derive(Debug, Clone, Copy)]
pub enum PasskeySignInTarget<'a> {
    /// The user is known (typed name, or a second factor): only their passkeys may
    /// answer. Fails with `NoUsablePasskey` when they have none.
    User(&'a UserId),
    /// Username-less; `conditional_ui` for the autofill flavour.
    Discoverable { conditional_ui: bool },
}

/// A verified passkey sign-in.
#[derive(Debug, Clone, PartialEq)]
pub struct PasskeySignIn {
    pub user_id: UserId,
    /// `Input::Passkey(assertion)` for the pipeline.
    pub assertion: PasskeyAssertion,
    /// The credential with its new signature counter (its revision as read): write it
    /// with the sign-in step (`Change::UpdateCredential` / the step's credential
    /// updates), or call [`SecurityInfoService::record_passkey_counter`].
    pub counter_update: Option<Credential>,
}

impl SecurityInfoService {
    /// Starts a passkey sign-in. Keep the returned ceremony server-side (the sign-in
    /// transaction) until the answer comes back; it expires after the ceremony lifetime.
    pub async fn begin_passkey_authentication(
        &self,
        target: PasskeySignInTarget<'_>,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<(Value, AuthenticationCeremony)> {
        let (options, ceremony) = match target {
            PasskeySignInTarget::User(user) => {
                let candidates = self.passkey_candidates(user).await?;
                self.passkeys()?.begin_authentication(
                    AuthenticationTarget::User {
                        user_id: user,
                        passkeys: &candidates,
                    },
                    now,
                )?
            }
            PasskeySignInTarget::Discoverable { conditional_ui } => self
                .passkeys()?
                .begin_authentication(AuthenticationTarget::Discoverable { conditional_ui }, now)?,
        };
        Ok((options, ceremony))
    }

    /// Verifies the browser's answer (the `PublicKeyCredential`'s `toJSON()`) against the
    /// ceremony and the owner's stored passkeys (found by the user handle when
    /// username-less). `models`: the methods policy's key restrictions (and a strength's
    /// allowed AAGUIDs, when the caller knows one applies).
    ///
    /// A counter regression flags the credential as possibly cloned (committed here,
    /// audited) and fails; the flagged passkey is refused from then on.
    pub async fn finish_passkey_authentication(
        &self,
        ceremony: AuthenticationCeremony,
        response_json: &str,
        models: &AaguidPolicy,
        now: OffsetDateTime,
    ) -> SecurityInfoResult<PasskeySignIn> {
        let response = PasskeyResponse::parse(response_json)?;
        let owner = match ceremony.user_id() {
            Some(user) => user.clone(),
            None => response
                .user_handle()
                .ok_or(PasskeyError::InvalidUserHandle)?,
        };
        let credentials = self.fido2_credentials(&owner).await?;
        let candidates = candidates_of(&credentials);
        let verified = match self.passkeys()?.finish_authentication(
            ceremony,
            &response,
            &owner,
            &candidates,
            models,
            now,
        ) {
            Ok(verified) => verified,
            Err(PasskeyError::CloneSuspected {
                credential_id,
                flagged,
            }) => {
                self.flag_clone(&credentials, &credential_id, &flagged)
                    .await?;
                return Err(PasskeyError::CloneSuspected {
                    credential_id,
                    flagged,
                }
                .into());
            }
            Err(other) => return Err(other.into()),
        };
        let counter_update = match &verified.updated {
            Some(stored) => {
                let mut credential = credentials
                    .iter()
                    .find(|credential| credential.id == verified.assertion.credential_id)
                    .cloned()
                    .ok_or_else(|| ServiceError::Internal("verified passkey vanished".into()))?;
                credential.payload = stored
                    .to_payload()
                    .map_err(|e| ServiceError::Internal(e.to_string()))?;
                Some(credential)
            }
            None => None,
        };
        Ok(PasskeySignIn {
            user_id: verified.user_id,
            assertion: verified.assertion,
            counter_update,
        })
    }

    /// Saves a counter update on its own (when the caller does not fold it into the
    /// sign-in step's write). A conflict means another sign-in moved the counter first:
    /// nothing to do.
    pub async fn record_passkey_counter(&self, update: Credential) -> SecurityInfoResult<()> {
        match self
            .store()
            .commit(Batch::new().change(Change::UpdateCredential(update)))
            .await
        {
            Ok(_) | Err(StoreError::Conflict(_)) => Ok(()),
            Err(other) => Err(other.into()),
        }
    }

    async fn fido2_credentials(&self, user: &UserId) -> SecurityInfoResult<Vec<Credential>> {
        Ok(self
            .store()
            .list_credentials(user)
            .await?
            .into_iter()
            .filter(|credential| credential.kind == CredentialKind::Fido2)
            .collect())
    }

    async fn passkey_candidates(&self, user: &UserId) -> SecurityInfoResult<Vec<PasskeyCandidate>> {
        Ok(candidates_of(&self.fido2_credentials(user).await?))
    }

    async fn flag_clone(
        &self,
        credentials: &[Credential],
        id: &portcullis_core::CredentialId,
        flagged: &StoredPasskey,
    ) -> SecurityInfoResult<()> {
        let Some(mut credential) = credentials.iter().find(|c| &c.id == id).cloned() else {
            return Ok(());
        };
        credential.payload = flagged
            .to_payload()
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let caller = Caller::system("Portcullis passkey verification");
        let audit = audit_record(
            &caller,
            category::USER_AUTHENTICATION_METHOD,
            "Passkey flagged as possibly cloned",
            "Update",
        )
        .with_target(method_target(&credential))
        .with_detail("userId", credential.user_id.as_str())
        .with_detail("reason", "signature counter did not increase");
        match self
            .store()
            .commit(Batch::single(Change::UpdateCredential(credential), audit))
            .await
        {
            // A concurrent update (another sign-in's counter) wins; the next regression
            // flags it again.
            Ok(_) | Err(StoreError::Conflict(_)) => Ok(()),
            Err(other) => Err(SecurityInfoError::from(other)),
        }
    }
}

/// Credentials whose payload decodes; an unreadable one is skipped (logged), so one bad
/// row does not stop the user's other passkeys.
fn candidates_of(credentials: &[Credential]) -> Vec<PasskeyCandidate> {
    credentials
        .iter()
        .filter_map(|credential| match StoredPasskey::from_payload(&credential.payload) {
            Ok(stored) => Some(PasskeyCandidate {
                credential_id: credential.id.clone(),
                stored,
            }),
            Err(err) => {
                tracing::warn!(credential = %credential.id, error = %err, "unreadable passkey skipped");
                None
            }
        })
        .collect()
}
