//! `return_to`: where the browser goes after signing in, under the TEAM_RULES contract.
//! Accepted: a same-origin relative path, or an absolute http(s) URL whose host is a
//! configured forward-auth application (or this server itself). Everything else is an
//! open redirect and is refused.
//!
//! Browsers are lenient in ways that turn innocent-looking paths into other hosts:
//! `//evil`, `/\evil` and `/<TAB>/evil` all navigate to `evil`. So a relative value must
//! start with exactly one `/` and contain no backslash, whitespace or control character.

use portcullis_core::ApplicationKind;
use portcullis_service::Services;
use url::Url;

use super::error_page::PageError;

/// Longest `return_to` accepted.
pub const MAX_RETURN_TO_CHARS: usize = 2048;
/// Where a sign-in that names no destination ends.
pub const DEFAULT_RETURN_TO: &str = "/security-info";

/// A validated destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnTo {
    /// A same-origin path (with query): answered with a 303.
    Relative(String),
    /// Another host (a forward-auth app): reached through the "continue" page, since
    /// `form-action 'self'` forbids redirecting a form post off-site.
    External(String),
}

impl ReturnTo {
    pub fn as_str(&self) -> &str {
        match self {
            ReturnTo::Relative(s) | ReturnTo::External(s) => s,
        }
    }
}

impl Default for ReturnTo {
    fn default() -> Self {
        ReturnTo::Relative(DEFAULT_RETURN_TO.to_owned())
    }
}

fn has_unsafe_chars(text: &str) -> bool {
    text.chars()
        .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

/// A same-origin relative path, or `None`.
pub fn relative_path(raw: &str) -> Option<String> {
    let ok = raw.len() <= MAX_RETURN_TO_CHARS
        && raw.starts_with('/')
        && !raw.starts_with("//")
        && !has_unsafe_chars(raw);
    ok.then(|| raw.to_owned())
}

/// Validates `raw` against this server's public URL and the allowed external hosts
/// (`host` or `host:port`, lower case). `None`: refused.
pub fn validate(raw: &str, public_url: &str, allowed_hosts: &[String]) -> Option<ReturnTo> {
    if let Some(path) = relative_path(raw) {
        return Some(ReturnTo::Relative(path));
    }
    if raw.len() > MAX_RETURN_TO_CHARS || has_unsafe_chars(raw) {
        return None;
    }
    let url = Url::parse(raw).ok()?;
    if !matches!(url.scheme(), "http" | "https")
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let authority = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    };
    if let Ok(own) = Url::parse(public_url)
        && own.origin() == url.origin()
    {
        let mut path = url.path().to_owned();
        if let Some(query) = url.query() {
            path.push('?');
            path.push_str(query);
        }
        return relative_path(&path).map(ReturnTo::Relative);
    }
    allowed_hosts
        .contains(&authority)
        .then(|| ReturnTo::External(url.to_string()))
}

/// Whether a same-origin destination answers with a redirect to another host: the
/// OAuth endpoints send the browser on to the client's registered redirect URI.
pub fn redirects_off_site(path: &str) -> bool {
    path.starts_with("/oauth2/")
}

/// The host of the `redirect_uri` (or `post_logout_redirect_uri`) an OAuth request
/// names, to tell the user where they are going next.
pub fn client_host(path: &str) -> Option<String> {
    let url = Url::parse("http://placeholder.invalid")
        .ok()?
        .join(path)
        .ok()?;
    url.query_pairs()
        .find(|(k, _)| k == "redirect_uri" || k == "post_logout_redirect_uri")
        .and_then(|(_, v)| Url::parse(&v).ok())
        .and_then(|u| u.host_str().map(str::to_owned))
}

