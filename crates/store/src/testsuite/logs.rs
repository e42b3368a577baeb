//! The sign-in log and the audit log, including the hash chain under concurrency and
//! tampering.

use std::collections::BTreeSet;
use std::sync::Arc;

use portcullis_core::audit::ChainHead;
use portcullis_core::{
    ConditionalAccessStatus, SignIn, SignInId, SignInStatus, UserId, verify_chain,
};
use serde_json::json;
use time::Duration;
use uuid::Uuid;

use super::{TestBackend, audit, create_user, read_chain, t0};
use crate::{
    AuditField, AuditQuery, Batch, Change, Filter, FilterValue, SignInField, SignInOutcome,
    SignInQuery, StoreError,
};

pub(crate) fn sign_in(user: Option<&UserId>, upn: &str, minutes: i64, error_code: i32) -> SignIn {
    SignIn {
        id: SignInId::from_uuid(Uuid::new_v4()),
        created_date_time: t0() + Duration::minutes(minutes),
        correlation_id: None,
        user_id: user.cloned(),
        user_principal_name: Some(upn.to_owned()),
        user_display_name: None,
        app_id: Some("portal".into()),
        app_display_name: Some("Portal".into()),
        ip_address: Some(format!("192.0.2.{}", minutes % 250)),
        client_app_used: Some(if minutes % 4 == 0 { "IMAP" } else { "Browser" }.into()),
        user_agent: None,
        is_interactive: true,
        status: SignInStatus {
            error_code,
            failure_reason: (error_code != 0).then(|| "Invalid username or password.".to_owned()),
            additional_details: None,
        },
        conditional_access_status: if error_code == 53003 {
            ConditionalAccessStatus::Failure
        } else {
            ConditionalAccessStatus::NotApplied
        },
        applied_conditional_access_policies: json!([]),
        risk_level_during_sign_in: Some("none".into()),
        risk_level_aggregated: None,
        risk_state: None,
        risk_detail: None,
        location: None,
        device_detail: None,
        authentication_details: json!([{"authenticationMethod": "Password", "succeeded": error_code == 0}]),
        authentication_requirement: Some("singleFactorAuthentication".into()),
        extra: serde_json::Map::from_iter([("resourceDisplayName".to_owned(), json!("Portal"))]),
    }
}

/// 40 sign-ins over 40 minutes: ada fails every 3rd, grace never; one unknown user.
async fn seed_sign_ins(
    backend: &dyn TestBackend,
) -> (Arc<dyn crate::Store>, UserId, UserId, Vec<SignIn>) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await.id;
    let grace = create_user(&*store, "grace@example.com", "Grace").await.id;
    let mut all = Vec::new();
    for minute in 0..40 {
        let record = match minute % 2 {
            0 => sign_in(
                Some(&ada),
                "Ada@example.com",
                minute,
                if minute % 3 == 0 { 50126 } else { 0 },
            ),
            _ => sign_in(Some(&grace), "grace@example.com", minute, 0),
        };
        store.append_sign_in(&record).await.unwrap();
        all.push(record);
    }
    let unknown = sign_in(None, "nobody@example.com", 40, 50034);
    store.append_sign_in(&unknown).await.unwrap();
    all.push(unknown);
    (store, ada, grace, all)
}

pub async fn sign_in_log_queries(backend: &dyn TestBackend) {
    let (store, ada, _grace, all) = seed_sign_ins(backend).await;
    assert_eq!(store.get_sign_in(&all[5].id).await.unwrap(), all[5]);
    assert!(matches!(
        store
            .get_sign_in(&SignInId::from_uuid(Uuid::new_v4()))
            .await,
        Err(StoreError::NotFound(_))
    ));
    let dup = store.append_sign_in(&all[0]).await.unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup:?}");

    let query = |q: SignInQuery| {
        let store = store.clone();
        async move {
            store
                .query_sign_ins(&SignInQuery { limit: 1000, ..q })
                .await
                .unwrap()
                .items
        }
    };
    let by_user = query(SignInQuery {
        filter: Some(Filter::Eq(
            SignInField::UserId,
            FilterValue::Text(ada.to_string()),
        )),
        ..Default::default()
    })
    .await;
    assert_eq!(by_user.len(), 20);
    assert!(
        by_user
            .windows(2)
            .all(|w| w[0].created_date_time > w[1].created_date_time),
        "newest first"
    );

    let ada_failures = query(SignInQuery {
        filter: Some(Filter::Eq(
            SignInField::UserPrincipalName,
            FilterValue::Text("ADA@example.com".into()),
        )),
        outcome: Some(SignInOutcome::Failure),
        ..Default::default()
    })
    .await;
    assert_eq!(
        ada_failures.len(),
        (0..40).filter(|m| m % 2 == 0 && m % 3 == 0).count()
    );
    assert!(ada_failures.iter().all(|s| s.status.error_code == 50126));

    let window = query(SignInQuery {
        from: Some(t0() + Duration::minutes(10)),
        to: Some(t0() + Duration::minutes(20)),
        ..Default::default()
    })
    .await;
    assert_eq!(window.len(), 10);
    assert!(
        window
            .iter()
            .all(|s| s.created_date_time >= t0() + Duration::minutes(10)
                && s.created_date_time < t0() + Duration::minutes(20))
    );

    let successes = query(SignInQuery {
        outcome: Some(SignInOutcome::Success),
        ..Default::default()
    })
    .await;
    assert_eq!(
        successes.len(),
        all.iter().filter(|s| s.status.is_success()).count()
    );
    let legacy = query(SignInQuery {
        filter: Some(Filter::Eq(
            SignInField::ClientAppUsed,
            FilterValue::Text("IMAP".into()),
        )),
        ..Default::default()
    })
    .await;
    assert_eq!(legacy.len(), 11, "minutes 0, 4, …, 40");
    let code = query(SignInQuery {
        filter: Some(Filter::Eq(SignInField::ErrorCode, FilterValue::Int(50034))),
        ..Default::default()
    })
    .await;
    assert_eq!(code.len(), 1);
    assert_eq!(code[0].user_id, None);
    assert_eq!(
        code[0], all[40],
        "stored JSON round-trips, extra properties included"
    );
}

