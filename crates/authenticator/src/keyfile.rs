//! The device key file: the P-256 private key of one activated device, with the facts
//! needed to talk to its server. The key is stored either plain (the file's 0600 mode is
//! the protection) or sealed under a passphrase: Argon2id derives a 256-bit key from the
//! passphrase and a fresh salt, and ChaCha20-Poly1305 encrypts the scalar with the
//! device's identity as associated data, so a sealed key cannot be moved to another file.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use p256::ecdsa::SigningKey;
use portcullis_core::{CredentialId, UserId};
use portcullis_push::DevicePublicKey;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use zeroize::Zeroizing;

/// OWASP's second Argon2id configuration (19 MiB, 2 passes): a few tens of milliseconds
/// on a laptop, once per unlock.
const KDF_MEMORY_KIB: u32 = 19 * 1024;
const KDF_ITERATIONS: u32 = 2;
const KDF_PARALLELISM: u32 = 1;

#[derive(Debug, Error)]
pub enum KeyFileError {
    #[error("the key file is not valid JSON for this version: {0}")]
    Format(#[from] serde_json::Error),
    #[error("the key file's {0} is not valid base64url")]
    Base64(&'static str),
    #[error("the key file's private key is not a P-256 scalar")]
    BadScalar,
    #[error("the key file's private key does not match its public key")]
    KeyMismatch,
    #[error(
        "this key is protected by a passphrase; set PORTCULLIS_AUTHENTICATOR_PASSPHRASE or answer the prompt"
    )]
    PassphraseNeeded,
    #[error("wrong passphrase (or the key file was altered)")]
    WrongPassphrase,
    #[error("key derivation failed: {0}")]
    Kdf(String),
}

/// How the private scalar is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "protection")]
pub enum SecretKey {
    /// Only the file's 0600 mode protects it.
    #[serde(rename_all = "camelCase")]
    None { scalar: String },
    #[serde(rename_all = "camelCase")]
    Passphrase {
        kdf: KdfParams,
        nonce: String,
        ciphertext: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KdfParams {
    /// Always `argon2id`; named so a later version can change it.
    pub algorithm: String,
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    pub salt: String,
}

/// One activated device as saved on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyFile {
    pub version: u32,
    /// The server's origin, e.g. `https://login.example.org`.
    pub server: String,
    pub device_id: CredentialId,
    pub user_id: UserId,
    pub user_principal_name: String,
    pub display_name: String,
    pub public_key: DevicePublicKey,
    pub secret: SecretKey,
}

/// Facts about the device, known before the key is sealed.
pub struct DeviceIdentity {
    pub server: String,
    pub device_id: CredentialId,
    pub user_id: UserId,
    pub user_principal_name: String,
    pub display_name: String,
}

/// A fresh key from the operating system's generator (through `rand`'s thread generator,
/// which is seeded from it and reseeds itself).
pub fn generate_signing_key() -> SigningKey {
    loop {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(bytes.as_mut());
        // A draw of zero or at least the group order (probability ~2^-32) is redrawn.
        if let Ok(key) = SigningKey::from_slice(bytes.as_ref()) {
            return key;
        }
    }
}

impl KeyFile {
    /// Seals `key` for `identity`, under `passphrase` when one is given.
    pub fn seal(
        identity: DeviceIdentity,
        key: &SigningKey,
        passphrase: Option<&str>,
    ) -> Result<Self, KeyFileError> {
        let public_key = DevicePublicKey::from_verifying_key(*key.verifying_key());
        let scalar = Zeroizing::new(key.to_bytes().to_vec());
        let secret = match passphrase {
            None => SecretKey::None {
                scalar: URL_SAFE_NO_PAD.encode(scalar.as_slice()),
            },
            Some(passphrase) => {
                let mut salt = [0u8; 16];
                let mut nonce = [0u8; 12];
                rand::rng().fill_bytes(&mut salt);
                rand::rng().fill_bytes(&mut nonce);
                let kdf = KdfParams {
                    algorithm: "argon2id".to_owned(),
                    memory_kib: KDF_MEMORY_KIB,
                    iterations: KDF_ITERATIONS,
                    parallelism: KDF_PARALLELISM,
                    salt: URL_SAFE_NO_PAD.encode(salt),
                };
                let cipher = ChaCha20Poly1305::new(&derive(passphrase, &kdf)?);
                let aad = associated_data(&identity.device_id, &public_key);
                let ciphertext = cipher
                    .encrypt(
                        Nonce::from_slice(&nonce),
                        Payload {
                            msg: scalar.as_slice(),
                            aad: &aad,
                        },
                    )
                    .map_err(|_| KeyFileError::Kdf("encryption failed".to_owned()))?;
                SecretKey::Passphrase {
                    kdf,
                    nonce: URL_SAFE_NO_PAD.encode(nonce),
                    ciphertext: URL_SAFE_NO_PAD.encode(ciphertext),
                }
            }
        };
        Ok(Self {
            version: 1,
            server: identity.server,
            device_id: identity.device_id,
            user_id: identity.user_id,
            user_principal_name: identity.user_principal_name,
            display_name: identity.display_name,
            public_key,
            secret,
        })
    }

    pub fn needs_passphrase(&self) -> bool {
        matches!(self.secret, SecretKey::Passphrase { .. })
    }

