//! Any bytes given to the policy importers (any encoding, any JSON shape): they must never
//! panic, and every policy they accept must validate and export without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_policy::import::{
    export_json, import_authentication_strengths, import_documents, import_named_locations,
    import_policies,
};
use portcullis_policy::validate::{ValidationContext, validate};

fuzz_target!(|data: &[u8]| {
    if let Ok(policies) = import_policies(data) {
        let context = ValidationContext::offline();
        for policy in &policies {
            let _ = validate(policy, &context);
        }
        let _ = export_json(&policies);
    }
    let _ = import_named_locations(data);
    let _ = import_authentication_strengths(data);
    let _ = import_documents(data);
});