pub async fn sign_in_log_paging(backend: &dyn TestBackend) {
    let (store, _ada, grace, _all) = seed_sign_ins(backend).await;
    let mut query = SignInQuery {
        filter: Some(Filter::Eq(
            SignInField::UserId,
            FilterValue::Text(grace.to_string()),
        )),
        limit: 6,
        ..Default::default()
    };
    let mut seen = Vec::new();
    loop {
        let page = store.query_sign_ins(&query).await.unwrap();
        assert!(page.items.len() <= 6);
        seen.extend(page.items);
        match page.next {
            Some(next) => query.cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 20);
    assert_eq!(
        seen.iter()
            .map(|s| s.id.clone())
            .collect::<BTreeSet<_>>()
            .len(),
        20
    );
    assert!(
        seen.windows(2)
            .all(|w| w[0].created_date_time > w[1].created_date_time)
    );
}

pub async fn audit_log_append_and_query(backend: &dyn TestBackend) {
    let store = backend.store();
    let ada = create_user(&*store, "ada@example.com", "Ada").await;
    let mut record = audit("Update user", ada.id.as_str());
    record.category = "UserManagement".into();
    record.activity_date_time = t0() + Duration::minutes(5);
    let receipt = store
        .commit(Batch::single(
            Change::UpdateUser(ada.clone()),
            record.clone(),
        ))
        .await
        .unwrap();
    assert_eq!(receipt.audit.len(), 1);
    let mut policy_record = audit("Add conditional access policy", "p1");
    policy_record.category = "Policy".into();
    policy_record.activity_date_time = t0() + Duration::minutes(10);
    store
        .commit(Batch::new().audit(policy_record.clone()))
        .await
        .unwrap();

    let all = store
        .query_audit(&AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.items.len(), 3);
    assert_eq!(all.items[0], policy_record, "newest first, stored exactly");
    assert_eq!(all.items[1], record);

    let by_target = store
        .query_audit(&AuditQuery {
            filter: Some(Filter::Eq(
                AuditField::TargetResourceId,
                FilterValue::Text(ada.id.to_string()),
            )),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(by_target.items, vec![record.clone()]);
    let policy_only = store
        .query_audit(&AuditQuery {
            filter: Some(
                Filter::Eq(AuditField::Category, FilterValue::Text("Policy".into())).and(
                    Filter::StartsWith(AuditField::ActivityDisplayName, "Add".into()),
                ),
            ),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(policy_only.items, vec![policy_record]);
    let window = store
        .query_audit(&AuditQuery {
            from: Some(t0() + Duration::minutes(1)),
            to: Some(t0() + Duration::minutes(6)),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(window.items, vec![record]);
    let paged = store
        .query_audit(&AuditQuery {
            limit: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    let rest = store
        .query_audit(&AuditQuery {
            limit: 2,
            cursor: paged.next,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        (paged.items.len(), rest.items.len(), rest.next.is_none()),
        (2, 1, true)
    );
}

pub async fn audit_chain_verifies(backend: &dyn TestBackend) {
    let store = backend.store();
    for i in 0..5 {
        create_user(&*store, &format!("u{i}@example.com"), "U").await;
    }
    store
        .commit(Batch::new().audit(audit("a", "t")).audit(audit("b", "t")))
        .await
        .unwrap();
    let chain = read_chain(&*store).await;
    assert_eq!(chain.len(), 7);
    assert_eq!(
        chain.iter().map(|r| r.seq).collect::<Vec<_>>(),
        (1..=7).collect::<Vec<_>>()
    );
    let start = store.audit_chain_start().await.unwrap();
    assert_eq!(start, ChainHead::genesis());
    let head = verify_chain(start, &chain).unwrap();
    assert_eq!(head, store.audit_chain_head().await.unwrap());
    // Paged reads line up.
    assert_eq!(store.read_audit_chain(5, 100).await.unwrap().len(), 2);
    assert_eq!(store.read_audit_chain(0, 3).await.unwrap().len(), 3);
}

/// 8 tasks × 25 commits at once: 200 records, sequence 1..=200, one unbroken chain.
pub async fn audit_chain_linear_under_concurrent_writers(backend: &dyn TestBackend) {
    let store = backend.store();
    let tasks: Vec<_> = (0..8)
        .map(|task| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                for i in 0..25 {
                    let user = super::user(&format!("t{task}-{i}@example.com"), "Concurrent");
                    let record = audit("Add user", user.id.as_str());
                    store
                        .commit(Batch::single(Change::CreateUser(user), record))
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let chain = read_chain(&*store).await;
    assert_eq!(chain.len(), 200);
    assert_eq!(
        chain.iter().map(|r| r.seq).collect::<Vec<_>>(),
        (1..=200).collect::<Vec<_>>()
    );
    let head = verify_chain(ChainHead::genesis(), &chain)
        .expect("chain must verify after concurrent writes");
    assert_eq!(head.seq, 200);
    assert_eq!(store.count_users(None).await.unwrap(), 200);
}

/// Editing a stored record, or deleting one, with raw SQL breaks verification there.
pub async fn audit_tampering_is_detected(backend: &dyn TestBackend) {
    let store = backend.store();
    for i in 0..4 {
        create_user(&*store, &format!("u{i}@example.com"), "U").await;
    }
    let before = read_chain(&*store).await;
    verify_chain(ChainHead::genesis(), &before).unwrap();

    let changed = backend
        .execute_raw_sql("UPDATE audit_log SET doc = replace(doc, 'test change', 'nothing to see') WHERE seq = 2")
        .await
        .unwrap();
    assert_eq!(changed, 1);
    let tampered = read_chain(&*store).await;
    assert_eq!(tampered[1].record.activity_display_name, "nothing to see");
    let err = verify_chain(ChainHead::genesis(), &tampered).unwrap_err();
    assert_eq!(err.seq, 2, "{err}");

    backend
        .execute_raw_sql("UPDATE audit_log SET doc = replace(doc, 'nothing to see', 'test change') WHERE seq = 2")
        .await
        .unwrap();
    verify_chain(ChainHead::genesis(), &read_chain(&*store).await).unwrap();
    assert_eq!(
        backend
            .execute_raw_sql("DELETE FROM audit_log WHERE seq = 3")
            .await
            .unwrap(),
        1
    );
    let err = verify_chain(ChainHead::genesis(), &read_chain(&*store).await).unwrap_err();
    assert_eq!(err.seq, 4, "{err}");
}

/// Retention removes a prefix; the rest verifies from the recorded start, not from genesis.
pub async fn audit_retention_keeps_the_rest_verifiable(backend: &dyn TestBackend) {
    let store = backend.store();
    for minute in 0..10 {
        let mut record = audit("Old activity", "t");
        record.activity_date_time = t0() + Duration::minutes(minute);
        store.commit(Batch::new().audit(record)).await.unwrap();
    }
    let before = read_chain(&*store).await;
    let mut prune_record = audit("Prune audit log", "audit");
    prune_record.activity_date_time = t0() + Duration::minutes(30);
    store
        .commit(Batch::single(
            Change::PruneAuditLog {
                before: t0() + Duration::minutes(4),
            },
            prune_record,
        ))
        .await
        .unwrap();
    let start = store.audit_chain_start().await.unwrap();
    assert_eq!(start, before[3].head(), "records at minutes 0..=3 are gone");
    let rest = read_chain(&*store).await;
    assert_eq!(rest.first().map(|r| r.seq), Some(5));
    assert_eq!(rest.len(), 7, "six kept plus the pruning record");
    verify_chain(start, &rest).unwrap();
    assert!(verify_chain(ChainHead::genesis(), &rest).is_err());
    // Nothing older than the cutoff: a no-op.
    store
        .commit(Batch::new().change(Change::PruneAuditLog { before: t0() }))
        .await
        .unwrap();
    assert_eq!(store.audit_chain_start().await.unwrap(), before[3].head());
}

pub async fn last_sign_in_times_per_user(backend: &dyn TestBackend) {
    let (store, ada, grace, _all) = seed_sign_ins(backend).await;
    let idle = super::user_id();
    let mut times = store
        .last_sign_in_times(&[ada.clone(), grace.clone(), idle])
        .await
        .unwrap();
    times.sort();
    let mut expected = vec![
        (ada, t0() + Duration::minutes(38)),
        (grace, t0() + Duration::minutes(39)),
    ];
    expected.sort();
    assert_eq!(
        times, expected,
        "the newest of each, none for a user never seen"
    );
    assert!(store.last_sign_in_times(&[]).await.unwrap().is_empty());
    let too_many: Vec<UserId> = (0..=crate::MAX_LAST_SIGN_IN_USERS)
        .map(|_| super::user_id())
        .collect();
    assert!(matches!(
        store.last_sign_in_times(&too_many).await,
        Err(StoreError::Invalid(_))
    ));
}
