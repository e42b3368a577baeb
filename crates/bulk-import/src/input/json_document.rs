//! One JSON document holding the records: a top-level array of objects, or an object
//! with a `value` array (the shape Graph list responses and exports have).
//!
//! Why a hand-made scanner rather than `serde_json` on the whole document: a million
//! users must not be held in memory at once, and a malformed element should cost that
//! element, not the file. The scanner only finds element boundaries (tracking strings,
//! escapes and bracket depth); each element is then parsed by `serde_json`.

use std::io::BufRead;
use std::path::PathBuf;

use serde_json::Value;

use super::raw::json_kind;
use super::{InputReader, RawRecord, ReadItem, RecordReader};
use crate::error::ImportError;
use crate::row::{InputFile, RowError};

/// Largest element accepted; a bigger one is reported and skipped.
const MAX_ELEMENT_BYTES: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    InArray,
    Done,
}

pub(crate) struct JsonDocumentRecords {
    reader: InputReader,
    /// The line of the next unread byte (1-based).
    line: u64,
    state: State,
    element: Vec<u8>,
    path: PathBuf,
    file: InputFile,
}

impl JsonDocumentRecords {
    /// Opens the document up to its first element, so a file of the wrong shape is
    /// refused before anything is imported.
    pub(crate) fn new(
        reader: InputReader,
        path: PathBuf,
        file: InputFile,
    ) -> Result<Self, ImportError> {
        let mut records = JsonDocumentRecords {
            reader,
            line: 1,
            state: State::InArray,
            element: Vec::new(),
            path,
            file,
        };
        records.open_document()?;
        Ok(records)
    }

    fn read_err(&self, source: std::io::Error) -> ImportError {
        ImportError::Read {
            path: self.path.clone(),
            source,
        }
    }

    fn structure(&self, message: impl Into<String>) -> ImportError {
        ImportError::Structure {
            path: self.path.clone(),
            message: format!("line {}: {}", self.line, message.into()),
        }
    }

    fn peek(&mut self) -> Result<Option<u8>, ImportError> {
        match self.reader.fill_buf() {
            Ok(buffer) => Ok(buffer.first().copied()),
            Err(err) => Err(self.read_err(err)),
        }
    }

    fn next(&mut self) -> Result<Option<u8>, ImportError> {
        let byte = self.peek()?;
        if let Some(b) = byte {
            self.reader.consume(1);
            if b == b'\n' {
                self.line += 1;
            }
        }
        Ok(byte)
    }

    /// Skips whitespace and returns the next byte without consuming it.
    fn skip_whitespace(&mut self) -> Result<Option<u8>, ImportError> {
        while let Some(b) = self.peek()? {
            if !b.is_ascii_whitespace() {
                return Ok(Some(b));
            }
            self.next()?;
        }
        Ok(None)
    }

    fn expect(&mut self, wanted: u8) -> Result<(), ImportError> {
        self.skip_whitespace()?;
        match self.next()? {
            Some(b) if b == wanted => Ok(()),
            Some(b) => Err(self.structure(format!(
                "expected '{}' but found '{}'",
                char::from(wanted),
                char::from(b).escape_default()
            ))),
            None => Err(self.structure(format!(
                "expected '{}' but the file ended",
                char::from(wanted)
            ))),
        }
    }

    /// Reads a string's raw bytes after its opening quote (escapes kept as written).
    fn raw_string(&mut self) -> Result<Vec<u8>, ImportError> {
        let mut bytes = Vec::new();
        let mut escaped = false;
        loop {
            let Some(b) = self.next()? else {
                return Err(self.structure("the file ends inside a string"));
            };
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                return Ok(bytes);
            }
            bytes.push(b);
        }
    }

    /// Skips one value of the wrapper object (e.g. `@odata.context`).
    fn skip_value(&mut self) -> Result<(), ImportError> {
        match self.skip_whitespace()? {
            Some(b'"') => {
                self.next()?;
                self.raw_string().map(drop)
            }
            Some(b'{' | b'[') => {
                let mut depth = 0usize;
                while let Some(b) = self.next()? {
                    match b {
                        b'"' => {
                            self.raw_string()?;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                return Ok(());
                            }
                        }
                        _ => {}
                    }
                }
                Err(self.structure("the file ends inside a value"))
            }
            _ => {
                while let Some(b) = self.peek()? {
                    if matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace() {
                        return Ok(());
                    }
                    self.next()?;
                }
                Ok(())
            }
        }
    }

    /// Positions the scanner inside the array: the document itself, or its `value`.
    fn open_document(&mut self) -> Result<(), ImportError> {
        match self.skip_whitespace()? {
            Some(b'[') => {
                self.next()?;
                Ok(())
            }
            Some(b'{') => {
                self.next()?;
                self.open_value_array()
            }
            None => Err(self.structure("the file is empty")),
            Some(_) => Err(self.structure(
                "expected a JSON array of objects, or an object with a \"value\" array",
            )),
        }
    }

    fn open_value_array(&mut self) -> Result<(), ImportError> {
        let missing = "the JSON object has no \"value\" array of records";
        loop {
            match self.skip_whitespace()? {
                Some(b'"') => {
                    self.next()?;
                }
                Some(b'}') | None => return Err(self.structure(missing)),
                Some(_) => return Err(self.structure("expected a property name")),
            }
            let key = self.raw_string()?;
            self.expect(b':')?;
            if key == b"value" {
                return self.expect(b'[');
            }
            self.skip_value()?;
            match self.skip_whitespace()? {
                Some(b',') => {
                    self.next()?;
                }
                Some(b'}') | None => return Err(self.structure(missing)),
                Some(_) => return Err(self.structure("expected ',' between properties")),
            }
        }
    }

    /// Collects the next element's bytes; returns its first line and whether it was
    /// too big to keep, or `None` at the end of the array.
    fn next_element(&mut self) -> Result<Option<Element>, ImportError> {
        match self.skip_whitespace()? {
            None => {
                self.state = State::Done;
                return Ok(Some(Element::Truncated(self.line)));
            }
            Some(b']') => {
                self.next()?;
                self.state = State::Done;
                return Ok(None);
            }
            Some(_) => {}
        }
        let start_line = self.line;
        self.element.clear();
        let mut oversized = false;
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let Some(b) = self.next()? else {
                self.state = State::Done;
                return Ok(Some(Element::Truncated(start_line)));
            };
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
            } else {
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b']' if depth == 0 => {
                        self.state = State::Done;
                        break;
                    }
                    b',' if depth == 0 => break,
                    b'}' | b']' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            if self.element.len() < MAX_ELEMENT_BYTES {
                self.element.push(b);
            } else {
                oversized = true;
            }
        }
        Ok(Some(if oversized {
            Element::Oversized(start_line)
        } else {
            Element::Complete(start_line)
        }))
    }
}

