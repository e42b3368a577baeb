//! Graph flags enums, which travel as one comma-separated string
//! (`"internalGuest,b2bCollaborationGuest"`, `"deviceCodeFlow,authenticationTransfer"`,
//! `"password,sms"`).

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::OpenEnum;

/// A set of flags from one open enum.
///
/// Parsing splits on `,`, trims spaces around each member and ignores empty pieces, so
/// `""` is the empty set. The set is ordered by the enum's declaration order (Graph's
/// member order, unknown values last), which is also the order it serializes in; equality
/// is set equality, so `"b,a"` and `"a,b"` are the same value.
///
/// `null` deserializes to the empty set and the empty set serializes to `null`: Graph
/// treats both as "not configured" (entra.md §2.2), and `""` is not a valid flags value on
/// write.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlagSet<T: OpenEnum>(BTreeSet<T>);

impl<T: OpenEnum> Default for FlagSet<T> {
    fn default() -> Self {
        Self(BTreeSet::new())
    }
}

impl<T: OpenEnum> FlagSet<T> {
    /// The empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses the comma-separated wire form.
    pub fn parse(wire: &str) -> Self {
        Self(
            wire.split(',')
                .map(str::trim)
                .filter(|piece| !piece.is_empty())
                .map(T::from_wire)
                .collect(),
        )
    }

    /// The comma-separated wire form (empty string for the empty set).
    pub fn to_wire(&self) -> String {
        let mut out = String::new();
        for (index, flag) in self.0.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            out.push_str(flag.as_str());
        }
        out
    }

    /// Whether `flag` is in the set.
    pub fn contains(&self, flag: &T) -> bool {
        self.0.contains(flag)
    }

    /// Adds a flag; returns whether it was new.
    pub fn insert(&mut self, flag: T) -> bool {
        self.0.insert(flag)
    }

    /// No flags set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of flags set.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The flags in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.0.iter()
    }

    /// Whether every flag of `self` is also in `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        self.0.is_subset(&other.0)
    }
}

impl<T: OpenEnum> FromIterator<T> for FlagSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl<T: OpenEnum> fmt::Display for FlagSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_wire())
    }
}

impl<T: OpenEnum> Serialize for FlagSet<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.is_empty() {
            serializer.serialize_none()
        } else {
            serializer.serialize_str(&self.to_wire())
        }
    }
}

impl<'de, T: OpenEnum> Deserialize<'de> for FlagSet<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire: Option<std::borrow::Cow<'de, str>> = Option::deserialize(deserializer)?;
        Ok(wire.map(|text| Self::parse(&text)).unwrap_or_default())
    }
}
