//! Facts of refresh-token families (how the user authenticated), kept per node after
//! their first read, so a refresh does not read them from the OAuth state every time.
//!
//! Why this cache cannot go stale: a family's facts are written once, when the family
//! starts (`state::insert`, never replaced), and only purged after they expire. Whether
//! the family may still be used is not decided here: revocation lives in the
//! refresh-token rows, which every refresh reads and claims in the store, and no token of
//! the family outlives its facts (each token expires by the family's end at the latest),
//! so the store refuses a token before a cached fact could matter.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use portcullis_store::Store;

use super::error::OidcError;
use super::issue::FamilyFacts;
use super::state;

/// Families held per node; beyond it the cache starts over (one read per family refills
/// it).
const CAPACITY: usize = 100_000;

#[derive(Default)]
pub(crate) struct FamilyFactsCache {
    families: RwLock<HashMap<String, Arc<FamilyFacts>>>,
}

impl FamilyFactsCache {
    /// The facts of `family`, or `None` if the store has none (never started, or purged).
    pub(crate) async fn get(
        &self,
        store: &dyn Store,
        family: &str,
    ) -> Result<Option<Arc<FamilyFacts>>, OidcError> {
        let cached = self
            .families
            .read()
            .ok()
            .and_then(|families| families.get(family).cloned());
        if let Some(facts) = cached {
            return Ok(Some(facts));
        }
        let Some(read) = state::get::<FamilyFacts>(store, state::FAMILY, family).await? else {
            return Ok(None);
        };
        let facts = Arc::new(read.value);
        if let Ok(mut families) = self.families.write() {
            if families.len() >= CAPACITY {
                families.clear();
            }
            families.insert(family.to_owned(), facts.clone());
        }
        Ok(Some(facts))
    }
}
