//! The list of common passwords shipped with Portcullis (Django's list, see
//! `data/NOTICE-common-passwords.md`), embedded gzip-compressed and decompressed once.

use std::collections::HashSet;
use std::io::Read;
use std::sync::OnceLock;

use flate2::read::GzDecoder;
use thiserror::Error;

static COMPRESSED: &[u8] = include_bytes!("../../data/common-passwords.txt.gz");

static LIST: OnceLock<Result<CommonPasswordList, CommonPasswordListError>> = OnceLock::new();

/// The embedded list could not be read. Only a broken build can cause this, but it is
/// reported rather than panicking so start-up can say what is wrong.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum CommonPasswordListError {
    #[error("the embedded common-password list is not valid gzip: {0}")]
    Decompress(String),
    #[error("the embedded common-password list is not UTF-8")]
    NotUtf8,
}

/// A set of lower-cased common passwords.
#[derive(Debug)]
pub struct CommonPasswordList {
    entries: HashSet<String>,
}

impl CommonPasswordList {
    /// The shipped list, decompressed on first use (about 20,000 entries, ~1 MB in memory).
    pub fn shipped() -> Result<&'static CommonPasswordList, CommonPasswordListError> {
        LIST.get_or_init(Self::decompress_shipped)
            .as_ref()
            .map_err(Clone::clone)
    }

    fn decompress_shipped() -> Result<CommonPasswordList, CommonPasswordListError> {
        let mut bytes = Vec::new();
        GzDecoder::new(COMPRESSED)
            .read_to_end(&mut bytes)
            .map_err(|error| CommonPasswordListError::Decompress(error.to_string()))?;
        let text = String::from_utf8(bytes).map_err(|_| CommonPasswordListError::NotUtf8)?;
        Ok(Self::from_lines(&text))
    }

    /// Builds a list from newline-separated passwords (blank lines ignored).
    pub fn from_lines(text: &str) -> Self {
        let entries = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_lowercase)
            .collect();
        Self { entries }
    }

    /// True when the password, compared case-insensitively, is on the list.
    pub fn contains(&self, password: &str) -> bool {
        self.entries.contains(&password.to_lowercase())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_list_loads_with_every_entry() {
        let list = CommonPasswordList::shipped().unwrap();
        assert_eq!(list.len(), 19_640);
    }

    #[test]
    fn shipped_list_matches_case_insensitively() {
        let list = CommonPasswordList::shipped().unwrap();
        assert!(list.contains("password"));
        assert!(list.contains("PassWord"));
        assert!(list.contains("123456789"));
        assert!(list.contains("qwerty"));
        assert!(!list.contains("Tr0ub4dor&3-staple-battery"));
    }

    #[test]
    fn custom_list_ignores_blank_lines() {
        let list = CommonPasswordList::from_lines("Alpha\n\n  beta  \n");
        assert_eq!(list.len(), 2);
        assert!(list.contains("ALPHA"));
        assert!(list.contains("beta"));
    }
}
