//! Where the key that encrypts token signing keys at rest comes from: the environment
//! variable `PORTCULLIS_SIGNING_KEY_ENCRYPTION_KEY` (base64 of 32 bytes; give every
//! node on one PostgreSQL the same value), else the file `signing-keys.kek` in the data
//! directory, created with owner-only permissions on first start.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portcullis_service::ServiceError;
use portcullis_service::tokens::key_protection::KeyEncryptionKey;
use portcullis_service::tokens::key_rotation::SigningKeySettings;

/// The environment variable that carries the key-encryption key.
pub const KEY_ENCRYPTION_KEY_ENV: &str = "PORTCULLIS_SIGNING_KEY_ENCRYPTION_KEY";
/// The file in the data directory that holds it otherwise.
pub const KEY_ENCRYPTION_KEY_FILE: &str = "signing-keys.kek";

fn failed(message: String) -> ServiceError {
    ServiceError::Internal(format!("signing key encryption: {message}"))
}

/// Signing key settings with the key-encryption key loaded (or created).
pub fn signing_key_settings(data_dir: &Path) -> Result<SigningKeySettings, ServiceError> {
    Ok(SigningKeySettings {
        encryption: Some(load_or_create(data_dir)?),
        ..SigningKeySettings::default()
    })
}

fn load_or_create(data_dir: &Path) -> Result<KeyEncryptionKey, ServiceError> {
    if let Ok(value) = std::env::var(KEY_ENCRYPTION_KEY_ENV) {
        let bytes = STANDARD
            .decode(value.trim())
            .map_err(|_| failed(format!("{KEY_ENCRYPTION_KEY_ENV} is not base64")))?;
        return KeyEncryptionKey::from_bytes(&bytes).map_err(|e| failed(e.to_string()));
    }
    let path = data_dir.join(KEY_ENCRYPTION_KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(_) => read_key_file(&path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(&path),
        Err(e) => Err(failed(format!("cannot read {}: {e}", path.display()))),
    }
}

fn create(path: &Path) -> Result<KeyEncryptionKey, ServiceError> {
    let bytes = KeyEncryptionKey::generate_bytes().map_err(|e| failed(e.to_string()))?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| failed(format!("cannot create {}: {e}", parent.display())))?;
    }
    let mut options = std::fs::OpenOptions::new();
    // create_new: two processes starting at once must not overwrite each other's key.
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(STANDARD.encode(bytes).as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| failed(format!("cannot write {}: {e}", path.display())))?;
            KeyEncryptionKey::from_bytes(&bytes).map_err(|e| failed(e.to_string()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_key_file(path),
        Err(e) => Err(failed(format!("cannot create {}: {e}", path.display()))),
    }
}

fn read_key_file(path: &Path) -> Result<KeyEncryptionKey, ServiceError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| failed(format!("cannot read {}: {e}", path.display())))?;
    let bytes = STANDARD
        .decode(text.trim())
        .map_err(|_| failed(format!("{} is not base64", path.display())))?;
    KeyEncryptionKey::from_bytes(&bytes).map_err(|e| failed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_created_owner_only_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(dir.path()).unwrap();
        let second = load_or_create(dir.path()).unwrap();
        let sealed = first.seal("k", "ES256", "pem").unwrap();
        assert_eq!(
            portcullis_service::tokens::key_protection::open(Some(&second), "k", "ES256", &sealed)
                .unwrap(),
            "pem"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_ENCRYPTION_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
