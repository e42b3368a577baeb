//! Authenticating a device's own requests (open the event stream, list its pending
//! approvals). The device signs [`device_request_bytes`] with its key and sends the
//! pieces in headers; the server accepts a timestamp within [`DEVICE_REQUEST_SKEW`].
//!
//! A captured header could be replayed within the skew window, but only to read pushes
//! for that device (context without the number) — answering still needs a fresh
//! signature over the approval's nonce.

use portcullis_core::{CredentialId, UserId};
use thiserror::Error;
use time::{Duration, OffsetDateTime};

use crate::device::Device;
use crate::key::AnswerSignature;
use crate::message::device_request_bytes;

/// Header names of a signed device request.
pub const DEVICE_ID_HEADER: &str = "x-portcullis-device";
pub const USER_ID_HEADER: &str = "x-portcullis-user";
pub const TIMESTAMP_HEADER: &str = "x-portcullis-timestamp";
pub const SIGNATURE_HEADER: &str = "x-portcullis-signature";

/// How far a device's clock may be from the server's.
pub const DEVICE_REQUEST_SKEW: Duration = Duration::minutes(2);

/// The parsed headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRequest {
    pub device_id: CredentialId,
    pub user_id: UserId,
    pub timestamp: i64,
    pub signature: AnswerSignature,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DeviceRequestRefused {
    #[error("the device is unknown, removed, or not the user's")]
    UnknownDevice,
    #[error("the request's timestamp is more than two minutes from the server's clock")]
    StaleTimestamp,
    #[error("the request signature does not verify with the device's key")]
    BadSignature,
}

/// Checks a signed device request for `method path` against the loaded `device`
/// (`None` when no device has the claimed id).
pub fn verify_device_request(
    device: Option<&Device>,
    request: &DeviceRequest,
    method: &str,
    path: &str,
    now: OffsetDateTime,
) -> Result<(), DeviceRequestRefused> {
    let device = device
        .filter(|d| d.id == request.device_id && d.user_id == request.user_id && d.is_active())
        .ok_or(DeviceRequestRefused::UnknownDevice)?;
    let skew = (now.unix_timestamp() - request.timestamp).abs();
    if skew > DEVICE_REQUEST_SKEW.whole_seconds() {
        return Err(DeviceRequestRefused::StaleTimestamp);
    }
    let message = device_request_bytes(
        &request.device_id,
        &request.user_id,
        method,
        path,
        request.timestamp,
    );
    if device.public_key.verify(&message, &request.signature) {
        Ok(())
    } else {
        Err(DeviceRequestRefused::BadSignature)
    }
}
