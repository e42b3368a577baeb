//! Passkey steps of a sign-in: passwordless (username-less, discoverable) as the first
//! factor, or the user's passkey when a challenge offers it.
//!
//! ```text
//! begin_passkey(request)        ─▶ a fresh transaction (no name typed) + options
//! passkey_options(transaction)  ─▶ options for the transaction's user (second factor),
//!                                  or username-less while no user is known yet
//! passkey_step(transaction, response JSON)
//!                               ─▶ the ceremony is taken from the transaction (single
//!                                  use) ─▶ webauthn-rs verifies it (origin, challenge,
//!                                  signature, user verification, counter) ─▶ the
//!                                  pipeline's step with Input::Passkey
//! ```
//!
//! Why the ceremony lives in the stored transaction: the browser's answer may reach
//! another node, and taking it with a revision-checked write makes a replayed answer
//! fail even when two nodes see it at once. User verification is always required by the
//! ceremony, so a passkey sign-in counts as phishing-resistant multifactor
//! authentication (`amr` `hwk`/`swk` + `user` + `mfa`, decided by the pipeline).

use portcullis_store::{SignInStepWrite, StoreError, TransactionWrite};
use serde_json::Value;
use time::OffsetDateTime;

use super::SignInService;
use super::service::{TransactionDoc, to_json};
use super::types::{SignInError, SignInProgress, SignInRequest, TransactionId};
use crate::security_info::{
    AaguidPolicy, PasskeySignInTarget, SecurityInfoError, SecurityInfoService,
};
use portcullis_signin::{Input, Stage};
use portcullis_store::StoredSignInTransaction;

impl SignInService {
    /// Begins a username-less passkey sign-in: a fresh transaction (no typed name) and
    /// the options for `navigator.credentials.get`. `request.identifier` is ignored: the
    /// passkey names the user.
    pub async fn begin_passkey(
        &self,
        mut request: SignInRequest,
        passkeys: &SecurityInfoService,
    ) -> Result<(SignInProgress, Value), SignInError> {
        request.identifier.clear();
        request.existing_session = None;
        let progress = self.begin(request).await?;
        let options = self
            .passkey_options(&progress.transaction, passkeys)
            .await?;
        Ok((progress, options))
    }

    /// Options for answering this transaction with a passkey: the user's own passkeys
    /// once the user is known (a passkey offered in a challenge), otherwise any
    /// discoverable passkey of this site. Replaces an earlier unanswered ceremony.
    pub async fn passkey_options(
        &self,
        transaction: &TransactionId,
        passkeys: &SecurityInfoService,
    ) -> Result<Value, SignInError> {
        let (stored, mut doc) = self.open_transaction(transaction).await?;
        // Each ceremony is a fresh challenge: bound by the same per-IP limit as steps.
        self.inner
            .limits
            .check(doc.request.ip_address, None)
            .map_err(|retry_after| SignInError::RateLimited { retry_after })?;
        let target = match doc.transaction.user_id() {
            Some(user) => PasskeySignInTarget::User(user),
            None => PasskeySignInTarget::Discoverable {
                conditional_ui: false,
            },
        };
        let (options, ceremony) = passkeys
            .begin_passkey_authentication(target, OffsetDateTime::now_utc())
            .await
            .map_err(rejected)?;
        doc.passkey_ceremony = Some(ceremony);
        self.rewrite(&stored, &doc).await?;
        Ok(options)
    }

