//! Page-time benchmark: server-side time of each admin portal page over a SQLite store
//! with 100,000 users and 1,000,000 sign-in rows (sizes from the command line).
//!
//!     cargo run --release -p portcullis-portal --example page_times -- [users] [sign_ins]
//!
//! Users are written through the store's batched commits; sign-ins through bulk INSERTs
//! of the store's own columns ([`seed`]), so the rollup triggers and indexes are the
//! production ones. Each
//! page is requested in process (tower `oneshot`, no network) as a Global Administrator,
//! warmed once, then timed over several runs; the median and worst are printed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use portcullis_core::{
    AuditId, AuditRecord, ConditionalAccessStatus, CredentialId, CredentialKind, DirectoryRole,
    Principal, RoleAssignment, RoleAssignmentId, SecretHash, Session, SessionId, SignIn, SignInId,
    SignInStatus, User, UserId, UserType,
};
use portcullis_pages::kit::{CookiePolicy, Kit};
use portcullis_service::{ServiceSettings, Services};
use portcullis_store::{Batch, Change, Store};
use portcullis_store_sqlite::SqliteStore;
use portcullis_web::AddressRateLimiter;
use portcullis_web::client_ip::TrustedProxies;
use serde_json::json;
use time::OffsetDateTime;
use tower::ServiceExt;
use uuid::Uuid;

mod seed;

const RUNS: usize = 15;
const POLICY_ID: &str = "11111111-2222-4333-8444-555555555555";

fn audit() -> AuditRecord {
    AuditRecord::new(
        AuditId::from_uuid(Uuid::new_v4()),
        OffsetDateTime::now_utc(),
        portcullis_core::audit::category::USER_MANAGEMENT,
        "Benchmark seed",
        "Add",
        portcullis_core::audit::InitiatedBy {
            user: None,
            app: None,
        },
    )
}

fn user(i: usize) -> User {
    User {
        id: UserId::from_uuid(Uuid::new_v4()),
        user_principal_name: format!("user{i:06}@example.com"),
        display_name: format!("User {i:06}"),
        mail: None,
        mobile_phone: None,
        user_type: UserType::Member,
        account_enabled: true,
        created_date_time: OffsetDateTime::now_utc(),
        attributes: serde_json::Map::new(),
    }
}

/// Row `i`'s id, known in advance so its detail page can be timed.
fn sign_in_id(i: usize) -> SignInId {
    SignInId::from_uuid(Uuid::from_u128(
        0x5161_0000_0000_4000_8000_0000_0000_0000 | i as u128,
    ))
}

fn sign_in(i: usize, users: &[(UserId, String)], now: OffsetDateTime) -> SignIn {
    let (id, upn) = &users[i % users.len()];
    // Spread over 30 days, newest last.
    let at = now - Duration::from_secs(((i * 2_592_000) / 1_000_000) as u64 % 2_592_000);
    let code = match i % 20 {
        0 => 50126,
        1 => 50074,
        2 => 53003,
        _ => 0,
    };
    let result = if i.is_multiple_of(3) {
        "reportOnlyInterrupted"
    } else {
        "reportOnlySuccess"
    };
    SignIn {
        id: sign_in_id(i),
        created_date_time: at,
        correlation_id: None,
        user_id: Some(id.clone()),
        user_principal_name: Some(upn.clone()),
        user_display_name: None,
        app_id: Some("00000000-0000-0000-0000-00000000a001".into()),
        app_display_name: Some("Wiki".into()),
        ip_address: Some(format!("198.51.100.{}", i % 250)),
        client_app_used: Some(
            if i.is_multiple_of(50) {
                "IMAP"
            } else {
                "Browser"
            }
            .into(),
        ),
        user_agent: Some("Mozilla/5.0".into()),
        is_interactive: true,
        status: if code == 0 {
            SignInStatus::success()
        } else {
            SignInStatus {
                error_code: code,
                failure_reason: Some("x".into()),
                additional_details: None,
            }
        },
        conditional_access_status: ConditionalAccessStatus::NotApplied,
        applied_conditional_access_policies: json!([
            {"id": POLICY_ID, "displayName": "Pilot MFA", "result": result, "enforcedGrantControls": ["mfa"]}
        ]),
        risk_level_during_sign_in: Some(if i.is_multiple_of(97) { "high" } else { "none" }.into()),
        risk_level_aggregated: Some(
            if i.is_multiple_of(89) {
                "medium"
            } else {
                "none"
            }
            .into(),
        ),
        risk_state: None,
        risk_detail: None,
        location: None,
        device_detail: None,
        authentication_details: json!([{"authenticationMethod": "Password", "succeeded": code == 0}]),
        authentication_requirement: Some("singleFactorAuthentication".into()),
        extra: serde_json::Map::new(),
    }
}

