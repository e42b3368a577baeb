//! Query plans of the sign-in log's risk filters and the audit log's activity filter,
//! read from the statements `query_sign_ins` and `query_audit` really send. A page of rare high-risk sign-ins must seek the risk
//! index (equality on the risk, range on the time) and read it backwards with no sort
//! step: that keeps it as cheap at 1,000,000 rows as at ten, where walking the time index
//! and discarding non-matching rows would read most of the log.

use portcullis_store::{
    AuditField, AuditQuery, Cursor, Filter, FilterValue, SignInField, SignInOutcome, SignInQuery,
    StoreResult,
};
use sqlx::{AssertSqlSafe, Row};
use time::macros::datetime;

use crate::SqliteStore;
use crate::shared::bind_params;
use crate::shared::logs::{audit_listing, sign_in_listing};

async fn plan(store: &SqliteStore, query: &SignInQuery) -> StoreResult<String> {
    explain(store, sign_in_listing(query)?).await
}

async fn explain(
    store: &SqliteStore,
    (sql, params): (String, portcullis_store::sql::SqlParams),
) -> StoreResult<String> {
    let rows = bind_params(
        sqlx::query(AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}"))),
        &params.values,
    )
    .fetch_all(store.pool())
    .await
    .map_err(crate::shared::read_err)?;
    let mut lines = Vec::new();
    for row in rows {
        lines.push(
            row.try_get::<String, _>("detail")
                .map_err(crate::shared::read_err)?,
        );
    }
    Ok(lines.join("\n"))
}

fn risk(field: SignInField, level: &str) -> Option<Filter<SignInField>> {
    Some(Filter::Eq(field, FilterValue::Text(level.to_owned())))
}

#[tokio::test]
async fn risk_filters_seek_their_index_without_sorting() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).await.unwrap();
    let portal_window = SignInQuery {
        from: Some(datetime!(2026-10-24 00:00 UTC)),
        to: Some(datetime!(2026-11-23 00:00 UTC)),
        limit: 50,
        ..Default::default()
    };
    for (field, index, column) in [
        (
            SignInField::RiskLevelDuringSignIn,
            "sign_ins_risk_during",
            "risk_level_during_sign_in",
        ),
        (
            SignInField::RiskLevelAggregated,
            "sign_ins_risk_aggregated",
            "risk_level_aggregated",
        ),
    ] {
        let queries = [
            // The portal's table: a time window and a page.
            SignInQuery {
                filter: risk(field, "high"),
                ..portal_window.clone()
            },
            // Its next page, with a failure filter on top.
            SignInQuery {
                filter: risk(field, "high"),
                outcome: Some(SignInOutcome::Failure),
                cursor: Some(Cursor::encode(&[
                    1_795_400_000_000_000_i64.into(),
                    42.into(),
                ])),
                ..portal_window.clone()
            },
            // Graph `$filter=riskLevelDuringSignIn eq 'high'` without a time range.
            SignInQuery {
                filter: risk(field, "high"),
                limit: 100,
                ..Default::default()
            },
        ];
        for query in &queries {
            let plan = plan(&store, query).await.unwrap();
            assert!(
                plan.contains(&format!("USING INDEX {index} ({column}=?")),
                "{query:?}\n{plan}"
            );
            assert!(!plan.contains("TEMP B-TREE"), "no sort step:\n{plan}");
        }
    }
}

/// A failure code seeks the partial index of failed sign-ins (the listing adds the
/// index's condition, which `error_code = ?` alone does not show the planner); a
/// success, most of the log, pages through the time index.
#[tokio::test]
async fn error_code_filters_seek_the_failures_index_and_successes_the_time_index() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).await.unwrap();
    let code = |code: i64| SignInQuery {
        filter: Some(Filter::Eq(SignInField::ErrorCode, FilterValue::Int(code))),
        from: Some(datetime!(2026-10-24 00:00 UTC)),
        limit: 50,
        ..Default::default()
    };
    let failure = plan(&store, &code(50126)).await.unwrap();
    assert!(
        failure.contains("USING INDEX sign_ins_error (error_code=?"),
        "{failure}"
    );
    assert!(!failure.contains("TEMP B-TREE"), "no sort step:\n{failure}");
    let success = plan(&store, &code(0)).await.unwrap();
    assert!(!success.contains("sign_ins_error"), "{success}");
    assert!(!success.contains("TEMP B-TREE"), "no sort step:\n{success}");
}

/// The overview's break-glass alerts: the audit log by activity over a period.
#[tokio::test]
async fn the_activity_filter_seeks_its_index_without_sorting() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).await.unwrap();
    let query = AuditQuery {
        filter: Some(Filter::Eq(
            AuditField::ActivityDisplayName,
            FilterValue::Text("Break-glass account sign-in".into()),
        )),
        from: Some(datetime!(2026-11-22 00:00 UTC)),
        to: Some(datetime!(2026-11-23 00:00 UTC)),
        limit: 10,
        cursor: None,
    };
    let plan = explain(&store, audit_listing(&query).unwrap())
        .await
        .unwrap();
    assert!(
        plan.contains("USING INDEX audit_log_activity (activity_display_name=?"),
        "{plan}"
    );
    assert!(!plan.contains("TEMP B-TREE"), "no sort step:\n{plan}");
}
