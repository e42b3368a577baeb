//! The pure parts of adding a phone or an email address; the whole flow (codes sent,
//! attempts, throttling, Conditional Access) runs over real stores in
//! `crates/server/tests/security_info_contacts.rs`.

use portcullis_authn::methods::MethodKind;
use portcullis_signin::PhoneChannel;

use super::{ContactMethod, SecurityInfoError};
use crate::signin::codes::CodeChannel;

#[test]
fn phone_numbers_are_normalised_to_e164() {
    let phone = ContactMethod::phone(" +31 (20) 123-4567 ", PhoneChannel::Sms).unwrap();
    assert_eq!(phone.destination(), "+31201234567");
    assert_eq!(phone.method_kind(), MethodKind::Sms);
    assert_eq!(phone.code_channel(), CodeChannel::Sms);
    let voice = ContactMethod::phone("+4915112345678", PhoneChannel::Voice).unwrap();
    assert_eq!(voice.method_kind(), MethodKind::Voice);
    assert_eq!(voice.code_channel(), CodeChannel::Voice);
}

#[test]
fn bad_phone_numbers_are_refused_by_name() {
    for bad in [
        "0201234567",
        "+31 2x 123",
        "",
        "+1234567890123456",
        "++31201234567",
    ] {
        match ContactMethod::phone(bad, PhoneChannel::Sms) {
            Err(SecurityInfoError::InvalidPhoneNumber { number }) => {
                assert_eq!(number, bad.trim());
            }
            other => panic!("{bad:?} gave {other:?}"),
        }
    }
    // A pasted essay is not echoed back whole.
    let long = "x".repeat(500);
    match ContactMethod::phone(&long, PhoneChannel::Voice) {
        Err(SecurityInfoError::InvalidPhoneNumber { number }) => assert_eq!(number.len(), 40),
        other => panic!("{other:?}"),
    }
}

#[test]
fn email_addresses_are_checked() {
    let email = ContactMethod::email("  me@example.org ").unwrap();
    assert_eq!(email.destination(), "me@example.org");
    assert_eq!(email.method_kind(), MethodKind::Email);
    assert_eq!(email.code_channel(), CodeChannel::Email);
    for bad in ["me", "me@", "@example.org", "me@exa mple.org", ""] {
        assert!(
            matches!(
                ContactMethod::email(bad),
                Err(SecurityInfoError::InvalidEmailAddress { .. })
            ),
            "{bad:?}"
        );
    }
    let too_long = format!("{}@example.org", "a".repeat(250));
    assert!(ContactMethod::email(&too_long).is_err());
}

#[test]
fn the_pending_state_round_trips() {
    let phone = ContactMethod::phone("+31201234567", PhoneChannel::Voice).unwrap();
    let json = serde_json::to_value(&phone).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"type": "phone", "number": "+31201234567", "channel": "voice"})
    );
    assert_eq!(
        serde_json::from_value::<ContactMethod>(json).unwrap(),
        phone
    );
}
