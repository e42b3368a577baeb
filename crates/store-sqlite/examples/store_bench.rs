//! Directory and log benchmarks on the SQLite store.
//!
//! `cargo run --release -p portcullis-store-sqlite --example store_bench -- [users] [sign-ins]`
//! (defaults 1,000,000 and 10,000,000). Prints one line per measure.
//!
//! - users are imported through `Store::commit`, 1,000 per batch, one audit record each;
//! - one user sits in 1,000 groups nested 5 deep (5 levels × 200 chains);
//! - sign-ins: 2,000 appended through the API (each durable on return), the rest seeded
//!   with the same INSERT in 10,000-row transactions to save time.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use portcullis_core::audit::InitiatedBy;
use portcullis_core::{
    AuditId, AuditRecord, ConditionalAccessStatus, Group, GroupId, MemberRef, SignIn, SignInId,
    SignInStatus, User, UserId, UserType,
};
use portcullis_store::{
    Batch, Change, Filter, FilterValue, GroupStore, ListQuery, RoleStore, SignInField, SignInLog,
    SignInOutcome, SignInQuery, Store, UserField, UserStore,
};
use portcullis_store_sqlite::SqliteStore;
use time::OffsetDateTime;
use uuid::Uuid;

fn t0() -> OffsetDateTime {
    time::macros::datetime!(2026-01-01 00:00 UTC)
}

fn user(i: usize) -> User {
    User {
        id: UserId::from_uuid(Uuid::new_v4()),
        user_principal_name: format!("user{i:07}@example.com"),
        display_name: format!("User {i:07}"),
        mail: Some(format!("user{i:07}@example.com")),
        mobile_phone: None,
        user_type: if i.is_multiple_of(10) {
            UserType::Guest
        } else {
            UserType::Member
        },
        account_enabled: !i.is_multiple_of(50),
        created_date_time: t0(),
        attributes: serde_json::Map::from_iter([("department".into(), "Engineering".into())]),
    }
}

fn audit(target: &str) -> AuditRecord {
    AuditRecord::new(
        AuditId::from_uuid(Uuid::new_v4()),
        t0(),
        "UserManagement",
        "Add user",
        "Add",
        InitiatedBy::default(),
    )
    .with_detail("target", target)
}

