//! The admin portal under `/admin`: server-rendered pages (askama, the UI kit of
//! `portcullis-pages`) over the admin services. Every page resolves the signed-in
//! administrator into a service [`Caller`](portcullis_service::Caller) with their
//! directory roles and calls the services as them, so least privilege is enforced where
//! it always is (the services); the portal only hides controls a role cannot use.
//!
//! Pages: overview with SVG charts ([`charts`]), Conditional Access (list, form, JSON,
//! templates, report-only toggle), What If, policy impact, sign-in logs (filter, detail,
//! CSV and JSON-lines export), audit logs, users, groups and roles, named locations,
//! authentication strengths, the authentication methods policy, applications,
//! break-glass accounts.

// Tests may unwrap: a panic there is a failed test, not a crashed server.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod admin;
pub mod charts;
mod error;
mod format;
mod pages;
mod state;
mod static_assets;

use axum::Router;
use axum::routing::{get, post};
use portcullis_pages::kit::Kit;
use portcullis_web::AppState;

pub use admin::Admin;
pub use state::PortalState;

/// The portal router with the UI kit's middleware (security headers, CSRF, rate
/// limit), ready to merge beside the other routers.
pub fn router(app: &AppState) -> Router {
    router_with_kit(Kit::new(app), app.base_url())
}

/// The portal router over an explicit kit and public URL (tests build one without a
/// whole server).
pub fn router_with_kit(kit: Kit, public_url: &str) -> Router {
    let state = PortalState::new(kit, public_url);
    use pages::{
        applications, audit, break_glass, groups, methods_policy, named_locations, overview,
        policies, roles, security_defaults, sign_ins, strengths, user_actions, user_risk, users,
        what_if,
    };
    let routes = Router::new()
        .route("/admin", get(overview::show))
        .route("/admin/policies", get(policies::list))
        .route(
            "/admin/policies/new",
            get(policies::new_form).post(policies::create),
        )
        .route("/admin/policies/templates", get(policies::templates))
        .route(
            "/admin/policies/templates/{slug}",
            post(policies::from_template),
        )
        .route(
            "/admin/policies/{id}",
            get(policies::edit_form).post(policies::update),
        )
        .route("/admin/policies/{id}/state", post(policies::set_state))
        .route("/admin/policies/{id}/impact", get(policies::impact))
        .route("/admin/what-if", get(what_if::form).post(what_if::evaluate))
        .route("/admin/sign-ins", get(sign_ins::list))
        .route("/admin/sign-ins/export", get(sign_ins::export))
        .route("/admin/sign-ins/{id}", get(sign_ins::detail))
        .route("/admin/audit", get(audit::list))
        .route("/admin/users", get(users::list))
        .route("/admin/users/{id}", get(users::detail))
        .route("/admin/users/{id}/enabled", post(users::set_enabled))
        .route(
            "/admin/users/{id}/revoke-sessions",
            post(user_actions::revoke_sessions),
        )
        .route(
            "/admin/users/{id}/reset-methods",
            post(user_actions::reset_methods),
        )
        .route(
            "/admin/users/{id}/temporary-access-pass",
            post(user_actions::issue_pass),
        )
        .route(
            "/admin/security-defaults",
            get(security_defaults::show).post(security_defaults::update),
        )
        .route("/admin/groups", get(groups::list))
        .route("/admin/groups/{id}", get(groups::detail))
        .route("/admin/roles", get(roles::list))
        .route("/admin/named-locations", get(named_locations::list))
        .route(
            "/admin/named-locations/new",
            get(named_locations::new_form).post(named_locations::create),
        )
        .route(
            "/admin/named-locations/{id}",
            get(named_locations::edit_form).post(named_locations::update),
        )
        .route(
            "/admin/named-locations/{id}/delete",
            post(named_locations::delete),
        )
        .route(
            "/admin/break-glass",
            get(break_glass::show).post(break_glass::update),
        )
        .route("/admin/users/{id}/unlock", post(user_actions::unlock))
        .route("/admin/users/{id}/risk/dismiss", post(user_risk::dismiss))
        .route(
            "/admin/users/{id}/risk/confirm-compromised",
            post(user_risk::confirm_compromised),
        )
        .route("/admin/authentication-strengths", get(strengths::list))
        .route(
            "/admin/authentication-strengths/new",
            get(strengths::new_form).post(strengths::create),
        )
        .route(
            "/admin/authentication-strengths/{id}",
            get(strengths::edit_form).post(strengths::update),
        )
        .route(
            "/admin/authentication-strengths/{id}/delete",
            post(strengths::delete),
        )
        .route("/admin/authentication-methods", get(methods_policy::show))
        .route(
            "/admin/authentication-methods/{method}",
            post(methods_policy::update),
        )
        .route("/admin/applications", get(applications::list))
        .route(
            "/admin/applications/new",
            get(applications::new_form).post(applications::create),
        )
        .route(
            "/admin/applications/{id}",
            get(applications::detail).post(applications::update),
        )
        .route(
            "/admin/applications/{id}/delete",
            post(applications::delete),
        )
        .route(
            "/admin/applications/{id}/secrets",
            post(applications::add_secret),
        )
        .route(
            "/admin/applications/{id}/secrets/{key}/delete",
            post(applications::remove_secret),
        )
        .merge(static_assets::router());
    portcullis_pages::kit::protect(routes, state.kit.clone()).with_state(state)
}
