//! Unit tests of the pure helpers; the service itself is tested over real SQLite and
//! PostgreSQL stores in `crates/server/tests/security_info.rs`.

use portcullis_policy::evaluate::{SessionState, UsedMethod};
use portcullis_policy::strength::AuthenticationMethodMode;
use time::{Duration, OffsetDateTime};

use super::gate::has_fresh_strong_sign_in;
use super::manage::checked_name;

fn used(mode: &str, at: OffsetDateTime) -> UsedMethod {
    UsedMethod {
        method: mode.parse::<AuthenticationMethodMode>().unwrap(),
        at,
        aaguid: None,
        certificate_issuer_ski: None,
        certificate_policy_oids: Vec::new(),
    }
}

#[test]
fn fresh_strong_sign_in_needs_a_recent_multifactor_method() {
    let now = OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap();
    let window = Duration::minutes(5);
    let password_only = SessionState {
        authenticated_at: Some(now),
        methods: vec![used("password", now)],
    };
    assert!(!has_fresh_strong_sign_in(&password_only, now, window));
    let recent_totp = SessionState {
        authenticated_at: Some(now),
        methods: vec![
            used("password", now),
            used("softwareOath", now - Duration::minutes(4)),
        ],
    };
    assert!(has_fresh_strong_sign_in(&recent_totp, now, window));
    let stale_totp = SessionState {
        authenticated_at: Some(now),
        methods: vec![used("softwareOath", now - Duration::minutes(6))],
    };
    assert!(!has_fresh_strong_sign_in(&stale_totp, now, window));
    // A pass alone counts as multifactor; a method "from the future" does not count.
    let pass = SessionState {
        authenticated_at: Some(now),
        methods: vec![used("temporaryAccessPassOneTime", now)],
    };
    assert!(has_fresh_strong_sign_in(&pass, now, window));
    let future = SessionState {
        authenticated_at: Some(now),
        methods: vec![used("fido2", now + Duration::minutes(1))],
    };
    assert!(!has_fresh_strong_sign_in(&future, now, window));
}

#[test]
fn method_names_are_checked() {
    assert_eq!(checked_name("  Work phone ").unwrap(), "Work phone");
    assert!(checked_name("   ").is_err());
    assert!(checked_name(&"x".repeat(65)).is_err());
    assert!(checked_name("bell\u{7}").is_err());
}
