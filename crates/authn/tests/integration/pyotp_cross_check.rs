//! Cross-checks `otpauth://` URIs and TOTP codes with PyPI's pyotp, an independent and
//! widely used implementation: pyotp parses the URIs Portcullis builds (and computes the
//! same codes), and Portcullis parses the URIs pyotp builds.
//!
//! Needs a Python with pyotp in `PORTCULLIS_PYOTP_PYTHON`; `scripts/test.d/authn-pyotp.sh`
//! sets one up and runs this test. Without the variable the test says so and passes.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Stdio};

use portcullis_authn::totp::{Digits, OtpAuthUri, Totp, TotpAlgorithm, TotpConfig, TotpSecret};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{Value, json};
use time::OffsetDateTime;

/// Reads one JSON request per line; answers one JSON line each.
const HELPER: &str = r#"
import hashlib, json, sys, pyotp
DIGESTS = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}
for line in sys.stdin:
    request = json.loads(line)
    if request["op"] == "parse":
        totp = pyotp.parse_uri(request["uri"])
        print(json.dumps({"issuer": totp.issuer, "name": totp.name, "secret": totp.secret,
                          "digits": totp.digits, "interval": totp.interval,
                          "code": totp.at(request["time"])}))
    else:
        totp = pyotp.TOTP(request["secret"], digits=request["digits"],
                          digest=DIGESTS[request["algorithm"]], interval=request["interval"],
                          name=request["name"], issuer=request["issuer"])
        print(json.dumps({"uri": totp.provisioning_uri(), "code": totp.at(request["time"])}))
"#;

fn run_helper(python: &str, requests: &[Value]) -> Vec<Value> {
    let mut child = Command::new(python)
        .args(["-c", HELPER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for request in requests {
        writeln!(stdin, "{request}").unwrap();
    }
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "the pyotp helper failed");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Issuers and accounts with the characters that break naive encoders.
const LABELS: [(&str, &str); 6] = [
    ("Contoso", "alice@contoso.com"),
    ("Contoso Ltd", "alice+mfa@contoso.com"),
    ("Zürich Bank & Co", "jörg=admin?x"),
    ("100% Safe", "a/b#c"),
    ("東京", "ユーザー"),
    ("Plus+Sign", "tab\tand space"),
];

fn cases() -> Vec<Totp> {
    let mut rng = ChaCha20Rng::seed_from_u64(4226);
    let mut totps = Vec::new();
    for algorithm in [
        TotpAlgorithm::Sha1,
        TotpAlgorithm::Sha256,
        TotpAlgorithm::Sha512,
    ] {
        for (digits, period) in [(Digits::Six, 30), (Digits::Eight, 60)] {
            totps.push(Totp::new(
                TotpSecret::generate(algorithm, &mut rng),
                TotpConfig::new(algorithm, digits, period).unwrap(),
            ));
        }
    }
    totps
}

const TIME: i64 = 1_763_856_015;

#[test]
fn pyotp_agrees_on_uris_and_codes() {
    let Ok(python) = std::env::var("PORTCULLIS_PYOTP_PYTHON") else {
        eprintln!(
            "skipping the pyotp cross-check: PORTCULLIS_PYOTP_PYTHON is not set (scripts/test.d/authn-pyotp.sh sets it)"
        );
        return;
    };
    let now = OffsetDateTime::from_unix_timestamp(TIME).unwrap();
    let mut ours = Vec::new();
    let mut requests = Vec::new();
    for (issuer, account) in LABELS {
        for totp in cases() {
            let uri =
                OtpAuthUri::new(issuer, account, totp.secret().clone(), totp.config()).unwrap();
            requests.push(json!({"op": "parse", "uri": uri.to_uri(), "time": TIME}));
            requests.push(json!({
            "op": "build", "secret": totp.secret().to_base32(), "issuer": issuer, "name": account,
            "digits": totp.config().digits().count(), "interval": totp.config().period_seconds(),
            "algorithm": totp.config().algorithm().uri_name(), "time": TIME,
        }));
            ours.push((uri, totp));
        }
    }
    let answers = run_helper(&python, &requests);
    assert_eq!(answers.len(), requests.len());
    for ((uri, totp), pair) in ours.iter().zip(answers.chunks(2)) {
        let (parsed_by_pyotp, built_by_pyotp) = (&pair[0], &pair[1]);
        let our_code = totp.code_at(now).unwrap();
        // pyotp reads what we wrote.
        assert_eq!(parsed_by_pyotp["issuer"], uri.issuer(), "{}", uri.to_uri());
        assert_eq!(parsed_by_pyotp["name"], uri.account(), "{}", uri.to_uri());
        assert_eq!(parsed_by_pyotp["secret"], totp.secret().to_base32());
        assert_eq!(parsed_by_pyotp["digits"], totp.config().digits().count());
        assert_eq!(parsed_by_pyotp["interval"], totp.config().period_seconds());
        assert_eq!(parsed_by_pyotp["code"], our_code.as_str());
        // We read what pyotp wrote.
        let their_uri = built_by_pyotp["uri"].as_str().unwrap();
        let parsed_by_us = OtpAuthUri::parse(their_uri).unwrap();
        assert_eq!(&parsed_by_us, uri, "{their_uri}");
        assert_eq!(built_by_pyotp["code"], our_code.as_str());
    }
    assert_eq!(ours.len(), 36);
    eprintln!("pyotp cross-check: {} URIs each way agree", ours.len());
}
