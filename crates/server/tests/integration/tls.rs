//! HTTPS through rustls when a certificate is configured, and clear errors when the
//! files are wrong.
#![allow(clippy::unwrap_used)]

use portcullis_server::config::{FileConfig, TlsSection};
use portcullis_server::{Application, Config, StartError};

fn tls_config(dir: &std::path::Path, cert: &std::path::Path, key: &std::path::Path) -> Config {
    Config::from_layers(FileConfig {
        listen: Some("127.0.0.1:0".into()),
        data_dir: Some(dir.join("data")),
        tls: TlsSection {
            cert: Some(cert.to_owned()),
            key: Some(key.to_owned()),
        },
        ..FileConfig::default()
    })
    .unwrap()
}

fn self_signed(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let cert_pem = certified.cert.pem();
    std::fs::write(&cert, &cert_pem).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    (cert, key, cert_pem)
}

#[tokio::test]
async fn serves_https_with_the_configured_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, cert_pem) = self_signed(dir.path());
    let app = Application::build(tls_config(dir.path(), &cert, &key))
        .await
        .unwrap();
    assert!(app.public_url().starts_with("https://"));
    let port = app.port();
    let shutdown = app.shutdown_handle();
    let server = tokio::spawn(app.run_until_stopped());

    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .resolve("localhost", ([127, 0, 0, 1], port).into())
        .build()
        .unwrap();
    let response = client
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    // Plain HTTP on the TLS port does not get an answer.
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());

    shutdown.shutdown();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn unreadable_or_mismatched_files_are_clear_start_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = self_signed(dir.path());
    let missing = dir.path().join("missing.pem");

    let err = Application::build(tls_config(dir.path(), &missing, &key))
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StartError::Tls(_)));
    assert!(err.to_string().contains("missing.pem"), "{err}");

    // A certificate file given as the key.
    let err = Application::build(tls_config(dir.path(), &cert, &cert))
        .await
        .err()
        .unwrap();
    assert!(err.to_string().starts_with("tls.key"), "{err}");

    // A key that does not belong to the certificate.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let (_, other_key, _) = self_signed(&other);
    let err = Application::build(tls_config(dir.path(), &cert, &other_key))
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("pair"), "{err}");
}
