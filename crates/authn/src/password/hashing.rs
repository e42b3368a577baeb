//! argon2id password hashing into PHC strings, verification, and rehash detection.

use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use thiserror::Error;
use unicode_normalization::UnicodeNormalization;

use super::scratch;

/// Salt length in bytes. 16 bytes is the length RFC 9106 recommends.
const SALT_LEN: usize = 16;

/// argon2id cost parameters. The defaults are OWASP's floor (m = 19 MiB, t = 2, p = 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Argon2Params {
    /// Memory cost in KiB.
    pub memory_kib: u32,
    /// Number of passes.
    pub iterations: u32,
    /// Degree of parallelism (lanes).
    pub parallelism: u32,
}

impl Default for Argon2Params {
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Why hashing or verifying failed. A wrong password is *not* an error: see
/// [`PasswordHasher::verify`].
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum PasswordHashError {
    #[error(
        "argon2 parameters rejected (memory {memory_kib} KiB, iterations {iterations}, parallelism {parallelism}): {reason}"
    )]
    InvalidParams {
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
        reason: String,
    },
    #[error("stored password hash is not a valid PHC string: {0}")]
    MalformedHash(String),
    #[error("stored password hash uses algorithm {0:?}, only argon2id is accepted")]
    UnsupportedAlgorithm(String),
    #[error("hashing the password failed: {0}")]
    Hashing(String),
}

/// The form of a password that is hashed: Unicode NFKC.
///
/// Why: the same password can arrive as different code points depending on the keyboard,
/// operating system or input method (a composed "é" on one device, "e" plus a combining
/// accent on another; full-width digits from an East Asian IME). NIST SP 800-63B asks
/// verifiers to normalise with NFKC or NFKD so the user's password keeps working
/// everywhere. ASCII is unchanged. Returns the input untouched when already normalised.
pub fn normalize_password(password: &str) -> std::borrow::Cow<'_, str> {
    if unicode_normalization::is_nfkc_quick(password.chars())
        == unicode_normalization::IsNormalized::Yes
    {
        std::borrow::Cow::Borrowed(password)
    } else {
        std::borrow::Cow::Owned(password.nfkc().collect())
    }
}

/// Hashes and verifies passwords with argon2id at one set of parameters. Passwords are
/// normalised with [`normalize_password`] first.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    params: Argon2Params,
    argon2: Argon2<'static>,
}

impl PasswordHasher {
    /// Builds a hasher, refusing parameters argon2 would refuse (e.g. memory below 8 × p KiB).
    pub fn new(params: Argon2Params) -> Result<Self, PasswordHashError> {
        let argon_params = Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            None,
        )
        .map_err(|error| PasswordHashError::InvalidParams {
            memory_kib: params.memory_kib,
            iterations: params.iterations,
            parallelism: params.parallelism,
            reason: error.to_string(),
        })?;
        Ok(Self {
            params,
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params),
        })
    }

    pub fn params(&self) -> Argon2Params {
        self.params
    }

    /// Hashes `password` with a fresh salt drawn from `rng`, returning a PHC string
    /// (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
    pub fn hash<R: CryptoRng + ?Sized>(
        &self,
        password: &str,
        rng: &mut R,
    ) -> Result<String, PasswordHashError> {
        let mut salt_bytes = [0u8; SALT_LEN];
        rng.fill_bytes(&mut salt_bytes);
        let salt = SaltString::encode_b64(&salt_bytes)
            .map_err(|error| PasswordHashError::Hashing(error.to_string()))?;
        use argon2::PasswordHasher as _;
        self.argon2
            .hash_password(normalize_password(password).as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|error| PasswordHashError::Hashing(error.to_string()))
    }

    /// Checks `password` against a stored PHC string. The comparison of the derived key is
    /// constant time. The stored hash's own parameters are used, so hashes made before a
    /// parameter change still verify; see [`Self::needs_rehash`]. The argon2 memory is
    /// this thread's reusable scratch (see [`super::release_scratch_memory`]): allocating
    /// and zeroing 19 MiB per verification cost ≈ 10% of the hash's own time.
    ///
    /// Returns `Ok(false)` for a wrong password, `Err` only when the stored hash is unusable.
    pub fn verify(&self, password: &str, stored_phc: &str) -> Result<bool, PasswordHashError> {
        let parsed = parse_argon2id(stored_phc)?;
        fn malformed(error: impl std::fmt::Display) -> PasswordHashError {
            PasswordHashError::MalformedHash(error.to_string())
        }
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return Err(PasswordHashError::MalformedHash(
                "no salt or no hash in the PHC string".into(),
            ));
        };
        let params = Params::try_from(&parsed).map_err(malformed)?;
        let version = parsed
            .version
            .map(Version::try_from)
            .transpose()
            .map_err(malformed)?
            .unwrap_or_default();
        let mut salt_bytes = [0u8; argon2::password_hash::Salt::MAX_LENGTH];
        let salt = salt.decode_b64(&mut salt_bytes).map_err(malformed)?;
        let argon2 = Argon2::new(Algorithm::Argon2id, version, params.clone());
        let mut computed = vec![0u8; expected.len()];
        scratch::with_blocks(params.block_count(), |blocks| {
            argon2.hash_password_into_with_memory(
                normalize_password(password).as_bytes(),
                salt,
                &mut computed,
                blocks,
            )
        })
        .map_err(malformed)?;
        // Constant time: how much of a guess matched must not show in the answer's timing.
        Ok(bool::from(computed.ct_eq(expected.as_bytes())))
    }

    /// True when the stored hash was made with other parameters (or another argon2
    /// variant or version) than this hasher's, so the caller should re-hash the password
    /// it has just verified and store the new PHC string.
    pub fn needs_rehash(&self, stored_phc: &str) -> Result<bool, PasswordHashError> {
        let parsed = PasswordHash::new(stored_phc)
            .map_err(|error| PasswordHashError::MalformedHash(error.to_string()))?;
        if parsed.algorithm != Algorithm::Argon2id.ident() {
            return Ok(true);
        }
        if parsed.version != Some(Version::V0x13.into()) {
            return Ok(true);
        }
        let stored = Params::try_from(&parsed)
            .map_err(|error| PasswordHashError::MalformedHash(error.to_string()))?;
        Ok(stored.m_cost() != self.params.memory_kib
            || stored.t_cost() != self.params.iterations
            || stored.p_cost() != self.params.parallelism
            || parsed.hash.map(|output| output.len()) != Some(Params::DEFAULT_OUTPUT_LEN))
    }
}

