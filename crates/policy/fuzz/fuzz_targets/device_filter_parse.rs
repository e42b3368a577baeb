//! Any text given to the device filter parser: it must never panic, and whatever it accepts
//! must print canonically, parse back to the same rule, and evaluate.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_policy::device_filter::{DeviceProperties, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(rule_text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(rule) = parse(rule_text) else {
        return;
    };
    let printed = rule.to_string();
    assert_eq!(
        parse(&printed).as_ref(),
        Ok(&rule),
        "canonical form {printed:?} of {rule_text:?} does not parse back"
    );
    let unregistered = DeviceProperties::default();
    let _ = rule.matches(&unregistered);
});
