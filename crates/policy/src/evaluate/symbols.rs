//! Interning of directory IDs so that a decision compares small integers, not strings.
//!
//! At compile time every user, group, role, application and service principal ID a policy
//! mentions gets a number. At decision time the sign-in's IDs are looked up once each
//! (IDs no policy mentions are simply absent) and marked in a bit set, so a policy's
//! "is the user in any of these groups" becomes a few bit tests.

use std::collections::HashMap;

/// A number standing for one ID that some policy mentions.
pub(crate) type Symbol = u32;

/// Directory object IDs are GUIDs, which Graph compares without regard to case; other
/// IDs (authentication contexts `c1`…) are short. Lower-casing ASCII makes lookups
/// case-insensitive the same way everywhere.
fn normalize(id: &str) -> String {
    id.trim().to_ascii_lowercase()
}

/// ID → symbol.
#[derive(Debug, Clone, Default)]
pub(crate) struct SymbolTable {
    symbols: HashMap<String, Symbol>,
}

impl SymbolTable {
    /// The symbol of `id`, adding it when new.
    pub(crate) fn intern(&mut self, id: &str) -> Symbol {
        let key = normalize(id);
        let next = Symbol::try_from(self.symbols.len()).unwrap_or(Symbol::MAX);
        *self.symbols.entry(key).or_insert(next)
    }

    /// Interns every ID of a list.
    pub(crate) fn intern_all<'a>(
        &mut self,
        ids: impl IntoIterator<Item = &'a String>,
    ) -> Vec<Symbol> {
        let mut symbols: Vec<Symbol> = ids.into_iter().map(|id| self.intern(id)).collect();
        symbols.sort_unstable();
        symbols.dedup();
        symbols
    }

    /// The symbol of `id` if any policy mentions it. Avoids allocating for IDs that are
    /// already lower case (GUIDs as Graph writes them).
    pub(crate) fn lookup(&self, id: &str) -> Option<Symbol> {
        let trimmed = id.trim();
        if trimmed.bytes().any(|byte| byte.is_ascii_uppercase()) {
            self.symbols.get(&trimmed.to_ascii_lowercase()).copied()
        } else {
            self.symbols.get(trimmed).copied()
        }
    }

    /// Number of symbols.
    pub(crate) fn len(&self) -> usize {
        self.symbols.len()
    }
}

/// A set of symbols.
#[derive(Debug, Clone, Default)]
pub(crate) struct SymbolSet {
    words: Vec<u64>,
}

impl SymbolSet {
    /// An empty set able to hold every symbol of a table of `len` symbols.
    pub(crate) fn with_len(len: usize) -> Self {
        Self {
            words: vec![0; len.div_ceil(64)],
        }
    }

    /// Adds a symbol.
    pub(crate) fn insert(&mut self, symbol: Symbol) {
        let index = (symbol / 64) as usize;
        if let Some(word) = self.words.get_mut(index) {
            *word |= 1 << (symbol % 64);
        }
    }

    /// Whether the symbol is in the set.
    pub(crate) fn contains(&self, symbol: Symbol) -> bool {
        self.words
            .get((symbol / 64) as usize)
            .is_some_and(|word| word & (1 << (symbol % 64)) != 0)
    }

    /// Whether any of `symbols` is in the set.
    pub(crate) fn contains_any(&self, symbols: &[Symbol]) -> bool {
        symbols.iter().any(|symbol| self.contains(*symbol))
    }
}