fn parse_argon2id(stored_phc: &str) -> Result<PasswordHash<'_>, PasswordHashError> {
    let parsed = PasswordHash::new(stored_phc)
        .map_err(|error| PasswordHashError::MalformedHash(error.to_string()))?;
    if parsed.algorithm != Algorithm::Argon2id.ident() {
        return Err(PasswordHashError::UnsupportedAlgorithm(
            parsed.algorithm.to_string(),
        ));
    }
    Ok(parsed)
}

/// A hash of a random password, made once with the current parameters, that sign-in
/// verifies against when the user name is unknown (or has no password).
///
/// Why: answering "no such user" without running argon2 would be tens of milliseconds
/// faster than "wrong password", which tells an attacker which accounts exist. Verifying
/// the candidate against this hash costs the same time as a real verification at the same
/// parameters, and the result is always "no match" (the random password is never kept).
/// Build it when the parameters are loaded, not per request.
#[derive(Debug, Clone)]
pub struct DummyHash {
    phc: String,
}

impl DummyHash {
    pub fn new<R: CryptoRng + ?Sized>(
        hasher: &PasswordHasher,
        rng: &mut R,
    ) -> Result<Self, PasswordHashError> {
        let mut secret = [0u8; 32];
        rng.fill_bytes(&mut secret);
        let throwaway = hex::encode(secret);
        Ok(Self {
            phc: hasher.hash(&throwaway, rng)?,
        })
    }

