//! Unmet grant requirements and how requirements of several policies combine into
//! ordered alternatives (entra.md §2.3).

use serde::Serialize;

use super::shared::SharedText;

/// A control the user (or their device or app) still has to satisfy.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "control", rename_all = "camelCase")]
pub enum RequiredControl {
    /// Sign-in frequency is due: authenticate again (first factor, and MFA if the
    /// session had it) before anything else.
    Reauthentication,
    /// Register an MFA method (security defaults after the grace period, per-user MFA
    /// `enabled`).
    MfaRegistration,
    /// `mfa`: any combination of the built-in "Multifactor authentication" strength.
    Mfa,
    /// An authentication strength.
    #[serde(rename_all = "camelCase")]
    AuthenticationStrength {
        id: SharedText,
        display_name: SharedText,
    },
    /// `compliantDevice`.
    CompliantDevice,
    /// `domainJoinedDevice` (hybrid joined).
    DomainJoinedDevice,
    /// `approvedApplication`.
    ApprovedApplication,
    /// `compliantApplication` (app protection policy).
    CompliantApplication,
    /// `passwordChange`.
    PasswordChange,
    /// `riskRemediation`.
    RiskRemediation,
    /// Accept a terms-of-use agreement.
    TermsOfUse { id: SharedText },
    /// A custom control.
    CustomFactor { id: SharedText },
}

impl RequiredControl {
    /// Position in the fixed prompting order (entra.md §2.3): MFA → compliant device →
    /// hybrid joined device → approved client app → app protection policy → password
    /// change → terms of use → custom controls. Reauthentication and registration come
    /// before MFA (they are its preconditions); authentication strengths are the MFA
    /// step; risk remediation sits with password change, the other risk remediation.
    pub fn prompt_rank(&self) -> u8 {
        match self {
            RequiredControl::Reauthentication => 0,
            RequiredControl::MfaRegistration => 1,
            RequiredControl::Mfa => 2,
            RequiredControl::AuthenticationStrength { .. } => 3,
            RequiredControl::CompliantDevice => 4,
            RequiredControl::DomainJoinedDevice => 5,
            RequiredControl::ApprovedApplication => 6,
            RequiredControl::CompliantApplication => 7,
            RequiredControl::PasswordChange => 8,
            RequiredControl::RiskRemediation => 9,
            RequiredControl::TermsOfUse { .. } => 10,
            RequiredControl::CustomFactor { .. } => 11,
        }
    }

    /// Whether the user can satisfy it by acting in the sign-in (MFA, terms of use, …),
    /// as opposed to a fact about the device or app checked without asking them. Report-
    /// only policies that need an interactive control are `reportOnlyInterrupted`.
    pub fn is_interactive(&self) -> bool {
        !matches!(
            self,
            RequiredControl::CompliantDevice
                | RequiredControl::DomainJoinedDevice
                | RequiredControl::ApprovedApplication
                | RequiredControl::CompliantApplication
        )
    }
}

/// At most this many alternatives are kept when combining policies; the rest (the
/// latest in prompting order) are dropped. Real policy sets produce a handful.
pub(crate) const MAX_ALTERNATIVES: usize = 32;

/// A requirement: satisfy any one of the alternatives, each a set of controls (sorted
/// in prompting order, no duplicates). An empty list of alternatives is unsatisfiable;
/// an alternative with no controls means "already satisfied".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Requirement {
    pub(crate) alternatives: Vec<Vec<RequiredControl>>,
}

impl Requirement {
    /// Nothing required.
    pub(crate) fn satisfied() -> Self {
        Self {
            alternatives: vec![Vec::new()],
        }
    }

    /// Satisfy every one of the requirements (the union across policies): every
    /// combination of one alternative from each, minimized.
    pub(crate) fn and(&self, other: &Requirement) -> Requirement {
        let mut combined = Vec::new();
        for left in &self.alternatives {
            for right in &other.alternatives {
                combined.push(union(left, right));
            }
        }
        Requirement {
            alternatives: minimize(combined),
        }
    }
}

/// Sorts `controls` in prompting order and removes duplicates.
pub(crate) fn normalize(mut controls: Vec<RequiredControl>) -> Vec<RequiredControl> {
    controls.sort_by(|a, b| (a.prompt_rank(), a).cmp(&(b.prompt_rank(), b)));
    controls.dedup();
    controls
}

fn union(left: &[RequiredControl], right: &[RequiredControl]) -> Vec<RequiredControl> {
    normalize(left.iter().chain(right).cloned().collect())
}

fn is_subset(small: &[RequiredControl], large: &[RequiredControl]) -> bool {
    small.iter().all(|control| large.contains(control))
}

/// Drops duplicate alternatives and those that need more than another one (a superset),
/// orders them by prompting order (lexicographic over the controls' ranks, so an
/// alternative starting with MFA comes first, and a shorter one before its extensions),
/// and keeps at most [`MAX_ALTERNATIVES`].
pub(crate) fn minimize(mut alternatives: Vec<Vec<RequiredControl>>) -> Vec<Vec<RequiredControl>> {
    // Shortest first, so that every subset is kept before its supersets are looked at.
    alternatives.sort_by(|a, b| (a.len(), order_key(a)).cmp(&(b.len(), order_key(b))));
    alternatives.dedup();
    let mut kept: Vec<Vec<RequiredControl>> = Vec::new();
    for candidate in alternatives {
        if !kept.iter().any(|existing| is_subset(existing, &candidate)) {
            kept.push(candidate);
        }
    }
    kept.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
    kept.truncate(MAX_ALTERNATIVES);
    kept
}

fn order_key(controls: &[RequiredControl]) -> Vec<(u8, &RequiredControl)> {
    controls
        .iter()
        .map(|control| (control.prompt_rank(), control))
        .collect()
}
