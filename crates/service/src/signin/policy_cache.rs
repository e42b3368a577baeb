//! The policy environment of the pipeline, compiled once per store `policy_version`.
//!
//! Every step reads the version (one primary-key row) and reuses the compiled set while
//! it has not moved, so a policy change made through any node is in force on every node
//! at its next sign-in step (no node-local state that goes stale).

use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use portcullis_core::UserId;
use portcullis_policy::evaluate::{CompiledPolicySet, PolicySet, SecurityDefaultsSettings};
use portcullis_policy::model::{
    AuthenticationStrengthPolicy, ConditionalAccessPolicy, NamedLocation,
};
use portcullis_signin::{AuthenticationMethodsPolicy, PolicyEnvironment, StrengthCatalogue};
use portcullis_store::{PolicyKind, PolicySnapshot, Store, StoreResult};

/// One version's compiled policy configuration.
#[derive(Debug)]
pub struct LoadedPolicy {
    pub version: i64,
    pub conditional_access: CompiledPolicySet,
    pub strengths: StrengthCatalogue,
    pub methods: AuthenticationMethodsPolicy,
    /// The accounts marked break-glass (their sign-ins raise an alert).
    pub break_glass: HashSet<UserId>,
}

impl LoadedPolicy {
    /// The pipeline's view of this configuration.
    pub fn environment(&self) -> PolicyEnvironment<'_> {
        PolicyEnvironment {
            conditional_access: &self.conditional_access,
            strengths: &self.strengths,
            methods: &self.methods,
        }
    }

    /// Compiles a snapshot. A stored object that no longer parses is left out (and
    /// logged): it was validated on the way in, and one bad row must not stop sign-ins.
    pub fn from_snapshot(snapshot: PolicySnapshot) -> LoadedPolicy {
        let mut set = PolicySet::default();
        let mut methods = AuthenticationMethodsPolicy::default();
        for stored in snapshot.objects {
            let kind = stored.kind;
            let parsed = match kind {
                PolicyKind::ConditionalAccessPolicy => {
                    serde_json::from_value::<ConditionalAccessPolicy>(stored.json)
                        .map(|policy| set.policies.push(policy))
                }
                PolicyKind::NamedLocation => serde_json::from_value::<NamedLocation>(stored.json)
                    .map(|location| set.named_locations.push(location)),
                PolicyKind::AuthenticationStrength => {
                    serde_json::from_value::<AuthenticationStrengthPolicy>(stored.json)
                        .map(|strength| set.authentication_strengths.push(strength))
                }
                PolicyKind::SecurityDefaults => {
                    serde_json::from_value::<SecurityDefaultsSettings>(stored.json)
                        .map(|defaults| set.security_defaults = defaults)
                }
                // Stored in the pipeline's own shape (methods by kind, groups, key
                // restrictions); Graph's `authenticationMethodConfigurations` are not
                // mapped yet.
                PolicyKind::AuthenticationMethodsPolicy => {
                    serde_json::from_value::<AuthenticationMethodsPolicy>(stored.json)
                        .map(|policy| methods = policy)
                }
            };
            if let Err(error) = parsed {
                tracing::error!(kind = kind.as_str(), id = %stored.id, %error,
                    "stored policy object does not parse; left out of sign-in evaluation");
            }
        }
        LoadedPolicy {
            version: snapshot.policy_version,
            conditional_access: CompiledPolicySet::compile(&set),
            strengths: StrengthCatalogue::from_policy_set(&set),
            methods,
            break_glass: HashSet::new(),
        }
    }
}

/// The latest compiled configuration, shared by all steps on this node.
#[derive(Default)]
pub(crate) struct PolicyCache {
    current: RwLock<Option<Arc<LoadedPolicy>>>,
}

impl PolicyCache {
    /// The configuration at the store's current version, compiling it if it moved.
    pub(crate) async fn current(&self, store: &dyn Store) -> StoreResult<Arc<LoadedPolicy>> {
        let version = store.policy_version().await?;
        if let Some(loaded) = self.cached()
            && loaded.version == version
        {
            return Ok(loaded);
        }
        let snapshot = store.policy_snapshot().await?;
        // Marking an account bumps the policy version, and the marks are read after the
        // snapshot: they are at least as new as the version they are cached under.
        let break_glass = store.list_break_glass_accounts().await?;
        // Compiling 200 policies takes well under a millisecond: no blocking thread.
        let mut loaded = LoadedPolicy::from_snapshot(snapshot);
        loaded.break_glass = break_glass.into_iter().map(|mark| mark.user_id).collect();
        let loaded = Arc::new(loaded);
        if let Ok(mut slot) = self.current.write() {
            // A slower concurrent reload of an older version must not win.
            if slot
                .as_ref()
                .is_none_or(|old| old.version <= loaded.version)
            {
                *slot = Some(loaded.clone());
            }
        }
        Ok(loaded)
    }

    /// The configuration at `version`, a policy version the caller just read from the
    /// store: the compiled one if it is that version (or newer), else the store's current
    /// one, compiled.
    pub(crate) async fn at_version(
        &self,
        store: &dyn Store,
        version: i64,
    ) -> StoreResult<Arc<LoadedPolicy>> {
        if let Some(loaded) = self.cached()
            && loaded.version >= version
        {
            return Ok(loaded);
        }
        self.current(store).await
    }

    /// The configuration last loaded, without asking the store.
    pub(crate) fn cached(&self) -> Option<Arc<LoadedPolicy>> {
        self.current.read().ok().and_then(|slot| slot.clone())
    }
}
