//! An unlocked device: its key file plus the signing key, able to sign requests and
//! answers.

use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use portcullis_push::{
    AnswerFields, AnswerSignature, Decision, MatchNumber, PushNotice, SignedAnswer,
    device_request_bytes,
};
use time::OffsetDateTime;

use crate::keyfile::KeyFile;

pub struct UnlockedDevice {
    pub file: KeyFile,
    key: SigningKey,
}

/// The four header values of a signed device request.
pub struct SignedRequestHeaders {
    pub device_id: String,
    pub user_id: String,
    pub timestamp: String,
    pub signature: String,
}

impl UnlockedDevice {
    pub fn new(file: KeyFile, key: SigningKey) -> Self {
        Self { file, key }
    }

    pub fn sign_request(
        &self,
        method: &str,
        path: &str,
        now: OffsetDateTime,
    ) -> SignedRequestHeaders {
        let timestamp = now.unix_timestamp();
        let message = device_request_bytes(
            &self.file.device_id,
            &self.file.user_id,
            method,
            path,
            timestamp,
        );
        let signature: Signature = self.key.sign(&message);
        SignedRequestHeaders {
            device_id: self.file.device_id.to_string(),
            user_id: self.file.user_id.to_string(),
            timestamp: timestamp.to_string(),
            signature: AnswerSignature::from_signature(signature).to_base64url(),
        }
    }

    /// Signs the user's answer to `notice`. `number` is what the user typed (approvals);
    /// `local_unlock` says the app was unlocked on this device for this answer (the
    /// passphrase was typed, or the user confirmed locally) and is signed with it.
    pub fn answer(
        &self,
        notice: &PushNotice,
        decision: Decision,
        number: Option<MatchNumber>,
        local_unlock: bool,
    ) -> SignedAnswer {
        let number = if decision == Decision::Approve {
            number
        } else {
            None
        };
        let fields = AnswerFields {
            approval_id: notice.approval_id,
            device_id: &self.file.device_id,
            decision,
            number,
            nonce: &notice.nonce,
            expires_at: notice.expires_at,
            local_unlock,
        };
        let signature: Signature = self.key.sign(&fields.canonical_bytes());
        SignedAnswer {
            approval_id: notice.approval_id,
            device_id: self.file.device_id.clone(),
            decision,
            number,
            local_unlock,
            signature: AnswerSignature::from_signature(signature),
        }
    }
}
