//! Any text given to the device filter parser: it must never panic, and whatever it accepts
//! must evaluate, and print a canonical form that parses back to the same rule — unless the
//! canonical spacing pushes it past the 3072-character limit, which must then be the error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_policy::device_filter::{DeviceProperties, MAX_RULE_CHARS, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(rule_text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(rule) = parse(rule_text) else {
        return;
    };
    let _ = rule.matches(&DeviceProperties::default());
    let printed = rule.to_string();
    let reparsed = parse(&printed);
    if printed.chars().count() > MAX_RULE_CHARS {
        let error = reparsed.expect_err("over-long canonical form must be rejected");
        assert_eq!(error.position(), MAX_RULE_CHARS, "{error}");
    } else {
        assert_eq!(
            reparsed.as_ref(),
            Ok(&rule),
            "canonical form {printed:?} of {rule_text:?} does not parse back"
        );
    }
});
