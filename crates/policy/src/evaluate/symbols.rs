//! Interning of directory IDs so that a decision compares small integers, not strings.
//!
//! At compile time every user, group, role, application and service principal ID a policy
//! mentions gets a number. At decision time the sign-in's IDs are looked up once each
//! (IDs no policy mentions are simply absent); the user's numbers then lead through an
//! inverted index to the policies that name them.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast non-cryptographic hash for the evaluator's lookup tables: eight bytes at a
/// time, each word mixed in with a rotate, an xor and an odd multiplier (the scheme of
/// rustc's "Fx" hash). The tables are built from the policy set (admin-controlled) and
/// only looked up with sign-in data, so a crafted sign-in can at worst slow down its own
/// lookups.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct WordHasher(u64);

const MULTIPLIER: u64 = 0x517c_c1b7_2722_0a95;

impl WordHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(MULTIPLIER);
    }

    fn mix_bytes(&mut self, bytes: &[u8], or_mask: u64) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word) | or_mask);
        }
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        self.mix(u64::from_le_bytes(word) | or_mask);
        self.mix(bytes.len() as u64);
    }
}

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.mix_bytes(bytes, 0);
    }

    fn write_u8(&mut self, value: u8) {
        self.mix(u64::from(value));
    }

    fn write_u32(&mut self, value: u32) {
        self.mix(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.mix(value);
    }

    fn write_u128(&mut self, value: u128) {
        self.mix(value as u64);
        self.mix((value >> 64) as u64);
    }

    fn write_usize(&mut self, value: usize) {
        self.mix(value as u64);
    }
}

/// A `HashMap` with [`WordHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// A number standing for one ID that some policy mentions.
pub(crate) type Symbol = u32;

/// Hashes `id` so that IDs differing only in ASCII case hash alike: every byte's 0x20
/// bit is set first, which is exactly lower-casing for the letters, digits and hyphens of
/// a GUID, and for other text a hash that agrees on upper and lower case.
fn case_insensitive_hash(id: &str) -> u64 {
    let mut hasher = WordHasher::default();
    hasher.mix_bytes(id.as_bytes(), 0x2020_2020_2020_2020);
    hasher.finish()
}

/// ID → symbol, comparing IDs without regard to ASCII case (directory object IDs are
/// GUIDs, which Graph compares that way). A lookup hashes the ID once and confirms with a
/// case-insensitive comparison: one pass over the bytes, no allocation.
#[derive(Debug, Clone, Default)]
pub(crate) struct SymbolTable {
    buckets: FastMap<u64, Vec<(Box<str>, Symbol)>>,
    len: usize,
}

impl SymbolTable {
    /// The symbol of `id`, adding it when new.
    pub(crate) fn intern(&mut self, id: &str) -> Symbol {
        if let Some(symbol) = self.lookup(id) {
            return symbol;
        }
        let symbol = Symbol::try_from(self.len).unwrap_or(Symbol::MAX);
        self.buckets
            .entry(case_insensitive_hash(id))
            .or_default()
            .push((Box::from(id), symbol));
        self.len += 1;
        symbol
    }

    /// Interns every ID of a list (sorted, without duplicates).
    pub(crate) fn intern_all<'a>(
        &mut self,
        ids: impl IntoIterator<Item = &'a String>,
    ) -> Vec<Symbol> {
        let mut symbols: Vec<Symbol> = ids.into_iter().map(|id| self.intern(id)).collect();
        symbols.sort_unstable();
        symbols.dedup();
        symbols
    }

    /// The symbol of `id` if any policy mentions it.
    pub(crate) fn lookup(&self, id: &str) -> Option<Symbol> {
        self.buckets
            .get(&case_insensitive_hash(id))?
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(id))
            .map(|(_, symbol)| *symbol)
    }

    /// Number of symbols.
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}
