//! Any text as the browser's WebAuthn answer (`PublicKeyCredential.toJSON()`), which an
//! attacker controls completely: parsing and reading the user handle never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_passkeys::PasskeyResponse;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(response) = PasskeyResponse::parse(text) {
        let _ = response.user_handle();
    }
});
