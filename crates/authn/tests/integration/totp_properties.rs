//! Properties of TOTP verification and of otpauth:// URIs.

#![allow(clippy::unwrap_used)]

use portcullis_authn::totp::{Digits, OtpAuthUri, Totp, TotpAlgorithm, TotpConfig, TotpSecret};
use proptest::prelude::*;
use time::OffsetDateTime;

fn algorithm() -> impl Strategy<Value = TotpAlgorithm> {
    prop_oneof![
        Just(TotpAlgorithm::Sha1),
        Just(TotpAlgorithm::Sha256),
        Just(TotpAlgorithm::Sha512)
    ]
}

fn config() -> impl Strategy<Value = TotpConfig> {
    (
        algorithm(),
        prop_oneof![Just(Digits::Six), Just(Digits::Eight)],
        15u32..=300,
    )
        .prop_map(|(algorithm, digits, period)| TotpConfig::new(algorithm, digits, period).unwrap())
}

fn totp() -> impl Strategy<Value = Totp> {
    (proptest::collection::vec(any::<u8>(), 16..=64), config())
        .prop_map(|(bytes, config)| Totp::new(TotpSecret::from_bytes(bytes).unwrap(), config))
}

/// The specification, written independently of the implementation's loop: the accepted
/// steps are those in now−1..=now+1 whose code is the typed one and that are newer than
/// the last used step; verification returns the newest of them.
fn expected_step(totp: &Totp, typed: &str, now_step: u64, last_used: Option<u64>) -> Option<u64> {
    (now_step.saturating_sub(1)..=now_step + 1)
        .filter(|step| totp.code_at_step(*step).unwrap() == typed)
        .filter(|step| last_used.is_none_or(|used| *step > used))
        .max()
}

proptest! {
    #[test]
    fn verify_accepts_exactly_the_window_above_last_used(
        totp in totp(),
        unix in 0i64..8_000_000_000,
        code_offset in -3i64..=3,
        last_used_offset in proptest::option::of(-3i64..=3),
    ) {
        let now = OffsetDateTime::from_unix_timestamp(unix).unwrap();
        let now_step = totp.step_at(now).unwrap();
        let Some(code_step) = now_step.checked_add_signed(code_offset) else { return Ok(()) };
        let last_used = last_used_offset.and_then(|offset| now_step.checked_add_signed(offset));
        let typed = totp.code_at_step(code_step).unwrap();
        let result = totp.verify(&typed, now, last_used);
        prop_assert_eq!(result.clone().ok(), expected_step(&totp, &typed, now_step, last_used));
        if let Ok(step) = result {
            prop_assert!(step.abs_diff(now_step) <= 1);
            prop_assert!(last_used.is_none_or(|used| step > used));
        }
    }

    #[test]
    fn verify_of_any_digit_string_matches_the_specification(
        totp in totp(),
        unix in 0i64..8_000_000_000,
        typed_number in any::<u32>(),
        last_used_offset in proptest::option::of(-3i64..=3),
    ) {
        let now = OffsetDateTime::from_unix_timestamp(unix).unwrap();
        let now_step = totp.step_at(now).unwrap();
        let width = totp.config().digits().count();
        let typed = format!("{:0width$}", u64::from(typed_number) % 10u64.pow(width as u32));
        let last_used = last_used_offset.and_then(|offset| now_step.checked_add_signed(offset));
        prop_assert_eq!(
            totp.verify(&typed, now, last_used).ok(),
            expected_step(&totp, &typed, now_step, last_used)
        );
    }

    #[test]
    fn otpauth_uri_round_trips(
        issuer in "[^:]{1,40}",
        account in "[^:]{1,60}",
        bytes in proptest::collection::vec(any::<u8>(), 16..=64),
        config in config(),
    ) {
        let (issuer, account) = (issuer.trim(), account.trim());
        prop_assume!(!issuer.is_empty() && !account.is_empty());
        let built = OtpAuthUri::new(issuer, account, TotpSecret::from_bytes(bytes).unwrap(), config).unwrap();
        let text = built.to_uri();
        prop_assert!(text.is_ascii());
        prop_assert_eq!(OtpAuthUri::parse(&text).unwrap(), built);
    }

    #[test]
    fn otpauth_parse_never_panics(text in "otpauth://[ -~]{0,120}") {
        let _ = OtpAuthUri::parse(&text);
    }
}
