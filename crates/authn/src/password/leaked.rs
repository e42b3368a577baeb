//! The pure half of the leaked-password check: Have I Been Pwned's k-anonymity range
//! format, read from offline range files.
//!
//! A password's SHA-1 in upper-case hex splits into a 5-character prefix, which names the
//! range file, and a 35-character suffix, looked up inside it. A range file is lines of
//! `SUFFIX:COUNT` ended by CRLF; HIBP pads ranges with random suffixes whose count is 0,
//! which therefore mean "not found". Reading the file is the caller's job.

use sha1::{Digest, Sha1};
use thiserror::Error;

const PREFIX_LEN: usize = 5;
const SUFFIX_LEN: usize = 35;
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A range file line that is not `SUFFIX:COUNT`. Lines are numbered from 1.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum RangeFileError {
    #[error("range file line {line}: expected SUFFIX:COUNT, found no ':'")]
    MissingColon { line: usize },
    #[error(
        "range file line {line}: the hash suffix has {found} characters, expected 35 (is this an NTLM range?)"
    )]
    SuffixLength { line: usize, found: usize },
    #[error("range file line {line}: the hash suffix is not hexadecimal")]
    SuffixNotHex { line: usize },
    #[error("range file line {line}: the count is not a whole number")]
    CountNotNumber { line: usize },
}

/// What to look up for one password.
#[derive(Clone, PartialEq, Eq)]
pub struct LeakedPasswordQuery {
    sha1_hex: String,
}

impl std::fmt::Debug for LeakedPasswordQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // An unsalted SHA-1 of a password is as good as the password for a dictionary
        // attack: keep it out of logs.
        f.debug_struct("LeakedPasswordQuery")
            .field("prefix", &self.prefix())
            .finish_non_exhaustive()
    }
}

impl LeakedPasswordQuery {
    /// The query for a password exactly as typed (not Unicode-normalised: breach corpora
    /// hold the bytes people actually used, and ASCII passwords are the same either way).
    pub fn for_password(password: &str) -> Self {
        Self {
            sha1_hex: hex::encode_upper(Sha1::digest(password.as_bytes())),
        }
    }

    /// The 5 upper-case hex characters that name the range file (e.g. `5BAA6`).
    pub fn prefix(&self) -> &str {
        &self.sha1_hex[..PREFIX_LEN]
    }

    /// The other 35 upper-case hex characters, looked up inside the range.
    pub fn suffix(&self) -> &str {
        &self.sha1_hex[PREFIX_LEN..]
    }

    /// How many times the password occurs in the breach corpus according to the range
    /// file `range_file` (which must be the one named by [`Self::prefix`]): 0 when absent or
    /// present only as padding. The whole file is validated, so a corrupt file is reported
    /// rather than silently treated as "not leaked". Accepts CRLF or LF line ends, a UTF-8
    /// byte-order mark, blank lines and lower-case hex.
    pub fn occurrences_in(&self, range_file: &[u8]) -> Result<u64, RangeFileError> {
        let body = range_file.strip_prefix(UTF8_BOM).unwrap_or(range_file);
        let mut found = 0u64;
        for (index, raw_line) in body.split(|byte| *byte == b'\n').enumerate() {
            let line_number = index + 1;
            let line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let (suffix, count) = parse_line(line, line_number)?;
            if found == 0 && suffix.eq_ignore_ascii_case(self.suffix().as_bytes()) {
                found = count;
            }
        }
        Ok(found)
    }
}

