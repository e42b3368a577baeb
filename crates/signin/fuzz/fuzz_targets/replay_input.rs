//! Any text as the compact evaluation input stored with a sign-in log entry (read back
//! to replay a draft policy over past sign-ins; a damaged row must be an error).
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_signin::replay_input;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = replay_input(text);
    }
});
