//! Any bytes as a Have I Been Pwned range file (operators download these; a truncated
//! or corrupted file must be an error, never a panic or a wrong "not leaked").
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_authn::password::LeakedPasswordQuery;

fuzz_target!(|data: &[u8]| {
    let query = LeakedPasswordQuery::for_password("correct horse battery staple");
    let _ = query.occurrences_in(data);
    // The same file with the query's own suffix appended as a well-formed line must
    // count it, whatever garbage came before (if the earlier lines parse at all).
    let mut with_line = data.to_vec();
    with_line.extend_from_slice(format!("\r\n{}:7\r\n", query.suffix()).as_bytes());
    if let (Ok(before), Ok(after)) = (query.occurrences_in(data), query.occurrences_in(&with_line))
    {
        assert!(after >= before.min(7), "{before} then {after}");
    }
});
