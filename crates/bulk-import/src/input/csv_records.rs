//! CSV records: the header row names Graph properties; each later row is one record.

use std::path::PathBuf;

use super::{InputReader, RawRecord, RawValue, ReadItem, RecordReader};
use crate::error::ImportError;
use crate::row::{InputFile, RowError};

pub(crate) struct CsvRecords {
    reader: csv::Reader<InputReader>,
    headers: Vec<String>,
    record: csv::ByteRecord,
    path: PathBuf,
    file: InputFile,
}

impl CsvRecords {
    pub(crate) fn new(
        reader: InputReader,
        path: PathBuf,
        file: InputFile,
    ) -> Result<Self, ImportError> {
        let mut reader = csv::ReaderBuilder::new()
            // A row with the wrong number of cells is that row's error, not the file's.
            .flexible(true)
            .has_headers(true)
            .from_reader(reader);
        let header_err = |message: String| ImportError::Header {
            path: path.clone(),
            message,
        };
        let raw_headers = reader
            .byte_headers()
            .map_err(|err| header_err(format!("cannot read the header row: {err}")))?
            .clone();
        let mut headers = Vec::with_capacity(raw_headers.len());
        for (index, cell) in raw_headers.iter().enumerate() {
            let name = std::str::from_utf8(cell)
                .map_err(|_| header_err(format!("header cell {} is not valid UTF-8", index + 1)))?;
            headers.push(name.trim().to_owned());
        }
        if headers.iter().all(String::is_empty) {
            return Err(header_err(
                "the file is empty or its first row (the header) names no columns".into(),
            ));
        }
        crate::validate::check_header(file, &headers).map_err(header_err)?;
        Ok(CsvRecords {
            reader,
            headers,
            record: csv::ByteRecord::new(),
            path,
            file,
        })
    }

    fn bad(&self, line: u64, field: Option<&str>, message: impl Into<String>) -> ReadItem {
        ReadItem::Bad(RowError::new(self.file, line, field, message))
    }
}

impl RecordReader for CsvRecords {
    fn next_item(&mut self) -> Result<Option<ReadItem>, ImportError> {
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return Ok(None),
                Ok(true) => {}
                Err(err) => {
                    let line = err.position().map(csv::Position::line).unwrap_or(0);
                    if let csv::ErrorKind::Io(io) = err.kind() {
                        return Err(ImportError::Read {
                            path: self.path.clone(),
                            source: std::io::Error::new(io.kind(), io.to_string()),
                        });
                    }
                    return Ok(Some(self.bad(
                        line,
                        None,
                        format!("unreadable CSV row: {err}"),
                    )));
                }
            }
            let line = self.record.position().map(csv::Position::line).unwrap_or(0);
            // A blank line between rows is not a record.
            if self.record.len() == 1 && self.record[0].iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if self.record.len() != self.headers.len() {
                let message = format!(
                    "the row has {} cells but the header has {} columns",
                    self.record.len(),
                    self.headers.len()
                );
                return Ok(Some(self.bad(line, None, message)));
            }
            let mut fields = Vec::with_capacity(self.headers.len());
            for (name, cell) in self.headers.iter().zip(self.record.iter()) {
                let Ok(text) = std::str::from_utf8(cell) else {
                    return Ok(Some(self.bad(
                        line,
                        Some(name),
                        "the cell is not valid UTF-8",
                    )));
                };
                let text = text.trim();
                if !text.is_empty() {
                    fields.push((name.clone(), RawValue::Text(text.to_owned())));
                }
            }
            return Ok(Some(ReadItem::Record(RawRecord { line, fields })));
        }
    }
}
