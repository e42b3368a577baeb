//! The whole HTTP surface and its middleware.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::graph_error::GraphError;
use crate::routes::{
    applications, audit, bootstrap, groups, health, identity_protection, methods_policy, openapi,
    policies, roles, token, users, verification_pushes, what_if,
};
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request size and time limits.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    pub body_limit_bytes: usize,
    pub request_timeout: Duration,
}

/// Builds the application router.
pub fn router(state: AppState, limits: HttpLimits) -> Router {
    use policies::{
        authentication_strengths as strengths, conditional_access as ca,
        named_locations as locations,
    };
    let api = Router::new()
        .route("/v1.0/users", get(users::list).post(users::create))
        .route(
            "/v1.0/users/{id}",
            get(users::get).patch(users::update).delete(users::delete),
        )
        .route(
            "/v1.0/users/{id}/revokeSignInSessions",
            post(crate::routes::sessions::revoke_sign_in_sessions),
        )
        .route("/v1.0/groups", get(groups::list).post(groups::create))
        .route(
            "/v1.0/groups/{id}",
            get(groups::get)
                .patch(groups::update)
                .delete(groups::delete),
        )
        .route("/v1.0/groups/{id}/members", get(groups::members))
        .route("/v1.0/groups/{id}/members/$ref", post(groups::add_member))
        .route(
            "/v1.0/groups/{id}/members/{member}/$ref",
            axum::routing::delete(groups::remove_member),
        )
        .route(
            "/v1.0/groups/{id}/transitiveMembers",
            get(groups::transitive_members),
        )
        .route("/v1.0/directoryRoles", get(roles::list))
        .route("/v1.0/directoryRoles/{id}", get(roles::get))
        .route("/v1.0/directoryRoles/{id}/members", get(roles::members))
        .route(
            "/v1.0/directoryRoles/{id}/members/$ref",
            post(roles::add_member),
        )
        .route(
            "/v1.0/directoryRoles/{id}/members/{member}/$ref",
            axum::routing::delete(roles::remove_member),
        )
        .route(
            "/v1.0/identity/conditionalAccess/policies",
            get(ca::list).post(ca::create),
        )
        .route(
            "/v1.0/identity/conditionalAccess/policies/{id}",
            get(ca::get).patch(ca::update).delete(ca::delete),
        )
        .route(
            "/v1.0/identity/conditionalAccess/evaluate",
            post(what_if::evaluate),
        )
        .route(
            "/v1.0/identity/conditionalAccess/namedLocations",
            get(locations::list).post(locations::create),
        )
        .route(
            "/v1.0/identity/conditionalAccess/namedLocations/{id}",
            get(locations::get)
                .patch(locations::update)
                .delete(locations::delete),
        )
        .route(
            "/v1.0/policies/authenticationStrengthPolicies",
            get(strengths::list).post(strengths::create),
        )
        .route(
            "/v1.0/policies/authenticationStrengthPolicies/{id}",
            get(strengths::get)
                .patch(strengths::update)
                .delete(strengths::delete),
        )
        .route(
            "/v1.0/policies/authenticationMethodsPolicy",
            get(methods_policy::get_policy).patch(methods_policy::update_policy),
        )
        .route(
            "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}",
            get(methods_policy::get_configuration).patch(methods_policy::update_configuration),
        )
        .route(
            "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy",
            get(policies::get_security_defaults).patch(policies::update_security_defaults),
        )
        .route(
            "/v1.0/users/{id}/authentication/verificationPushes",
            post(verification_pushes::send),
        )
        .route(
            "/v1.0/users/{id}/authentication/verificationPushes/{pushId}",
            get(verification_pushes::get),
        )
        .route(
            "/v1.0/identityProtection/riskyUsers",
            get(identity_protection::list_risky_users),
        )
        .route(
            "/v1.0/identityProtection/riskyUsers/{id}",
            get(identity_protection::get_risky_user),
        )
        .route(
            "/v1.0/identityProtection/riskyUsers/confirmCompromised",
            post(identity_protection::confirm_compromised),
        )
        .route(
            "/v1.0/identityProtection/riskyUsers/dismiss",
            post(identity_protection::dismiss),
        )
        .route(
            "/v1.0/identityProtection/riskDetections",
            get(identity_protection::list_risk_detections),
        )
        .route("/v1.0/auditLogs/directoryAudits", get(audit::list))
        .route(
            "/v1.0/auditLogs/signIns",
            get(crate::routes::sign_ins::list),
        )
        .route(
            "/v1.0/auditLogs/signIns/{id}",
            get(crate::routes::sign_ins::get),
        )
        .route(
            "/v1.0/applications",
            get(applications::list).post(applications::create),
        )
        .route(
            "/v1.0/applications/{id}",
            get(applications::get)
                .patch(applications::update)
                .delete(applications::delete),
        )
        .route(
            "/v1.0/applications/{id}/addPassword",
            post(applications::add_password),
        )
        .route(
            "/v1.0/applications/{id}/removePassword",
            post(applications::remove_password),
        );

    Router::new()
        .route("/healthz", get(health::healthz))
        .merge(crate::routes::signin_api::routes())
        .merge(crate::routes::authenticator::routes())
        .merge(crate::routes::authentication_methods::routes())
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/openapi.json", get(openapi::openapi))
        .route("/oauth2/token", post(token::token))
        .route("/.well-known/jwks.json", get(token::jwks))
        .merge(crate::routes::oidc::routes())
        .route("/bootstrap", get(bootstrap::show).post(bootstrap::submit))
        .merge(crate::routes::forward_auth_routes::routes())
        .merge(api)
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        // Inner layers see the matched route (for metric labels).
        .layer(axum::middleware::from_fn(crate::http_metrics::record))
        .layer(DefaultBodyLimit::max(limits.body_limit_bytes))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        // The path only: query strings can carry one-time tokens.
                        .make_span_with(|request: &Request<_>| {
                            let request_id = request
                                .headers()
                                .get(REQUEST_ID)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("-");
                            tracing::info_span!(
                                "request",
                                method = %request.method(),
                                path = %request.uri().path(),
                                request_id = %request_id,
                            )
                        })
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(SetSensitiveRequestHeadersLayer::new([
                    header::AUTHORIZATION,
                    header::COOKIE,
                ]))
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    limits.request_timeout,
                )),
        )
        .with_state(state)
}

async fn unknown_route() -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "UnknownRoute",
        "No resource exists at this address.",
    )
}

async fn method_not_allowed() -> GraphError {
    GraphError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "This resource does not support the HTTP method.",
    )
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    GraphError::internal().into_response()
}
