//! JSON lines: one object per line; blank lines are skipped.

use std::io::BufRead;
use std::path::PathBuf;

use serde_json::Value;

use super::raw::json_kind;
use super::{InputReader, RawRecord, ReadItem, RecordReader};
use crate::error::ImportError;
use crate::row::{InputFile, RowError};

pub(crate) struct JsonLinesRecords {
    reader: InputReader,
    buffer: Vec<u8>,
    line: u64,
    path: PathBuf,
    file: InputFile,
}

impl JsonLinesRecords {
    pub(crate) fn new(reader: InputReader, path: PathBuf, file: InputFile) -> Self {
        JsonLinesRecords {
            reader,
            buffer: Vec::new(),
            line: 0,
            path,
            file,
        }
    }
}

impl RecordReader for JsonLinesRecords {
    fn next_item(&mut self) -> Result<Option<ReadItem>, ImportError> {
        loop {
            self.buffer.clear();
            let n = self
                .reader
                .read_until(b'\n', &mut self.buffer)
                .map_err(|source| ImportError::Read {
                    path: self.path.clone(),
                    source,
                })?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            if self.buffer.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let bad = |message: String| {
                Ok(Some(ReadItem::Bad(RowError::new(
                    self.file, self.line, None, message,
                ))))
            };
            return match serde_json::from_slice::<Value>(&self.buffer) {
                Ok(Value::Object(object)) => Ok(Some(ReadItem::Record(
                    RawRecord::from_json_object(self.line, object),
                ))),
                Ok(other) => bad(format!(
                    "expected a JSON object, found {}",
                    json_kind(&other)
                )),
                Err(err) => bad(format!("malformed JSON: {err}")),
            };
        }
    }
}
