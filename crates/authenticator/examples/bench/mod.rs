//! What the push benchmarks share: a real server on loopback (SQLite in a temporary data
//! directory), users, activated devices, and percentiles.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod browser;

use std::time::Duration;

use p256::ecdsa::SigningKey;
use portcullis_authenticator::client::Client;
use portcullis_authenticator::device::UnlockedDevice;
use portcullis_authenticator::keyfile::{DeviceIdentity, KeyFile, generate_signing_key};
use portcullis_core::audit::InitiatedBy;
use portcullis_core::{
    ApplicationId, AuditId, AuditRecord, ClientId, DirectoryRole, User, UserId, UserType,
};
use portcullis_server::config::FileConfig;
use portcullis_server::{Application, Config};
use portcullis_service::Services;
use portcullis_service::admin::policies::PolicyCollection;
use portcullis_service::admin::users::NewUser;
use portcullis_service::caller::Caller;
use portcullis_store::{Batch, Change};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

pub struct Server {
    pub services: Services,
    pub url: String,
    pub data: tempfile::TempDir,
}

pub async fn start() -> Server {
    let data = tempfile::tempdir().unwrap();
    let config = Config::from_layers(FileConfig {
        listen: Some("127.0.0.1:0".into()),
        data_dir: Some(data.path().to_owned()),
        ..FileConfig::default()
    })
    .unwrap();
    let app = Application::build(config).await.expect("server starts");
    let services = app.services().clone();
    let url = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    Server {
        services,
        url,
        data,
    }
}

/// An administrator acting through the service layer, as the Graph API would.
fn administrator() -> Caller {
    Caller::application(
        &ApplicationId::from_uuid(Uuid::new_v4()),
        ClientId::from_uuid(Uuid::new_v4()),
        "bench setup",
        Vec::new(),
        vec![DirectoryRole::GlobalAdministrator],
    )
}

/// Turns security defaults off and enables a Conditional Access policy asking every
/// user for MFA on every application, so a password sign-in continues to the push.
pub async fn require_mfa_for_everyone(services: &Services) {
    let admin = administrator();
    services
        .update_security_defaults(&admin, json!({ "isEnabled": false }))
        .await
        .unwrap();
    services
        .create_policy_object(
            &admin,
            PolicyCollection::ConditionalAccessPolicies,
            json!({
                "displayName": "MFA for everyone (bench)",
                "state": "enabled",
                "conditions": {
                    "users": { "includeUsers": ["All"] },
                    "applications": { "includeApplications": ["All"] },
                    "clientAppTypes": ["all"]
                },
                "grantControls": { "operator": "OR", "builtInControls": ["mfa"] }
            }),
        )
        .await
        .unwrap();
}

/// A user with a password, created as an administrator would (the password hashed
/// with the server's configured argon2id).
pub async fn create_user_with_password(services: &Services, upn: &str, password: &str) -> UserId {
    services
        .create_user(
            &administrator(),
            NewUser {
                user_principal_name: upn.to_owned(),
                display_name: upn.to_owned(),
                mail: None,
                mobile_phone: None,
                user_type: UserType::Member,
                account_enabled: true,
                password: Some(password.to_owned()),
                force_change_password: false,
                attributes: serde_json::Map::new(),
            },
        )
        .await
        .unwrap()
        .id
}

pub async fn create_user(services: &Services, upn: &str) -> UserId {
    let user = User {
        id: UserId::from_uuid(Uuid::new_v4()),
        user_principal_name: upn.to_owned(),
        display_name: upn.to_owned(),
        mail: None,
        mobile_phone: None,
        user_type: UserType::Member,
        account_enabled: true,
        created_date_time: OffsetDateTime::now_utc(),
        attributes: serde_json::Map::new(),
    };
    let audit = AuditRecord::new(
        AuditId::from_uuid(Uuid::new_v4()),
        OffsetDateTime::now_utc(),
        "UserManagement",
        "Add user",
        "Add",
        InitiatedBy::default(),
    );
    services
        .store()
        .commit(Batch::single(Change::CreateUser(user.clone()), audit))
        .await
        .unwrap();
    user.id
}

/// Activates a new device for `user` over HTTP, as the app does; returns it and its key.
pub async fn activate(
    services: &Services,
    url: &str,
    user: &UserId,
    upn: &str,
) -> (UnlockedDevice, SigningKey) {
    activate_with(services, url, user, upn, false).await
}

/// [`activate`], with phone sign-in (passwordless) on or off.
pub async fn activate_with(
    services: &Services,
    url: &str,
    user: &UserId,
    upn: &str,
    phone_sign_in: bool,
) -> (UnlockedDevice, SigningKey) {
    let link = services
        .push()
        .issue_activation(user, OffsetDateTime::now_utc())
        .await
        .unwrap();
    let code = link.code.clone();
    let key = generate_signing_key();
    let client = Client::new(url).unwrap();
    let registered = client
        .activate(&code, &key, "bench", phone_sign_in)
        .await
        .unwrap();
    let file = KeyFile::seal(
        DeviceIdentity {
            server: url.to_owned(),
            device_id: registered.device_id,
            user_id: registered.user_id,
            user_principal_name: upn.to_owned(),
            display_name: "bench".to_owned(),
        },
        &key,
        None,
    )
    .unwrap();
    (UnlockedDevice::new(file, key.clone()), key)
}

/// The `q`-quantile (0.0–1.0) of sorted durations.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// This process's resident set size in KiB (Linux `/proc/self/status` `VmRSS`).
pub fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(0)
}
