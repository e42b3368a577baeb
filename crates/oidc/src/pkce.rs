//! Proof Key for Code Exchange (RFC 7636), S256 only: `plain` lets anyone who sees the
//! authorization request redeem the code, so it is refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// An S256 challenge is BASE64URL(SHA-256(verifier)) without padding: 43 characters.
const S256_CHALLENGE_LEN: usize = 43;
/// RFC 7636 §4.1: the verifier is 43 to 128 unreserved characters.
const VERIFIER_MIN_LEN: usize = 43;
const VERIFIER_MAX_LEN: usize = 128;

/// A checked S256 code challenge.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CodeChallenge(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PkceError {
    #[error("code_challenge_method must be S256 (plain is not accepted)")]
    MethodNotS256,
    #[error("code_challenge must be 43 base64url characters (an S256 hash)")]
    MalformedChallenge,
    #[error("code_challenge_method was sent without a code_challenge")]
    MethodWithoutChallenge,
    #[error("code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~")]
    MalformedVerifier,
    #[error("code_verifier does not match the code_challenge")]
    Mismatch,
    #[error("this authorization code was issued with PKCE; code_verifier is required")]
    VerifierMissing,
    #[error("code_verifier was sent but the authorization request had no code_challenge")]
    UnexpectedVerifier,
}

impl CodeChallenge {
    /// Checks the `code_challenge` / `code_challenge_method` pair of an authorization
    /// request. RFC 7636 §4.3 makes an absent method mean `plain`, so it is refused too.
    pub fn parse(challenge: &str, method: Option<&str>) -> Result<Self, PkceError> {
        if method != Some("S256") {
            return Err(PkceError::MethodNotS256);
        }
        let well_formed = challenge.len() == S256_CHALLENGE_LEN
            && challenge
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && URL_SAFE_NO_PAD
                .decode(challenge)
                .is_ok_and(|bytes| bytes.len() == 32);
        if well_formed {
            Ok(CodeChallenge(challenge.to_owned()))
        } else {
            Err(PkceError::MalformedChallenge)
        }
    }

    /// The challenge that `verifier` produces.
    pub fn from_verifier(verifier: &str) -> Self {
        CodeChallenge(URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// RFC 7636 §4.6: checks a `code_verifier` against this challenge in constant time.
    pub fn verify(&self, verifier: &str) -> Result<(), PkceError> {
        check_verifier_syntax(verifier)?;
        let computed = Self::from_verifier(verifier);
        if bool::from(computed.0.as_bytes().ct_eq(self.0.as_bytes())) {
            Ok(())
        } else {
            Err(PkceError::Mismatch)
        }
    }
}

fn check_verifier_syntax(verifier: &str) -> Result<(), PkceError> {
    let ok = (VERIFIER_MIN_LEN..=VERIFIER_MAX_LEN).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    if ok {
        Ok(())
    } else {
        Err(PkceError::MalformedVerifier)
    }
}

/// The token-request side: a code issued with a challenge needs a matching verifier,
/// and a verifier for a code issued without one is refused (RFC 9700 §4.8.2, against
/// PKCE downgrade).
pub fn check_code_verifier(
    challenge: Option<&CodeChallenge>,
    verifier: Option<&str>,
) -> Result<(), PkceError> {
    match (challenge, verifier) {
        (Some(challenge), Some(verifier)) => challenge.verify(verifier),
        (Some(_), None) => Err(PkceError::VerifierMissing),
        (None, Some(_)) => Err(PkceError::UnexpectedVerifier),
        (None, None) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC7636_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const RFC7636_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    /// RFC 7636 Appendix B. The challenge was also recomputed independently (Python
    /// hashlib, and oauth4webapi 3.8.8 `calculatePKCECodeChallenge`).
    #[test]
    fn rfc_7636_appendix_b_vector() {
        assert_eq!(
            CodeChallenge::from_verifier(RFC7636_VERIFIER).as_str(),
            RFC7636_CHALLENGE
        );
        let challenge = CodeChallenge::parse(RFC7636_CHALLENGE, Some("S256")).unwrap();
        assert_eq!(challenge.verify(RFC7636_VERIFIER), Ok(()));
    }

    /// A look-alike of the RFC value (same first 15 characters) that circulates in
    /// copies of the appendix; it is *not* what the verifier hashes to.
    #[test]
    fn corrupted_copy_of_the_vector_does_not_verify() {
        let wrong =
            CodeChallenge::parse("E9Melhoa2OwvFrEXGgvTc-8e-Qp7Gb1xAnbUeVWL2lg", Some("S256"))
                .unwrap();
        assert_eq!(wrong.verify(RFC7636_VERIFIER), Err(PkceError::Mismatch));
    }

    #[test]
    fn mismatching_verifier_is_refused() {
        let challenge = CodeChallenge::parse(RFC7636_CHALLENGE, Some("S256")).unwrap();
        let other = "eBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(challenge.verify(other), Err(PkceError::Mismatch));
    }

    #[test]
    fn plain_and_missing_method_are_refused() {
        assert_eq!(
            CodeChallenge::parse(RFC7636_CHALLENGE, Some("plain")),
            Err(PkceError::MethodNotS256)
        );
        assert_eq!(
            CodeChallenge::parse(RFC7636_CHALLENGE, None),
            Err(PkceError::MethodNotS256)
        );
    }

    #[test]
    fn malformed_challenges_are_refused() {
        for bad in [
            "short",
            "E9Melhoa2OwvFrEXGgvTc-8e-Qp7Gb1xAnbUeVWL2l=",
            "E9Melhoa2OwvFrEXGgvTc+8e-Qp7Gb1xAnbUeVWL2lg",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cMX",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN",
        ] {
            assert_eq!(
                CodeChallenge::parse(bad, Some("S256")),
                Err(PkceError::MalformedChallenge),
                "{bad}"
            );
        }
    }

    #[test]
    fn verifier_length_and_charset_are_checked() {
        let challenge = CodeChallenge::parse(RFC7636_CHALLENGE, Some("S256")).unwrap();
        assert_eq!(challenge.verify("abc"), Err(PkceError::MalformedVerifier));
        let with_space = format!("{} ", &RFC7636_VERIFIER[..43]);
        assert_eq!(
            challenge.verify(&with_space),
            Err(PkceError::MalformedVerifier)
        );
        assert_eq!(
            challenge.verify(&"a".repeat(129)),
            Err(PkceError::MalformedVerifier)
        );
    }

    #[test]
    fn downgrade_both_ways_is_refused() {
        let challenge = CodeChallenge::parse(RFC7636_CHALLENGE, Some("S256")).unwrap();
        assert_eq!(
            check_code_verifier(Some(&challenge), None),
            Err(PkceError::VerifierMissing)
        );
        assert_eq!(
            check_code_verifier(None, Some(RFC7636_VERIFIER)),
            Err(PkceError::UnexpectedVerifier)
        );
        assert_eq!(check_code_verifier(None, None), Ok(()));
    }
}
