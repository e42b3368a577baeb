//! Sign-in log listing and filtering at scale on the SQLite store (the brief's target:
//! 10 M sign-in rows with log queries under 50 ms).
//!
//! `cargo run --release -p portcullis-store-sqlite --example signin_log_bench -- [rows] [users]`
//! (defaults 10,000,000 rows over 100,000 users). Prints the parameters, the seeding time,
//! the database size and one line per query (median and worst of 20 warm runs, and the
//! first, cold-ish run).
//!
//! Seeding bypasses `append_sign_in` (one durable transaction per row, ≈ 270/s) with
//! multi-row INSERTs of the same columns in 50,000-row transactions, on one connection with
//! `synchronous = OFF` and a 1 GiB page cache: the measured thing is
//! the query side, which reads exactly what the store writes. Rows are spread one per
//! second (10 M rows ≈ 116 days); 1 in 9 is a failure (error 50126), 1 in 1,000 uses a
//! legacy client, 1 in 100 has a Conditional Access failure; 20 applications, 5,000 IPs.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use portcullis_core::{
    ConditionalAccessStatus, SignIn, SignInId, SignInStatus, UserId, timestamp::unix_micros,
};
use portcullis_store::{Filter, FilterValue, SignInField, SignInLog, SignInOutcome, SignInQuery};
use portcullis_store_sqlite::SqliteStore;
use time::OffsetDateTime;
use uuid::Uuid;

const ROWS_PER_STATEMENT: usize = 200;
const ROWS_PER_TRANSACTION: usize = 50_000;
const COLUMNS: &str = "id, created_at, user_id, upn_lower, app_id, ip_address, client_app_used, \
                       conditional_access_status, error_code, correlation_id, is_interactive, doc";
const COLUMN_COUNT: usize = 12;

fn t0() -> OffsetDateTime {
    time::macros::datetime!(2026-01-01 00:00 UTC)
}

fn user_id(u: usize) -> UserId {
    UserId::from_uuid(Uuid::from_u128(
        0x5157_0000_0000_0000_0000_0000_0000_0000 + u as u128,
    ))
}

fn upn(u: usize) -> String {
    format!("user{u:06}@example.com")
}

fn ip(i: usize) -> String {
    let n = i.wrapping_mul(2_654_435_761) % 5_000;
    format!("203.0.{}.{}", n / 250, n % 250)
}

fn app(i: usize) -> String {
    format!("app-{:02}", (i / 7) % 20)
}

fn sign_in(i: usize, users: usize) -> SignIn {
    let u = i.wrapping_mul(7_919) % users;
    let failed = i.is_multiple_of(9);
    let ca_status = if i.is_multiple_of(100) {
        ConditionalAccessStatus::Failure
    } else if failed {
        ConditionalAccessStatus::NotApplied
    } else {
        ConditionalAccessStatus::Success
    };
    SignIn {
        id: SignInId::from_uuid(Uuid::from_u128(i as u128 + 1)),
        created_date_time: t0() + time::Duration::seconds(i as i64),
        correlation_id: None,
        user_id: Some(user_id(u)),
        user_principal_name: Some(upn(u)),
        user_display_name: Some(format!("User {u:06}")),
        app_id: Some(app(i)),
        app_display_name: Some(format!("Application {}", app(i))),
        ip_address: Some(ip(i)),
        client_app_used: Some(if i.is_multiple_of(1000) {
            "Exchange ActiveSync".into()
        } else {
            "Browser".into()
        }),
        user_agent: Some(
            "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0".into(),
        ),
        is_interactive: true,
        status: SignInStatus {
            error_code: if failed { 50126 } else { 0 },
            failure_reason: failed.then(|| "Invalid username or password.".into()),
            additional_details: None,
        },
        conditional_access_status: ca_status,
        applied_conditional_access_policies: serde_json::json!([{
            "id": "0b1c8e5f-3d7a-4b8e-9a1e-5f6a7b8c9d0e",
            "displayName": "Require MFA for all users",
            "enforcedGrantControls": ["Mfa"],
            "enforcedSessionControls": [],
            "result": if failed { "notApplied" } else { "success" },
        }]),
        risk_level_during_sign_in: Some("none".into()),
        risk_level_aggregated: Some("none".into()),
        risk_state: Some("none".into()),
        risk_detail: Some("none".into()),
        location: None,
        device_detail: None,
        authentication_details: serde_json::json!([
            {"authenticationMethod": "Password", "succeeded": !failed},
            {"authenticationMethod": "Passkey (device-bound)", "succeeded": !failed},
        ]),
        authentication_requirement: Some("multiFactorAuthentication".into()),
        extra: serde_json::Map::new(),
    }
}

