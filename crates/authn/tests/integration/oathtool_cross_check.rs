//! Cross-checks TOTP codes and the drift window against Debian's `oathtool`, an
//! independent implementation. Skipped (with a message) when `oathtool` is missing, except
//! under `CI=true`, where a missing oathtool fails the test: `scripts/lib/deps.sh` installs it.

#![allow(clippy::unwrap_used)]

use std::process::Command;

use portcullis_authn::totp::{Digits, Totp, TotpAlgorithm, TotpConfig, TotpError, TotpSecret};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use time::OffsetDateTime;

fn oathtool_available() -> bool {
    match Command::new("oathtool").arg("--version").output() {
        Ok(output) if output.status.success() => true,
        _ => {
            let message = "oathtool is not installed (Debian package `oathtool`)";
            if std::env::var("CI").is_ok_and(|value| value == "true") {
                panic!("{message}; CI=true requires it");
            }
            eprintln!("skipping the oathtool cross-check: {message}");
            false
        }
    }
}

fn oathtool_code(totp: &Totp, unix: i64) -> String {
    let config = totp.config();
    let output = Command::new("oathtool")
        .arg(format!("--totp={}", config.algorithm().uri_name()))
        .arg(format!("--digits={}", config.digits().count()))
        .arg(format!("--time-step-size={}s", config.period_seconds()))
        .arg("--base32")
        .arg(format!("--now=@{unix}"))
        .arg(totp.secret().to_base32())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "oathtool failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

#[test]
fn codes_and_drift_window_agree_with_oathtool() {
    if !oathtool_available() {
        return;
    }
    let mut rng = ChaCha20Rng::seed_from_u64(6238);
    let times = [
        59,
        1_111_111_109,
        1_234_567_890,
        1_763_856_000,
        2_000_000_000,
        20_000_000_000,
    ];
    let mut checked = 0;
    for algorithm in [
        TotpAlgorithm::Sha1,
        TotpAlgorithm::Sha256,
        TotpAlgorithm::Sha512,
    ] {
        for digits in [Digits::Six, Digits::Eight] {
            for period in [30, 60] {
                let secret = TotpSecret::generate(algorithm, &mut rng);
                let totp = Totp::new(secret, TotpConfig::new(algorithm, digits, period).unwrap());
                for unix in times {
                    let now = OffsetDateTime::from_unix_timestamp(unix).unwrap();
                    let theirs = oathtool_code(&totp, unix);
                    assert_eq!(
                        totp.code_at(now).unwrap(),
                        theirs,
                        "{algorithm:?} {digits:?} {period}s at {unix}"
                    );
                    let step = totp.verify(&theirs, now, None).unwrap();
                    assert_eq!(
                        totp.verify(&theirs, now, Some(step)),
                        Err(TotpError::Replayed { step })
                    );
                    checked += 1;
                }
                // Drift: oathtool's codes one period either side are accepted, two are not.
                let unix = 1_763_856_015;
                let now = OffsetDateTime::from_unix_timestamp(unix).unwrap();
                let period = i64::from(period);
                for (shift, accepted) in [(-2, false), (-1, true), (1, true), (2, false)] {
                    let theirs = oathtool_code(&totp, unix + shift * period);
                    assert_eq!(
                        totp.verify(&theirs, now, None).is_ok(),
                        accepted,
                        "shift {shift}"
                    );
                }
            }
        }
    }
    assert_eq!(checked, 72);
}

#[test]
fn rfc_seed_matches_oathtool_for_every_hash() {
    if !oathtool_available() {
        return;
    }
    for algorithm in [
        TotpAlgorithm::Sha1,
        TotpAlgorithm::Sha256,
        TotpAlgorithm::Sha512,
    ] {
        let seed: Vec<u8> = b"1234567890"
            .iter()
            .copied()
            .cycle()
            .take(algorithm.output_len())
            .collect();
        let totp = Totp::new(
            TotpSecret::from_bytes(seed).unwrap(),
            TotpConfig::new(algorithm, Digits::Eight, 30).unwrap(),
        );
        let now = OffsetDateTime::from_unix_timestamp(1_111_111_111).unwrap();
        assert_eq!(
            totp.code_at(now).unwrap(),
            oathtool_code(&totp, 1_111_111_111)
        );
    }
}
