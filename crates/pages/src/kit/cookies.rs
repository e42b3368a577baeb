//! Cookie helpers implementing the session-cookie contract (TEAM_RULES §11):
//! `__Host-portcullis_session` under TLS, `portcullis_session` over plain HTTP; always
//! HttpOnly, SameSite=Lax, Path=/; Secure under TLS.
//!
//! The `__Host-` prefix makes the browser refuse the cookie unless it is Secure, has
//! Path=/ and no Domain, so a sibling subdomain cannot plant or shadow it. Browsers only
//! honour the prefix over https, which is why plain HTTP (development, tests on
//! loopback) uses the bare name.

use std::time::Duration;

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use cookie::{Cookie, SameSite};

/// Base name of the browser SSO session cookie.
pub const SESSION_COOKIE: &str = "portcullis_session";
/// Base name of the pre-session cookie that carries the CSRF token.
pub const CSRF_COOKIE: &str = "portcullis_csrf";

/// Whether cookies are sent over TLS only; decided once from the public URL (a proxy
/// terminating TLS in front of us still means the browser speaks https).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookiePolicy {
    pub secure: bool,
}

impl CookiePolicy {
    /// Secure exactly when the public URL is https.
    pub fn from_public_url(public_url: &str) -> Self {
        let secure = public_url
            .get(..8)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"));
        CookiePolicy { secure }
    }

    /// The cookie name for `base` under this policy (`__Host-` prefix under TLS).
    pub fn name(&self, base: &str) -> String {
        if self.secure {
            format!("__Host-{base}")
        } else {
            base.to_owned()
        }
    }

    /// The SSO session cookie's name.
    pub fn session_cookie_name(&self) -> String {
        self.name(SESSION_COOKIE)
    }

    /// A `Set-Cookie` value for `base` = `value`. `max_age: None` makes a browser-session
    /// cookie (gone when the browser closes): the default unless the user chose "stay
    /// signed in".
    pub fn set(&self, base: &str, value: &str, max_age: Option<Duration>) -> HeaderValue {
        let mut cookie = Cookie::build((self.name(base), value.to_owned()))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .build();
        if let Some(age) = max_age {
            let seconds = i64::try_from(age.as_secs()).unwrap_or(i64::MAX);
            cookie.set_max_age(time::Duration::seconds(seconds));
        }
        header_value(&cookie)
    }

    /// A `Set-Cookie` value that deletes `base` (empty value, expired).
    pub fn clear(&self, base: &str) -> HeaderValue {
        let mut cookie = Cookie::build((self.name(base), ""))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .build();
        cookie.make_removal();
        header_value(&cookie)
    }

    /// The session cookie carrying `token`.
    pub fn session_cookie(&self, token: &str, max_age: Option<Duration>) -> HeaderValue {
        self.set(SESSION_COOKIE, token, max_age)
    }

    /// Deletes the session cookie (sign-out).
    pub fn clear_session_cookie(&self) -> HeaderValue {
        self.clear(SESSION_COOKIE)
    }

    /// The value of cookie `base` in the request, under this policy's name.
    pub fn read<'a>(&self, headers: &'a HeaderMap, base: &str) -> Option<&'a str> {
        read_cookie(headers, &self.name(base))
    }
}

fn header_value(cookie: &Cookie<'_>) -> HeaderValue {
    // Names and values are ours (fixed names, base64url values), so they are always
    // valid header text; an empty value is the safe fallback should that ever change.
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The value of the cookie called `name`, from every `Cookie` header of the request.
/// The first occurrence wins, as in browsers' own ordering (the most specific path first).
pub fn read_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
}

/// Appends a `Set-Cookie` header (several may be set on one response).
pub fn append_set_cookie(headers: &mut HeaderMap, value: HeaderValue) {
    headers.append(SET_COOKIE, value);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &HeaderValue) -> String {
        value.to_str().unwrap().to_owned()
    }

    #[test]
    fn tls_session_cookie_has_host_prefix_and_every_attribute() {
        let policy = CookiePolicy::from_public_url("https://id.example.com");
        assert!(policy.secure);
        let set = text(&policy.session_cookie("abc", None));
        assert!(set.starts_with("__Host-portcullis_session=abc"), "{set}");
        for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(set.contains(attribute), "{attribute} missing from {set}");
        }
        assert!(!set.contains("Domain"), "{set}");
        assert!(!set.contains("Max-Age"), "{set}");
    }

    #[test]
    fn plain_http_cookie_has_no_prefix_and_no_secure() {
        let policy = CookiePolicy::from_public_url("http://127.0.0.1:8080");
        let set = text(&policy.session_cookie("abc", Some(Duration::from_secs(3600))));
        assert!(set.starts_with("portcullis_session=abc"), "{set}");
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"));
        assert!(!set.contains("Secure"), "{set}");
        assert!(set.contains("Max-Age=3600"), "{set}");
    }

    #[test]
    fn clearing_expires_the_cookie() {
        let policy = CookiePolicy { secure: true };
        let set = text(&policy.clear_session_cookie());
        assert!(set.starts_with("__Host-portcullis_session=;"), "{set}");
        assert!(set.contains("Max-Age=0"), "{set}");
    }

    #[test]
    fn reads_the_named_cookie_among_several_headers() {
        let mut headers = HeaderMap::new();
        headers.append(
            COOKIE,
            HeaderValue::from_static("a=1; portcullis_session=xyz"),
        );
        headers.append(COOKIE, HeaderValue::from_static("portcullis_session=later"));
        assert_eq!(read_cookie(&headers, "portcullis_session"), Some("xyz"));
        assert_eq!(read_cookie(&headers, "a"), Some("1"));
        assert_eq!(read_cookie(&headers, "missing"), None);
        let secure = CookiePolicy { secure: true };
        assert_eq!(secure.read(&headers, SESSION_COOKIE), None);
    }
}