fn insert_sql(rows: usize) -> String {
    let mut sql = format!("INSERT INTO sign_ins ({COLUMNS}) VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..COLUMN_COUNT {
            if c > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("${}", r * COLUMN_COUNT + c + 1));
        }
        sql.push(')');
    }
    sql
}

async fn seed(store: &SqliteStore, rows: usize, users: usize) {
    let full = insert_sql(ROWS_PER_STATEMENT);
    // Seeding only: no fsync at checkpoints and a large page cache on this one
    // connection (the store's own connections keep FULL sync for the queries measured).
    let mut seeder = store.pool().acquire().await.unwrap();
    for pragma in ["PRAGMA synchronous = OFF", "PRAGMA cache_size = -1048576"] {
        sqlx::query(pragma).execute(&mut *seeder).await.unwrap();
    }
    let mut tx_start = 0;
    while tx_start < rows {
        let tx_end = (tx_start + ROWS_PER_TRANSACTION).min(rows);
        let mut tx = sqlx::Connection::begin(&mut *seeder).await.unwrap();
        let mut start = tx_start;
        while start < tx_end {
            let end = (start + ROWS_PER_STATEMENT).min(tx_end);
            let partial;
            let sql = if end - start == ROWS_PER_STATEMENT {
                full.as_str()
            } else {
                partial = insert_sql(end - start);
                partial.as_str()
            };
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for i in start..end {
                let s = sign_in(i, users);
                query = query
                    .bind(s.id.to_string())
                    .bind(unix_micros(s.created_date_time))
                    .bind(s.user_id.as_ref().map(|u| u.to_string()))
                    .bind(s.user_principal_name.clone())
                    .bind(s.app_id.clone())
                    .bind(s.ip_address.clone())
                    .bind(s.client_app_used.clone())
                    .bind(s.conditional_access_status.as_str().to_owned())
                    .bind(i64::from(s.status.error_code))
                    .bind(None::<String>)
                    .bind(s.is_interactive)
                    .bind(serde_json::to_string(&s).unwrap());
            }
            query.execute(&mut *tx).await.unwrap();
            start = end;
        }
        tx.commit().await.unwrap();
        tx_start = tx_end;
        if tx_start.is_multiple_of(1_000_000) {
            println!("  seeded {tx_start} rows");
        }
    }
}

struct Timing {
    rows: usize,
    first: Duration,
    median: Duration,
    worst: Duration,
}

