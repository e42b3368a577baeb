//! Cheaply clonable text and lists for the per-policy trace: a decision over 200 policies
//! must not copy 200 IDs and names, so the trace shares them with the compiled set.

use std::ops::Deref;
use std::sync::Arc;

use serde::{Serialize, Serializer};

/// Shared, immutable text that serializes as a JSON string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SharedText(Arc<str>);

impl SharedText {
    /// Shares `text`.
    pub fn new(text: &str) -> Self {
        Self(Arc::from(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for SharedText {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl Serialize for SharedText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// A shared, immutable list of strings that serializes as a JSON array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedList(Arc<[String]>);

impl SharedList {
    /// Shares `items`.
    pub fn new(items: Vec<String>) -> Self {
        Self(Arc::from(items))
    }

    /// The items.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

impl Deref for SharedList {
    type Target = [String];

    fn deref(&self) -> &[String] {
        &self.0
    }
}

impl Serialize for SharedList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter())
    }
}

/// Text borrowed from the compiled policy set for a decision's trace; serializes as a
/// JSON string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text<'a>(&'a str);

impl<'a> Text<'a> {
    /// Borrows `text`.
    pub fn new(text: &'a str) -> Self {
        Self(text)
    }

    /// The text, with the set's lifetime.
    pub fn as_str(&self) -> &'a str {
        self.0
    }
}

impl Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        self.0
    }
}

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}
