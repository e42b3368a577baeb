//! The end of a sign-in: the session cookie (a new value on every sign-in, so a cookie
//! planted before sign-in is never promoted: no session fixation), "stay signed in?",
//! and the way back to `return_to`.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_service::Services;
use portcullis_service::signin::IssuedSession;
use time::OffsetDateTime;

use super::outcome::Rendering;
use super::views::{ContinuePage, StayPage};
use crate::kit::return_to::{self, ReturnTo};
use crate::kit::{CookiePolicy, render};

/// Sets the session cookie and moves on.
pub async fn complete(
    services: &Services,
    rendering: &Rendering<'_>,
    issued: IssuedSession,
) -> Response {
    // Validated when the sign-in started; checked again because hidden fields can be
    // edited. An invalid value must not strand a user who just signed in: they land on
    // My security info instead.
    let destination = match return_to::resolve(services, Some(&rendering.next.return_to)).await {
        Ok(destination) => destination,
        Err(_) => {
            tracing::warn!("return_to refused at the end of a sign-in");
            ReturnTo::default()
        }
    };
    let max_age = issued
        .persistent
        .then(|| remaining(issued.expires_at))
        .flatten();
    let cookie = rendering
        .cookies
        .session_cookie(&issued.cookie_value, max_age);
    // Ask "stay signed in?" only when no policy decided persistence.
    let ask_to_stay = !issued.persistent
        && issued
            .completed
            .session_controls
            .persistent_browser
            .is_none();
    let mut response = if ask_to_stay {
        render(&StayPage {
            csrf: rendering.csrf.to_owned(),
            return_to: destination.as_str().to_owned(),
        })
    } else {
        go_to(&destination)
    };
    set_cookie(&mut response, cookie);
    response
}

/// The time left until `expires_at`, as a cookie lifetime.
pub fn remaining(expires_at: OffsetDateTime) -> Option<std::time::Duration> {
    let left = expires_at - OffsetDateTime::now_utc();
    u64::try_from(left.whole_seconds())
        .ok()
        .filter(|s| *s > 0)
        .map(std::time::Duration::from_secs)
}

pub fn set_cookie(response: &mut Response, cookie: HeaderValue) {
    response.headers_mut().append(header::SET_COOKIE, cookie);
}

/// A same-origin destination by 303; another host through the continue page (a form
/// post may not redirect off-site under `form-action 'self'`). So does a same-origin
/// protocol endpoint that answers with a redirect to the client (`/oauth2/authorize`):
/// Chromium checks `form-action` along the whole redirect chain of the post.
pub fn go_to(destination: &ReturnTo) -> Response {
    match destination {
        ReturnTo::Relative(path) if return_to::redirects_off_site(path) => render(&ContinuePage {
            destination: path.clone(),
            host: return_to::client_host(path).unwrap_or_else(|| "the application".into()),
        }),
        ReturnTo::Relative(path) => Redirect::to(path).into_response(),
        ReturnTo::External(url) => {
            let host = url::Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default();
            render(&ContinuePage {
                destination: url.clone(),
                host,
            })
        }
    }
}

/// Re-sets the session cookie to outlive the browser (the "Yes" of "stay signed in?").
pub fn persistent_cookie(
    cookies: &CookiePolicy,
    token: &str,
    expires_at: OffsetDateTime,
) -> Option<HeaderValue> {
    remaining(expires_at).map(|age| cookies.session_cookie(token, Some(age)))
}
