//! The `portcullis` binary: bootstrap, serve, audit verify, backup/restore, config errors.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn portcullis(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(args)
        // Keep the developer's environment from changing what is tested.
        .env_remove("PORTCULLIS_DATABASE_URL")
        .env_remove("PORTCULLIS_LISTEN")
        .env_remove("PORTCULLIS_DATA_DIR")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_no_panic(output: &Output) {
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn bootstrap(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["bootstrap", "--data-dir", dir.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    portcullis(&args)
}

#[test]
fn bootstrap_prints_json_refuses_twice_and_recovers_with_audit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let output = bootstrap(&data, &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["admin"]["userPrincipalName"], "admin@portcullis.local");
    let sign_in = json["admin"]["signInUrl"].as_str().unwrap();
    assert!(
        sign_in.starts_with("http://127.0.0.1:8080/bootstrap?token=pcb_"),
        "{sign_in}"
    );
    assert!(
        json["automation"]["clientSecret"]
            .as_str()
            .unwrap()
            .starts_with("pcs_")
    );
    assert_eq!(
        json["automation"]["tokenEndpoint"],
        "http://127.0.0.1:8080/oauth2/token"
    );
    assert_eq!(json["automation"]["clientId"].as_str().unwrap().len(), 36);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&data).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "data directory mode {mode:o}");
    }

    let again = bootstrap(&data, &[]);
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("--recover"),
        "{}",
        text(&again.stderr)
    );
    assert_no_panic(&again);

    let recovered = bootstrap(&data, &["--recover"]);
    assert!(recovered.status.success(), "{}", text(&recovered.stderr));
    let second: Value = serde_json::from_slice(&recovered.stdout).unwrap();
    assert_ne!(
        second["automation"]["clientId"],
        json["automation"]["clientId"]
    );
    assert_eq!(
        second["admin"]["userPrincipalName"],
        "admin@portcullis.local"
    );

    let verify = portcullis(&["audit", "verify", "--data-dir", data.to_str().unwrap()]);
    assert!(verify.status.success(), "{}", text(&verify.stdout));
    assert!(text(&verify.stdout).contains("audit chain intact"));

    // The recovery is in the audit log.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let recovery_rows: i64 = runtime.block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", data.join("portcullis.db").display())).await.unwrap();
        let row: (i64,) = sqlx::query_as("SELECT count(*) FROM audit_log WHERE activity_display_name = 'Recover administrator access'")
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        row.0
    });
    assert_eq!(recovery_rows, 1);
}

#[test]
fn audit_verify_fails_after_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(bootstrap(&data, &[]).status.success());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", data.join("portcullis.db").display())).await.unwrap();
        let changed = sqlx::query(
            "UPDATE audit_log SET doc = replace(doc, 'Bootstrap first administrator', 'Nothing to see') \
             WHERE activity_display_name = 'Bootstrap first administrator'",
        )
        .execute(&pool)
        .await
        .unwrap();
        assert_eq!(changed.rows_affected(), 1);
        pool.close().await;
    });
    let verify = portcullis(&["audit", "verify", "--data-dir", data.to_str().unwrap()]);
    assert!(
        !verify.status.success(),
        "tampering went unnoticed: {}",
        text(&verify.stdout)
    );
    assert!(
        text(&verify.stdout).contains("BROKEN"),
        "{}",
        text(&verify.stdout)
    );
    assert_no_panic(&verify);
}

#[test]
fn backup_and_restore_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(bootstrap(&data, &[]).status.success());
    let file = dir.path().join("backup.db");
    let backup = portcullis(&[
        "backup",
        "--data-dir",
        data.to_str().unwrap(),
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(backup.status.success(), "{}", text(&backup.stderr));
    // Refuses to overwrite.
    let again = portcullis(&[
        "backup",
        "--data-dir",
        data.to_str().unwrap(),
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(!again.status.success());

    let restored = dir.path().join("restored");
    let restore = portcullis(&[
        "restore",
        "--data-dir",
        restored.to_str().unwrap(),
        "--from",
        file.to_str().unwrap(),
    ]);
    assert!(restore.status.success(), "{}", text(&restore.stderr));
    let verify = portcullis(&["audit", "verify", "--data-dir", restored.to_str().unwrap()]);
    assert!(verify.status.success(), "{}", text(&verify.stdout));
    // The restored directory knows the administrator: bootstrap refuses.
    assert!(!bootstrap(&restored, &[]).status.success());
}

#[test]
fn config_errors_are_clear_and_exit_with_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("portcullis.toml");
    std::fs::write(
        &config,
        "listen = \"127.0.0.1:0\"\n[http]\ntrusted_proxy = [\"10.0.0.0/8\"]\n",
    )
    .unwrap();
    let output = portcullis(&[
        "serve",
        "--config",
        config.to_str().unwrap(),
        "--data-dir",
        dir.path().join("d").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("portcullis.toml") && stderr.contains("trusted_proxy"),
        "{stderr}"
    );
    assert_no_panic(&output);

    let output = portcullis(&[
        "serve",
        "--config",
        dir.path().join("missing.toml").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("missing.toml"));

    let output = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args([
            "serve",
            "--data-dir",
            dir.path().join("d").to_str().unwrap(),
        ])
        .env("PORTCULLIS_LISTEN", "nowhere")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("listen"),
        "{}",
        text(&output.stderr)
    );

    let output = portcullis(&[
        "serve",
        "--database-url",
        "mysql://x",
        "--data-dir",
        dir.path().join("d").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("database_url"));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn bootstrap_credentials_work_against_serve_which_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let output = bootstrap(&data, &["--public-url", &base]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let creds: Value = serde_json::from_slice(&output.stdout).unwrap();

    let mut server = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args([
            "serve",
            "--data-dir",
            data.to_str().unwrap(),
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--public-url",
            &base,
            "--log-format",
            "json",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let result = runtime.block_on(async {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while client.get(format!("{base}/healthz")).send().await.is_err() {
            assert!(Instant::now() < deadline, "server did not come up");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let token: Value = client
            .post(creds["automation"]["tokenEndpoint"].as_str().unwrap())
            .basic_auth(
                creds["automation"]["clientId"].as_str().unwrap(),
                creds["automation"]["clientSecret"].as_str(),
            )
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let access = token["access_token"]
            .as_str()
            .expect("token issued")
            .to_owned();
        let users: Value = client
            .get(format!("{base}/v1.0/users"))
            .bearer_auth(&access)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        users["value"].as_array().map(Vec::len)
    });
    assert_eq!(result, Some(1), "the bootstrap administrator is listed");

    let kill = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "server ignored SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(server.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "exit {status:?}: {stderr}");
    // JSON logs: every line parses.
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            serde_json::from_str::<Value>(line).is_ok(),
            "not JSON: {line}"
        );
    }
    assert!(stderr.contains("SIGTERM"), "{stderr}");
}
