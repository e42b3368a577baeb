//! Property tests: replayed, altered and foreign-device answers are always refused.
#![allow(clippy::unwrap_used)]

use crate::common;
use common::*;
use portcullis_push::*;
use proptest::prelude::*;

fn decision() -> impl Strategy<Value = Decision> {
    prop_oneof![
        Just(Decision::Approve),
        Just(Decision::Deny),
        Just(Decision::Report)
    ]
}

fn number_for(decision: Decision, approval: &PendingApproval) -> Option<MatchNumber> {
    (decision == Decision::Approve).then_some(approval.number)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Once an approval is settled by any accepted answer, that answer (or any other)
    /// is refused.
    #[test]
    fn a_replayed_answer_is_always_refused(seed in any::<u64>(), d in decision(), later in 0i64..200) {
        let alice = user(1);
        let phone = device(1, alice.clone());
        let mut approval = approval(alice, seed);
        let answer = sign(&phone.key, &approval, &phone.device.id, d, number_for(d, &approval));
        let verdict = verify_answer(&approval, &phone.device, &answer, at(1)).unwrap();
        approval.state = verdict.settled_state();
        let replay = verify_answer(&approval, &phone.device, &answer, at(1 + later));
        prop_assert!(replay.is_err());
    }

    /// Flipping any bit of the signature, or changing any signed field, gives a refusal:
    /// never an accepted verdict.
    #[test]
    fn an_altered_signature_is_always_refused(seed in any::<u64>(), bit in 0usize..512, d in decision()) {
        let alice = user(1);
        let phone = device(1, alice.clone());
        let approval = approval(alice, seed);
        let answer = sign(&phone.key, &approval, &phone.device.id, d, number_for(d, &approval));
        let mut bytes = answer.signature.to_bytes();
        bytes[bit / 8] ^= 1 << (bit % 8);
        if let Ok(signature) = AnswerSignature::from_bytes(&bytes) {
            let altered = SignedAnswer { signature, ..answer };
            prop_assert_eq!(
                verify_answer(&approval, &phone.device, &altered, at(1)),
                Err(AnswerRefused::BadSignature)
            );
        }
    }

    #[test]
    fn an_altered_decision_or_number_is_always_refused(
        seed in any::<u64>(),
        signed in decision(),
        claimed in decision(),
        typed in 10u8..=99,
    ) {
        let alice = user(1);
        let phone = device(1, alice.clone());
        let approval = approval(alice, seed);
        let answer = sign(&phone.key, &approval, &phone.device.id, signed, number_for(signed, &approval));
        let claimed_number = (claimed == Decision::Approve).then(|| MatchNumber::try_from(typed).unwrap());
        prop_assume!(claimed != signed || claimed_number != answer.number);
        let altered = SignedAnswer { decision: claimed, number: claimed_number, ..answer };
        let verdict = verify_answer(&approval, &phone.device, &altered, at(1));
        prop_assert!(verdict.is_err(), "altered answer accepted: {:?}", verdict);
    }

    /// A device of another user, or another device of the same user posing as this one,
    /// never gets an answer accepted for this device.
    #[test]
    fn a_foreign_device_is_always_refused(seed in any::<u64>(), other in 2u8..50, d in decision(), same_user in any::<bool>()) {
        let alice = user(1);
        let phone = device(1, alice.clone());
        let owner = if same_user { alice.clone() } else { user(2) };
        let intruder = device(other, owner);
        let approval = approval(alice, seed);
        // The intruder signs, claiming the real phone's id.
        let posing = sign(&intruder.key, &approval, &phone.device.id, d, number_for(d, &approval));
        prop_assert!(verify_answer(&approval, &phone.device, &posing, at(1)).is_err());
        // The intruder signs as itself.
        let own = sign(&intruder.key, &approval, &intruder.device.id, d, number_for(d, &approval));
        let result = verify_answer(&approval, &intruder.device, &own, at(1));
        if same_user {
            prop_assert!(result.is_ok());
        } else {
            prop_assert_eq!(result, Err(AnswerRefused::ForeignDevice));
        }
    }

    /// Only the exact number approves; every other two-digit number is a wrong number.
    #[test]
    fn only_the_shown_number_approves(seed in any::<u64>(), typed in 10u8..=99) {
        let alice = user(1);
        let phone = device(1, alice.clone());
        let approval = approval(alice, seed);
        let typed = MatchNumber::try_from(typed).unwrap();
        let answer = sign(&phone.key, &approval, &phone.device.id, Decision::Approve, Some(typed));
        let verdict = verify_answer(&approval, &phone.device, &answer, at(1)).unwrap();
        prop_assert_eq!(matches!(verdict, Verdict::Approved { .. }), typed == approval.number);
    }

    /// Arbitrary JSON never panics the answer parser.
    #[test]
    fn garbage_answers_never_panic(text in ".{0,300}") {
        let _ = serde_json::from_str::<SignedAnswer>(&text);
        let _ = DevicePublicKey::from_base64url(&text);
        let _ = AnswerSignature::from_base64url(&text);
        let _ = MatchNumber::parse(&text);
    }
}
