//! Dashboard aggregates (`ReportStore`): the rollups the backends keep with triggers must
//! agree with the sign-ins and credentials actually written.

use portcullis_core::{
    ConditionalAccessStatus, CredentialKind, SignIn, SignInId, SignInStatus, UserId,
};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{TestBackend, commit, create_user, t0};
use crate::Change;
use crate::reports::{
    FailureCount, HOUR_MICROS, MethodStrength, ReportWindow, SignInCount, SignInResult,
};

fn report_sign_in(
    at: OffsetDateTime,
    error_code: i32,
    client_app: &str,
    risk: &str,
    policies: Value,
) -> SignIn {
    SignIn {
        id: SignInId::from_uuid(Uuid::new_v4()),
        created_date_time: at,
        correlation_id: None,
        user_id: None,
        user_principal_name: Some("ada@example.com".into()),
        user_display_name: None,
        app_id: None,
        app_display_name: None,
        ip_address: None,
        client_app_used: Some(client_app.into()),
        user_agent: None,
        is_interactive: true,
        status: SignInStatus {
            error_code,
            failure_reason: None,
            additional_details: None,
        },
        conditional_access_status: ConditionalAccessStatus::NotApplied,
        applied_conditional_access_policies: policies,
        risk_level_during_sign_in: Some(risk.into()),
        risk_level_aggregated: None,
        risk_state: None,
        risk_detail: None,
        location: None,
        device_detail: None,
        authentication_details: json!([]),
        authentication_requirement: None,
        extra: serde_json::Map::new(),
    }
}

fn micros(at: OffsetDateTime) -> i64 {
    portcullis_core::timestamp::unix_micros(at)
}

fn window(hours: i64, bucket_hours: i64) -> ReportWindow {
    ReportWindow {
        from: t0(),
        to: t0() + Duration::hours(hours),
        bucket_micros: bucket_hours * HOUR_MICROS,
    }
}

/// Sign-ins are counted per hour by result, legacy client and risk; windows and wider
/// buckets sum the hours; failure codes rank by frequency.
pub async fn report_sign_in_rollups(backend: &dyn TestBackend) {
    let store = backend.store();
    let none = json!([]);
    let rows = [
        (0, 0, "Browser", "none"),
        (10, 0, "Browser", "none"),
        (20, 50074, "Browser", "none"),
        (30, 50126, "IMAP", "none"),
        (40, 50126, "Other clients", "high"),
        (70, 53003, "Mobile Apps and Desktop clients", "medium"),
        (80, 0, "Mobile Apps and Desktop clients", "none"),
        // Outside the three-hour window.
        (200, 50126, "Browser", "none"),
    ];
    for (minutes, code, app, risk) in rows {
        let at = t0() + Duration::minutes(minutes);
        store
            .append_sign_in(&report_sign_in(at, code, app, risk, none.clone()))
            .await
            .unwrap();
    }
    let hourly = store.sign_in_counts(&window(3, 1)).await.unwrap();
    let h0 = micros(t0());
    let h1 = h0 + HOUR_MICROS;
    let count = |counts: &[SignInCount], bucket: i64, result: SignInResult| -> u64 {
        counts
            .iter()
            .filter(|c| c.bucket_start == bucket && c.result == result)
            .map(|c| c.count)
            .sum()
    };
    assert_eq!(count(&hourly, h0, SignInResult::Success), 2);
    assert_eq!(count(&hourly, h0, SignInResult::Interrupted), 1);
    assert_eq!(count(&hourly, h0, SignInResult::Failure), 2);
    assert_eq!(count(&hourly, h1, SignInResult::Failure), 1);
    assert_eq!(count(&hourly, h1, SignInResult::Success), 1);
    let total: u64 = hourly.iter().map(|c| c.count).sum();
    assert_eq!(total, 7, "the sign-in at +200 min is outside the window");
    let legacy: u64 = hourly.iter().filter(|c| c.legacy).map(|c| c.count).sum();
    assert_eq!(legacy, 2, "IMAP and Other clients are legacy: {hourly:?}");
    let risky: Vec<(&str, u64)> = hourly
        .iter()
        .filter(|c| c.risk_level != "none")
        .map(|c| (c.risk_level.as_str(), c.count))
        .collect();
    assert_eq!(risky, vec![("high", 1), ("medium", 1)]);

    // A window starting mid-hour still counts that hour; one 24-hour bucket sums all.
    let daily = store
        .sign_in_counts(&ReportWindow {
            from: t0() + Duration::minutes(30),
            to: t0() + Duration::hours(24),
            bucket_micros: 24 * HOUR_MICROS,
        })
        .await
        .unwrap();
    assert_eq!(daily.iter().map(|c| c.count).sum::<u64>(), 8);
    assert!(
        daily
            .iter()
            .all(|c| c.bucket_start % (24 * HOUR_MICROS) == 0)
    );

    let failures = store
        .top_failures(t0(), t0() + Duration::hours(3), 10)
        .await
        .unwrap();
    assert_eq!(
        failures,
        vec![
            FailureCount {
                error_code: 50126,
                count: 2
            },
            FailureCount {
                error_code: 50074,
                count: 1
            },
            FailureCount {
                error_code: 53003,
                count: 1
            },
        ]
    );
    let bad = store
        .sign_in_counts(&ReportWindow {
            bucket_micros: 60_000_000,
            ..window(3, 1)
        })
        .await;
    assert!(bad.is_err(), "buckets shorter than an hour are refused");
}

