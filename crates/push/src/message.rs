//! The canonical byte strings a device signs. Each starts with its own domain label, so a
//! signature made for one purpose (activation, an answer, a request for the event stream)
//! can never be presented as another. Every field has a fixed width or a length prefix,
//! so two different field tuples can never produce the same bytes.

use portcullis_core::{CredentialId, UserId};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::approval::{ApprovalId, Nonce};
use crate::number::MatchNumber;

// v2 added the local-unlock byte; a v1 signature can never verify as v2.
const ANSWER_DOMAIN: &[u8] = b"portcullis-authenticator/answer/v2\0";
const ACTIVATION_DOMAIN: &[u8] = b"portcullis-authenticator/activation/v1\0";
const DEVICE_REQUEST_DOMAIN: &[u8] = b"portcullis-authenticator/device-request/v1\0";

/// What the user decided on the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Decision {
    /// The user typed the number shown on the sign-in screen.
    Approve,
    /// "No, it's not me" without a report.
    Deny,
    /// "No, it's not me" and "report suspicious activity".
    Report,
}

impl Decision {
    /// The one-byte code in the signed message (never 0, so a zeroed buffer is no answer).
    pub fn code(self) -> u8 {
        match self {
            Decision::Approve => 1,
            Decision::Deny => 2,
            Decision::Report => 3,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Deny => "deny",
            Decision::Report => "report",
        }
    }
}

/// The fields of an answer that the device signs. The nonce and the expiry come from the
/// approval the server issued, so the same signature cannot answer any other approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerFields<'a> {
    pub approval_id: ApprovalId,
    pub device_id: &'a CredentialId,
    pub decision: Decision,
    /// The number the user typed; `None` for a denial or report (encoded as 0, which no
    /// [`MatchNumber`] can be).
    pub number: Option<MatchNumber>,
    pub nonce: &'a Nonce,
    pub expires_at: OffsetDateTime,
    /// The app was unlocked on the device for this answer (key-file passphrase, or an
    /// explicit local confirmation for a key without one). Signed, so the server can
    /// require it for passwordless sign-in, where the device is the only factor held.
    pub local_unlock: bool,
}

impl AnswerFields<'_> {
    /// `domain ‖ approval id (16) ‖ len(device id) u16 ‖ device id ‖ decision (1) ‖
    /// number (1) ‖ local unlock (1: 0 or 1) ‖ nonce (32) ‖ expiry, Unix seconds i64
    /// big-endian (8)`.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(ANSWER_DOMAIN.len() + 16 + 2 + 36 + 1 + 1 + 1 + 32 + 8);
        out.extend_from_slice(ANSWER_DOMAIN);
        out.extend_from_slice(self.approval_id.as_uuid().as_bytes());
        push_prefixed(&mut out, self.device_id.as_str().as_bytes());
        out.push(self.decision.code());
        out.push(self.number.map_or(0, MatchNumber::value));
        out.push(u8::from(self.local_unlock));
        out.extend_from_slice(self.nonce.as_bytes());
        out.extend_from_slice(&self.expires_at.unix_timestamp().to_be_bytes());
        out
    }
}

/// The proof of possession a device gives at activation: it signs the digest of the
/// one-time activation code together with its own public key, so a captured proof is
/// useless for any other code or key.
pub fn activation_bytes(activation_code: &str, public_key_sec1: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ACTIVATION_DOMAIN.len() + 32 + 2 + 65);
    out.extend_from_slice(ACTIVATION_DOMAIN);
    out.extend_from_slice(&Sha256::digest(activation_code.as_bytes()));
    push_prefixed(&mut out, public_key_sec1);
    out
}

/// The signed header a device sends to open its event stream or list its pending
/// approvals: the device, the user it belongs to, the request's method and path, and a
/// timestamp the server checks against a short skew window.
pub fn device_request_bytes(
    device_id: &CredentialId,
    user_id: &UserId,
    method: &str,
    path: &str,
    timestamp: i64,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(DEVICE_REQUEST_DOMAIN.len() + 128 + path.len());
    out.extend_from_slice(DEVICE_REQUEST_DOMAIN);
    push_prefixed(&mut out, device_id.as_str().as_bytes());
    push_prefixed(&mut out, user_id.as_str().as_bytes());
    push_prefixed(&mut out, method.as_bytes());
    push_prefixed(&mut out, path.as_bytes());
    out.extend_from_slice(&timestamp.to_be_bytes());
    out
}

/// Appends a big-endian u16 length and the bytes. Every caller passes ids (36 bytes), keys
/// (65), HTTP methods and the few fixed API paths; an input over 65,535 bytes is cut, which
/// could only make two such absurd inputs collide, and the server never signs-checks one.
fn push_prefixed(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&bytes[..usize::from(len)]);
}
