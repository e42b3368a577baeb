//! The fatigue defences as a state machine: every refusal and transition.
#![allow(clippy::unwrap_used)]

use crate::common;
use common::*;
use portcullis_push::*;
use time::Duration;

fn denied() -> Verdict {
    Verdict::Denied {
        device_id: device(1, user(1)).device.id,
    }
}

#[test]
fn the_outstanding_cap_refuses_a_third_push() {
    let policy = FatiguePolicy::default();
    let state = FatigueState::default();
    assert_eq!(state.may_push(&policy, 1, at(0)), Ok(()));
    let refusal = state.may_push(&policy, 2, at(0)).unwrap_err();
    assert_eq!(
        refusal,
        PushRefusal::TooManyOutstanding {
            outstanding: 2,
            cap: 2
        }
    );
    assert!(refusal.to_string().contains("at most 2"));
}

#[test]
fn a_denial_cools_pushes_down_for_a_minute() {
    let policy = FatiguePolicy::default();
    let mut state = FatigueState::default();
    let event = state.record(&policy, &denied(), at(0));
    assert_eq!(
        event,
        FatigueEvent::DenialCounted {
            denials_in_window: 1,
            cooldown_until: at(60)
        }
    );
    assert_eq!(
        state.may_push(&policy, 0, at(59)),
        Err(PushRefusal::CoolingDown { until: at(60) })
    );
    assert_eq!(state.may_push(&policy, 0, at(60)), Ok(()));
}

#[test]
fn three_denials_in_the_window_suspend_pushes_for_an_hour() {
    let policy = FatiguePolicy::default();
    let mut state = FatigueState::default();
    state.record(&policy, &denied(), at(0));
    state.record(&policy, &denied(), at(120));
    let event = state.record(&policy, &denied(), at(240));
    let until = at(240) + Duration::hours(1);
    assert_eq!(
        event,
        FatigueEvent::Suspended {
            until,
            reason: SuspensionReason::RepeatedDenials {
                denials: 3,
                window_minutes: 15
            }
        }
    );
    let refusal = state.may_push(&policy, 0, at(1000)).unwrap_err();
    assert!(
        refusal
            .to_string()
            .contains("3 denied pushes within 15 minutes"),
        "{refusal}"
    );
    assert_eq!(state.may_push(&policy, 0, until), Ok(()));
}

#[test]
fn denials_outside_the_window_do_not_add_up() {
    let policy = FatiguePolicy::default();
    let mut state = FatigueState::default();
    state.record(&policy, &denied(), at(0));
    state.record(&policy, &denied(), at(600));
    // 16 minutes after the first: it has left the window.
    let event = state.record(&policy, &denied(), at(960));
    assert!(matches!(
        event,
        FatigueEvent::DenialCounted {
            denials_in_window: 2,
            ..
        }
    ));
}

#[test]
fn a_wrong_number_counts_as_a_denial_and_an_approval_changes_nothing() {
    let policy = FatiguePolicy::default();
    let mut state = FatigueState::default();
    let id = device(1, user(1)).device.id;
    let event = state.record(
        &policy,
        &Verdict::WrongNumber {
            device_id: id.clone(),
        },
        at(0),
    );
    assert!(matches!(event, FatigueEvent::DenialCounted { .. }));
    let before = state.clone();
    assert_eq!(
        state.record(&policy, &Verdict::Approved { device_id: id }, at(1)),
        FatigueEvent::Unchanged
    );
    assert_eq!(state, before);
}

#[test]
fn a_report_suspends_at_once_and_an_admin_can_lift_it() {
    let policy = FatiguePolicy::default();
    let mut state = FatigueState::default();
    let id = device(1, user(1)).device.id;
    let event = state.record(&policy, &Verdict::Reported { device_id: id }, at(0));
    assert_eq!(
        event,
        FatigueEvent::Suspended {
            until: at(0) + Duration::hours(24),
            reason: SuspensionReason::FraudReported
        }
    );
    assert!(matches!(
        state.may_push(&policy, 0, at(3600)),
        Err(PushRefusal::Suspended { .. })
    ));
    state.lift();
    assert_eq!(state.may_push(&policy, 0, at(3600)), Ok(()));
}

#[test]
fn a_shorter_suspension_never_cuts_a_longer_one() {
    let policy = FatiguePolicy::default();
    let mut state = FatigueState::default();
    let id = device(1, user(1)).device.id;
    state.record(&policy, &Verdict::Reported { device_id: id }, at(0));
    for t in [100, 200, 300] {
        state.record(&policy, &denied(), at(t));
    }
    assert_eq!(state.suspended_until(), Some(at(0) + Duration::hours(24)));
}

#[test]
fn the_state_round_trips_through_json() {
    let policy = FatiguePolicy::default();
    let mut state = FatigueState::default();
    state.record(&policy, &denied(), at(0));
    let json = serde_json::to_string(&state).unwrap();
    assert_eq!(serde_json::from_str::<FatigueState>(&json).unwrap(), state);
}
