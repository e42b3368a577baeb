//! Signing in with a passkey: options for `navigator.credentials.get`, then the checks
//! of the browser's answer, producing the pipeline's `PasskeyAssertion`.

use portcullis_core::{CredentialId, UserId};
use portcullis_signin::PasskeyAssertion;
use serde_json::Value;
use time::OffsetDateTime;
use webauthn_rs::prelude::{Passkey, PublicKeyCredential, WebauthnError};

use crate::aaguid::AaguidPolicy;
use crate::ceremony::{AuthenticationCeremony, AuthenticationKind};
use crate::error::PasskeyError;
use crate::registration::user_handle;
use crate::relying_party::Passkeys;
use crate::stored::StoredPasskey;

/// One of the user's registered passkeys, with Portcullis's credential ID.
#[derive(Debug, Clone, PartialEq)]
pub struct PasskeyCandidate {
    pub credential_id: CredentialId,
    pub stored: StoredPasskey,
}

/// Whom the sign-in is for.
#[derive(Debug, Clone, Copy)]
pub enum AuthenticationTarget<'a> {
    /// A known user (typed name, or a second factor): the browser is told which
    /// credentials may answer. Passkeys flagged as possibly cloned are left out.
    User {
        user_id: &'a UserId,
        passkeys: &'a [PasskeyCandidate],
    },
    /// Username-less: any discoverable passkey of this site may answer. With
    /// `conditional_ui` the browser offers passkeys in the user-name field's autofill
    /// (`mediation: "conditional"`); without it, a "Sign in with a passkey" button asks
    /// at once.
    Discoverable { conditional_ui: bool },
}

/// The browser's answer, parsed once: the edge reads the user handle from it to load
/// the owner's passkeys, then finishes with it.
#[derive(Debug, Clone)]
pub struct PasskeyResponse {
    credential: PublicKeyCredential,
}

impl PasskeyResponse {
    /// Parses the JSON of the `PublicKeyCredential` (binary fields base64url, as its
    /// `toJSON()` gives).
    pub fn parse(json: &str) -> Result<Self, PasskeyError> {
        serde_json::from_str(json)
            .map(|credential| Self { credential })
            .map_err(|e| PasskeyError::MalformedResponse(e.to_string()))
    }

    /// The user the authenticator names (a discoverable credential always does), if the
    /// handle is a Portcullis user ID. Unverified until `finish_authentication` ran.
    pub fn user_handle(&self) -> Option<UserId> {
        let bytes = self.credential.get_user_unique_id()?;
        let uuid = uuid::Uuid::from_slice(bytes).ok()?;
        Some(UserId::from_uuid(uuid))
    }

    /// The WebAuthn credential ID that answered.
    pub fn webauthn_credential_id(&self) -> &[u8] {
        self.credential.get_credential_id()
    }
}

/// A verified assertion.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedPasskey {
    pub user_id: UserId,
    /// What the sign-in pipeline takes as `Input::Passkey`.
    pub assertion: PasskeyAssertion,
    /// The credential with its new signature counter and backup state, when they
    /// changed: save it (with the credential's revision check) with the sign-in.
    pub updated: Option<StoredPasskey>,
}

impl Passkeys {
    /// Starts a sign-in. Returns the options JSON (`{"publicKey": {…}, "mediation": …}`)
    /// and the state to keep.
    pub fn begin_authentication(
        &self,
        target: AuthenticationTarget<'_>,
        now: OffsetDateTime,
    ) -> Result<(Value, AuthenticationCeremony), PasskeyError> {
        let (options, kind) = match target {
            AuthenticationTarget::User { user_id, passkeys } => {
                let usable: Vec<Passkey> = passkeys
                    .iter()
                    .filter(|candidate| !candidate.stored.is_clone_suspected())
                    .map(|candidate| candidate.stored.passkey.clone())
                    .collect();
                if usable.is_empty() {
                    return Err(PasskeyError::NoUsablePasskey);
                }
                let (options, state) = self
                    .webauthn
                    .start_passkey_authentication(&usable)
                    .map_err(PasskeyError::from_webauthn)?;
                let kind = AuthenticationKind::ForUser {
                    user_id: user_id.clone(),
                    state,
                };
                (options, kind)
            }
            AuthenticationTarget::Discoverable { conditional_ui } => {
                let (mut options, state) = self
                    .webauthn
                    .start_discoverable_authentication()
                    .map_err(PasskeyError::from_webauthn)?;
                if !conditional_ui {
                    options.mediation = None;
                }
                (options, AuthenticationKind::Discoverable { state })
            }
        };
        let json =
            serde_json::to_value(&options).map_err(|e| PasskeyError::State(e.to_string()))?;
        let ceremony = AuthenticationCeremony {
            kind,
            expires_at: now + self.ceremony_lifetime,
        };
        Ok((json, ceremony))
    }

