//! Checks of a client's registration, for the admin API to run before saving:
//! exact matching is only as strict as the URIs it matches against.
//!
//! Redirect URIs (RFC 9700 §2.1, RFC 8252 §7): absolute, no fragment, no wildcard;
//! `https` for everything reachable over a network; plain `http` only on the loopback
//! IP literals; private-use schemes (`com.example.app:/cb`, reverse domain names as RFC
//! 8252 §7.1 asks) only for public (native) clients.

use crate::client::{ClientConfig, ClientType, GrantType, TokenEndpointAuthMethod};

/// Longest redirect URI accepted at registration.
pub const MAX_REGISTERED_URI_LEN: usize = 2000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    #[error("client_id is empty")]
    EmptyClientId,
    #[error("redirect URI {uri:?}: {why}")]
    RedirectUri { uri: String, why: &'static str },
    #[error("a public client cannot authenticate with {0}; use none")]
    PublicClientWithSecret(&'static str),
    #[error(
        "a confidential client must authenticate (client_secret_basic, client_secret_post or private_key_jwt)"
    )]
    ConfidentialClientWithoutAuthentication,
    #[error("a public client cannot use client_credentials")]
    PublicClientCredentials,
    #[error("the authorization code grant needs at least one redirect URI")]
    NoRedirectUri,
    #[error("the loopback any-port option is for native (public) clients only")]
    LoopbackOptionOnConfidentialClient,
}

/// Checks one redirect (or post-logout redirect) URI for a client of `client_type`.
pub fn check_registered_uri(uri: &str, client_type: ClientType) -> Result<(), RegistrationError> {
    let fail = |why| {
        Err(RegistrationError::RedirectUri {
            uri: uri.chars().take(120).collect(),
            why,
        })
    };
    if uri.is_empty() || uri.len() > MAX_REGISTERED_URI_LEN {
        return fail("must be 1 to 2000 characters");
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return fail("must not contain spaces or control characters");
    }
    if uri.contains('#') {
        return fail("must not contain a fragment (RFC 6749 §3.1.2)");
    }
    if uri.contains('*') {
        return fail("wildcards are not allowed; register every URI exactly");
    }
    if let Some(rest) = uri.strip_prefix("https://") {
        return if authority_of(rest).is_empty() {
            fail("has no host")
        } else {
            Ok(())
        };
    }
    if let Some(rest) = uri.strip_prefix("http://") {
        let authority = authority_of(rest);
        let host = authority
            .rsplit_once(':')
            .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            .map_or(authority, |(host, _)| host);
        return if host == "127.0.0.1" || host == "[::1]" {
            Ok(())
        } else {
            fail("plain http is only allowed on 127.0.0.1 or [::1]; use https")
        };
    }
    match uri.split_once(':') {
        Some((scheme, _)) if is_private_use_scheme(scheme) => {
            if client_type == ClientType::Public {
                Ok(())
            } else {
                fail("private-use URI schemes are for native (public) clients")
            }
        }
        _ => fail("must be https, loopback http, or a reverse-domain private-use scheme"),
    }
}

fn authority_of(after_scheme: &str) -> &str {
    let end = after_scheme.find(['/', '?']).unwrap_or(after_scheme.len());
    &after_scheme[..end]
}

/// RFC 8252 §7.1: a reverse domain name such as `com.example.app`.
fn is_private_use_scheme(scheme: &str) -> bool {
    scheme.contains('.')
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'))
}