enum Element {
    /// In `self.element`.
    Complete(u64),
    Oversized(u64),
    /// The file ended inside the element (or before the array was closed).
    Truncated(u64),
}

impl RecordReader for JsonDocumentRecords {
    fn next_item(&mut self) -> Result<Option<ReadItem>, ImportError> {
        if self.state == State::Done {
            return Ok(None);
        }
        let bad = |file, line, message: String| {
            Ok(Some(ReadItem::Bad(RowError::new(
                file, line, None, message,
            ))))
        };
        match self.next_element()? {
            None => Ok(None),
            Some(Element::Truncated(line)) => bad(
                self.file,
                line,
                "the JSON ends inside this element or before the array is closed (an unbalanced bracket or an unterminated string); nothing after it can be read".into(),
            ),
            Some(Element::Oversized(line)) => bad(
                self.file,
                line,
                format!("the element is larger than {MAX_ELEMENT_BYTES} bytes"),
            ),
            Some(Element::Complete(line)) => {
                if self.element.iter().all(u8::is_ascii_whitespace) {
                    return bad(self.file, line, "empty array element".into());
                }
                match serde_json::from_slice::<Value>(&self.element) {
                    Ok(Value::Object(object)) => Ok(Some(ReadItem::Record(
                        RawRecord::from_json_object(line, object),
                    ))),
                    Ok(other) => bad(
                        self.file,
                        line,
                        format!("expected a JSON object, found {}", json_kind(&other)),
                    ),
                    Err(err) => bad(self.file, line, format!("malformed JSON: {err}")),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &str) -> Result<Vec<Result<RawRecord, RowError>>, ImportError> {
        let reader: InputReader = Box::new(std::io::Cursor::new(text.as_bytes().to_vec()));
        let mut records = JsonDocumentRecords::new(reader, "t.json".into(), InputFile::Users)?;
        let mut out = Vec::new();
        while let Some(item) = records.next_item()? {
            out.push(match item {
                ReadItem::Record(r) => Ok(r),
                ReadItem::Bad(e) => Err(e),
            });
        }
        Ok(out)
    }

    #[test]
    fn elements_with_brackets_and_escapes_in_strings() {
        let items = read_all(
            "[{\"a\": \"x ] } , [ {\"}, {\"b\": \"\\\"\\\\\"},\n\n {\"c\": [1, {\"d\": 2}]}]",
        )
        .unwrap();
        assert_eq!(items.len(), 3);
        let third = items[2].as_ref().unwrap();
        assert_eq!(third.line, 3);
        assert!(items.iter().all(Result::is_ok));
    }

    #[test]
    fn wrapper_skips_other_members_and_finds_value() {
        let items = read_all("{\"@odata.context\": \"x\\\"]\", \"n\": -1.5e3, \"t\": true, \"o\": {\"value\": [9]}, \"value\": [{\"a\": \"1\"}]}").unwrap();
        assert_eq!(items.len(), 1);
        assert!(
            read_all("{\"o\": 1}")
                .unwrap_err()
                .to_string()
                .contains("no \"value\" array")
        );
        assert!(
            read_all("{\"value\": 1}")
                .unwrap_err()
                .to_string()
                .contains("expected '['")
        );
    }

    #[test]
    fn bad_elements_are_row_errors_and_reading_goes_on() {
        let items = read_all("[1, , {\"a\": }, {\"ok\": \"yes\"}]").unwrap();
        let messages: Vec<String> = items
            .iter()
            .map(|i| match i {
                Ok(_) => "ok".into(),
                Err(e) => e.message.clone(),
            })
            .collect();
        assert!(messages[0].contains("found a number"), "{messages:?}");
        assert!(messages[1].contains("empty array element"), "{messages:?}");
        assert!(messages[2].contains("malformed JSON"), "{messages:?}");
        assert_eq!(messages[3], "ok");
        assert!(read_all("[]").unwrap().is_empty());
    }

    #[test]
    fn oversized_element_is_refused_without_keeping_it() {
        let big = format!(
            "[{{\"a\": \"{}\"}}, {{\"b\": \"small\"}}]",
            "x".repeat(MAX_ELEMENT_BYTES + 10)
        );
        let items = read_all(&big).unwrap();
        assert!(
            items[0]
                .as_ref()
                .unwrap_err()
                .message
                .contains("larger than")
        );
        assert!(items[1].is_ok());
    }
}