async fn measure(store: &SqliteStore, query: &SignInQuery) -> Timing {
    let start = Instant::now();
    let page = store.query_sign_ins(query).await.unwrap();
    let first = start.elapsed();
    let mut samples = Vec::new();
    for _ in 0..20 {
        let start = Instant::now();
        std::hint::black_box(store.query_sign_ins(query).await.unwrap());
        samples.push(start.elapsed());
    }
    samples.sort();
    Timing {
        rows: page.items.len(),
        first,
        median: samples[samples.len() / 2],
        worst: samples[samples.len() - 1],
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn eq(field: SignInField, value: &str) -> Option<Filter<SignInField>> {
    Some(Filter::Eq(field, FilterValue::Text(value.to_owned())))
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let rows = args.first().copied().unwrap_or(10_000_000);
    let users = args.get(1).copied().unwrap_or(100_000);
    // BENCH_REUSE_DIR: query a data directory seeded by an earlier (possibly interrupted)
    // run instead of seeding again; its row count replaces `rows`.
    let reuse = std::env::var_os("BENCH_REUSE_DIR").map(std::path::PathBuf::from);
    let temp = tempfile::tempdir().unwrap();
    let dir = reuse.clone().unwrap_or_else(|| temp.path().to_owned());
    let store = SqliteStore::open_dir(&dir).await.unwrap();
    let rows = if reuse.is_some() {
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM sign_ins")
            .fetch_one(store.pool())
            .await
            .unwrap();
        println!("reusing {} with {count} sign-in rows", dir.display());
        usize::try_from(count).unwrap()
    } else {
        println!("data directory {}", dir.display());
        let start = Instant::now();
        seed(&store, rows, users).await;
        let took = start.elapsed();
        println!(
            "seed {rows} rows ({ROWS_PER_STATEMENT}-row INSERTs, {ROWS_PER_TRANSACTION}-row transactions): {:.0} s, {:.0} rows/s",
            took.as_secs_f64(),
            rows as f64 / took.as_secs_f64()
        );
        rows
    };
    println!("sign-in log bench: {rows} rows, {users} users, page size 100");
    let db = dir.join(portcullis_store_sqlite::DATABASE_FILE);
    let wal = dir.join("portcullis.db-wal");
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    println!(
        "database file {:.2} GB (+ WAL {:.2} GB)",
        size(&db) as f64 / 1e9,
        size(&wal) as f64 / 1e9
    );

    let span = rows as i64;
    let mid = t0() + time::Duration::seconds(span / 2);
    let newest = SignInQuery {
        limit: 100,
        ..Default::default()
    };
    let page_1 = store.query_sign_ins(&newest).await.unwrap();
    let mut deep = newest.clone();
    deep.cursor = page_1.next.clone();
    // Walk 50 pages down, then time the 51st (a nextLink deep in the log).
    for _ in 0..50 {
        let page = store.query_sign_ins(&deep).await.unwrap();
        deep.cursor = page.next;
    }
    let queries: Vec<(&str, SignInQuery)> = vec![
        ("newest 100 (no filter)", newest.clone()),
        ("page 51 through @odata.nextLink", deep),
        (
            "userId eq, newest 100",
            SignInQuery {
                filter: Some(Filter::Eq(
                    SignInField::UserId,
                    FilterValue::Text(user_id(4242).to_string()),
                )),
                limit: 100,
                ..Default::default()
            },
        ),
        (
            "userPrincipalName eq, one day in the middle",
            SignInQuery {
                filter: eq(SignInField::UserPrincipalName, &upn(4242)),
                from: Some(mid),
                to: Some(mid + time::Duration::days(1)),
                limit: 100,
                ..Default::default()
            },
        ),
        (
            "one-hour window in the middle",
            SignInQuery {
                from: Some(mid),
                to: Some(mid + time::Duration::hours(1)),
                limit: 100,
                ..Default::default()
            },
        ),
        (
            "failures (status/errorCode ne 0), newest 100",
            SignInQuery {
                outcome: Some(SignInOutcome::Failure),
                limit: 100,
                ..Default::default()
            },
        ),
        (
            "failures in the oldest day",
            SignInQuery {
                from: Some(t0()),
                to: Some(t0() + time::Duration::days(1)),
                outcome: Some(SignInOutcome::Failure),
                limit: 100,
                ..Default::default()
            },
        ),
        (
            "ipAddress eq, newest 100",
            SignInQuery {
                filter: eq(SignInField::IpAddress, &ip(12_345)),
                limit: 100,
                ..Default::default()
            },
        ),
        (
            "appId eq, newest 100",
            SignInQuery {
                filter: eq(SignInField::AppId, &app(77)),
                limit: 100,
                ..Default::default()
            },
        ),
        (
            "conditionalAccessStatus eq 'failure' (1%, no own index)",
            SignInQuery {
                filter: eq(SignInField::ConditionalAccessStatus, "failure"),
                limit: 100,
                ..Default::default()
            },
        ),
        (
            "clientAppUsed eq 'Exchange ActiveSync' (0.1%, no own index)",
            SignInQuery {
                filter: eq(SignInField::ClientAppUsed, "Exchange ActiveSync"),
                limit: 100,
                ..Default::default()
            },
        ),
        (
            "userId eq AND failures, newest 100",
            SignInQuery {
                filter: Some(Filter::Eq(
                    SignInField::UserId,
                    FilterValue::Text(user_id(4242).to_string()),
                )),
                outcome: Some(SignInOutcome::Failure),
                limit: 100,
                ..Default::default()
            },
        ),
    ];
    for (name, query) in queries {
        let t = measure(&store, &query).await;
        println!(
            "{name}: {} rows, median {:.2} ms, worst {:.2} ms, first {:.2} ms",
            t.rows,
            ms(t.median),
            ms(t.worst),
            ms(t.first)
        );
    }
    store.close().await;
}
