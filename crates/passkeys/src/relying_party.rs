//! The relying party: who passkeys are bound to (the RP ID, a registrable domain of the
//! public URL) and which origins may use them.

use time::Duration;
use webauthn_rs::prelude::{Url, Webauthn, WebauthnBuilder};

use crate::error::PasskeyError;

/// Configuration, from the server's public URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelyingParty {
    /// Domain the credentials are scoped to (`login.example.com` or `example.com`); must
    /// be the host of every origin or a parent domain of it.
    pub id: String,
    /// Shown by the authenticator.
    pub name: String,
    /// Exact origins (`https://login.example.com`) the browser may run the ceremony from.
    pub origins: Vec<String>,
    /// How long the user has between the two requests of a ceremony.
    pub ceremony_lifetime: Duration,
}

impl RelyingParty {
    /// The relying party for a public URL: its host is the RP ID and the URL's origin the
    /// only allowed origin; five minutes per ceremony (WebAuthn's recommended timeout).
    pub fn for_public_url(public_url: &str, name: &str) -> Result<Self, PasskeyError> {
        let url = Url::parse(public_url)
            .map_err(|e| PasskeyError::Config(format!("public URL {public_url:?}: {e}")))?;
        let host = url.host_str().ok_or_else(|| {
            PasskeyError::Config(format!("public URL {public_url:?} has no host"))
        })?;
        Ok(Self {
            id: host.to_owned(),
            name: name.to_owned(),
            origins: vec![url.origin().ascii_serialization()],
            ceremony_lifetime: Duration::minutes(5),
        })
    }
}

/// The ceremonies, for one relying party. Build once per node and share.
#[derive(Debug)]
pub struct Passkeys {
    pub(crate) webauthn: Webauthn,
    pub(crate) ceremony_lifetime: Duration,
}

impl Passkeys {
    pub fn new(relying_party: &RelyingParty) -> Result<Self, PasskeyError> {
        let mut origins = relying_party.origins.iter().map(|origin| {
            Url::parse(origin).map_err(|e| PasskeyError::Config(format!("origin {origin:?}: {e}")))
        });
        let first = origins
            .next()
            .ok_or_else(|| PasskeyError::Config("at least one origin is needed".into()))??;
        if !within_rp_id(&first, &relying_party.id) {
            return Err(PasskeyError::Config(format!(
                "origin {first} is not within the RP ID {} (IP addresses cannot be RP IDs; use localhost)",
                relying_party.id
            )));
        }
        let mut builder = WebauthnBuilder::new(&relying_party.id, &first)
            .map_err(|e| PasskeyError::Config(e.to_string()))?
            .rp_name(&relying_party.name);
        for origin in origins {
            let origin = origin?;
            // webauthn-rs checks only the first origin against the RP ID; a passkey
            // ceremony from any other origin outside it could never succeed either.
            if !within_rp_id(&origin, &relying_party.id) {
                return Err(PasskeyError::Config(format!(
                    "origin {origin} is not within the RP ID {}",
                    relying_party.id
                )));
            }
            builder = builder.append_allowed_origin(&origin);
        }
        let lifetime = relying_party.ceremony_lifetime;
        if lifetime <= Duration::ZERO {
            return Err(PasskeyError::Config(
                "ceremony lifetime must be positive".into(),
            ));
        }
        // The browser's own timeout matches the server's ceremony lifetime.
        let timeout = std::time::Duration::try_from(lifetime)
            .map_err(|e| PasskeyError::Config(e.to_string()))?;
        let webauthn = builder
            .timeout(timeout)
            .build()
            .map_err(|e| PasskeyError::Config(e.to_string()))?;
        Ok(Self {
            webauthn,
            ceremony_lifetime: lifetime,
        })
    }
}

/// Whether the origin's host is the RP ID or a subdomain of it (IP addresses never are:
/// browsers refuse WebAuthn there, so use `localhost` in development).
fn within_rp_id(origin: &Url, rp_id: &str) -> bool {
    origin
        .domain()
        .is_some_and(|host| host == rp_id || host.ends_with(&format!(".{rp_id}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_gives_rp_id_and_origin() {
        let rp = RelyingParty::for_public_url("https://login.example.com:8443/base", "Portcullis")
            .unwrap();
        assert_eq!(rp.id, "login.example.com");
        assert_eq!(rp.origins, ["https://login.example.com:8443"]);
        assert!(Passkeys::new(&rp).is_ok());
        assert!(RelyingParty::for_public_url("not a url", "x").is_err());
    }

    #[test]
    fn origin_outside_the_rp_id_is_refused() {
        let rp = RelyingParty {
            id: "example.com".into(),
            name: "Portcullis".into(),
            origins: vec!["https://evil.test".into()],
            ceremony_lifetime: Duration::minutes(5),
        };
        assert!(matches!(Passkeys::new(&rp), Err(PasskeyError::Config(_))));
        let none = RelyingParty {
            origins: vec![],
            ..rp
        };
        assert!(matches!(Passkeys::new(&none), Err(PasskeyError::Config(_))));
    }
}
