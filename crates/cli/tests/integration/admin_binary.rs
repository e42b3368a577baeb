//! The built `portcullis` binary's admin subcommands against a real server: the
//! credentials file `portcullis bootstrap --json` writes, the environment variables, exit
//! statuses and error messages as a script sees them.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use portcullis_server::config::FileConfig;
use portcullis_server::{Application, Config};
use serde_json::{Value, json};

async fn portcullis(args: Vec<String>, env: Vec<(&'static str, String)>) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_portcullis"));
        command
            .args(&args)
            .env_remove("PORTCULLIS_URL")
            .env_remove("PORTCULLIS_CLIENT_ID")
            .env_remove("PORTCULLIS_CLIENT_SECRET");
        for (key, value) in env {
            command.env(key, value);
        }
        command.output().unwrap()
    })
    .await
    .unwrap()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_subcommands_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let bootstrap = portcullis(
        args(&["bootstrap", "--data-dir", data.to_str().unwrap(), "--json"]),
        vec![],
    )
    .await;
    assert!(bootstrap.status.success(), "{bootstrap:?}");
    let credentials = dir.path().join("bootstrap.json");
    std::fs::write(&credentials, &bootstrap.stdout).unwrap();
    let secret =
        serde_json::from_slice::<Value>(&bootstrap.stdout).unwrap()["automation"]["clientSecret"]
            .as_str()
            .unwrap()
            .to_owned();

    let config = Config::from_layers(FileConfig {
        listen: Some("127.0.0.1:0".into()),
        data_dir: Some(data.clone()),
        ..FileConfig::default()
    })
    .unwrap();
    let app = Application::build(config).await.unwrap();
    let base = app.public_url().to_owned();
    let shutdown = app.shutdown_handle();
    tokio::spawn(app.run_until_stopped());

    // The bootstrap file's token endpoint names the default address; --url overrides it.
    let listed = portcullis(
        args(&[
            "users",
            "list",
            "--credentials",
            credentials.to_str().unwrap(),
            "--url",
            &base,
        ]),
        vec![],
    )
    .await;
    assert!(listed.status.success(), "{listed:?}");
    let users: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(users[0]["userPrincipalName"], "admin@portcullis.local");

    // Environment variables; a drift check exits 2 when the plan is not empty.
    let bootstrap_json: Value = serde_json::from_slice(&bootstrap.stdout).unwrap();
    let env = vec![
        ("PORTCULLIS_URL", base.clone()),
        (
            "PORTCULLIS_CLIENT_ID",
            bootstrap_json["automation"]["clientId"]
                .as_str()
                .unwrap()
                .to_owned(),
        ),
        ("PORTCULLIS_CLIENT_SECRET", secret),
    ];
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    write_policy(&policies, "report-only-mfa.json");
    let plan = portcullis(
        args(&[
            "policies",
            "plan",
            policies.to_str().unwrap(),
            "--detailed-exitcode",
        ]),
        env.clone(),
    )
    .await;
    assert_eq!(plan.status.code(), Some(2), "{plan:?}");
    assert!(String::from_utf8_lossy(&plan.stdout).contains("Plan: 1 to create"));
    let apply = portcullis(
        args(&["policies", "apply", policies.to_str().unwrap()]),
        env.clone(),
    )
    .await;
    assert!(apply.status.success(), "{apply:?}");
    let plan = portcullis(
        args(&[
            "policies",
            "plan",
            policies.to_str().unwrap(),
            "--detailed-exitcode",
        ]),
        env.clone(),
    )
    .await;
    assert_eq!(plan.status.code(), Some(0), "{plan:?}");

    // A wrong secret: non-zero exit, the token endpoint's reason on stderr, no panic.
    let mut wrong = env.clone();
    wrong[2].1 = "pcs_wrong".into();
    let refused = portcullis(args(&["users", "list"]), wrong).await;
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("invalid_client"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    // The sign-in log: every token the commands above obtained was a logged
    // service-principal sign-in; JSON lines for a SIEM, one object per line.
    let logs = portcullis(
        args(&["logs", "signins", "--format", "lines", "--top", "50"]),
        env.clone(),
    )
    .await;
    assert!(logs.status.success(), "{logs:?}");
    let lines: Vec<Value> = String::from_utf8_lossy(&logs.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    // users list, plan, apply, plan: four tokens at least.
    assert!(lines.len() >= 4, "{lines:?}");
    assert!(
        lines.iter().all(|entry| entry["id"].is_string()),
        "{lines:?}"
    );
    let table = portcullis(args(&["logs", "signins", "--format", "table"]), env.clone()).await;
    assert!(table.status.success(), "{table:?}");
    let bad_time = portcullis(
        args(&["logs", "signins", "--since", "yesterday"]),
        env.clone(),
    )
    .await;
    assert_eq!(bad_time.status.code(), Some(1), "{bad_time:?}");
    assert!(String::from_utf8_lossy(&bad_time.stderr).contains("RFC 3339"));
    shutdown.shutdown();
}

fn write_policy(dir: &Path, name: &str) {
    let policy = json!({
        "displayName": "Require MFA (report-only)",
        "state": "enabledForReportingButNotEnforced",
        "conditions": {
            "users": {"includeUsers": ["All"]},
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"],
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
    });
    std::fs::write(dir.join(name), serde_json::to_vec_pretty(&policy).unwrap()).unwrap();
}
