//! Conformance: each user's risk row follows their detections (`get_user_risk`,
//! `list_user_risks`, `Change::AddRiskEvent`, `Change::ResolveUserRisk`).

use portcullis_core::user_risk::detail;
use portcullis_core::{RiskEvent, RiskEventId, UserId, UserRiskLevel, UserRiskState};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{TestBackend, commit, create_user, t0};
use crate::{Change, Filter, FilterValue, ListQuery, RiskyUserField};

pub(super) fn detection(user: &UserId, level: &str, state: &str, at: OffsetDateTime) -> RiskEvent {
    RiskEvent {
        id: RiskEventId::from_uuid(Uuid::new_v4()),
        user_id: Some(user.clone()),
        user_principal_name: None,
        risk_event_type: "userReportedSuspiciousActivity".into(),
        risk_level: level.into(),
        risk_state: state.into(),
        risk_detail: None,
        detection_timing_type: "realtime".into(),
        detected_date_time: at,
        ip_address: None,
        sign_in_id: None,
        additional_info: serde_json::json!([]),
    }
}

/// Appends, admin confirmation, resolution and single-detection state changes all
/// recompute the row; users without detections have none.
pub async fn user_risk_follows_detections(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await;
    assert_eq!(store.get_user_risk(&ada.id).await.unwrap(), None);

    let low = detection(&ada.id, "low", "atRisk", t0());
    store.append_risk_event(&low).await.unwrap();
    let risk = store.get_user_risk(&ada.id).await.unwrap().unwrap();
    assert_eq!(risk.risk_level, UserRiskLevel::Low);
    assert_eq!(risk.risk_state, UserRiskState::AtRisk);
    assert_eq!(
        risk.expires_date_time,
        Some(t0() + portcullis_core::user_risk::LOW_RISK_LIFETIME)
    );

    let high = detection(&ada.id, "high", "atRisk", t0() + Duration::minutes(1));
    store.append_risk_event(&high).await.unwrap();
    let risk = store.get_user_risk(&ada.id).await.unwrap().unwrap();
    assert_eq!(risk.risk_level, UserRiskLevel::High);
    assert_eq!(
        risk.high_risk_detected_date_time,
        Some(high.detected_date_time)
    );
    assert_eq!(risk.expires_date_time, None);
    assert_eq!(risk.risk_last_updated_date_time, high.detected_date_time);

    let mut confirmed = detection(
        &ada.id,
        "high",
        "confirmedCompromised",
        t0() + Duration::minutes(2),
    );
    confirmed.risk_detail = Some(detail::ADMIN_CONFIRMED_USER_COMPROMISED.into());
    commit(&*store, Change::AddRiskEvent(confirmed)).await;
    let risk = store.get_user_risk(&ada.id).await.unwrap().unwrap();
    assert_eq!(risk.risk_state, UserRiskState::ConfirmedCompromised);
    assert_eq!(risk.risk_detail, detail::ADMIN_CONFIRMED_USER_COMPROMISED);

    let resolved_at = t0() + Duration::minutes(3);
    commit(
        &*store,
        Change::ResolveUserRisk {
            user: ada.id.clone(),
            risk_state: "dismissed".into(),
            risk_detail: detail::ADMIN_DISMISSED_ALL_RISK_FOR_USER.into(),
            at: resolved_at,
        },
    )
    .await;
    let risk = store.get_user_risk(&ada.id).await.unwrap().unwrap();
    assert_eq!(risk.risk_level, UserRiskLevel::None);
    assert_eq!(risk.risk_state, UserRiskState::Dismissed);
    assert_eq!(risk.risk_detail, detail::ADMIN_DISMISSED_ALL_RISK_FOR_USER);
    assert_eq!(risk.risk_last_updated_date_time, resolved_at);
    assert_eq!(risk.high_risk_detected_date_time, None);
    let events = store
        .list_risk_events(Some(&ada.id), None, 10)
        .await
        .unwrap();
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|e| e.risk_state == "dismissed"));

    // A new detection puts the user back at risk; setting that one detection's state
    // recomputes too.
    let medium = detection(&ada.id, "medium", "atRisk", t0() + Duration::minutes(4));
    store.append_risk_event(&medium).await.unwrap();
    let risk = store.get_user_risk(&ada.id).await.unwrap().unwrap();
    assert_eq!(
        (risk.risk_level, risk.risk_state),
        (UserRiskLevel::Medium, UserRiskState::AtRisk)
    );
    commit(
        &*store,
        Change::SetRiskState {
            id: medium.id.clone(),
            risk_state: "confirmedSafe".into(),
            risk_detail: Some("adminConfirmedSigninSafe".into()),
        },
    )
    .await;
    let risk = store.get_user_risk(&ada.id).await.unwrap().unwrap();
    assert_eq!(
        (risk.risk_level, risk.risk_state),
        (UserRiskLevel::None, UserRiskState::ConfirmedSafe)
    );
    // Another user's detections are theirs alone.
    let bob = create_user(&*store, "bob@example.com", "Bob").await;
    assert_eq!(store.get_user_risk(&bob.id).await.unwrap(), None);
}

