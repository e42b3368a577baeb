#![allow(clippy::unwrap_used)]

use portcullis_authn::otp_code::{OtpChallenge, OtpCodePolicy, SendThrottle};
use portcullis_core::{CorrelationId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{CodeMessage, CodePurpose};
use crate::signin::codes::CodeChannel;

fn message(channel: CodeChannel, purpose: CodePurpose, app: Option<&str>) -> CodeMessage {
    let (_, code) = OtpChallenge::issue(
        &OtpCodePolicy::default(),
        &mut SendThrottle::default(),
        OffsetDateTime::UNIX_EPOCH,
        &mut rand::rng(),
    )
    .unwrap();
    CodeMessage {
        channel,
        purpose,
        destination: "+15550100".to_owned(),
        code,
        user_id: UserId::from_uuid(Uuid::new_v4()),
        app_display_name: app.map(str::to_owned),
        correlation_id: CorrelationId::from_uuid(Uuid::new_v4()),
    }
}

const PURPOSES: [CodePurpose; 3] = [
    CodePurpose::SignIn,
    CodePurpose::Registration,
    CodePurpose::PasswordReset,
];
const CHANNELS: [CodeChannel; 3] = [CodeChannel::Sms, CodeChannel::Voice, CodeChannel::Email];

#[test]
fn only_a_sign_in_code_speaks_of_signing_in() {
    for channel in CHANNELS {
        let sign_in = message(channel, CodePurpose::SignIn, Some("Team wiki")).text();
        assert!(sign_in.contains("sign in to Team wiki"), "{sign_in}");
        assert!(sign_in.contains("not signing in"), "{sign_in}");
        for purpose in [CodePurpose::Registration, CodePurpose::PasswordReset] {
            let text = message(channel, purpose, Some("My security info")).text();
            assert!(
                !text.contains("sign"),
                "{purpose:?} over {channel:?}: {text}"
            );
        }
    }
}

#[test]
fn a_registration_code_names_what_it_adds() {
    let sms = message(CodeChannel::Sms, CodePurpose::Registration, None).text();
    assert!(
        sms.contains("add this phone number to your security info"),
        "{sms}"
    );
    assert!(
        sms.contains("did not ask to add this phone number"),
        "{sms}"
    );
    let email = message(CodeChannel::Email, CodePurpose::Registration, None);
    assert!(email.text().contains("add this email address"));
    assert_eq!(
        email.subject(),
        "Your Portcullis code to add this email address"
    );
}

#[test]
fn a_reset_code_says_the_password_stays_without_it() {
    let text = message(CodeChannel::Sms, CodePurpose::PasswordReset, None).text();
    assert!(
        text.starts_with("Your Portcullis password reset code is "),
        "{text}"
    );
    assert!(
        text.contains("did not ask to reset your password"),
        "{text}"
    );
    assert_eq!(
        message(CodeChannel::Email, CodePurpose::PasswordReset, None).subject(),
        "Your Portcullis password reset code"
    );
}

#[test]
fn every_text_carries_the_code_and_a_voice_call_reads_it_digit_by_digit_twice() {
    for purpose in PURPOSES {
        for channel in [CodeChannel::Sms, CodeChannel::Email] {
            let message = message(channel, purpose, None);
            assert!(message.text().contains(message.code.as_str()));
        }
        let call = message(CodeChannel::Voice, purpose, None);
        let spoken: Vec<String> = call.code.as_str().chars().map(String::from).collect();
        let spoken = spoken.join(", ");
        assert_eq!(call.text().matches(&spoken).count(), 2, "{}", call.text());
        assert!(!call.text().contains(call.code.as_str()));
    }
}
