//! The browser SSO session cookie (contract between engineers, TEAM_RULES §11): the value
//! is 32 random bytes in base64url without padding; the store keeps only its SHA-256
//! (`Session.token_hash`), so a database leak yields no usable cookie.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_core::SecretHash;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Cookie name under TLS: the `__Host-` prefix makes the browser insist on Secure,
/// Path=/ and no Domain, so a sibling host cannot plant or read it.
pub const SECURE_COOKIE_NAME: &str = "__Host-portcullis_session";
/// Cookie name over plain HTTP (development, tests on loopback).
pub const PLAIN_COOKIE_NAME: &str = "portcullis_session";

/// Length of the cookie value: 32 bytes in unpadded base64url.
const TOKEN_CHARS: usize = 43;

/// A freshly generated session token: the value for the cookie and the hash to store.
#[derive(Clone)]
pub struct NewSessionToken {
    /// Goes into the cookie only; never logged or stored.
    pub cookie_value: String,
    pub token_hash: SecretHash,
}

impl std::fmt::Debug for NewSessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSessionToken")
            .field("token_hash", &self.token_hash)
            .finish_non_exhaustive()
    }
}

impl NewSessionToken {
    /// Draws 32 bytes from `rng` (pass the operating system's generator in production).
    pub fn generate(rng: &mut impl RngCore) -> Self {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        let cookie_value = URL_SAFE_NO_PAD.encode(bytes);
        let token_hash = SecretHash::of(&cookie_value);
        NewSessionToken {
            cookie_value,
            token_hash,
        }
    }
}

/// A presented cookie value that has the contract's shape, with its digest computed
/// once: the raw digest keys node caches, the [`SecretHash`] finds the stored session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PresentedToken {
    digest: [u8; 32],
}

impl PresentedToken {
    /// `None` for anything that is not 43 base64url characters, so junk never reaches
    /// the store.
    pub fn parse(cookie_value: &str) -> Option<Self> {
        let value = cookie_value.trim();
        if value.len() != TOKEN_CHARS
            || !value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return None;
        }
        Some(PresentedToken {
            digest: Sha256::digest(value.as_bytes()).into(),
        })
    }

    /// The cache key.
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// The stored form (`sha256:<hex>`), equal to `SecretHash::of(cookie_value)`.
    pub fn token_hash(&self) -> SecretHash {
        // The digest is 32 bytes, so the string always has the stored form.
        SecretHash::parse(&format!("sha256:{}", hex::encode(self.digest)))
            .unwrap_or_else(|_| SecretHash::of(""))
    }
}

/// Finds the session cookie in a `Cookie` header value: the `__Host-` name first (a
/// plain-HTTP cookie must not shadow the TLS one), then the plain name.
pub fn session_cookie_value(cookie_header: &str) -> Option<&str> {
    let mut plain = None;
    for pair in cookie_header.split(';') {
        let Some((name, value)) = pair.trim().split_once('=') else {
            continue;
        };
        match name.trim() {
            SECURE_COOKIE_NAME => return Some(value.trim()),
            PLAIN_COOKIE_NAME if plain.is_none() => plain = Some(value.trim()),
            _ => {}
        }
    }
    plain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_parse_and_hash_like_the_contract() {
        let token = NewSessionToken::generate(&mut rand::rng());
        assert_eq!(token.cookie_value.len(), TOKEN_CHARS);
        let presented = PresentedToken::parse(&token.cookie_value).unwrap();
        assert_eq!(presented.token_hash(), token.token_hash);
        assert_eq!(token.token_hash, SecretHash::of(&token.cookie_value));
        assert!(!format!("{token:?}").contains(&token.cookie_value));
    }

    #[test]
    fn malformed_values_are_refused() {
        for bad in [
            "",
            "short",
            &"a".repeat(44),
            &format!("{}=", "a".repeat(42)),
            &format!("{}+", "a".repeat(42)),
        ] {
            assert!(PresentedToken::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn secure_cookie_wins_over_plain() {
        let header = "portcullis_session=plain; other=1; __Host-portcullis_session=secure";
        assert_eq!(session_cookie_value(header), Some("secure"));
        assert_eq!(
            session_cookie_value("a=b; portcullis_session=plain"),
            Some("plain")
        );
        assert_eq!(session_cookie_value("a=b"), None);
    }
}
