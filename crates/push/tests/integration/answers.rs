//! Scenario tests of the verification rules, one per rule.
#![allow(clippy::unwrap_used)]

use crate::common;
use common::*;
use portcullis_push::*;

#[test]
fn the_right_number_signed_by_the_users_device_approves() {
    let alice = user(1);
    let phone = device(1, alice.clone());
    let approval = approval(alice, 1);
    let verdict = verify_answer(
        &approval,
        &phone.device,
        &approve(&phone, &approval),
        at(10),
    );
    assert_eq!(
        verdict,
        Ok(Verdict::Approved {
            device_id: phone.device.id.clone()
        })
    );
}

#[test]
fn a_wrong_number_is_a_signed_failure_that_settles_the_approval() {
    let alice = user(1);
    let phone = device(1, alice.clone());
    let approval = approval(alice, 2);
    let wrong = MatchNumber::try_from(if approval.number.value() == 10 {
        11
    } else {
        10
    })
    .unwrap();
    let answer = sign(
        &phone.key,
        &approval,
        &phone.device.id,
        Decision::Approve,
        Some(wrong),
    );
    let verdict = verify_answer(&approval, &phone.device, &answer, at(10)).unwrap();
    assert!(matches!(verdict, Verdict::WrongNumber { .. }));
    assert!(verdict.is_denial());
}

#[test]
fn approve_without_number_and_deny_with_number_are_refused() {
    let alice = user(1);
    let phone = device(1, alice.clone());
    let approval = approval(alice, 3);
    let no_number = sign(
        &phone.key,
        &approval,
        &phone.device.id,
        Decision::Approve,
        None,
    );
    assert_eq!(
        verify_answer(&approval, &phone.device, &no_number, at(1)),
        Err(AnswerRefused::NumberMissing)
    );
    let deny_number = sign(
        &phone.key,
        &approval,
        &phone.device.id,
        Decision::Deny,
        Some(approval.number),
    );
    assert_eq!(
        verify_answer(&approval, &phone.device, &deny_number, at(1)),
        Err(AnswerRefused::UnexpectedNumber)
    );
}

#[test]
fn an_answer_after_expiry_is_refused_even_if_correct() {
    let alice = user(1);
    let phone = device(1, alice.clone());
    let approval = approval(alice, 4);
    let answer = approve(&phone, &approval);
    assert!(verify_answer(&approval, &phone.device, &answer, at(89)).is_ok());
    assert_eq!(
        verify_answer(&approval, &phone.device, &answer, at(90)),
        Err(AnswerRefused::Expired(approval.expires_at))
    );
    assert_eq!(effective_state(&approval, at(90)), ApprovalState::Expired);
    assert_eq!(effective_state(&approval, at(89)), ApprovalState::Pending);
}

#[test]
fn a_settled_approval_refuses_the_same_answer_again() {
    let alice = user(1);
    let phone = device(1, alice.clone());
    let mut approval = approval(alice, 5);
    let answer = approve(&phone, &approval);
    let verdict = verify_answer(&approval, &phone.device, &answer, at(5)).unwrap();
    approval.state = verdict.settled_state();
    assert_eq!(
        verify_answer(&approval, &phone.device, &answer, at(6)),
        Err(AnswerRefused::AlreadySettled("approved"))
    );
}

#[test]
fn removed_and_foreign_devices_cannot_answer() {
    let alice = user(1);
    let mallory = user(2);
    let approval = approval(alice.clone(), 6);
    let foreign = device(2, mallory);
    assert_eq!(
        verify_answer(
            &approval,
            &foreign.device,
            &approve(&foreign, &approval),
            at(1)
        ),
        Err(AnswerRefused::ForeignDevice)
    );
    let mut lost = device(3, alice);
    lost.device.state = DeviceState::Removed;
    assert_eq!(
        verify_answer(&approval, &lost.device, &approve(&lost, &approval), at(1)),
        Err(AnswerRefused::DeviceRemoved)
    );
}

#[test]
fn a_second_device_of_the_same_user_signing_as_the_first_is_refused() {
    let alice = user(1);
    let first = device(1, alice.clone());
    let second = device(2, alice.clone());
    let approval = approval(alice, 7);
    // Signed by the second device's key but claiming to be the first device.
    let answer = sign(
        &second.key,
        &approval,
        &first.device.id,
        Decision::Approve,
        Some(approval.number),
    );
    assert_eq!(
        verify_answer(&approval, &first.device, &answer, at(1)),
        Err(AnswerRefused::BadSignature)
    );
    // Each device answering for itself is fine.
    assert!(
        verify_answer(
            &approval,
            &second.device,
            &approve(&second, &approval),
            at(1)
        )
        .is_ok()
    );
}