    /// Recovers the signing key, checking it against the recorded public key.
    pub fn unlock(&self, passphrase: Option<&str>) -> Result<SigningKey, KeyFileError> {
        let scalar: Zeroizing<Vec<u8>> = match &self.secret {
            SecretKey::None { scalar } => Zeroizing::new(
                URL_SAFE_NO_PAD
                    .decode(scalar)
                    .map_err(|_| KeyFileError::Base64("scalar"))?,
            ),
            SecretKey::Passphrase {
                kdf,
                nonce,
                ciphertext,
            } => {
                let passphrase = passphrase.ok_or(KeyFileError::PassphraseNeeded)?;
                let nonce = URL_SAFE_NO_PAD
                    .decode(nonce)
                    .map_err(|_| KeyFileError::Base64("nonce"))?;
                if nonce.len() != 12 {
                    return Err(KeyFileError::Base64("nonce"));
                }
                let ciphertext = URL_SAFE_NO_PAD
                    .decode(ciphertext)
                    .map_err(|_| KeyFileError::Base64("ciphertext"))?;
                let cipher = ChaCha20Poly1305::new(&derive(passphrase, kdf)?);
                let aad = associated_data(&self.device_id, &self.public_key);
                Zeroizing::new(
                    cipher
                        .decrypt(
                            Nonce::from_slice(&nonce),
                            Payload {
                                msg: &ciphertext,
                                aad: &aad,
                            },
                        )
                        .map_err(|_| KeyFileError::WrongPassphrase)?,
                )
            }
        };
        let key = SigningKey::from_slice(&scalar).map_err(|_| KeyFileError::BadScalar)?;
        if DevicePublicKey::from_verifying_key(*key.verifying_key()) != self.public_key {
            return Err(KeyFileError::KeyMismatch);
        }
        Ok(key)
    }
}

fn derive(passphrase: &str, kdf: &KdfParams) -> Result<Key, KeyFileError> {
    if kdf.algorithm != "argon2id" {
        return Err(KeyFileError::Kdf(format!("unknown KDF {}", kdf.algorithm)));
    }
    let salt = URL_SAFE_NO_PAD
        .decode(&kdf.salt)
        .map_err(|_| KeyFileError::Base64("salt"))?;
    let params = Params::new(kdf.memory_kib, kdf.iterations, kdf.parallelism, Some(32))
        .map_err(|e| KeyFileError::Kdf(e.to_string()))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), &salt, key.as_mut())
        .map_err(|e| KeyFileError::Kdf(e.to_string()))?;
    Ok(*Key::from_slice(key.as_ref()))
}

fn associated_data(device_id: &CredentialId, public_key: &DevicePublicKey) -> Vec<u8> {
    let mut aad = b"portcullis-authenticator/key-file/v1\0".to_vec();
    aad.extend_from_slice(device_id.as_str().as_bytes());
    aad.push(0);
    aad.extend_from_slice(&public_key.to_sec1());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn identity(n: u128) -> DeviceIdentity {
        DeviceIdentity {
            server: "http://127.0.0.1:1".to_owned(),
            device_id: CredentialId::from_uuid(Uuid::from_u128(n)),
            user_id: UserId::from_uuid(Uuid::from_u128(1)),
            user_principal_name: "alice@example.org".to_owned(),
            display_name: "laptop".to_owned(),
        }
    }

    #[test]
    fn a_plain_key_round_trips() {
        let key = generate_signing_key();
        let file = KeyFile::seal(identity(1), &key, None).unwrap();
        assert!(!file.needs_passphrase());
        assert_eq!(file.unlock(None).unwrap(), key);
    }

    #[test]
    fn a_sealed_key_needs_the_right_passphrase() {
        let key = generate_signing_key();
        let file = KeyFile::seal(identity(1), &key, Some("correct horse")).unwrap();
        let json = serde_json::to_string(&file).unwrap();
        assert!(!json.contains(&URL_SAFE_NO_PAD.encode(key.to_bytes())));
        assert!(matches!(
            file.unlock(None),
            Err(KeyFileError::PassphraseNeeded)
        ));
        assert!(matches!(
            file.unlock(Some("wrong")),
            Err(KeyFileError::WrongPassphrase)
        ));
        assert_eq!(file.unlock(Some("correct horse")).unwrap(), key);
    }

    #[test]
    fn a_sealed_key_moved_to_another_device_id_does_not_open() {
        let key = generate_signing_key();
        let mut file = KeyFile::seal(identity(1), &key, Some("pw")).unwrap();
        file.device_id = CredentialId::from_uuid(Uuid::from_u128(2));
        assert!(matches!(
            file.unlock(Some("pw")),
            Err(KeyFileError::WrongPassphrase)
        ));
    }

    #[test]
    fn a_swapped_public_key_is_detected() {
        let file = KeyFile::seal(identity(1), &generate_signing_key(), None).unwrap();
        let other = KeyFile::seal(identity(1), &generate_signing_key(), None).unwrap();
        let tampered = KeyFile {
            public_key: other.public_key,
            ..file
        };
        assert!(matches!(
            tampered.unlock(None),
            Err(KeyFileError::KeyMismatch)
        ));
    }
}
