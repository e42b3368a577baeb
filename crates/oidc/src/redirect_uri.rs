//! Redirect-URI matching: byte-for-byte equality with a registered URI (RFC 9700
//! §4.1.3; no prefixes, no wildcards, no normalisation).
//!
//! The one exception is RFC 8252 §7.3 for native apps: a desktop app listening on an
//! ephemeral loopback port cannot know the port at registration, so a client whose
//! registration sets [`crate::ClientConfig::loopback_redirect_any_port`] may present a
//! registered `http://127.0.0.1/...` or `http://[::1]/...` URI with any port. Only the
//! IP literals qualify: RFC 8252 §8.3 advises against `localhost`, which DNS or a hosts
//! file can point elsewhere. Everything except the port must still match exactly.

/// Whether `presented` is one of `registered`, under the client's loopback option.
pub fn redirect_uri_matches(
    registered: &[String],
    presented: &str,
    loopback_any_port: bool,
) -> bool {
    if presented.contains('#') {
        // RFC 6749 §3.1.2: the endpoint URI must not include a fragment.
        return false;
    }
    registered.iter().any(|candidate| {
        candidate == presented
            || (loopback_any_port && loopback_equal_ignoring_port(candidate, presented))
    })
}

/// Exact match with no exception, for `post_logout_redirect_uri`.
pub fn exact_match(registered: &[String], presented: &str) -> bool {
    registered.iter().any(|candidate| candidate == presented)
}

fn loopback_equal_ignoring_port(registered: &str, presented: &str) -> bool {
    match (split_loopback(registered), split_loopback(presented)) {
        (Some((host_a, rest_a)), Some((host_b, rest_b))) => host_a == host_b && rest_a == rest_b,
        _ => false,
    }
}

/// Splits `http://<loopback-ip>[:port]<rest>` into the host and what follows the port.
fn split_loopback(uri: &str) -> Option<(&str, &str)> {
    let after_scheme = uri.strip_prefix("http://")?;
    let host = ["127.0.0.1", "[::1]"]
        .into_iter()
        .find(|host| after_scheme.starts_with(host))?;
    let after_host = &after_scheme[host.len()..];
    let rest = match after_host.strip_prefix(':') {
        Some(port_and_rest) => {
            let digits = port_and_rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || digits > 5 {
                return None;
            }
            &port_and_rest[digits..]
        }
        None => after_host,
    };
    // The authority must end here; otherwise `127.0.0.1.evil.example` would pass.
    if rest.is_empty() || rest.starts_with('/') || rest.starts_with('?') {
        Some((host, rest))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(uris: &[&str]) -> Vec<String> {
        uris.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn only_exact_bytes_match() {
        let r = reg(&["https://app.example/cb"]);
        assert!(redirect_uri_matches(&r, "https://app.example/cb", false));
        for near_miss in [
            "https://app.example/cb/",
            "https://app.example/cb?x=1",
            "https://app.example/cbx",
            "https://APP.example/cb",
            "https://app.example:443/cb",
            "https://app.example/CB",
            "https://app.example/cb#frag",
            "http://app.example/cb",
            "https://app.example.evil/cb",
        ] {
            assert!(!redirect_uri_matches(&r, near_miss, true), "{near_miss}");
        }
    }

    #[test]
    fn loopback_port_exception_is_opt_in_and_keeps_the_rest_exact() {
        let r = reg(&["http://127.0.0.1/callback", "http://[::1]:8080/cb"]);
        assert!(!redirect_uri_matches(
            &r,
            "http://127.0.0.1:51004/callback",
            false
        ));
        assert!(redirect_uri_matches(
            &r,
            "http://127.0.0.1:51004/callback",
            true
        ));
        assert!(redirect_uri_matches(&r, "http://[::1]:1/cb", true));
        assert!(!redirect_uri_matches(
            &r,
            "http://127.0.0.1:51004/other",
            true
        ));
        assert!(!redirect_uri_matches(&r, "http://[::1]:1/callback", true));
        assert!(!redirect_uri_matches(
            &r,
            "http://127.0.0.1.evil.example/callback",
            true
        ));
        assert!(!redirect_uri_matches(
            &r,
            "http://127.0.0.1:x/callback",
            true
        ));
        assert!(!redirect_uri_matches(
            &r,
            "https://127.0.0.1:5/callback",
            true
        ));
    }

    #[test]
    fn localhost_gets_no_exception() {
        let r = reg(&["http://localhost/cb"]);
        assert!(!redirect_uri_matches(&r, "http://localhost:9000/cb", true));
    }
}