#[test]
fn an_answer_for_one_approval_does_not_answer_another() {
    let alice = user(1);
    let phone = device(1, alice.clone());
    let first = approval(alice.clone(), 8);
    let second = approval(alice, 9);
    let mut answer = approve(&phone, &first);
    assert!(matches!(
        verify_answer(&second, &phone.device, &answer, at(1)),
        Err(AnswerRefused::WrongApproval { .. })
    ));
    // Relabelled to the second approval: the signature covers the first's id and nonce.
    answer.approval_id = second.id;
    answer.number = Some(second.number);
    assert_eq!(
        verify_answer(&second, &phone.device, &answer, at(1)),
        Err(AnswerRefused::BadSignature)
    );
}

#[test]
fn a_report_settles_and_carries_every_obligation() {
    let alice = user(1);
    let phone = device(1, alice.clone());
    let approval = approval(alice.clone(), 10);
    let answer = sign(
        &phone.key,
        &approval,
        &phone.device.id,
        Decision::Report,
        None,
    );
    let verdict = verify_answer(&approval, &phone.device, &answer, at(3)).unwrap();
    let settlement = settle(
        &approval,
        &verdict,
        &FatigueState::default(),
        &FatiguePolicy::default(),
        at(3),
    );
    assert!(matches!(settlement.state, ApprovalState::Reported { .. }));
    let fraud = settlement
        .actions
        .iter()
        .find_map(|action| match action {
            EdgeAction::Fraud(report) => Some(report),
            _ => None,
        })
        .expect("a fraud action");
    assert_eq!(fraud.user_id, alice);
    assert_eq!(fraud.risk_event_type, "userReportedSuspiciousActivity");
    assert_eq!(fraud.sign_in_correlation_id.as_deref(), Some("corr-1"));
    assert!(settlement.actions.iter().any(|a| matches!(
        a,
        EdgeAction::FailSignIn { detail, .. } if *detail == settle::DETAIL_FRAUD
    )));
    assert!(settlement.fatigue.suspended_until().is_some());
}

#[test]
fn an_approval_completes_the_sign_in_with_the_answering_device() {
    let alice = user(1);
    let phone = device(1, alice.clone());
    let approval = approval(alice, 11);
    let verdict =
        verify_answer(&approval, &phone.device, &approve(&phone, &approval), at(1)).unwrap();
    let settlement = settle(
        &approval,
        &verdict,
        &FatigueState::default(),
        &FatiguePolicy::default(),
        at(1),
    );
    assert_eq!(
        settlement.actions[0],
        EdgeAction::CompleteSignIn {
            correlation_id: "corr-1".to_owned(),
            device_id: phone.device.id.clone()
        }
    );
    assert_eq!(settlement.fatigue, FatigueState::default());
}

#[test]
fn the_notice_sent_to_devices_never_contains_the_number() {
    let approval = approval(user(1), 12);
    let json = serde_json::to_value(approval.notice()).unwrap();
    assert!(json.get("number").is_none());
    let text = json.to_string();
    assert!(text.contains("Payroll") && text.contains("203.0.113.7"));
}

#[test]
fn the_canonical_message_has_a_fixed_layout() {
    let approval = approval(user(1), 13);
    let id = portcullis_core::CredentialId::from_uuid(uuid::Uuid::from_u128(5));
    let fields = AnswerFields {
        approval_id: approval.id,
        device_id: &id,
        decision: Decision::Approve,
        number: Some(approval.number),
        nonce: &approval.nonce,
        expires_at: approval.expires_at,
        local_unlock: true,
    };
    let bytes = fields.canonical_bytes();
    let domain = b"portcullis-authenticator/answer/v2\0";
    assert_eq!(bytes.len(), domain.len() + 16 + 2 + 36 + 1 + 1 + 1 + 32 + 8);
    assert!(bytes.starts_with(domain));
    let decision_at = domain.len() + 16 + 2 + 36;
    assert_eq!(bytes[decision_at], 1);
    assert_eq!(bytes[decision_at + 1], approval.number.value());
    assert_eq!(bytes[decision_at + 2], 1);
    let without_unlock = AnswerFields {
        local_unlock: false,
        ..fields
    };
    assert_eq!(without_unlock.canonical_bytes()[decision_at + 2], 0);
    assert_eq!(
        &bytes[bytes.len() - 8..],
        &approval.expires_at.unix_timestamp().to_be_bytes()
    );
}
