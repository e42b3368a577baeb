//! Device activation: one-time code, proof of possession, limits.
#![allow(clippy::unwrap_used)]

use crate::common;
use common::*;
use p256::ecdsa::Signature;
use p256::ecdsa::signature::Signer as _;
use portcullis_core::CredentialId;
use portcullis_push::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use uuid::Uuid;

fn request(code: &str, seed: u8) -> ActivationRequest {
    let key = signing_key(seed);
    let public_key = DevicePublicKey::from_verifying_key(*key.verifying_key());
    let proof: Signature = key.sign(&activation_bytes(code, &public_key.to_sec1()));
    ActivationRequest {
        code: code.to_owned(),
        public_key,
        display_name: "laptop".to_owned(),
        proof: AnswerSignature::from_signature(proof),
        phone_sign_in: false,
    }
}

fn issued() -> IssuedActivation {
    PendingActivation::issue(user(1), at(0), &mut ChaCha20Rng::seed_from_u64(1))
}

fn new_id() -> CredentialId {
    CredentialId::from_uuid(Uuid::from_u128(77))
}

#[test]
fn a_fresh_code_with_a_valid_proof_registers_the_device() {
    let issued = issued();
    assert_ne!(
        issued.pending.code_hash, issued.code,
        "only the digest is stored"
    );
    let device = activate(
        &issued.pending,
        &request(&issued.code, 1),
        &[],
        new_id(),
        at(60),
    )
    .unwrap();
    assert_eq!(device.user_id, user(1));
    assert!(device.is_active());
}

#[test]
fn wrong_or_expired_codes_are_refused() {
    let issued = issued();
    assert_eq!(
        activate(
            &issued.pending,
            &request("not-the-code", 1),
            &[],
            new_id(),
            at(1)
        ),
        Err(ActivationError::UnknownCode)
    );
    assert!(matches!(
        activate(
            &issued.pending,
            &request(&issued.code, 1),
            &[],
            new_id(),
            at(15 * 60)
        ),
        Err(ActivationError::Expired(_))
    ));
}

#[test]
fn a_proof_by_another_key_is_refused() {
    let issued = issued();
    let mut req = request(&issued.code, 1);
    req.proof = request(&issued.code, 2).proof;
    assert_eq!(
        activate(&issued.pending, &req, &[], new_id(), at(1)),
        Err(ActivationError::BadProof)
    );
}

#[test]
fn the_same_key_twice_and_a_sixth_device_are_refused() {
    let issued = issued();
    let existing: Vec<Device> = (1..=5).map(|s| device(s, user(1)).device).collect();
    assert_eq!(
        activate(
            &issued.pending,
            &request(&issued.code, 1),
            &existing[..1],
            new_id(),
            at(1)
        ),
        Err(ActivationError::KeyAlreadyRegistered)
    );
    assert_eq!(
        activate(
            &issued.pending,
            &request(&issued.code, 9),
            &existing,
            new_id(),
            at(1)
        ),
        Err(ActivationError::TooManyDevices)
    );
    // A removed device frees its slot.
    let mut with_removed = existing.clone();
    with_removed[0].state = DeviceState::Removed;
    assert!(
        activate(
            &issued.pending,
            &request(&issued.code, 9),
            &with_removed,
            new_id(),
            at(1)
        )
        .is_ok()
    );
}

#[test]
fn bad_device_names_are_refused() {
    let issued = issued();
    for name in ["", "   ", "a\u{7}b", &"x".repeat(65)] {
        let mut req = request(&issued.code, 1);
        req.display_name = name.to_owned();
        assert_eq!(
            activate(&issued.pending, &req, &[], new_id(), at(1)),
            Err(ActivationError::BadDisplayName),
            "{name:?}"
        );
    }
}

#[test]
fn public_keys_accept_one_encoding_only() {
    let key = DevicePublicKey::from_verifying_key(*signing_key(1).verifying_key());
    let sec1 = key.to_sec1();
    assert_eq!(DevicePublicKey::from_sec1(&sec1).unwrap(), key);
    let compressed = signing_key(1).verifying_key().to_encoded_point(true);
    assert_eq!(
        DevicePublicKey::from_sec1(compressed.as_bytes()),
        Err(KeyError::PublicKeyNotP256)
    );
    let mut off_curve = sec1.clone();
    off_curve[64] ^= 1;
    assert_eq!(
        DevicePublicKey::from_sec1(&off_curve),
        Err(KeyError::PublicKeyNotP256)
    );
    assert_eq!(
        DevicePublicKey::from_base64url("%%"),
        Err(KeyError::PublicKeyNotBase64)
    );
}
