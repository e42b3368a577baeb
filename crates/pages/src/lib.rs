//! Browser pages of sign-in and self-service (`/signin…`, `/security-info…`,
//! `/password-reset…`, `/signout`), and the UI kit ([`kit`]) they share with the admin
//! portal: base layout, stylesheet, security headers, CSRF, cookies, sessions, rate
//! limits and the error page.
//!
//! The pages translate browser requests into calls to the sign-in and security-info
//! services and render what those answer; no policy decision is made here.

// Tests may unwrap: a panic there is a failed test, not a crashed server.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod kit;
mod labels;
pub mod my_sessions;
mod password_reset;
pub mod security_info;
pub mod signin;
mod signout;
mod state;

use axum::Router;
use axum::routing::get;
use portcullis_web::AppState;

pub use state::PagesState;

/// The pages router, with the kit's middleware, ready to merge beside
/// `portcullis_web::router` (it has no fallback of its own).
pub fn router(app: AppState) -> Router {
    let state = PagesState::new(app);
    let pages = Router::new()
        .merge(signin::routes())
        .merge(security_info::routes())
        .merge(my_sessions::routes())
        .merge(password_reset::routes())
        .route("/signout", get(signout::show).post(signout::submit))
        .merge(kit::static_assets::router());
    kit::protect(pages, state.kit.clone()).with_state(state)
}