fn parse_line(text: &[u8], line: usize) -> Result<(&[u8], u64), RangeFileError> {
    let colon = text
        .iter()
        .position(|byte| *byte == b':')
        .ok_or(RangeFileError::MissingColon { line })?;
    let (suffix, count_with_colon) = text.split_at(colon);
    let count = &count_with_colon[1..];
    if suffix.len() != SUFFIX_LEN {
        return Err(RangeFileError::SuffixLength {
            line,
            found: suffix.len(),
        });
    }
    if !suffix.iter().all(u8::is_ascii_hexdigit) {
        return Err(RangeFileError::SuffixNotHex { line });
    }
    let count = std::str::from_utf8(count)
        .ok()
        .map(str::trim)
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit()))
        .and_then(|digits| digits.parse::<u64>().ok())
        .ok_or(RangeFileError::CountNotNumber { line })?;
    Ok((suffix, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    // SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8, the classic example
    // in HIBP's API documentation.
    const PASSWORD_SUFFIX: &str = "1E4C9B93F3F0682250B6CF8331B7EE68FD8";

    #[test]
    fn prefix_and_suffix_of_password() {
        let query = LeakedPasswordQuery::for_password("password");
        assert_eq!(query.prefix(), "5BAA6");
        assert_eq!(query.suffix(), PASSWORD_SUFFIX);
        assert!(!format!("{query:?}").contains(PASSWORD_SUFFIX));
    }

    #[test]
    fn finds_count_among_crlf_lines() {
        let file = format!(
            "003D68EB55068C33ACE09247EE4C639306B:3\r\n{PASSWORD_SUFFIX}:10434004\r\n012C192B2F16F82EA0EB9EF18D9D539B0DD:0\r\n"
        );
        let query = LeakedPasswordQuery::for_password("password");
        assert_eq!(query.occurrences_in(file.as_bytes()), Ok(10_434_004));
    }

    #[test]
    fn absent_and_padding_mean_zero() {
        let query = LeakedPasswordQuery::for_password("password");
        let absent = "003D68EB55068C33ACE09247EE4C639306B:3\r\n";
        assert_eq!(query.occurrences_in(absent.as_bytes()), Ok(0));
        let padding = format!("{PASSWORD_SUFFIX}:0\r\n");
        assert_eq!(query.occurrences_in(padding.as_bytes()), Ok(0));
        assert_eq!(query.occurrences_in(b""), Ok(0));
    }

    #[test]
    fn tolerates_lf_bom_blank_lines_and_lower_case() {
        let file = format!("\u{FEFF}\n{}:7\n\n", PASSWORD_SUFFIX.to_ascii_lowercase());
        let query = LeakedPasswordQuery::for_password("password");
        assert_eq!(query.occurrences_in(file.as_bytes()), Ok(7));
    }

    #[test]
    fn bad_lines_are_named() {
        let query = LeakedPasswordQuery::for_password("password");
        let cases: [(&[u8], RangeFileError); 5] = [
            (b"ok\r\n", RangeFileError::MissingColon { line: 1 }),
            (
                b"003D68EB55068C33ACE09247EE4C639306B:3\r\nABC:1\r\n",
                RangeFileError::SuffixLength { line: 2, found: 3 },
            ),
            (
                b"ZZZD68EB55068C33ACE09247EE4C639306B:3",
                RangeFileError::SuffixNotHex { line: 1 },
            ),
            (
                b"003D68EB55068C33ACE09247EE4C639306B:-3",
                RangeFileError::CountNotNumber { line: 1 },
            ),
            (
                b"003D68EB55068C33ACE09247EE4C639306B:99999999999999999999999",
                RangeFileError::CountNotNumber { line: 1 },
            ),
        ];
        for (file, expected) in cases {
            assert_eq!(query.occurrences_in(file), Err(expected));
        }
        let message = RangeFileError::SuffixLength { line: 4, found: 27 }.to_string();
        assert!(
            message.contains("line 4") && message.contains("27"),
            "{message}"
        );
    }

    #[test]
    fn non_utf8_count_is_an_error() {
        let query = LeakedPasswordQuery::for_password("password");
        let mut file = b"003D68EB55068C33ACE09247EE4C639306B:".to_vec();
        file.extend_from_slice(&[0xFF, 0xFE]);
        assert_eq!(
            query.occurrences_in(&file),
            Err(RangeFileError::CountNotNumber { line: 1 })
        );
    }
}
