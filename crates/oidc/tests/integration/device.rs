//! RFC 8628 device authorization grant: polling states and interval enforcement.
#![allow(clippy::unwrap_used)]

use portcullis_oidc::ErrorCode;
use portcullis_oidc::device::{
    DEFAULT_POLL_INTERVAL_SECS, DeviceApproval, DeviceAuthorization, DeviceStatus,
    DeviceTransitionError, UserCode,
};
use portcullis_oidc::scope::Scope;

const NOW: i64 = 1_800_000_000;

fn record() -> DeviceAuthorization {
    DeviceAuthorization::issue(
        "dev-1".into(),
        "tv-app".into(),
        Scope::parse("openid offline_access").unwrap(),
        UserCode::parse("WDJB-MJHT").unwrap(),
        NOW,
    )
}

fn approval() -> DeviceApproval {
    DeviceApproval {
        subject: "user-1".into(),
        session_id: "sid-1".into(),
        auth_time: NOW + 20,
        amr: vec!["pwd".into(), "mfa".into()],
        acr: None,
    }
}

fn code_of(outcome: &portcullis_oidc::device::PollOutcome) -> ErrorCode {
    outcome.result.as_ref().unwrap_err().code
}

#[test]
fn response_has_the_rfc_8628_fields() {
    let response = record().response("dc-secret", "https://idp.example/device", NOW);
    assert_eq!(response.user_code, "WDJB-MJHT");
    assert_eq!(
        response.verification_uri_complete,
        "https://idp.example/device?user_code=WDJB-MJHT"
    );
    assert_eq!(response.expires_in, 600);
    assert_eq!(response.interval, DEFAULT_POLL_INTERVAL_SECS);
    let json = serde_json::to_value(&response).unwrap();
    for field in [
        "device_code",
        "user_code",
        "verification_uri",
        "verification_uri_complete",
        "expires_in",
        "interval",
    ] {
        assert!(json.get(field).is_some(), "{field}");
    }
}

#[test]
fn pending_then_approved_then_spent() {
    let first = record().poll("tv-app", NOW + 5);
    assert_eq!(code_of(&first), ErrorCode::AuthorizationPending);
    let approved = first.record.approve(approval(), NOW + 20).unwrap();
    let done = approved.poll("tv-app", NOW + 30);
    assert_eq!(done.result.unwrap(), approval());
    assert_eq!(done.record.status, DeviceStatus::Redeemed);
    let again = done.record.poll("tv-app", NOW + 40);
    assert_eq!(code_of(&again), ErrorCode::InvalidGrant);
}

#[test]
fn polling_too_fast_slows_the_device_down_for_good() {
    let first = record().poll("tv-app", NOW);
    let fast = first.record.poll("tv-app", NOW + 2);
    assert_eq!(code_of(&fast), ErrorCode::SlowDown);
    assert_eq!(fast.record.interval_secs, 10);
    // The old interval is no longer enough.
    let still_fast = fast.record.poll("tv-app", NOW + 2 + 6);
    assert_eq!(code_of(&still_fast), ErrorCode::SlowDown);
    assert_eq!(still_fast.record.interval_secs, 15);
    let patient = still_fast.record.poll("tv-app", NOW + 8 + 15);
    assert_eq!(code_of(&patient), ErrorCode::AuthorizationPending);
}

#[test]
fn denied_expired_and_wrong_client() {
    let denied = record().deny(NOW + 1).unwrap();
    assert_eq!(
        code_of(&denied.poll("tv-app", NOW + 10)),
        ErrorCode::AccessDenied
    );
    assert_eq!(
        code_of(&record().poll("tv-app", NOW + 600)),
        ErrorCode::ExpiredToken
    );
    assert_eq!(
        code_of(&record().poll("other", NOW + 5)),
        ErrorCode::InvalidGrant
    );
    assert_eq!(
        record().approve(approval(), NOW + 600),
        Err(DeviceTransitionError::Expired)
    );
    assert_eq!(
        denied.approve(approval(), NOW + 2),
        Err(DeviceTransitionError::AlreadyDecided)
    );
}
