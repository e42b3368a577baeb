//! Any text as an `otpauth://` URI (what a user pastes into the authenticator app, or
//! an import file holds): never a panic, and whatever parses prints a URI that parses
//! back to the same account.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_authn::totp::OtpAuthUri;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(uri) = OtpAuthUri::parse(text) else {
        return;
    };
    let printed = uri.to_uri();
    let reparsed = OtpAuthUri::parse(&printed)
        .unwrap_or_else(|e| panic!("{printed:?} (from {text:?}) does not parse back: {e}"));
    assert_eq!(reparsed, uri, "{printed:?} from {text:?}");
});
