//! Any bytes as a body of the `/authenticator/*` API (what the server reads from devices,
//! and the app reads from the server): never a panic, and whatever parses serialises to
//! JSON that parses back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_push::wire::{ActivationResponse, PendingList};
use portcullis_push::{MatchNumber, SignedAnswer};
use serde::{Serialize, de::DeserializeOwned};

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<T>(data) else {
        return;
    };
    let json = serde_json::to_vec(&value).expect("a parsed value serialises");
    let again: T = serde_json::from_slice(&json).expect("serialised JSON parses back");
    assert_eq!(again, value);
}

fuzz_target!(|data: &[u8]| {
    round_trip::<SignedAnswer>(data);
    round_trip::<PendingList>(data);
    round_trip::<ActivationResponse>(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = MatchNumber::parse(text);
    }
});
