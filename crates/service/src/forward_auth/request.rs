//! What the reverse proxy tells about the original request, and the URL to return to
//! after signing in — checked so that forward-auth can never be made to redirect a
//! browser anywhere but to a configured application (no open redirect).

use std::net::IpAddr;

/// Longest original URI accepted (nginx's default large header buffer is 8 KiB).
const MAX_URI_LEN: usize = 8_192;

/// The original request, from the proxy's headers (`X-Forwarded-Method`, `-Proto`,
/// `-Host`, `-Uri`; nginx configurations often send `X-Original-URI` instead).
#[derive(Debug, Clone, Default)]
pub struct ForwardAuthRequest {
    pub method: Option<String>,
    pub proto: Option<String>,
    pub host: Option<String>,
    pub uri: Option<String>,
    /// The client's address, resolved through the trusted-proxy list.
    pub client_ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// The original request's `Cookie` header.
    pub cookie_header: Option<String>,
}

/// Why the proxy's description of the request cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OriginalRequestError {
    #[error("X-Forwarded-Host (or Host) is missing")]
    MissingHost,
    #[error("X-Forwarded-Host {0:?} is not a host name with an optional port")]
    BadHost(String),
    #[error("X-Forwarded-Proto {0:?} is neither http nor https")]
    BadProto(String),
    #[error(
        "X-Forwarded-Uri {0:?} is not an origin-form path (it must start with one '/', without backslashes, spaces or control characters)"
    )]
    BadUri(String),
}

/// The original URL, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginalUrl {
    pub scheme: &'static str,
    /// Lower case, with the port if the proxy sent one.
    pub host: String,
    /// Path and query.
    pub uri: String,
}

impl OriginalUrl {
    /// The path without the query, for matching path prefixes.
    pub fn path(&self) -> &str {
        self.uri.split(['?', '#']).next().unwrap_or("/")
    }

    /// The absolute URL to come back to after signing in.
    pub fn absolute(&self) -> String {
        format!("{}://{}{}", self.scheme, self.host, self.uri)
    }
}

impl ForwardAuthRequest {
    /// Validates the original URL. A missing proto counts as https and a missing URI as
    /// `/`; anything odd is refused rather than passed on into a redirect.
    pub fn original_url(&self) -> Result<OriginalUrl, OriginalRequestError> {
        let host = self
            .host
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .ok_or(OriginalRequestError::MissingHost)?;
        // Several proxies in a row may each append: the first is the client's.
        let host = host
            .split(',')
            .next()
            .unwrap_or(host)
            .trim()
            .to_ascii_lowercase();
        if !valid_host(&host) {
            return Err(OriginalRequestError::BadHost(host));
        }
        let scheme = match self
            .proto
            .as_deref()
            .map(|p| p.split(',').next().unwrap_or(p).trim())
        {
            None | Some("") => "https",
            Some(p) if p.eq_ignore_ascii_case("https") => "https",
            Some(p) if p.eq_ignore_ascii_case("http") => "http",
            Some(other) => return Err(OriginalRequestError::BadProto(other.to_owned())),
        };
        let uri = self.uri.as_deref().unwrap_or("/").trim().to_owned();
        if !valid_uri(&uri) {
            return Err(OriginalRequestError::BadUri(uri));
        }
        Ok(OriginalUrl { scheme, host, uri })
    }
}

/// A DNS name or IPv4 address (letters, digits, dots, hyphens) with an optional port, or
/// a bracketed IPv6 literal with an optional port. No userinfo (`@`), no path.
fn valid_host(host: &str) -> bool {
    if host.len() > 260 {
        return false;
    }
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let Some((literal, after)) = rest.split_once(']') else {
            return false;
        };
        if literal.parse::<std::net::Ipv6Addr>().is_err() {
            return false;
        }
        match after {
            "" => return true,
            _ => match after.strip_prefix(':') {
                Some(port) => ("v6", Some(port)),
                None => return false,
            },
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        }
    };
    let name_ok = !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    name_ok && port_ok
}

/// Origin-form only: one leading `/` (`//evil.example` would be protocol-relative),
/// no backslash (browsers read `/\evil` as `//evil`), no whitespace or control chars.
fn valid_uri(uri: &str) -> bool {
    uri.len() <= MAX_URI_LEN
        && uri.starts_with('/')
        && !uri.starts_with("//")
        && !uri.contains('\\')
        && !uri.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Whether `path` lies under `prefix` at a segment boundary (`/wiki` covers `/wiki` and
/// `/wiki/page`, not `/wikipedia`).
pub fn path_under(path: &str, prefix: &str) -> bool {
    if prefix == "/" || path == prefix {
        return true;
    }
    match path.strip_prefix(prefix) {
        Some(rest) => prefix.ends_with('/') || rest.starts_with('/'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(host: &str, proto: &str, uri: &str) -> ForwardAuthRequest {
        ForwardAuthRequest {
            host: Some(host.into()),
            proto: Some(proto.into()),
            uri: Some(uri.into()),
            ..ForwardAuthRequest::default()
        }
    }

    #[test]
    fn original_url_round_trips() {
        let url = request("Wiki.Example.com:8443", "https", "/page?q=1")
            .original_url()
            .unwrap();
        assert_eq!(url.absolute(), "https://wiki.example.com:8443/page?q=1");
        assert_eq!(url.path(), "/page");
        let v6 = request("[::1]:8080", "http", "/").original_url().unwrap();
        assert_eq!(v6.absolute(), "http://[::1]:8080/");
    }

    #[test]
    fn open_redirect_shapes_are_refused() {
        for (host, proto, uri) in [
            ("wiki.example.com", "https", "//evil.example/"),
            ("wiki.example.com", "https", "/\\evil.example"),
            ("wiki.example.com", "https", "https://evil.example/"),
            ("wiki.example.com", "https", "/a b"),
            ("wiki.example.com", "https", "/a\r\nLocation: x"),
            ("evil.example/path", "https", "/"),
            ("user@evil.example", "https", "/"),
            ("wiki.example.com", "javascript", "/"),
            ("wiki.example.com:99999", "https", "/"),
            ("", "https", "/"),
        ] {
            assert!(
                request(host, proto, uri).original_url().is_err(),
                "{host} {proto} {uri}"
            );
        }
    }

    #[test]
    fn prefixes_match_at_segment_boundaries() {
        assert!(path_under("/wiki", "/wiki"));
        assert!(path_under("/wiki/page", "/wiki"));
        assert!(path_under("/wiki/page", "/wiki/"));
        assert!(!path_under("/wikipedia", "/wiki"));
        assert!(path_under("/anything", "/"));
    }
}
