//! The routes of forward-auth and of the signed-in user's own sessions, kept together
//! so the shared router names them in one line.

use axum::Router;
use axum::routing::{any, delete, get, post};

use super::{forward_auth, sessions};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        // auth_request keeps the original method; every method is judged alike.
        .route("/forward-auth/nginx", any(forward_auth::nginx))
        .route("/forward-auth/traefik", any(forward_auth::traefik))
        .route("/forward-auth/caddy", any(forward_auth::caddy))
        .route("/api/v1/me/sessions", get(sessions::list_mine))
        .route(
            "/api/v1/me/sessions/revokeAll",
            post(sessions::revoke_all_mine),
        )
        .route("/api/v1/me/sessions/{id}", delete(sessions::revoke_mine))
}
