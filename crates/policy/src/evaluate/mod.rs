//! The Conditional Access evaluator (entra.md §2): judges one sign-in against a policy
//! set and answers with a decision plus a per-policy trace for the sign-in log.
//!
//! ```text
//! PolicySet ──compile──▶ CompiledPolicySet ─┐
//!                                           ├─ evaluate ─▶ Decision
//! SignInContext ────────────────────────────┘
//! ```
//!
//! # Semantics (entra.md §2, followed to the letter; restrictive readings noted)
//!
//! * **One policy applies** when every configured assignment and condition matches
//!   (AND). Within one, includes are ORed and any exclusion wins: users (IDs, transitive
//!   groups as given, role template IDs, guest types with external tenants, the legacy
//!   `GuestsOrExternalUsers`), target resources (`All`, app IDs, `Office365` and
//!   `MicrosoftAdminPortals` through [`ApplicationGroups`], user actions, authentication
//!   contexts), client app types (`all`/empty = every type; `easSupported` and
//!   `easUnsupported` mean Exchange ActiveSync), platforms (`all` minus exclusions; an
//!   unknown platform is only in `all`), locations (`All`, `AllTrusted` = trusted named
//!   locations plus the legacy MFA trusted IPs, IP ranges v4/v6, countries with
//!   "unknown countries"), sign-in/user/service-principal/insider risk (empty = not
//!   configured), the device filter (include/exclude mode, null semantics of an
//!   unregistered device) and authentication flows.
//! * **User policies never apply to service principals**, and workload-identity
//!   policies (`clientApplications`) only to service principal sign-ins. Agent-identity
//!   includes (beta) target nothing Portcullis signs in.
//! * **Application and service-principal filters** read custom security attributes,
//!   which Portcullis does not hold: an include-mode filter is taken to match every
//!   object and an exclude-mode filter none, so the policy stays in scope (restrictive).
//! * **An unparsable device filter** keeps the policy in scope (restrictive) and is listed
//!   in [`CompiledPolicySet::warnings`].
//! * **User actions** are matched only by policies that list them; `All` resources does
//!   not include them. Report-only policies on user actions are enforced (§1.4; see
//!   `engine.rs`).
//! * **Across policies** (§2.3): disabled policies are `notEnabled`; enforced and
//!   report-only policies are evaluated; any applying enforced `block` (or a grant that
//!   can never be satisfied: an unknown control, an unknown strength, a device-state grant
//!   through the device code flow) blocks, naming every such policy; otherwise each
//!   applying enforced grant (AND/OR over its controls) must be satisfied by the session.
//!   `mfa` is satisfied by the built-in MFA strength's combinations, strengths by the
//!   methods actually used. What is unmet is returned as ordered [`Alternative`]s in the
//!   fixed prompting order. Session controls are merged most-restrictively
//!   ([`EffectiveSessionControls`]); a due sign-in frequency requires reauthentication.
//! * **Report-only** results never change the decision: `reportOnlySuccess`,
//!   `reportOnlyFailure` (block, or only non-interactive controls could help),
//!   `reportOnlyInterrupted` (an interactive control would be asked),
//!   `reportOnlyNotApplied`.
//! * **Security defaults and per-user MFA** ([`crate::security_defaults`]) add their
//!   requirements when configured.
//!
//! # Inputs and outputs
//!
//! [`SignInContext`] documents the sign-in JSON, [`PolicySet`] the configuration JSON.
//! A [`Decision`] borrows policy IDs and names from the [`CompiledPolicySet`], so the trace
//! costs no copies; serialize it (or copy what you keep) before dropping the set.
//!
//! # Performance
//!
//! Compilation interns every ID a policy names, builds an inverted index from user, group
//! and role IDs to the policies naming them, buckets IP ranges by prefix length, parses
//! each distinct device filter once and resolves strengths. A decision then looks up the
//! sign-in's own IDs once, evaluates each distinct device rule once, and tests each
//! policy's conditions with bit masks; see `benches/decision.rs`.

pub(crate) mod applicability;
pub(crate) mod compile;
pub(crate) mod compiled;
mod condition;
pub(crate) mod context;
pub(crate) mod decision;
mod engine;
pub(crate) mod grant;
mod ip_index;
mod policy_set;
pub(crate) mod prepared;
pub(crate) mod required;
mod session;
mod shared;
mod symbols;

pub use compile::{CompileWarning, CompiledPolicySet};
pub use condition::{Condition, ConditionFlags};
pub use context::{
    SessionFacts, SessionState, SignInContext, SignInIdentity, SignInTarget, UsedMethod,
    UserIdentity, UserType,
};
pub use decision::{
    Alternative, AppliedAuthenticationStrength, AppliedPolicy, BaselineRequirement, BaselineRule,
    ConditionalAccessStatus, Decision, Outcome, PolicyRef, PolicyResult,
};
pub use engine::evaluate;
pub use policy_set::{
    AZURE_SERVICE_MANAGEMENT_APP_ID, ApplicationGroups, PerUserMfaState, PolicySet,
    SecurityDefaultsSettings,
};
pub use required::RequiredControl;
pub use session::{EVERY_TIME_TOLERANCE, EffectiveSessionControls, EffectiveSignInFrequency};
pub use shared::{SharedList, SharedText, Text};

impl PolicySet {
    /// Precompiles the set for fast decisions (see [`CompiledPolicySet::compile`]).
    pub fn compile(&self) -> CompiledPolicySet {
        CompiledPolicySet::compile(self)
    }
}
