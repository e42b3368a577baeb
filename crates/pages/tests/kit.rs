#![allow(clippy::unwrap_used)]

//! The UI kit's middleware in-process: CSRF refusal, security headers, cookie
//! attributes, rate limiting, correlation ids on the error page.

mod common;

use std::sync::Arc;

use axum::Router;
use axum::extract::Form;
use axum::http::{StatusCode, header};
use axum::routing::get;
use common::{app, body_text, cookie_value, get as get_request, post_form};
use portcullis_pages::kit::security_headers::CONTENT_SECURITY_POLICY;
use portcullis_pages::kit::{CsrfToken, Kit, PageError, protect};
use portcullis_web::AddressRateLimiter;
use tower::ServiceExt;

#[derive(serde::Deserialize)]
struct Echo {
    message: String,
}

/// A page with a form and a handler that echoes a field, behind the kit.
fn test_router(kit: Kit) -> Router {
    let routes = Router::new()
        .route(
            "/form",
            get(|CsrfToken(token): CsrfToken| async move { token })
                .post(|Form(echo): Form<Echo>| async move { format!("got {}", echo.message) }),
        )
        .route(
            "/broken",
            get(|| async { Err::<String, _>(PageError::internal().with_code(50126)) }),
        );
    protect(routes, kit)
}

async fn kit(public_url: &str) -> (common::TestApp, Kit) {
    let app = app(public_url).await;
    let kit = Kit::new(&app.state);
    (app, kit)
}

/// Fetches the form page: (csrf cookie value, token rendered for the form).
async fn csrf_pair(router: &Router) -> (String, String) {
    let response = router.clone().oneshot(get_request("/form")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = cookie_value(response.headers(), "portcullis_csrf").expect("csrf cookie set");
    let token = body_text(response).await;
    (cookie, token)
}

#[tokio::test]
async fn form_post_with_matching_token_reaches_the_handler_with_its_body() {
    let (_app, kit) = kit("http://127.0.0.1:1").await;
    let router = test_router(kit);
    let (cookie, token) = csrf_pair(&router).await;
    assert_eq!(cookie, token);
    let response = router
        .oneshot(post_form(
            "/form",
            Some(&format!("portcullis_csrf={cookie}")),
            &format!("csrf_token={token}&message=hello"),
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "got hello");
}

#[tokio::test]
async fn posts_without_a_valid_token_are_refused() {
    let (_app, kit) = kit("http://127.0.0.1:1").await;
    let router = test_router(kit);
    let (cookie, token) = csrf_pair(&router).await;
    let cookie_header = format!("portcullis_csrf={cookie}");
    let mut other = token.clone().into_bytes();
    other[0] = if other[0] == b'A' { b'B' } else { b'A' };
    let other = String::from_utf8(other).unwrap();
    let cases = [
        ("no cookie", None, format!("csrf_token={token}&message=x")),
        (
            "no field",
            Some(cookie_header.as_str()),
            "message=x".to_owned(),
        ),
        (
            "wrong token",
            Some(cookie_header.as_str()),
            format!("csrf_token={other}&message=x"),
        ),
        (
            "empty token",
            Some(cookie_header.as_str()),
            "csrf_token=&message=x".to_owned(),
        ),
    ];
    for (name, cookie, body) in cases {
        let response = router
            .clone()
            .oneshot(post_form("/form", cookie, &body))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}");
        let html = body_text(response).await;
        assert!(html.contains("This form has expired"), "{name}: {html}");
        assert!(!html.contains("got x"), "{name}");
    }
}

#[tokio::test]
async fn header_token_is_accepted_but_cross_site_posts_are_not() {
    let (_app, kit) = kit("http://127.0.0.1:1").await;
    let router = test_router(kit);
    let (cookie, token) = csrf_pair(&router).await;
    let mut request = post_form(
        "/form",
        Some(&format!("portcullis_csrf={cookie}")),
        "message=via-header",
    );
    request
        .headers_mut()
        .insert("x-csrf-token", token.parse().unwrap());
    let response = router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let mut request = post_form(
        "/form",
        Some(&format!("portcullis_csrf={cookie}")),
        &format!("csrf_token={token}&message=x"),
    );
    request
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    let response = router.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn pages_carry_strict_security_headers() {
    let (_app, kit) = kit("http://127.0.0.1:1").await;
    let response = test_router(kit)
        .oneshot(get_request("/form"))
        .await
        .unwrap();
    let headers = response.headers();
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert_eq!(csp, CONTENT_SECURITY_POLICY);
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(directive), "{directive}");
    }
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert!(headers.get("x-request-id").is_some());
    // Plain HTTP: no HSTS, no cookie prefix.
    assert!(headers.get(header::STRICT_TRANSPORT_SECURITY).is_none());
}

#[tokio::test]
async fn under_tls_cookies_are_secure_with_host_prefix_and_hsts_is_sent() {
    let (_app, kit) = kit("https://id.example.com").await;
    let response = test_router(kit)
        .oneshot(get_request("/form"))
        .await
        .unwrap();
    let headers = response.headers();
    assert!(headers.get(header::STRICT_TRANSPORT_SECURITY).is_some());
    let set_cookie = common::set_cookies(headers).join("\n");
    assert!(
        set_cookie.starts_with("__Host-portcullis_csrf="),
        "{set_cookie}"
    );
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{attribute}: {set_cookie}");
    }
}

#[tokio::test]
async fn error_page_shows_code_and_the_correlation_id_it_answers_with() {
    let (_app, kit) = kit("http://127.0.0.1:1").await;
    let response = test_router(kit)
        .oneshot(get_request("/broken"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let html = body_text(response).await;
    assert!(html.contains("AADSTS50126"), "{html}");
    assert!(
        html.contains(&id),
        "correlation id {id} not on the page: {html}"
    );
    assert!(html.contains("/static/portcullis.css"));
    assert!(!html.contains("<script>"), "no inline script");
}

#[tokio::test]
async fn posts_over_the_per_ip_allowance_are_refused() {
    let (_app, mut kit) = kit("http://127.0.0.1:1").await;
    kit.limiter = Arc::new(AddressRateLimiter::new(1, 2));
    let router = test_router(kit);
    let (cookie, token) = csrf_pair(&router).await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = router
            .clone()
            .oneshot(post_form(
                "/form",
                Some(&format!("portcullis_csrf={cookie}")),
                &format!("csrf_token={token}&message=x"),
            ))
            .await
            .unwrap();
        statuses.push(response.status());
    }
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    // Reading pages is not limited.
    let response = router.oneshot(get_request("/form")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}
