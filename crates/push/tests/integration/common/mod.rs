//! Shared fixtures: deterministic devices, approvals and signed answers.
#![allow(clippy::unwrap_used)]
#![allow(dead_code)]

use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use portcullis_core::{CredentialId, UserId};
use portcullis_push::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

pub fn at(seconds: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_000_000 + seconds).unwrap()
}

pub fn user(n: u128) -> UserId {
    UserId::from_uuid(Uuid::from_u128(n))
}

pub fn signing_key(seed: u8) -> SigningKey {
    let mut bytes = [0x11u8; 32];
    bytes[0] = seed.max(1);
    SigningKey::from_slice(&bytes).unwrap()
}

pub struct TestDevice {
    pub key: SigningKey,
    pub device: Device,
}

pub fn device(seed: u8, owner: UserId) -> TestDevice {
    let key = signing_key(seed);
    let device = Device {
        id: CredentialId::from_uuid(Uuid::from_u128(0xd000 + u128::from(seed))),
        user_id: owner,
        display_name: format!("phone {seed}"),
        public_key: DevicePublicKey::from_verifying_key(*key.verifying_key()),
        state: DeviceState::Active,
        activated_at: at(-3600),
    };
    TestDevice { key, device }
}

pub fn approval(owner: UserId, seed: u64) -> PendingApproval {
    approval_for(
        owner,
        seed,
        ApprovalPurpose::SignIn {
            correlation_id: "corr-1".to_owned(),
        },
    )
}

pub fn approval_for(owner: UserId, seed: u64, purpose: ApprovalPurpose) -> PendingApproval {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    PendingApproval::create(
        owner,
        purpose,
        ApprovalContext {
            application: "Payroll".to_owned(),
            ip_address: Some("203.0.113.7".to_owned()),
            location: Some("Lyon, FR".to_owned()),
            requested_at: at(0),
        },
        at(0),
        Duration::seconds(90),
        &mut rng,
    )
}

pub fn sign(
    key: &SigningKey,
    approval: &PendingApproval,
    device_id: &CredentialId,
    decision: Decision,
    number: Option<MatchNumber>,
) -> SignedAnswer {
    sign_unlocked(key, approval, device_id, decision, number, false)
}

/// Signs an answer that attests (or not) the app's local unlock.
pub fn sign_unlocked(
    key: &SigningKey,
    approval: &PendingApproval,
    device_id: &CredentialId,
    decision: Decision,
    number: Option<MatchNumber>,
    local_unlock: bool,
) -> SignedAnswer {
    let fields = AnswerFields {
        approval_id: approval.id,
        device_id,
        decision,
        number,
        nonce: &approval.nonce,
        expires_at: approval.expires_at,
        local_unlock,
    };
    let signature: Signature = key.sign(&fields.canonical_bytes());
    SignedAnswer {
        approval_id: approval.id,
        device_id: device_id.clone(),
        decision,
        number,
        local_unlock,
        signature: AnswerSignature::from_signature(signature),
    }
}

pub fn approve(device: &TestDevice, approval: &PendingApproval) -> SignedAnswer {
    sign(
        &device.key,
        approval,
        &device.device.id,
        Decision::Approve,
        Some(approval.number),
    )
}
