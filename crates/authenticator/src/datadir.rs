//! The app's data directory: one key file per activated device in `devices/`, and the
//! TOTP accounts in `accounts.json`, all 0600 under a 0700 directory.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::files::{FileError, private_dir, read_private, write_private};
use crate::keyfile::{KeyFile, KeyFileError};

#[derive(Debug, Error)]
pub enum DataDirError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("{path}: {source}")]
    KeyFile { path: PathBuf, source: KeyFileError },
    #[error("no device is activated yet; run `portcullis-authenticator activate LINK`")]
    NoDevice,
    #[error("{0} devices are activated; pick one with --device ID")]
    Ambiguous(usize),
    #[error("no activated device has an id starting with {0:?}")]
    UnknownDevice(String),
    #[error("cannot find a home directory; pass --dir")]
    NoHome,
    #[error("cannot list {path}: {source}")]
    List {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// `explicit`, else `$XDG_CONFIG_HOME/portcullis-authenticator`, else
    /// `$HOME/.config/portcullis-authenticator`.
    pub fn resolve(explicit: Option<PathBuf>) -> Result<Self, DataDirError> {
        let root = match explicit {
            Some(dir) => dir,
            None => std::env::var_os("XDG_CONFIG_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
                .ok_or(DataDirError::NoHome)?
                .join("portcullis-authenticator"),
        };
        Ok(Self { root })
    }

    pub fn accounts_path(&self) -> PathBuf {
        self.root.join("accounts.json")
    }

    pub fn ensure(&self) -> Result<(), DataDirError> {
        private_dir(&self.root)?;
        private_dir(&self.devices_dir())?;
        Ok(())
    }

    fn devices_dir(&self) -> PathBuf {
        self.root.join("devices")
    }

    fn device_path(&self, file: &KeyFile) -> PathBuf {
        self.devices_dir().join(format!("{}.json", file.device_id))
    }

    pub fn save_device(&self, file: &KeyFile) -> Result<PathBuf, DataDirError> {
        self.ensure()?;
        let path = self.device_path(file);
        let json = serde_json::to_vec_pretty(file).map_err(|e| DataDirError::KeyFile {
            path: path.clone(),
            source: e.into(),
        })?;
        write_private(&path, &json)?;
        Ok(path)
    }

    /// Every activated device, sorted by id.
    pub fn devices(&self) -> Result<Vec<KeyFile>, DataDirError> {
        let dir = self.devices_dir();
        if !dir.exists() {
            return Ok(Vec::new());
        }
        let entries = std::fs::read_dir(&dir).map_err(|source| DataDirError::List {
            path: dir.clone(),
            source,
        })?;
        let mut devices = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) == Some("json") {
                devices.push(load(&path)?);
            }
        }
        devices.sort_by(|a, b| a.device_id.cmp(&b.device_id));
        Ok(devices)
    }

    /// The device whose id starts with `selector`, or the only one.
    pub fn device(&self, selector: Option<&str>) -> Result<KeyFile, DataDirError> {
        let devices = self.devices()?;
        match selector {
            Some(prefix) => devices
                .into_iter()
                .find(|d| {
                    d.device_id
                        .as_str()
                        .starts_with(&prefix.to_ascii_lowercase())
                })
                .ok_or_else(|| DataDirError::UnknownDevice(prefix.to_owned())),
            None => match devices.len() {
                0 => Err(DataDirError::NoDevice),
                1 => devices.into_iter().next().ok_or(DataDirError::NoDevice),
                n => Err(DataDirError::Ambiguous(n)),
            },
        }
    }

    /// Deletes the local key file (the server side is removed from My security info).
    pub fn forget_device(&self, file: &KeyFile) -> Result<(), DataDirError> {
        let path = self.device_path(file);
        std::fs::remove_file(&path).map_err(|source| {
            DataDirError::File(FileError::Io {
                path: path.clone(),
                source,
            })
        })
    }
}

fn load(path: &Path) -> Result<KeyFile, DataDirError> {
    let bytes = read_private(path)?;
    serde_json::from_slice(&bytes).map_err(|e| DataDirError::KeyFile {
        path: path.to_owned(),
        source: e.into(),
    })
}
