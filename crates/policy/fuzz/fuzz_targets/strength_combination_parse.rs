//! Any text given to the combination parser: never panics, and accepted combinations print
//! and parse back to the same set.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_policy::strength::Combination;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(combination) = Combination::parse(text) {
        let printed = combination.to_string();
        assert_eq!(
            Combination::parse(&printed).as_ref(),
            Ok(&combination),
            "{printed:?}"
        );
    }
});