/// `riskyUsers` listing: filters on level and state, paging visits every row once,
/// ordering by last update.
pub async fn risky_users_list_filters_and_pages(backend: &dyn TestBackend) {
    let store = backend.store();
    let mut expected = Vec::new();
    for (i, level) in ["high", "medium", "high", "low"].iter().enumerate() {
        let user = create_user(&*store, &format!("u{i}@example.com"), "U").await;
        let at = t0() + Duration::minutes(i64::try_from(i).unwrap());
        store
            .append_risk_event(&detection(&user.id, level, "atRisk", at))
            .await
            .unwrap();
        expected.push((user.id, *level));
    }
    let eq = |field, value: &str| Filter::Eq(field, FilterValue::Text(value.into()));
    let high = store
        .list_user_risks(
            &ListQuery::first(10).filtered(eq(RiskyUserField::RiskLevel, "high")),
            t0() + Duration::days(1),
        )
        .await
        .unwrap();
    let mut high_ids: Vec<_> = high.items.iter().map(|r| r.user_id.clone()).collect();
    high_ids.sort();
    let mut want: Vec<_> = expected
        .iter()
        .filter(|(_, level)| *level == "high")
        .map(|(id, _)| id.clone())
        .collect();
    want.sort();
    assert_eq!(high_ids, want);
    let none_dismissed = store
        .list_user_risks(
            &ListQuery::first(10).filtered(eq(RiskyUserField::RiskState, "dismissed")),
            t0() + Duration::days(1),
        )
        .await
        .unwrap();
    assert!(none_dismissed.items.is_empty());

    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .list_user_risks(
                &ListQuery::first(1)
                    .ordered(RiskyUserField::RiskLastUpdatedDateTime, true)
                    .after(cursor),
                t0() + Duration::days(1),
            )
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|r| r.user_id.clone()));
        cursor = page.next;
        if cursor.is_none() {
            break;
        }
        assert!(seen.len() <= expected.len(), "paging does not end");
    }
    let newest_first: Vec<_> = expected.iter().rev().map(|(id, _)| id.clone()).collect();
    assert_eq!(seen, newest_first);

    // After the low detection's lifetime its user reads — and filters — as `none`,
    // although the stored row still says `low` (nothing rewrote it).
    let (low_user, _) = expected.iter().find(|(_, level)| *level == "low").unwrap();
    let later = t0() + portcullis_core::user_risk::LOW_RISK_LIFETIME + Duration::days(1);
    let still_low = store
        .list_user_risks(
            &ListQuery::first(10).filtered(eq(RiskyUserField::RiskLevel, "low")),
            t0() + Duration::days(1),
        )
        .await
        .unwrap();
    assert_eq!(still_low.items.len(), 1);
    let aged = store
        .list_user_risks(
            &ListQuery::first(10).filtered(eq(RiskyUserField::RiskLevel, "low")),
            later,
        )
        .await
        .unwrap();
    assert!(aged.items.is_empty(), "{:?}", aged.items);
    let none = store
        .list_user_risks(
            &ListQuery::first(10).filtered(eq(RiskyUserField::RiskLevel, "none")),
            later,
        )
        .await
        .unwrap();
    assert_eq!(none.items.len(), 1);
    assert_eq!(&none.items[0].user_id, low_user);
    assert_eq!(none.items[0].risk_state, UserRiskState::None);
    assert_eq!(none.items[0].expires_date_time, None);
    let high_later = store
        .list_user_risks(
            &ListQuery::first(10).filtered(eq(RiskyUserField::RiskLevel, "high")),
            later,
        )
        .await
        .unwrap();
    assert_eq!(high_later.items.len(), 2, "high risk does not age out");
}

/// Detections of one user written at once all count: the last recomputation sees them
/// all (PostgreSQL runs these truly in parallel).
pub async fn concurrent_detections_of_one_user_all_count(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        // The high one comes early, so losing it to a race would leave the row low.
        let level = if i == 1 { "high" } else { "low" };
        let event = detection(&ada.id, level, "atRisk", t0() + Duration::seconds(i));
        tasks.push(tokio::spawn(async move {
            store.append_risk_event(&event).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let risk = store.get_user_risk(&ada.id).await.unwrap().unwrap();
    assert_eq!(risk.risk_level, UserRiskLevel::High);
    assert_eq!(
        risk.high_risk_detected_date_time,
        Some(t0() + Duration::seconds(1))
    );
}
