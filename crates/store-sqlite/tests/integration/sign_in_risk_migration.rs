//! The sign-in risk migration backfills the new risk columns from entries written
//! before it (the query plans are checked in `src/query_plans.rs`).

#![allow(clippy::unwrap_used)]

use portcullis_core::SignIn;
use portcullis_store::{Filter, FilterValue, SignInField, SignInLog, SignInQuery};
use portcullis_store_sqlite::SqliteStore;
use serde_json::json;

use crate::support;
/// The last migration before the risk columns existed.
const BEFORE_RISK_COLUMNS: i64 = 20261123001799;

fn entry(id: &str, minute: u8, during: &str, aggregated: Option<&str>) -> SignIn {
    serde_json::from_value(json!({
        "id": id,
        "createdDateTime": format!("2026-11-23T05:{minute:02}:00Z"),
        "correlationId": null,
        "userId": null,
        "userPrincipalName": "ada@example.com",
        "userDisplayName": null,
        "appId": "portal",
        "appDisplayName": "Portal",
        "ipAddress": "192.0.2.7",
        "clientAppUsed": "Browser",
        "userAgent": null,
        "isInteractive": true,
        "status": {"errorCode": 0},
        "conditionalAccessStatus": "notApplied",
        "appliedConditionalAccessPolicies": [],
        "riskLevelDuringSignIn": during,
        "riskLevelAggregated": aggregated,
        "riskState": null,
        "riskDetail": null,
        "location": null,
        "deviceDetail": null,
        "authenticationDetails": [],
        "authenticationRequirement": null
    }))
    .unwrap()
}

#[tokio::test]
async fn old_entries_are_backfilled_and_filterable_by_risk() {
    let dir = tempfile::tempdir().unwrap();
    let pool = support::migrated_to(dir.path(), BEFORE_RISK_COLUMNS, true).await;
    let old = [
        entry(
            "6c3b4a7e-0000-4000-8000-000000000001",
            1,
            "high",
            Some("high"),
        ),
        entry("6c3b4a7e-0000-4000-8000-000000000002", 2, "none", None),
        entry(
            "6c3b4a7e-0000-4000-8000-000000000003",
            3,
            "high",
            Some("low"),
        ),
    ];
    for (i, record) in old.iter().enumerate() {
        // The columns an older release wrote: no risk columns yet.
        sqlx::query(
            "INSERT INTO sign_ins (id, created_at, user_id, upn_lower, app_id, ip_address, \
             client_app_used, conditional_access_status, error_code, correlation_id, \
             is_interactive, doc) VALUES ($1, $2, NULL, 'ada@example.com', 'portal', \
             '192.0.2.7', 'Browser', 'notApplied', 0, NULL, 1, $3)",
        )
        .bind(record.id.to_string())
        .bind(1_795_410_000_000_000_i64 + i64::try_from(i).unwrap() * 60_000_000)
        .bind(serde_json::to_string(record).unwrap())
        .execute(&pool)
        .await
        .unwrap();
    }
    pool.close().await;

    let store = SqliteStore::open_dir(dir.path()).await.unwrap();
    let ids = |field: SignInField, value: &str| {
        let store = store.clone();
        let value = value.to_owned();
        async move {
            store
                .query_sign_ins(&SignInQuery {
                    filter: Some(Filter::Eq(field, FilterValue::Text(value))),
                    limit: 10,
                    ..Default::default()
                })
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|s| s.id.to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        ids(SignInField::RiskLevelDuringSignIn, "high").await,
        vec![old[2].id.to_string(), old[0].id.to_string()]
    );
    assert_eq!(
        ids(SignInField::RiskLevelAggregated, "low").await,
        vec![old[2].id.to_string()]
    );
    assert_eq!(
        ids(SignInField::RiskLevelDuringSignIn, "none").await,
        vec![old[1].id.to_string()]
    );
    let unset: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sign_ins WHERE risk_level_aggregated IS NULL")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(unset, 1, "an entry without aggregated risk stays null");
}