    /// Verifies the browser's answer (the `PublicKeyCredential` as JSON) against the
    /// ceremony kept in the transaction and runs the pipeline's step with it.
    ///
    /// An answer that fails verification is refused and logged as a failed passkey step:
    /// as the first factor it ends the sign-in (start again), in a challenge it counts as
    /// a wrong answer and the user may ask for new options (the ceremony is spent either
    /// way).
    pub async fn passkey_step(
        &self,
        transaction: &TransactionId,
        response_json: &str,
        passkeys: &SecurityInfoService,
    ) -> Result<SignInProgress, SignInError> {
        let (stored, mut doc) = self.open_transaction(transaction).await?;
        let ceremony = doc.passkey_ceremony.take().ok_or_else(|| {
            SignInError::PasskeyRejected(
                "no passkey request is waiting for this sign-in; start the passkey again".into(),
            )
        })?;
        // Spend the ceremony before verifying, so a replayed answer finds none.
        self.rewrite(&stored, &doc).await?;
        let policy = self
            .policy()
            .await
            .map_err(|err| SignInError::Internal(err.to_string()))?;
        let models = AaguidPolicy::from_key_restrictions(
            policy.environment().methods.fido2_key_restrictions.clone(),
        );
        let verified = match passkeys
            .finish_passkey_authentication(
                ceremony,
                response_json,
                &models,
                OffsetDateTime::now_utc(),
            )
            .await
        {
            Ok(verified) => verified,
            Err(error) => {
                let refusal = rejected(error);
                if let SignInError::PasskeyRejected(reason) = &refusal {
                    // Logged like any failed answer (durably, before the refusal is
                    // answered): a failed first factor ends the sign-in, a failed
                    // challenge answer counts toward the limit.
                    let input = Input::PasskeyRefused {
                        reason: reason.clone(),
                    };
                    match self.step(transaction, input).await {
                        Ok(_)
                        | Err(SignInError::UnknownTransaction | SignInError::ConcurrentStep) => {}
                        Err(other) => return Err(other),
                    }
                }
                return Err(refusal);
            }
        };
        // The authenticator's counter moved whatever the pipeline decides next; saved
        // first so the step reads the credential at its new revision.
        if let Some(update) = verified.counter_update {
            passkeys
                .record_passkey_counter(update)
                .await
                .map_err(|err| SignInError::Internal(err.to_string()))?;
        }
        self.step(transaction, Input::Passkey(verified.assertion))
            .await
    }

    /// The stored transaction and its document, if it is still open.
    pub(super) async fn open_transaction(
        &self,
        transaction: &TransactionId,
    ) -> Result<(StoredSignInTransaction, TransactionDoc), SignInError> {
        let stored = self.load_transaction(&transaction.hash()).await?;
        let doc: TransactionDoc = serde_json::from_value(stored.doc.clone())
            .map_err(|err| SignInError::Internal(format!("stored transaction: {err}")))?;
        if matches!(doc.transaction.stage(), Stage::Done | Stage::Failed) {
            return Err(SignInError::UnknownTransaction);
        }
        Ok((stored, doc))
    }

    /// Writes the document back at the revision it was read at; a concurrent write
    /// (another step, or the same answer on another node) wins and this one fails.
    pub(super) async fn rewrite(
        &self,
        stored: &StoredSignInTransaction,
        doc: &TransactionDoc,
    ) -> Result<(), SignInError> {
        self.rewrite_with(stored, doc, Vec::new()).await
    }

    /// [`Self::rewrite`], storing `push_approvals` in the same commit.
    pub(super) async fn rewrite_with(
        &self,
        stored: &StoredSignInTransaction,
        doc: &TransactionDoc,
        push_approvals: Vec<portcullis_store::push_state::PushApprovalRecord>,
    ) -> Result<(), SignInError> {
        let write = SignInStepWrite {
            transaction: Some(TransactionWrite::Update {
                id_hash: stored.id_hash.clone(),
                expected_revision: stored.revision,
                doc: to_json(doc)?,
                subject: doc.subject(),
            }),
            push_approvals,
            ..Default::default()
        };
        match self.inner.committer.commit(write).await {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict(_)) => Err(SignInError::ConcurrentStep),
            Err(other) => Err(other.into()),
        }
    }
}

/// A refusal of the passkey (or of passkeys altogether) in words the user can act on;
/// a storage failure stays internal.
fn rejected(error: SecurityInfoError) -> SignInError {
    match error {
        SecurityInfoError::Service(crate::ServiceError::Internal(why)) => {
            SignInError::Internal(why)
        }
        other => SignInError::PasskeyRejected(other.to_string()),
    }
}