/// The first `count` seeded users, looked up by name in a store seeded earlier.
async fn seeded_users(store: &Arc<dyn Store>, count: usize) -> Vec<(UserId, String)> {
    let mut users = Vec::with_capacity(count);
    for i in 0..count {
        let upn = user(i).user_principal_name;
        let found = store.find_user_by_upn(&upn).await.unwrap().expect("seeded");
        users.push((found.id, upn));
    }
    users
}

/// Seeds `user_count` users (a third with no method, a third with a password, a third
/// with TOTP) and `sign_in_count` sign-in rows; returns the users' ids and names.
async fn seed_users_and_sign_ins(
    sqlite: &SqliteStore,
    store: &Arc<dyn Store>,
    user_count: usize,
    sign_in_count: usize,
) -> Vec<(UserId, String)> {
    let started = Instant::now();
    let mut users = Vec::with_capacity(user_count);
    for chunk_start in (0..user_count).step_by(1000) {
        let mut batch = Batch::new().audit(audit());
        for i in chunk_start..(chunk_start + 1000).min(user_count) {
            let u = user(i);
            users.push((u.id.clone(), u.user_principal_name.clone()));
            batch = batch.change(Change::CreateUser(u.clone()));
            if i % 3 != 0 {
                batch = batch.change(Change::AddCredential(portcullis_core::Credential {
                    id: CredentialId::from_uuid(Uuid::new_v4()),
                    user_id: u.id.clone(),
                    kind: if i % 3 == 1 {
                        CredentialKind::Password
                    } else {
                        CredentialKind::SoftwareOath
                    },
                    display_name: None,
                    payload: json!({}),
                    metadata: json!({}),
                    created_date_time: OffsetDateTime::now_utc(),
                    last_used_date_time: None,
                    revision: 0,
                }));
            }
        }
        store.commit(batch).await.unwrap();
    }
    eprintln!("{user_count} users in {:.1?}", started.elapsed());

    let started = Instant::now();
    let now = OffsetDateTime::now_utc();
    seed::sign_ins(sqlite, sign_in_count, |i| sign_in(i, &users, now)).await;
    eprintln!("{sign_in_count} sign-ins in {:.1?}", started.elapsed());

    users
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let user_count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let sign_in_count: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    // PAGE_TIMES_DATA_DIR keeps the seeded store, so the pages can be timed again later
    // (e.g. on an idle machine) without seeding for minutes.
    let temp = tempfile::tempdir().unwrap();
    let path = match std::env::var_os("PAGE_TIMES_DATA_DIR") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => temp.path().to_owned(),
    };
    std::fs::create_dir_all(&path).unwrap();
    let marker = path.join(format!("page_times-seeded-{user_count}-{sign_in_count}"));
    let seeded = marker.exists();
    let sqlite = Arc::new(SqliteStore::open_dir(&path).await.unwrap());
    let store: Arc<dyn Store> = sqlite.clone();
    let users = if seeded {
        eprintln!("reusing the store seeded in {}", path.display());
        seeded_users(&store, user_count.min(4243)).await
    } else {
        seed_users_and_sign_ins(&sqlite, &store, user_count, sign_in_count).await
    };

    let services = Services::start(
        store.clone(),
        ServiceSettings {
            public_url: "http://localhost".into(),
            access_token_lifetime: Duration::from_secs(3600),
            signing_keys: Default::default(),
        },
    )
    .await
    .unwrap();
    let admin = users[0].0.clone();
    let now = OffsetDateTime::now_utc();
    if !seeded {
        store
            .commit(Batch::single(
                Change::AssignRole(RoleAssignment {
                    id: RoleAssignmentId::from_uuid(Uuid::new_v4()),
                    principal: Principal::User(admin.clone()),
                    role: DirectoryRole::GlobalAdministrator,
                    directory_scope_id: "/".into(),
                    created_date_time: now,
                }),
                audit(),
            ))
            .await
            .unwrap();
        store
            .commit(Batch::single(
                Change::PutPolicy {
                    kind: portcullis_store::PolicyKind::ConditionalAccessPolicy,
                    id: POLICY_ID.into(),
                    json: json!({"id": POLICY_ID, "displayName": "Pilot MFA", "state": "enabledForReportingButNotEnforced",
                        "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}, "clientAppTypes": ["all"]},
                        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}),
                    precondition: portcullis_store::Precondition::MustNotExist,
                    at: now,
                },
                audit(),
            ))
            .await
            .unwrap();
        // Two break-glass accounts, so their page reads the last sign-in of each over the
        // whole log.
        for (id, _) in &users[..2] {
            store
                .commit(Batch::single(
                    Change::MarkBreakGlass {
                        user: id.clone(),
                        at: now,
                    },
                    audit(),
                ))
                .await
                .unwrap();
        }
        std::fs::write(&marker, b"").unwrap();
    }
    // A fresh token each run (a kept store already holds earlier ones), in the cookie's
    // shape: 43 base64url characters.
    let token = format!("Bench{}000000", Uuid::new_v4().simple());
    store
        .create_session(&Session {
            id: SessionId::from_uuid(Uuid::new_v4()),
            user_id: admin.clone(),
            token_hash: SecretHash::of(&token),
            created_date_time: now,
            authenticated_date_time: now,
            last_seen_date_time: now,
            expires_date_time: now + time::Duration::hours(8),
            persistent: false,
            amr: vec!["pwd".into()],
            acr: None,
            device_id: None,
            ip_address: None,
            user_agent: None,
            revoked_date_time: None,
        })
        .await
        .unwrap();
    let router = portcullis_portal::router_with_kit(
        Kit {
            services,
            cookies: CookiePolicy::from_public_url("http://localhost"),
            trusted_proxies: TrustedProxies::default(),
            limiter: Arc::new(AddressRateLimiter::new(1_000_000, 1_000_000)),
        },
        "http://localhost",
    );
    let cookie = format!("portcullis_session={token}");
    let pages = [
        "/admin?days=30".to_owned(),
        "/admin?days=1".to_owned(),
        "/admin/policies".to_owned(),
        format!("/admin/policies/{POLICY_ID}"),
        format!("/admin/policies/{POLICY_ID}/impact?days=30"),
        "/admin/sign-ins?days=30".to_owned(),
        "/admin/sign-ins?days=30&status=failure".to_owned(),
        format!("/admin/sign-ins?days=30&user={}", users[4242].1),
        "/admin/sign-ins?days=30&risk=high".to_owned(),
        "/admin/sign-ins?days=30&riskAggregated=medium".to_owned(),
        format!("/admin/sign-ins/{}", sign_in_id(sign_in_count / 2)),
        "/admin/audit".to_owned(),
        "/admin/users".to_owned(),
        "/admin/users?q=user0999".to_owned(),
        format!("/admin/users/{}", users[4242].0),
        "/admin/roles".to_owned(),
        "/admin/groups".to_owned(),
        "/admin/policies/templates".to_owned(),
        "/admin/what-if".to_owned(),
        "/admin/named-locations".to_owned(),
        "/admin/authentication-strengths".to_owned(),
        "/admin/authentication-methods".to_owned(),
        "/admin/applications".to_owned(),
        "/admin/break-glass".to_owned(),
    ];
    println!("| page | median | worst of {RUNS} |");
    println!("|---|---:|---:|");
    for page in &pages {
        let mut times = Vec::with_capacity(RUNS);
        for run in 0..=RUNS {
            let request = Request::get(page.as_str())
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap();
            let started = Instant::now();
            let response = router.clone().oneshot(request).await.unwrap();
            let status = response.status();
            axum::body::to_bytes(response.into_body(), 16 << 20)
                .await
                .unwrap();
            let elapsed = started.elapsed();
            assert_eq!(status, StatusCode::OK, "{page}");
            if run > 0 {
                times.push(elapsed);
            }
        }
        times.sort();
        println!(
            "| `{page}` | {:.1} ms | {:.1} ms |",
            times[RUNS / 2].as_secs_f64() * 1e3,
            times[RUNS - 1].as_secs_f64() * 1e3
        );
    }
}