    /// Verifies the answer: the credential must be one of `owner`'s `passkeys`, the
    /// ceremony's user (or, username-less, the one the user handle names), signed over
    /// this ceremony's challenge from an allowed origin, with user verification, by a
    /// model `models` permits, with a signature counter that moved forward.
    pub fn finish_authentication(
        &self,
        ceremony: AuthenticationCeremony,
        response: &PasskeyResponse,
        owner: &UserId,
        passkeys: &[PasskeyCandidate],
        models: &AaguidPolicy,
        now: OffsetDateTime,
    ) -> Result<VerifiedPasskey, PasskeyError> {
        ceremony.check_expiry(now)?;
        // A user handle, when present, must name the owner (WebAuthn §7.2 step 6).
        if let Some(bytes) = response.credential.get_user_unique_id()
            && bytes != user_handle(owner)?.as_bytes()
        {
            return Err(PasskeyError::WrongCeremony);
        }
        let candidate = passkeys
            .iter()
            .find(|candidate| {
                candidate.stored.webauthn_credential_id() == response.webauthn_credential_id()
            })
            .ok_or(PasskeyError::UnknownCredential)?;
        if candidate.stored.is_clone_suspected() {
            return Err(PasskeyError::Flagged {
                credential_id: candidate.credential_id.clone(),
            });
        }
        if !models.permits(candidate.stored.aaguid) {
            return Err(PasskeyError::AaguidRefused {
                aaguid: candidate.stored.aaguid,
            });
        }
        let verdict = match ceremony.kind {
            AuthenticationKind::ForUser { user_id, state } => {
                if &user_id != owner {
                    return Err(PasskeyError::WrongCeremony);
                }
                self.webauthn
                    .finish_passkey_authentication(&response.credential, &state)
            }
            AuthenticationKind::Discoverable { state } => {
                if response.credential.get_user_unique_id().is_none() {
                    return Err(PasskeyError::InvalidUserHandle);
                }
                // Verified against the stored credential (its current counter), not a
                // copy taken when the ceremony began.
                self.webauthn.finish_discoverable_authentication_v2(
                    &response.credential,
                    state,
                    &candidate.stored.passkey,
                )
            }
        };
        let result = match verdict {
            Ok(result) => result,
            Err(WebauthnError::CredentialPossibleCompromise) => {
                let mut flagged = candidate.stored.clone();
                flagged.clone_suspected_at = Some(now);
                return Err(PasskeyError::CloneSuspected {
                    credential_id: candidate.credential_id.clone(),
                    flagged: Box::new(flagged),
                });
            }
            Err(other) => return Err(PasskeyError::from_webauthn(other)),
        };
        if !result.user_verified() {
            return Err(PasskeyError::UserVerificationMissing);
        }
        let mut updated = candidate.stored.clone();
        let changed = updated.passkey.update_credential(&result) == Some(true);
        Ok(VerifiedPasskey {
            user_id: owner.clone(),
            assertion: PasskeyAssertion {
                credential_id: candidate.credential_id.clone(),
                user_verified: result.user_verified(),
                aaguid: candidate.stored.aaguid,
            },
            updated: changed.then_some(updated),
        })
    }
}