/// The hosts of enabled forward-auth applications (their `settings.host`).
pub async fn forward_auth_hosts(services: &Services) -> Result<Vec<String>, PageError> {
    let applications = services
        .store()
        .list_applications()
        .await
        .map_err(|e| PageError::internal_from(&e))?;
    Ok(applications
        .iter()
        .filter(|app| app.enabled && app.kind == ApplicationKind::ForwardAuth)
        .filter_map(|app| app.settings.get("host").and_then(|h| h.as_str()))
        .map(str::to_ascii_lowercase)
        .collect())
}

/// Resolves a `return_to` query value: absent → the default; present and valid → it;
/// present and invalid → an error page (never a silent fallback, so a broken link is
/// noticed rather than quietly landing somewhere else).
pub async fn resolve(services: &Services, raw: Option<&str>) -> Result<ReturnTo, PageError> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Ok(ReturnTo::default());
    };
    let public_url = services.settings().public_url.as_str();
    if let Some(valid) = validate(raw, public_url, &[]) {
        return Ok(valid);
    }
    let hosts = if Url::parse(raw).is_ok() {
        forward_auth_hosts(services).await?
    } else {
        Vec::new()
    };
    validate(raw, public_url, &hosts).ok_or_else(refused)
}

fn refused() -> PageError {
    PageError::new(
        axum::http::StatusCode::BAD_REQUEST,
        "Unknown destination",
        "The link that sent you here asks to continue to an address Portcullis does not \
         know. Sign-in stopped so that you are not sent to a site that is not yours.",
    )
    .with_code(90100)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: &str = "http://127.0.0.1:8080";

    fn hosts() -> Vec<String> {
        vec![
            "app.example.com".to_owned(),
            "wiki.example.com:8443".to_owned(),
        ]
    }

    #[test]
    fn relative_paths_are_accepted() {
        for ok in [
            "/",
            "/security-info",
            "/oauth2/authorize?client_id=a&x=%2F%2Fy",
        ] {
            assert_eq!(
                validate(ok, PUBLIC, &[]),
                Some(ReturnTo::Relative(ok.to_owned())),
                "{ok}"
            );
        }
    }

    #[test]
    fn open_redirects_are_refused() {
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "https://evil.example/",
            "https://app.example.com.evil.example/",
            "https://app.example.com@evil.example/",
            "https://user@app.example.com/",
            "javascript:alert(1)",
            "data:text/html,hi",
            "evil.example",
            "https://wiki.example.com/",
            "ftp://app.example.com/",
        ] {
            assert_eq!(validate(bad, PUBLIC, &hosts()), None, "{bad:?}");
        }
        assert_eq!(
            validate(&format!("/{}", "a".repeat(3000)), PUBLIC, &[]),
            None
        );
    }

    #[test]
    fn forward_auth_hosts_are_external_destinations() {
        assert_eq!(
            validate("https://app.example.com/x?y=1", PUBLIC, &hosts()),
            Some(ReturnTo::External(
                "https://app.example.com/x?y=1".to_owned()
            ))
        );
        assert_eq!(
            validate("https://WIKI.example.com:8443/", PUBLIC, &hosts()),
            Some(ReturnTo::External(
                "https://wiki.example.com:8443/".to_owned()
            ))
        );
    }

    #[test]
    fn oauth_endpoints_leave_the_origin_and_name_the_client() {
        let authorize = "/oauth2/authorize?client_id=c&redirect_uri=https%3A%2F%2Fapp.example%2Fcb";
        assert!(redirects_off_site(authorize));
        assert_eq!(client_host(authorize).as_deref(), Some("app.example"));
        assert!(!redirects_off_site("/device?user_code=ABCD"));
        assert_eq!(client_host("/oauth2/authorize?client_id=c"), None);
    }

    #[test]
    fn own_origin_becomes_relative() {
        assert_eq!(
            validate("http://127.0.0.1:8080/security-info?a=b", PUBLIC, &[]),
            Some(ReturnTo::Relative("/security-info?a=b".to_owned()))
        );
        assert_eq!(validate("http://127.0.0.1:9090/", PUBLIC, &[]), None);
    }
}
