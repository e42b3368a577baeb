//! An incremental parser for the `text/event-stream` format (WHATWG HTML §9.2): bytes
//! arrive in arbitrary chunks from the HTTP body, complete events come out.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// `message` when the stream named none.
    pub event: String,
    pub data: String,
    pub id: Option<String>,
}

/// A server that never ends a line would make the buffer grow without bound.
const MAX_LINE_BYTES: usize = 64 * 1024;

#[derive(Debug, Default)]
pub struct SseParser {
    buffer: Vec<u8>,
    event: Option<String>,
    data: Vec<String>,
    id: Option<String>,
    /// Set once an over-long line was dropped; the rest of that line is skipped.
    skipping: bool,
}

impl SseParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds a chunk and returns the events it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let mut events = Vec::new();
        for &byte in chunk {
            if byte == b'\n' {
                let line = std::mem::take(&mut self.buffer);
                let was_skipping = std::mem::replace(&mut self.skipping, false);
                if !was_skipping {
                    self.line(&line, &mut events);
                }
            } else if !self.skipping {
                self.buffer.push(byte);
                if self.buffer.len() > MAX_LINE_BYTES {
                    self.buffer.clear();
                    self.skipping = true;
                }
            }
        }
        events
    }

    fn line(&mut self, raw: &[u8], events: &mut Vec<SseEvent>) {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line = String::from_utf8_lossy(raw);
        if line.is_empty() {
            self.dispatch(events);
            return;
        }
        if line.starts_with(':') {
            return; // comment (keep-alive)
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => self.data.push(value.to_owned()),
            "id" if !value.contains('\0') => self.id = Some(value.to_owned()),
            _ => {} // `retry` and unknown fields are ignored: our backoff decides.
        }
    }

    fn dispatch(&mut self, events: &mut Vec<SseEvent>) {
        let event = self.event.take();
        if self.data.is_empty() {
            return;
        }
        events.push(SseEvent {
            event: event.unwrap_or_else(|| "message".to_owned()),
            data: std::mem::take(&mut self.data).join("\n"),
            id: self.id.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks_are_reassembled() {
        let stream =
            b": keep-alive\n\nevent: push\ndata: {\"a\":1}\nid: 7\n\ndata: x\ndata: y\r\n\r\n";
        for split in 0..stream.len() {
            let mut parser = SseParser::new();
            let mut events = parser.feed(&stream[..split]);
            events.extend(parser.feed(&stream[split..]));
            assert_eq!(
                events,
                vec![
                    SseEvent {
                        event: "push".into(),
                        data: "{\"a\":1}".into(),
                        id: Some("7".into())
                    },
                    SseEvent {
                        event: "message".into(),
                        data: "x\ny".into(),
                        id: Some("7".into())
                    },
                ],
                "split at {split}"
            );
        }
    }

    #[test]
    fn an_over_long_line_is_dropped_without_growing_the_buffer() {
        let mut parser = SseParser::new();
        let mut long = b"data: ".to_vec();
        long.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES * 2));
        assert!(parser.feed(&long).is_empty());
        assert!(parser.buffer.len() <= MAX_LINE_BYTES);
        let events = parser.feed(b"\ndata: ok\n\n");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].data, "ok");
    }
}
