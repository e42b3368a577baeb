//! Health, readiness, metrics, request ids and graceful shutdown on a real listener.
#![allow(clippy::unwrap_used)]

use crate::common;
use std::time::Duration;

#[tokio::test]
async fn health_ready_and_metrics_answer() {
    let app = common::spawn().await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"));

    let ready: serde_json::Value = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["store"], "sqlite");

    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    assert!(text.contains("http_requests_total"), "{text}");
    assert!(text.contains("route=\"/healthz\""), "{text}");
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
}

#[tokio::test]
async fn a_given_request_id_is_propagated() {
    let app = common::spawn().await;
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "abc-123");
}

#[tokio::test]
async fn unknown_routes_get_a_graph_error() {
    let app = common::spawn().await;
    let response = app
        .client
        .get(app.url("/v1.0/nothingHere"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "UnknownRoute");
}

#[tokio::test]
async fn openapi_documents_every_admin_route() {
    let app = common::spawn().await;
    let doc: serde_json::Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/v1.0/users",
        "/v1.0/groups/{id}/members/$ref",
        "/v1.0/identity/conditionalAccess/policies/{id}",
        "/oauth2/token",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    // Every documented route exists: without a token each answers something other than
    // the unknown-route fallback.
    for operation in portcullis_web::routes::openapi::OPERATIONS {
        let path = operation
            .path
            .replace("{id}", "00000000-0000-0000-0000-000000000001")
            .replace("{memberId}", "00000000-0000-0000-0000-000000000002")
            .replace("{methodId}", "00000000-0000-0000-0000-000000000003");
        let method =
            reqwest::Method::from_bytes(operation.method.to_uppercase().as_bytes()).unwrap();
        let response = app
            .client
            .request(method, app.url(&path))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        assert!(
            !body.contains("UnknownRoute") && status != 405,
            "{} {path}: {status} {body}",
            operation.method
        );
    }
    // The sign-in API: documented with its answer shape, and every documented route
    // exists (an unknown transaction is the API's own 404, not the fallback).
    assert!(doc["components"]["schemas"]["SignInProgress"].is_object());
    assert!(
        doc["paths"]["/api/v1/signin/{transaction}/password"]["post"]["requestBody"].is_object()
    );
    for operation in portcullis_web::routes::openapi_signin::SIGNIN_OPERATIONS {
        let path = operation
            .path
            .replace("{transaction}", "unknown-transaction");
        let response = app
            .client
            .post(app.url(&path))
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        assert!(
            !body.contains("UnknownRoute") && status != 405,
            "POST {path}: {status} {body}"
        );
    }
}

#[tokio::test]
async fn graceful_shutdown_finishes_and_stops_listening() {
    let app = common::spawn().await;
    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let url = app.url("/healthz");
    app.shutdown.shutdown();
    let finished = tokio::time::timeout(Duration::from_secs(10), app.server).await;
    assert!(
        matches!(finished, Ok(Ok(Ok(())))),
        "server did not stop cleanly: {finished:?}"
    );
    let fresh = reqwest::Client::new();
    assert!(
        fresh.get(url).send().await.is_err(),
        "still listening after shutdown"
    );
}

#[tokio::test]
async fn shutdown_drains_a_request_already_in_flight() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = common::spawn().await;
    let token = app.admin_token().await;
    let body = serde_json::json!({"displayName": "Late", "userPrincipalName": "late@example.com"})
        .to_string();
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /v1.0/users HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    // Send the headers and half the body, then ask the server to stop.
    let (first, second) = body.split_at(body.len() / 2);
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.shutdown.shutdown();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The request in flight still completes…
    stream.write_all(second.as_bytes()).await.unwrap();
    let mut response = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut response))
        .await
        .unwrap()
        .unwrap();
    let response = String::from_utf8_lossy(&response[..n]);
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    // …and was committed.
    assert!(
        app.store()
            .find_user_by_upn("late@example.com")
            .await
            .unwrap()
            .is_some()
    );
    drop(stream);
    let finished = tokio::time::timeout(Duration::from_secs(10), app.server).await;
    assert!(
        matches!(finished, Ok(Ok(Ok(())))),
        "server did not stop: {finished:?}"
    );
}