fn sign_in(i: usize, user: &UserId, minutes: i64) -> SignIn {
    SignIn {
        id: SignInId::from_uuid(Uuid::new_v4()),
        created_date_time: t0() + time::Duration::seconds(minutes),
        correlation_id: None,
        user_id: Some(user.clone()),
        user_principal_name: Some(format!("user{:07}@example.com", i % 1000)),
        user_display_name: None,
        app_id: Some("portal".into()),
        app_display_name: None,
        ip_address: Some(format!("10.{}.{}.{}", i % 7, i % 251, i % 13)),
        client_app_used: Some("Browser".into()),
        user_agent: Some("Mozilla/5.0".into()),
        is_interactive: true,
        status: SignInStatus {
            error_code: if i.is_multiple_of(9) { 50126 } else { 0 },
            failure_reason: None,
            additional_details: None,
        },
        conditional_access_status: ConditionalAccessStatus::NotApplied,
        applied_conditional_access_policies: serde_json::json!([]),
        risk_level_during_sign_in: Some("none".into()),
        risk_level_aggregated: None,
        risk_state: None,
        risk_detail: None,
        location: None,
        device_detail: None,
        authentication_details: serde_json::json!([{"authenticationMethod": "Password", "succeeded": true}]),
        authentication_requirement: None,
        extra: serde_json::Map::new(),
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

async fn time_it<F, Fut, T>(runs: usize, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(f().await);
        samples.push(start.elapsed());
    }
    median(samples)
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let users_n = args.first().copied().unwrap_or(1_000_000);
    let sign_ins_n = args.get(1).copied().unwrap_or(10_000_000);
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).await.unwrap();

    // ---- users
    let start = Instant::now();
    let mut ids = Vec::with_capacity(users_n);
    for chunk_start in (0..users_n).step_by(1000) {
        let mut batch = Batch::new();
        for i in chunk_start..(chunk_start + 1000).min(users_n) {
            let u = user(i);
            ids.push(u.id.clone());
            batch = batch
                .audit(audit(u.id.as_str()))
                .change(Change::CreateUser(u));
        }
        store.commit(batch).await.unwrap();
    }
    let took = start.elapsed();
    println!(
        "import {users_n} users (1,000/commit, audited): {:.1} s, {:.0} users/s",
        took.as_secs_f64(),
        users_n as f64 / took.as_secs_f64()
    );

    let start = Instant::now();
    let mut query = ListQuery::first(1000);
    let mut pages = 0;
    loop {
        let page = store.list_users(&query).await.unwrap();
        pages += 1;
        match page.next {
            Some(next) => query = query.after(Some(next)),
            None => break,
        }
    }
    let took = start.elapsed();
    println!(
        "page through all users, 1,000/page: {pages} pages in {:.1} s, {:.2} ms/page",
        took.as_secs_f64(),
        took.as_secs_f64() * 1000.0 / pages as f64
    );
    let deep = ListQuery::first(100).ordered(UserField::DisplayName, false);
    let first = store.list_users(&deep).await.unwrap();
    let second = ListQuery::first(100)
        .ordered(UserField::DisplayName, false)
        .after(first.next.clone());
    let d = time_it(50, || store.list_users(&second)).await;
    println!(
        "users page of 100 by displayName (2nd page): median {:.2} ms",
        d.as_secs_f64() * 1000.0
    );
    let target = format!("USER{:07}@example.com", users_n / 2);
    let d = time_it(50, || store.find_user_by_upn(&target)).await;
    println!(
        "user by userPrincipalName: median {:.3} ms",
        d.as_secs_f64() * 1000.0
    );
    let filter = Filter::Eq(
        UserField::UserPrincipalName,
        FilterValue::Text(target.clone()),
    );
    let by_upn = ListQuery::first(100).filtered(filter);
    let d = time_it(50, || store.list_users(&by_upn)).await;
    println!(
        "$filter userPrincipalName eq: median {:.3} ms",
        d.as_secs_f64() * 1000.0
    );

    // ---- 1,000 groups nested 5 deep
    let member = ids[0].clone();
    let mut batch = Batch::new();
    let mut previous: Vec<GroupId> = Vec::new();
    for level in 0..5 {
        let mut this_level = Vec::new();
        for chain in 0..200 {
            let g = Group {
                id: GroupId::from_uuid(Uuid::new_v4()),
                display_name: format!("L{level} C{chain}"),
                description: None,
                mail_nickname: None,
                is_assignable_to_role: false,
                created_date_time: t0(),
            };
            batch = batch.change(Change::CreateGroup(g.clone()));
            if let Some(parent) = previous.get(chain) {
                batch = batch.change(Change::AddMember {
                    group: parent.clone(),
                    member: MemberRef::Group(g.id.clone()),
                });
            }
            this_level.push(g.id);
        }
        previous = this_level;
    }
    for bottom in &previous {
        batch = batch.change(Change::AddMember {
            group: bottom.clone(),
            member: MemberRef::User(member.clone()),
        });
    }
    store.commit(batch).await.unwrap();
    let groups = store.transitive_groups_of_user(&member).await.unwrap();
    assert_eq!(groups.len(), 1000);
    let d = time_it(100, || store.transitive_groups_of_user(&member)).await;
    println!(
        "transitive groups of a user in 1,000 groups nested 5 deep: median {:.2} ms",
        d.as_secs_f64() * 1000.0
    );
    let d = time_it(100, || store.effective_roles_of_user(&member)).await;
    println!(
        "effective roles of that user (same CTE + assignments): median {:.2} ms",
        d.as_secs_f64() * 1000.0
    );

    // ---- sign-in log
    let api_rows = 2000.min(sign_ins_n);
    let start = Instant::now();
    for i in 0..api_rows {
        store
            .append_sign_in(&sign_in(i, &ids[i % 1000], i as i64))
            .await
            .unwrap();
    }
    let took = start.elapsed();
    println!(
        "append {api_rows} sign-ins through the API (durable each): {:.0}/s",
        api_rows as f64 / took.as_secs_f64()
    );
    let start = Instant::now();
    for chunk_start in (api_rows..sign_ins_n).step_by(10_000) {
        let mut tx = store.pool().begin().await.unwrap();
        for i in chunk_start..(chunk_start + 10_000).min(sign_ins_n) {
            let s = sign_in(i, &ids[i % 1000], i as i64);
            sqlx::query(
                "INSERT INTO sign_ins (id, created_at, user_id, upn_lower, app_id, ip_address, client_app_used, \
                 conditional_access_status, error_code, correlation_id, is_interactive, doc) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(s.id.to_string())
            .bind(portcullis_core::timestamp::unix_micros(s.created_date_time))
            .bind(s.user_id.as_ref().map(|u| u.to_string()))
            .bind(s.user_principal_name.clone())
            .bind(s.app_id.clone())
            .bind(s.ip_address.clone())
            .bind(s.client_app_used.clone())
            .bind("notApplied")
            .bind(i64::from(s.status.error_code))
            .bind(None::<String>)
            .bind(true)
            .bind(serde_json::to_string(&s).unwrap())
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
    println!(
        "seed {} more sign-ins in 10,000-row transactions: {:.1} s",
        sign_ins_n - api_rows,
        start.elapsed().as_secs_f64()
    );

    let span = sign_ins_n as i64;
    let queries: Vec<(&str, SignInQuery)> = vec![
        (
            "newest 100",
            SignInQuery {
                limit: 100,
                ..Default::default()
            },
        ),
        (
            "one user, newest 100",
            SignInQuery {
                filter: Some(Filter::Eq(
                    SignInField::UserId,
                    FilterValue::Text(ids[7].to_string()),
                )),
                limit: 100,
                ..Default::default()
            },
        ),
        (
            "one-hour window in the middle, 100",
            SignInQuery {
                from: Some(t0() + time::Duration::seconds(span / 2)),
                to: Some(t0() + time::Duration::seconds(span / 2 + 3600)),
                limit: 100,
                ..Default::default()
            },
        ),
        (
            "failures in the oldest day, 100",
            SignInQuery {
                from: Some(t0()),
                to: Some(t0() + time::Duration::days(1)),
                outcome: Some(SignInOutcome::Failure),
                limit: 100,
                ..Default::default()
            },
        ),
        (
            "one IP address, newest 100",
            SignInQuery {
                filter: Some(Filter::Eq(
                    SignInField::IpAddress,
                    FilterValue::Text("10.3.17.5".into()),
                )),
                limit: 100,
                ..Default::default()
            },
        ),
    ];
    for (name, query) in queries {
        let page = store.query_sign_ins(&query).await.unwrap();
        let d = time_it(20, || store.query_sign_ins(&query)).await;
        println!(
            "sign-ins at {sign_ins_n} rows, {name}: {} rows, median {:.2} ms",
            page.items.len(),
            d.as_secs_f64() * 1000.0
        );
    }
    let meta = std::fs::metadata(dir.path().join("portcullis.db")).unwrap();
    println!("database file: {:.0} MB", meta.len() as f64 / 1e6);
    store.close().await;
}