impl ClientConfig {
    /// Every registration rule; the first one broken is returned.
    pub fn validate(&self) -> Result<(), RegistrationError> {
        if self.client_id.is_empty() {
            return Err(RegistrationError::EmptyClientId);
        }
        match (self.client_type, self.token_endpoint_auth_method) {
            (ClientType::Public, TokenEndpointAuthMethod::None) => {}
            (ClientType::Public, method) => {
                return Err(RegistrationError::PublicClientWithSecret(method.as_str()));
            }
            (ClientType::Confidential, TokenEndpointAuthMethod::None) => {
                return Err(RegistrationError::ConfidentialClientWithoutAuthentication);
            }
            (ClientType::Confidential, _) => {}
        }
        if self.client_type == ClientType::Public && self.allows_grant(GrantType::ClientCredentials)
        {
            return Err(RegistrationError::PublicClientCredentials);
        }
        if self.client_type == ClientType::Confidential && self.loopback_redirect_any_port {
            return Err(RegistrationError::LoopbackOptionOnConfidentialClient);
        }
        if self.allows_grant(GrantType::AuthorizationCode) && self.redirect_uris.is_empty() {
            return Err(RegistrationError::NoRedirectUri);
        }
        self.redirect_uris
            .iter()
            .chain(&self.post_logout_redirect_uris)
            .try_for_each(|uri| check_registered_uri(uri, self.client_type))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_rules() {
        let ok = |uri, t| check_registered_uri(uri, t).is_ok();
        assert!(ok("https://app.example/cb", ClientType::Confidential));
        assert!(ok(
            "https://app.example:8443/cb?x=1",
            ClientType::Confidential
        ));
        assert!(ok("http://127.0.0.1/cb", ClientType::Public));
        assert!(ok("http://[::1]:8080/cb", ClientType::Confidential));
        assert!(ok("com.example.app:/oauth2redirect", ClientType::Public));
        assert!(!ok(
            "com.example.app:/oauth2redirect",
            ClientType::Confidential
        ));
        for bad in [
            "",
            "http://app.example/cb",
            "http://localhost/cb",
            "http://127.0.0.1.evil.example/cb",
            "https:///cb",
            "https://*.app.example/cb",
            "https://app.example/cb#x",
            "https://app.example/c b",
            "javascript:alert(1)",
            "data:text/html,x",
            "myapp:/cb",
            "/relative",
        ] {
            assert!(!ok(bad, ClientType::Public), "{bad}");
        }
    }

    fn base() -> ClientConfig {
        ClientConfig {
            client_id: "web".into(),
            client_type: ClientType::Confidential,
            redirect_uris: vec!["https://app.example/cb".into()],
            loopback_redirect_any_port: false,
            post_logout_redirect_uris: vec![],
            grant_types: vec![GrantType::AuthorizationCode, GrantType::ClientCredentials],
            token_endpoint_auth_method: TokenEndpointAuthMethod::ClientSecretBasic,
            require_pkce: false,
        }
    }

    #[test]
    fn client_rules() {
        assert_eq!(base().validate(), Ok(()));
        let public_with_secret = ClientConfig {
            client_type: ClientType::Public,
            ..base()
        };
        assert!(matches!(
            public_with_secret.validate(),
            Err(RegistrationError::PublicClientWithSecret(_))
        ));
        let public_cc = ClientConfig {
            client_type: ClientType::Public,
            token_endpoint_auth_method: TokenEndpointAuthMethod::None,
            ..base()
        };
        assert_eq!(
            public_cc.validate(),
            Err(RegistrationError::PublicClientCredentials)
        );
        let no_auth = ClientConfig {
            token_endpoint_auth_method: TokenEndpointAuthMethod::None,
            ..base()
        };
        assert_eq!(
            no_auth.validate(),
            Err(RegistrationError::ConfidentialClientWithoutAuthentication)
        );
        let no_uri = ClientConfig {
            redirect_uris: vec![],
            ..base()
        };
        assert_eq!(no_uri.validate(), Err(RegistrationError::NoRedirectUri));
        let loopback = ClientConfig {
            loopback_redirect_any_port: true,
            ..base()
        };
        assert_eq!(
            loopback.validate(),
            Err(RegistrationError::LoopbackOptionOnConfidentialClient)
        );
        let bad_logout = ClientConfig {
            post_logout_redirect_uris: vec!["http://evil/".into()],
            ..base()
        };
        assert!(bad_logout.validate().is_err());
    }
}