/// Report-only and enforced policy results are counted per policy, `notApplied` kinds
/// are not, and the sign-ins a policy acted on are listed newest first.
pub async fn report_policy_impact(backend: &dyn TestBackend) {
    let store = backend.store();
    let applied = |pilot: &str, block: &str| {
        json!([
            {"id": "pilot", "displayName": "Pilot MFA", "result": pilot},
            {"id": "block-legacy", "displayName": "Block legacy", "result": block},
        ])
    };
    let cases = [
        (5, "reportOnlyInterrupted", "notApplied"),
        (15, "reportOnlySuccess", "notApplied"),
        (25, "reportOnlyFailure", "failure"),
        (35, "reportOnlyNotApplied", "success"),
        (65, "reportOnlyInterrupted", "notEnabled"),
    ];
    let mut written = Vec::new();
    for (minutes, pilot, block) in cases {
        let record = report_sign_in(
            t0() + Duration::minutes(minutes),
            0,
            "Browser",
            "none",
            applied(pilot, block),
        );
        store.append_sign_in(&record).await.unwrap();
        written.push(record);
    }
    let all = store
        .policy_result_counts(&window(2, 2), None)
        .await
        .unwrap();
    let get = |policy: &str, result: &str| -> u64 {
        all.iter()
            .filter(|c| c.policy_id == policy && c.result == result)
            .map(|c| c.count)
            .sum()
    };
    assert_eq!(get("pilot", "reportOnlyInterrupted"), 2);
    assert_eq!(get("pilot", "reportOnlySuccess"), 1);
    assert_eq!(get("pilot", "reportOnlyFailure"), 1);
    assert_eq!(get("pilot", "reportOnlyNotApplied"), 0, "not kept");
    assert_eq!(get("block-legacy", "failure"), 1);
    assert_eq!(get("block-legacy", "success"), 1);
    assert_eq!(get("block-legacy", "notApplied"), 0, "not kept");

    let pilot_only = store
        .policy_result_counts(&window(2, 1), Some("pilot"))
        .await
        .unwrap();
    assert!(pilot_only.iter().all(|c| c.policy_id == "pilot"));
    assert_eq!(pilot_only.iter().map(|c| c.count).sum::<u64>(), 4);
    assert_eq!(
        pilot_only
            .iter()
            .filter(|c| c.bucket_start == micros(t0()) + HOUR_MICROS)
            .map(|c| c.count)
            .sum::<u64>(),
        1,
        "the +65 min sign-in is in the second hour"
    );

    let acted = store
        .policy_acted_sign_ins("pilot", t0(), t0() + Duration::hours(2), 10)
        .await
        .unwrap();
    let got: Vec<(&str, &SignInId)> = acted.iter().map(|(r, s)| (r.as_str(), &s.id)).collect();
    assert_eq!(
        got,
        vec![
            ("reportOnlyInterrupted", &written[4].id),
            ("reportOnlyFailure", &written[2].id),
            ("reportOnlyInterrupted", &written[0].id),
        ],
        "newest first, only results that acted"
    );
    assert_eq!(acted[0].1, written[4], "the whole sign-in comes back");
    let limited = store
        .policy_acted_sign_ins("pilot", t0(), t0() + Duration::minutes(30), 1)
        .await
        .unwrap();
    assert_eq!(limited.len(), 1);
    assert_eq!(limited[0].1.id, written[2].id);
    assert!(
        store
            .policy_acted_sign_ins("unknown", t0(), t0() + Duration::hours(2), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

fn credential(user: &UserId, kind: CredentialKind) -> portcullis_core::Credential {
    portcullis_core::Credential {
        id: portcullis_core::CredentialId::from_uuid(Uuid::new_v4()),
        user_id: user.clone(),
        kind,
        display_name: None,
        payload: json!({}),
        metadata: json!({}),
        created_date_time: t0(),
        last_used_date_time: None,
        revision: 0,
    }
}

/// Coverage follows credentials as they are added and removed, and users as they are
/// deleted.
pub async fn report_registration_coverage(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await.id;
    let grace = create_user(&*store, "grace@example.com", "Grace").await.id;
    let linus = create_user(&*store, "linus@example.com", "Linus").await.id;
    let _nobody = create_user(&*store, "nobody@example.com", "Nobody")
        .await
        .id;
    let tap = create_user(&*store, "tap@example.com", "Tap").await.id;
    for (user, kind) in [
        (&ada, CredentialKind::Password),
        (&ada, CredentialKind::Fido2),
        (&grace, CredentialKind::Password),
        (&grace, CredentialKind::SoftwareOath),
        (&linus, CredentialKind::Password),
        (&tap, CredentialKind::TemporaryAccessPass),
    ] {
        commit(&*store, Change::AddCredential(credential(user, kind))).await;
    }
    let coverage = store.registration_coverage().await.unwrap();
    assert_eq!(coverage.users_total, 5);
    assert_eq!(coverage.phishing_resistant, 1);
    assert_eq!(coverage.mfa, 1);
    assert_eq!(coverage.single_factor, 1);
    assert_eq!(
        coverage.count(MethodStrength::None),
        2,
        "no method, or only a TAP"
    );

    let mut strengths = store
        .method_strengths(&[ada.clone(), grace.clone(), tap.clone()])
        .await
        .unwrap();
    strengths.sort_by_key(|(_, s)| *s);
    assert_eq!(
        strengths,
        vec![
            (grace.clone(), MethodStrength::Mfa),
            (ada.clone(), MethodStrength::PhishingResistant),
        ]
    );

    // Grace loses her authenticator: single factor again.
    let grace_totp = store
        .list_credentials(&grace)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.kind == CredentialKind::SoftwareOath)
        .unwrap();
    commit(&*store, Change::DeleteCredential(grace_totp.id)).await;
    // Ada is deleted: her credentials go, and her row with them.
    commit(&*store, Change::DeleteUser(ada.clone())).await;
    let coverage = store.registration_coverage().await.unwrap();
    assert_eq!(coverage.users_total, 4);
    assert_eq!(coverage.phishing_resistant, 0, "{coverage:?}");
    assert_eq!(coverage.mfa, 0);
    assert_eq!(coverage.single_factor, 2);
    assert!(store.method_strengths(&[ada]).await.unwrap().is_empty());
}
