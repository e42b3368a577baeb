//! The token endpoint's clients — each application with its stored secret hashes — kept
//! in memory per node, keyed by the store's directory-wide security epoch.
//!
//! Why: every grant authenticates its client, which was two reads (the application by
//! client id, then its secrets) of data that changes perhaps once a month. Every write
//! to `applications` or `application_secrets` moves the directory-wide epoch in the same
//! transaction (store triggers, on both backends), and an entry is used only while the
//! epoch is the one it was loaded at. The caller reads the epoch from the store for every
//! grant, together with the policy version in one row
//! (`SecurityEpochStore::configuration_versions`), so a secret removed or an application
//! disabled stops working at once, on every node, whoever wrote it (admin API, CLI,
//! another node): the cache saves reads, never freshness.
//!
//! The secret check itself is unchanged: every stored hash is compared in constant time
//! against the presented secret, with each secret's validity window checked at the time
//! of the request. Unknown client ids are not remembered (they would let anyone fill the
//! cache).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use portcullis_core::{Application, ApplicationSecret, ClientId};
use portcullis_store::{Store, StoreResult};

/// Clients held per node; beyond it the cache starts over (it refills at one pair of
/// reads per client).
const CAPACITY: usize = 10_000;

/// One client as read from the store.
#[derive(Debug)]
pub struct CachedClient {
    pub application: Application,
    pub secrets: Vec<ApplicationSecret>,
    /// The directory-wide epoch read before the application and secrets were.
    global_epoch: i64,
}

#[derive(Default)]
pub(crate) struct ClientCache {
    clients: RwLock<HashMap<ClientId, Arc<CachedClient>>>,
}

impl ClientCache {
    /// The client with this id and its secrets (`None`: no such application), from
    /// memory if it was loaded at `global_epoch`, else from the store. `global_epoch`
    /// must be read from the store before this call: a change committed after that read
    /// moves the epoch past it, so a stale entry can never carry a current stamp.
    pub(crate) async fn get(
        &self,
        store: &dyn Store,
        client_id: &ClientId,
        global_epoch: i64,
    ) -> StoreResult<Option<Arc<CachedClient>>> {
        if let Some(hit) = self.cached(client_id)
            && hit.global_epoch == global_epoch
        {
            return Ok(Some(hit));
        }
        let Some(loaded) = load(store, client_id, global_epoch).await? else {
            self.forget(client_id);
            return Ok(None);
        };
        let loaded = Arc::new(loaded);
        if let Ok(mut clients) = self.clients.write() {
            if clients.len() >= CAPACITY && !clients.contains_key(client_id) {
                clients.clear();
            }
            // A slower concurrent load made at an older epoch must not win.
            if clients
                .get(client_id)
                .is_none_or(|old| old.global_epoch <= global_epoch)
            {
                clients.insert(client_id.clone(), loaded.clone());
            }
        }
        Ok(Some(loaded))
    }

    fn cached(&self, client_id: &ClientId) -> Option<Arc<CachedClient>> {
        self.clients
            .read()
            .ok()
            .and_then(|clients| clients.get(client_id).cloned())
    }

    fn forget(&self, client_id: &ClientId) {
        if let Ok(mut clients) = self.clients.write() {
            clients.remove(client_id);
        }
    }
}

async fn load(
    store: &dyn Store,
    client_id: &ClientId,
    global_epoch: i64,
) -> StoreResult<Option<CachedClient>> {
    let Some(application) = store.find_application_by_client_id(client_id).await? else {
        return Ok(None);
    };
    let secrets = store.list_application_secrets(&application.id).await?;
    Ok(Some(CachedClient {
        application,
        secrets,
        global_epoch,
    }))
}
