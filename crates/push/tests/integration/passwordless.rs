//! Passwordless sign-in pushes: approving needs the app's local unlock, signed inside the
//! canonical message; everything else (number, denial, report) works as for MFA pushes.
#![allow(clippy::unwrap_used)]

use crate::common;
use common::*;
use portcullis_push::*;

fn passwordless(owner: portcullis_core::UserId, seed: u64) -> PendingApproval {
    approval_for(
        owner,
        seed,
        ApprovalPurpose::PasswordlessSignIn {
            correlation_id: "corr-pl".to_owned(),
        },
    )
}

#[test]
fn an_approval_with_local_unlock_completes_the_sign_in() {
    let alice = user(1);
    let phone = device(1, alice.clone());
    let approval = passwordless(alice, 1);
    let answer = sign_unlocked(
        &phone.key,
        &approval,
        &phone.device.id,
        Decision::Approve,
        Some(approval.number),
        true,
    );
    let verdict = verify_answer(&approval, &phone.device, &answer, at(5)).unwrap();
    assert_eq!(
        verdict,
        Verdict::Approved {
            device_id: phone.device.id.clone()
        }
    );
    let settlement = settle(
        &approval,
        &verdict,
        &FatigueState::default(),
        &FatiguePolicy::default(),
        at(5),
    );
    assert!(settlement.actions.contains(&EdgeAction::CompleteSignIn {
        correlation_id: "corr-pl".to_owned(),
        device_id: phone.device.id.clone(),
    }));
    assert_eq!(approval.notice().purpose, NoticePurpose::PasswordlessSignIn);
}

#[test]
fn an_approval_without_local_unlock_is_refused_and_changes_nothing() {
    let alice = user(1);
    let phone = device(1, alice.clone());
    let approval = passwordless(alice, 2);
    let answer = sign_unlocked(
        &phone.key,
        &approval,
        &phone.device.id,
        Decision::Approve,
        Some(approval.number),
        false,
    );
    assert_eq!(
        verify_answer(&approval, &phone.device, &answer, at(5)),
        Err(AnswerRefused::LocalUnlockMissing)
    );
    assert_eq!(approval.state, ApprovalState::Pending);
}

#[test]
fn claiming_local_unlock_without_signing_it_breaks_the_signature() {
    let alice = user(1);
    let phone = device(1, alice.clone());
    let approval = passwordless(alice, 3);
    let mut answer = sign_unlocked(
        &phone.key,
        &approval,
        &phone.device.id,
        Decision::Approve,
        Some(approval.number),
        false,
    );
    answer.local_unlock = true;
    assert_eq!(
        verify_answer(&approval, &phone.device, &answer, at(5)),
        Err(AnswerRefused::BadSignature)
    );
}

#[test]
fn an_mfa_push_does_not_need_local_unlock() {
    let alice = user(1);
    let phone = device(1, alice.clone());
    let approval = approval(alice, 4);
    assert!(matches!(
        verify_answer(&approval, &phone.device, &approve(&phone, &approval), at(5)),
        Ok(Verdict::Approved { .. })
    ));
}

#[test]
fn a_report_on_a_passwordless_push_is_fraud_for_that_sign_in() {
    let alice = user(1);
    let phone = device(1, alice.clone());
    let approval = passwordless(alice, 5);
    let answer = sign(
        &phone.key,
        &approval,
        &phone.device.id,
        Decision::Report,
        None,
    );
    let verdict = verify_answer(&approval, &phone.device, &answer, at(5)).unwrap();
    let settlement = settle(
        &approval,
        &verdict,
        &FatigueState::default(),
        &FatiguePolicy::default(),
        at(5),
    );
    let fraud = settlement.actions.iter().find_map(|action| match action {
        EdgeAction::Fraud(report) => Some(report),
        _ => None,
    });
    assert_eq!(
        fraud.and_then(|report| report.sign_in_correlation_id.as_deref()),
        Some("corr-pl")
    );
    assert!(settlement.actions.contains(&EdgeAction::FailSignIn {
        correlation_id: "corr-pl".to_owned(),
        detail: settle::DETAIL_FRAUD,
    }));
}
