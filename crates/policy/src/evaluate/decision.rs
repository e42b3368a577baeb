//! The evaluator's answer: the decision and the per-policy trace for the sign-in log.

use serde::Serialize;
use time::OffsetDateTime;

use super::condition::ConditionFlags;
use super::required::RequiredControl;
use super::session::EffectiveSessionControls;
use super::shared::Text;

/// The answer to one sign-in. It borrows policy IDs, names and control lists from the
/// [`CompiledPolicySet`](super::CompiledPolicySet) it was computed from, so producing the
/// trace copies nothing.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision<'a> {
    /// What happens to the sign-in.
    pub outcome: Outcome<'a>,
    /// `signIn.conditionalAccessStatus`: `success` when at least one enforced policy
    /// applied and all were satisfied, `failure` when blocked or controls are still
    /// needed, `notApplied` when no enforced policy applied.
    pub conditional_access_status: ConditionalAccessStatus,
    /// One entry per policy, in the policy set's order (`appliedConditionalAccessPolicies`).
    pub applied_conditional_access_policies: Vec<AppliedPolicy<'a>>,
    /// What security defaults or per-user MFA required, when they took part.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub baseline_requirements: Vec<BaselineRequirement>,
}

/// What happens to the sign-in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Outcome<'a> {
    /// Every requirement is met.
    #[serde(rename_all = "camelCase")]
    Allow {
        /// The merged session controls of the applying enforced policies.
        session_controls: EffectiveSessionControls,
        /// Security defaults registration grace: the user has not registered MFA and must
        /// do so by this time (they may skip until then).
        #[serde(
            default,
            with = "time::serde::rfc3339::option",
            skip_serializing_if = "Option::is_none"
        )]
        mfa_registration_due_by: Option<OffsetDateTime>,
    },
    /// The sign-in may continue once the user satisfies one of the alternatives.
    #[serde(rename_all = "camelCase")]
    NeedsControls {
        /// Ways to satisfy every applying policy, in prompting order (the first is what
        /// to offer first). Each alternative lists its controls in prompting order.
        alternatives: Vec<Alternative>,
        /// The session controls that will apply once the controls are satisfied.
        session_controls: EffectiveSessionControls,
    },
    /// Access is denied.
    #[serde(rename_all = "camelCase")]
    Block {
        /// Every enforced policy that blocks (or whose grant can never be satisfied).
        policies: Vec<PolicyRef<'a>>,
        /// The security-defaults rule that blocks, if security defaults block.
        #[serde(skip_serializing_if = "Option::is_none")]
        baseline: Option<BaselineRule>,
    },
}

impl Outcome<'_> {
    /// `allow`, `needsControls` or `block`.
    pub fn kind(&self) -> &'static str {
        match self {
            Outcome::Allow { .. } => "allow",
            Outcome::NeedsControls { .. } => "needsControls",
            Outcome::Block { .. } => "block",
        }
    }
}

/// One way to satisfy every requirement: all of these controls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Alternative {
    /// The controls, in prompting order.
    pub controls: Vec<RequiredControl>,
}

/// A policy named in a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRef<'a> {
    /// The policy ID.
    pub id: Text<'a>,
    /// The policy's display name.
    pub display_name: Text<'a>,
}

/// `signIn.conditionalAccessStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ConditionalAccessStatus {
    Success,
    Failure,
    NotApplied,
}

/// `appliedConditionalAccessPolicy.result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PolicyResult {
    Success,
    Failure,
    NotApplied,
    NotEnabled,
    ReportOnlySuccess,
    ReportOnlyFailure,
    ReportOnlyNotApplied,
    ReportOnlyInterrupted,
}

impl PolicyResult {
    /// The Graph wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyResult::Success => "success",
            PolicyResult::Failure => "failure",
            PolicyResult::NotApplied => "notApplied",
            PolicyResult::NotEnabled => "notEnabled",
            PolicyResult::ReportOnlySuccess => "reportOnlySuccess",
            PolicyResult::ReportOnlyFailure => "reportOnlyFailure",
            PolicyResult::ReportOnlyNotApplied => "reportOnlyNotApplied",
            PolicyResult::ReportOnlyInterrupted => "reportOnlyInterrupted",
        }
    }
}

/// One policy's result, in the Graph `appliedConditionalAccessPolicy` shape (v1.0 fields
/// plus the beta `conditionsSatisfied`, `conditionsNotSatisfied` and
/// `authenticationStrength`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedPolicy<'a> {
    pub id: Text<'a>,
    pub display_name: Text<'a>,
    /// The policy's grant controls (Graph names: `block`, `mfa`, `compliantDevice`, …,
    /// `authenticationStrength`, terms-of-use and custom-control IDs) when it applied;
    /// empty otherwise.
    pub enforced_grant_controls: &'a [String],
    /// The policy's enabled session controls (`SignInFrequency`,
    /// `PersistentBrowserSessionMode`, `AppEnforcedRestrictions`, `CloudAppSecurity`,
    /// `ContinuousAccessEvaluation`, `DisableResilienceDefaults`, `SecureSignInSession`)
    /// when it applied; empty otherwise.
    pub enforced_session_controls: &'a [String],
    pub result: PolicyResult,
    /// Configured conditions that matched (flags string, e.g. `"application,users"`).
    pub conditions_satisfied: ConditionFlags,
    /// Configured conditions that did not match.
    pub conditions_not_satisfied: ConditionFlags,
    /// The required authentication strength and how the session stands against it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_strength: Option<AppliedAuthenticationStrength<'a>>,
}

/// Beta `authenticationStrength` of an applied policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedAuthenticationStrength<'a> {
    pub authentication_strength_id: Text<'a>,
    pub display_name: Text<'a>,
    /// `satisfied`, `singleChallengeRequired`, `cannotSatisfy` or `notSet` (the policy
    /// did not apply).
    pub authentication_strength_result: &'static str,
}

/// Which legacy baseline produced a requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum BaselineRule {
    /// Security defaults: register MFA (14-day grace over).
    SecurityDefaultsRegistration,
    /// Security defaults: the user holds one of the 17 administrator roles.
    SecurityDefaultsAdministratorMfa,
    /// Security defaults: MFA "when necessary" (risky or unfamiliar sign-in).
    SecurityDefaultsRiskBasedMfa,
    /// Security defaults: legacy authentication is blocked.
    SecurityDefaultsLegacyAuthenticationBlocked,
    /// Security defaults: Azure management needs MFA.
    SecurityDefaultsAzureManagementMfa,
    /// Per-user MFA `enabled` or `enforced`.
    PerUserMfa,
}

/// A requirement from security defaults or per-user MFA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BaselineRequirement {
    /// The rule.
    pub rule: BaselineRule,
    /// The control it asks for (`None` for a block).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<RequiredControl>,
    /// Whether the session already satisfies it.
    pub satisfied: bool,
}
