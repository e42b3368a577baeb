//! TOTP accounts kept alongside the device keys, as `otpauth://` URIs in a 0600 file, with
//! codes from portcullis-authn's RFC 6238 implementation (the same code the server
//! verifies with).

use std::path::{Path, PathBuf};

use portcullis_authn::totp::{OtpAuthUri, OtpAuthUriError, Totp};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;

use crate::files::{FileError, read_private, write_private};

#[derive(Debug, Error)]
pub enum AccountsError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("accounts file is not valid JSON: {0}")]
    Format(#[from] serde_json::Error),
    #[error("not a usable otpauth URI: {0}")]
    Uri(#[from] OtpAuthUriError),
    #[error("an account {issuer}:{account} already exists")]
    Duplicate { issuer: String, account: String },
    #[error("no account matches {0:?}")]
    NotFound(String),
    #[error("cannot compute a code: {0}")]
    Code(String),
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct AccountsFile {
    uris: Vec<String>,
}

/// A code as shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownCode {
    pub issuer: String,
    pub account: String,
    pub code: String,
    pub seconds_left: u64,
}

pub struct Accounts {
    path: PathBuf,
    accounts: Vec<OtpAuthUri>,
}

impl Accounts {
    /// Loads `path`, or starts empty when it does not exist yet.
    pub fn load(path: &Path) -> Result<Self, AccountsError> {
        let accounts = if path.exists() {
            let file: AccountsFile = serde_json::from_slice(&read_private(path)?)?;
            file.uris
                .iter()
                .map(|uri| OtpAuthUri::parse(uri))
                .collect::<Result<Vec<_>, _>>()?
        } else {
            Vec::new()
        };
        Ok(Self {
            path: path.to_owned(),
            accounts,
        })
    }

    pub fn add(&mut self, uri: &str) -> Result<&OtpAuthUri, AccountsError> {
        let parsed = OtpAuthUri::parse(uri)?;
        if self
            .accounts
            .iter()
            .any(|a| a.issuer() == parsed.issuer() && a.account() == parsed.account())
        {
            return Err(AccountsError::Duplicate {
                issuer: parsed.issuer().to_owned(),
                account: parsed.account().to_owned(),
            });
        }
        self.accounts.push(parsed);
        self.save()?;
        let last = self.accounts.len() - 1;
        Ok(&self.accounts[last])
    }

    /// Removes the accounts whose `issuer:account` label contains `needle`.
    pub fn remove(&mut self, needle: &str) -> Result<usize, AccountsError> {
        let before = self.accounts.len();
        self.accounts
            .retain(|a| !format!("{}:{}", a.issuer(), a.account()).contains(needle));
        let removed = before - self.accounts.len();
        if removed == 0 {
            return Err(AccountsError::NotFound(needle.to_owned()));
        }
        self.save()?;
        Ok(removed)
    }

    pub fn codes(&self, now: OffsetDateTime) -> Result<Vec<ShownCode>, AccountsError> {
        self.accounts
            .iter()
            .map(|account| {
                let config = account.config();
                let totp = Totp::new(account.secret().clone(), config);
                let code = totp
                    .code_at(now)
                    .map_err(|e| AccountsError::Code(e.to_string()))?;
                let period = u64::from(config.period_seconds());
                let elapsed = u64::try_from(now.unix_timestamp()).unwrap_or(0) % period;
                Ok(ShownCode {
                    issuer: account.issuer().to_owned(),
                    account: account.account().to_owned(),
                    code,
                    seconds_left: period - elapsed,
                })
            })
            .collect()
    }

    fn save(&self) -> Result<(), AccountsError> {
        let file = AccountsFile {
            uris: self.accounts.iter().map(OtpAuthUri::to_uri).collect(),
        };
        write_private(&self.path, &serde_json::to_vec_pretty(&file)?)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B's SHA-1 seed, as base32.
    const RFC_URI: &str = "otpauth://totp/Example:alice@example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&digits=8";

    #[test]
    fn codes_match_the_rfc_6238_vectors_and_survive_a_reload() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("accounts.json");
        let mut accounts = Accounts::load(&path).unwrap();
        accounts.add(RFC_URI).unwrap();
        assert!(matches!(
            accounts.add(RFC_URI),
            Err(AccountsError::Duplicate { .. })
        ));
        let reloaded = Accounts::load(&path).unwrap();
        let at = OffsetDateTime::from_unix_timestamp(59).unwrap();
        let codes = reloaded.codes(at).unwrap();
        assert_eq!(codes[0].code, "94287082");
        assert_eq!(codes[0].seconds_left, 1);
        let at = OffsetDateTime::from_unix_timestamp(1_111_111_109).unwrap();
        assert_eq!(reloaded.codes(at).unwrap()[0].code, "07081804");
    }

    #[test]
    fn bad_uris_and_unknown_removals_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let mut accounts = Accounts::load(&dir.path().join("a.json")).unwrap();
        assert!(matches!(
            accounts.add("https://example.org"),
            Err(AccountsError::Uri(_))
        ));
        assert!(matches!(
            accounts.remove("nobody"),
            Err(AccountsError::NotFound(_))
        ));
    }
}