    /// Spends one verification's worth of work on `password` and returns false.
    pub fn verify(&self, hasher: &PasswordHasher, password: &str) -> bool {
        // The result is deliberately discarded: it can only be false (the throwaway secret is
        // 64 hex characters nobody knows), and an error is impossible for our own PHC string.
        let _ = hasher.verify(password, &self.phc);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    /// Small parameters keep the tests fast; the logic does not depend on the cost.
    fn cheap() -> Argon2Params {
        Argon2Params {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        }
    }

    #[test]
    fn defaults_are_owasp_floor() {
        let params = Argon2Params::default();
        assert_eq!(
            (params.memory_kib, params.iterations, params.parallelism),
            (19_456, 2, 1)
        );
        assert!(PasswordHasher::new(params).is_ok());
    }

    /// The real defaults once, end to end (19 MiB; fast because the dev profile builds
    /// argon2 with opt-level 3).
    #[test]
    fn default_params_hash_verify_and_need_no_rehash() {
        let hasher = PasswordHasher::new(Argon2Params::default()).unwrap();
        let phc = hasher
            .hash(
                "correct horse battery staple",
                &mut ChaCha20Rng::seed_from_u64(0),
            )
            .unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(hasher.verify("correct horse battery staple", &phc).unwrap());
        assert!(!hasher.needs_rehash(&phc).unwrap());
        let cheap = PasswordHasher::new(cheap()).unwrap();
        assert!(cheap.needs_rehash(&phc).unwrap());
    }

    #[test]
    fn hash_is_argon2id_phc_and_verifies() {
        let hasher = PasswordHasher::new(cheap()).unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let phc = hasher.hash("correct horse", &mut rng).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{phc}");
        assert!(hasher.verify("correct horse", &phc).unwrap());
        assert!(!hasher.verify("correct horsE", &phc).unwrap());
        assert!(!hasher.verify("", &phc).unwrap());
    }

    #[test]
    fn composed_and_decomposed_forms_verify_alike() {
        let hasher = PasswordHasher::new(cheap()).unwrap();
        let composed = "caf\u{e9}-au-lait";
        let decomposed = "cafe\u{301}-au-lait";
        let phc = hasher
            .hash(composed, &mut ChaCha20Rng::seed_from_u64(6))
            .unwrap();
        assert!(hasher.verify(decomposed, &phc).unwrap());
        let full_width = "\u{ff11}\u{ff12}\u{ff13}pass";
        let phc = hasher
            .hash(full_width, &mut ChaCha20Rng::seed_from_u64(7))
            .unwrap();
        assert!(hasher.verify("123pass", &phc).unwrap());
        assert!(matches!(
            normalize_password("plain ascii"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn same_password_gets_different_salts() {
        let hasher = PasswordHasher::new(cheap()).unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let first = hasher.hash("pw", &mut rng).unwrap();
        let second = hasher.hash("pw", &mut rng).unwrap();
        assert_ne!(first, second);
    }

    #[test]
    fn deterministic_with_seeded_rng() {
        let hasher = PasswordHasher::new(cheap()).unwrap();
        let a = hasher
            .hash("pw", &mut ChaCha20Rng::seed_from_u64(3))
            .unwrap();
        let b = hasher
            .hash("pw", &mut ChaCha20Rng::seed_from_u64(3))
            .unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn verify_uses_stored_params_and_flags_rehash() {
        let old = PasswordHasher::new(cheap()).unwrap();
        let new = PasswordHasher::new(Argon2Params {
            memory_kib: 128,
            ..cheap()
        })
        .unwrap();
        let phc = old.hash("pw", &mut ChaCha20Rng::seed_from_u64(4)).unwrap();
        assert!(new.verify("pw", &phc).unwrap());
        assert!(new.needs_rehash(&phc).unwrap());
        assert!(!old.needs_rehash(&phc).unwrap());
    }

    #[test]
    fn other_variants_need_rehash_and_are_refused_for_verify() {
        let hasher = PasswordHasher::new(cheap()).unwrap();
        // A well-formed argon2i PHC string; its hash bytes do not matter here.
        let argon2i =
            "$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHQ$5x3C3x+CJeCj0kVGMSL1rOBCb3QRBnVlQ1W+ktrRxD0";
        assert!(hasher.needs_rehash(argon2i).unwrap());
        assert_eq!(
            hasher.verify("password", argon2i),
            Err(PasswordHashError::UnsupportedAlgorithm("argon2i".into()))
        );
    }

    #[test]
    fn malformed_hash_is_an_error_not_a_mismatch() {
        let hasher = PasswordHasher::new(cheap()).unwrap();
        for bad in [
            "",
            "plaintext",
            "$argon2id$",
            "$argon2id$v=19$m=x,t=1,p=1$abc$def",
        ] {
            assert!(
                matches!(
                    hasher.verify("pw", bad),
                    Err(PasswordHashError::MalformedHash(_))
                ),
                "{bad:?}"
            );
            assert!(hasher.needs_rehash(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn invalid_params_are_refused_with_the_values() {
        let error = PasswordHasher::new(Argon2Params {
            memory_kib: 1,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap_err();
        assert!(error.to_string().contains("memory 1 KiB"), "{error}");
    }

    #[test]
    fn dummy_hash_never_matches() {
        let hasher = PasswordHasher::new(cheap()).unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let dummy = DummyHash::new(&hasher, &mut rng).unwrap();
        assert!(!dummy.verify(&hasher, "anything"));
        assert!(!dummy.verify(&hasher, ""));
        assert!(dummy.phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
    }

    /// The reusable-memory verification agrees with the argon2 crate's own verifier on
    /// hashes the crate made: other versions, lanes, output lengths and costs than ours,
    /// right and wrong passwords, one after another on the same thread's scratch.
    #[test]
    fn verification_agrees_with_the_argon2_crate_on_its_own_hashes() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _, Salt};
        let ours = PasswordHasher::new(cheap()).unwrap();
        let salt = Salt::from_b64("c29tZXNhbHRzb21lc2FsdA").unwrap();
        let shapes = [
            (Version::V0x13, 64, 1, 1, 32),
            (Version::V0x13, 256, 3, 2, 32),
            (Version::V0x10, 128, 2, 1, 32),
            (Version::V0x13, 96, 1, 3, 16),
            (Version::V0x13, 64, 2, 1, 64),
        ];
        for (version, m, t, p, len) in shapes {
            let params = Params::new(m, t, p, Some(len)).unwrap();
            let crate_hasher = Argon2::new(Algorithm::Argon2id, version, params);
            for password in ["pw", "correct horse battery staple", "é", ""] {
                let phc = crate_hasher
                    .hash_password(password.as_bytes(), salt)
                    .unwrap()
                    .to_string();
                let parsed = PasswordHash::new(&phc).unwrap();
                for candidate in ["pw", "correct horse battery staple", "é", "", "pW"] {
                    let theirs = Argon2::default()
                        .verify_password(candidate.as_bytes(), &parsed)
                        .is_ok();
                    assert_eq!(
                        ours.verify(candidate, &phc).unwrap(),
                        theirs,
                        "{phc} with {candidate:?}"
                    );
                    assert_eq!(theirs, candidate == password);
                }
            }
        }
    }
}
