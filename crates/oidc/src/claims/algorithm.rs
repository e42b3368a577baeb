//! Signing algorithms and the `at_hash` claim (OpenID Connect Core §3.1.3.6).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};

/// The algorithms this provider signs with: ES256 by default, RS256 for older
/// clients, EdDSA (Ed25519) optionally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SigningAlgorithm {
    #[serde(rename = "ES256")]
    Es256,
    #[serde(rename = "RS256")]
    Rs256,
    #[serde(rename = "EdDSA")]
    EdDsa,
}

impl SigningAlgorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            SigningAlgorithm::Es256 => "ES256",
            SigningAlgorithm::Rs256 => "RS256",
            SigningAlgorithm::EdDsa => "EdDSA",
        }
    }
}

/// `at_hash`: the base64url of the left half of the hash of the access token's ASCII
/// bytes, with the hash of the signing algorithm (SHA-256 for ES256/RS256; SHA-512 for
/// Ed25519, as OpenID Connect's errata specify for EdDSA).
pub fn at_hash(access_token: &str, algorithm: SigningAlgorithm) -> String {
    let digest: Vec<u8> = match algorithm {
        SigningAlgorithm::Es256 | SigningAlgorithm::Rs256 => {
            Sha256::digest(access_token.as_bytes()).to_vec()
        }
        SigningAlgorithm::EdDsa => Sha512::digest(access_token.as_bytes()).to_vec(),
    };
    let half = digest.get(..digest.len() / 2).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(half)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_matches_the_openid_example() {
        // OpenID Connect Core, Appendix A.3 (id_token token, RS256).
        assert_eq!(
            at_hash(
                "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y",
                SigningAlgorithm::Rs256
            ),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
        assert_eq!(at_hash("x", SigningAlgorithm::EdDsa).len(), 43);
    }
}
