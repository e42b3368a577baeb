//! Reading input files as a stream of raw records: CSV, a JSON document (an array, or
//! Graph's `{"value": [...]}`), or JSON lines. UTF-8 with or without a byte-order mark.
//! Nothing here holds more than one record in memory.

mod csv_records;
mod json_document;
mod json_lines;
mod raw;

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

pub(crate) use csv_records::CsvRecords;
pub(crate) use json_document::JsonDocumentRecords;
pub(crate) use json_lines::JsonLinesRecords;
pub(crate) use raw::{RawRecord, RawValue};

use crate::error::ImportError;
use crate::row::RowError;

/// An input file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header row of Graph property names.
    Csv,
    /// One JSON document: an array of objects, or an object with a `value` array.
    Json,
    /// One JSON object per line (`.jsonl`, `.ndjson`).
    JsonLines,
}

impl Format {
    /// The format a file name implies.
    pub fn from_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            _ => None,
        }
    }

    pub(crate) fn resolve(path: &Path, given: Option<Format>) -> Result<Format, ImportError> {
        given
            .or_else(|| Format::from_path(path))
            .ok_or_else(|| ImportError::UnknownFormat {
                path: path.to_owned(),
            })
    }
}

/// One item read from a file.
pub(crate) enum ReadItem {
    Record(RawRecord),
    /// A record that cannot be read (invalid UTF-8, malformed JSON, wrong column count).
    Bad(RowError),
}

/// A stream of records. `Err` is fatal (the file cannot be read on), a bad record is not.
pub(crate) trait RecordReader: Send {
    fn next_item(&mut self) -> Result<Option<ReadItem>, ImportError>;
}

/// SHA-256 of a file's bytes in lower-case hex: the identity of an import for resuming.
pub(crate) fn sha256_file(path: &Path) -> Result<String, ImportError> {
    let read_err = |source| ImportError::Read {
        path: path.to_owned(),
        source,
    };
    let mut file = File::open(path).map_err(read_err)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buffer).map_err(read_err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Counts bytes read, so progress can be shown against the file size.
struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

pub(crate) type InputReader = Box<dyn BufRead + Send>;

/// Opens a file for reading past a UTF-8 byte-order mark; refuses UTF-16.
pub(crate) fn open_text(
    path: &Path,
    bytes_read: Arc<AtomicU64>,
) -> Result<InputReader, ImportError> {
    let read_err = |source| ImportError::Read {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(read_err)?;
    let mut reader = BufReader::with_capacity(
        1 << 18,
        CountingReader {
            inner: file,
            count: bytes_read,
        },
    );
    let start = reader.fill_buf().map_err(read_err)?;
    if start.starts_with(&[0xEF, 0xBB, 0xBF]) {
        reader.consume(3);
    } else if start.starts_with(&[0xFF, 0xFE]) || start.starts_with(&[0xFE, 0xFF]) {
        return Err(ImportError::Utf16 {
            path: path.to_owned(),
        });
    }
    Ok(Box::new(reader))
}

/// Opens a reader of the right kind.
pub(crate) fn open_records(
    path: &Path,
    format: Format,
    file: crate::row::InputFile,
    bytes_read: Arc<AtomicU64>,
) -> Result<Box<dyn RecordReader>, ImportError> {
    let reader = open_text(path, bytes_read)?;
    let path: PathBuf = path.to_owned();
    Ok(match format {
        Format::Csv => Box::new(CsvRecords::new(reader, path, file)?),
        Format::Json => Box::new(JsonDocumentRecords::new(reader, path, file)?),
        Format::JsonLines => Box::new(JsonLinesRecords::new(reader, path, file)),
    })
}
