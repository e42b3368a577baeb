//! Signed device requests (event stream, pending list).
#![allow(clippy::unwrap_used)]

use crate::common;
use common::*;
use p256::ecdsa::Signature;
use p256::ecdsa::signature::Signer as _;
use portcullis_push::*;

fn signed(phone: &TestDevice, path: &str, timestamp: i64) -> DeviceRequest {
    let d = &phone.device;
    let message = device_request_bytes(&d.id, &d.user_id, "GET", path, timestamp);
    let signature: Signature = phone.key.sign(&message);
    DeviceRequest {
        device_id: d.id.clone(),
        user_id: d.user_id.clone(),
        timestamp,
        signature: AnswerSignature::from_signature(signature),
    }
}

#[test]
fn a_fresh_signed_request_for_this_path_is_accepted() {
    let phone = device(1, user(1));
    let now = at(0);
    let request = signed(&phone, "/authenticator/events", now.unix_timestamp() - 100);
    assert_eq!(
        verify_device_request(
            Some(&phone.device),
            &request,
            "GET",
            "/authenticator/events",
            now
        ),
        Ok(())
    );
    // The same signature does not open another path or method.
    assert_eq!(
        verify_device_request(
            Some(&phone.device),
            &request,
            "GET",
            "/authenticator/pending",
            now
        ),
        Err(DeviceRequestRefused::BadSignature)
    );
    assert_eq!(
        verify_device_request(
            Some(&phone.device),
            &request,
            "POST",
            "/authenticator/events",
            now
        ),
        Err(DeviceRequestRefused::BadSignature)
    );
}

#[test]
fn stale_unknown_foreign_and_removed_devices_are_refused() {
    let phone = device(1, user(1));
    let now = at(0);
    let stale = signed(&phone, "/p", now.unix_timestamp() - 121);
    assert_eq!(
        verify_device_request(Some(&phone.device), &stale, "GET", "/p", now),
        Err(DeviceRequestRefused::StaleTimestamp)
    );
    let fresh = signed(&phone, "/p", now.unix_timestamp());
    assert_eq!(
        verify_device_request(None, &fresh, "GET", "/p", now),
        Err(DeviceRequestRefused::UnknownDevice)
    );
    let mut claims_other_user = fresh.clone();
    claims_other_user.user_id = user(2);
    assert_eq!(
        verify_device_request(Some(&phone.device), &claims_other_user, "GET", "/p", now),
        Err(DeviceRequestRefused::UnknownDevice)
    );
    let mut removed = phone.device.clone();
    removed.state = DeviceState::Removed;
    assert_eq!(
        verify_device_request(Some(&removed), &fresh, "GET", "/p", now),
        Err(DeviceRequestRefused::UnknownDevice)
    );
}
