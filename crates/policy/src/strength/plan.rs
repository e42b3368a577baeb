//! Which combinations of a strength a user could still complete, and what to ask for next.

use super::combination::Combination;
use super::configuration::CombinationConfiguration;
use super::credential::MethodCredential;
use super::method::{AuthenticationMethodMode, MethodClass};
use super::satisfy::{has_acceptable, missing_methods};

/// One combination the user can complete with methods they have used or registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionOption {
    pub combination: Combination,
    pub class: MethodClass,
    /// Methods still to perform, in the order to ask for them (empty: already satisfied).
    pub remaining: Vec<AuthenticationMethodMode>,
}

/// The options for completing a strength, strongest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompletionPlan {
    pub options: Vec<CompletionOption>,
}

impl CompletionPlan {
    /// Whether the methods already used satisfy the strength.
    pub fn is_satisfied(&self) -> bool {
        self.options
            .iter()
            .any(|option| option.remaining.is_empty())
    }

    /// Whether the user cannot complete the strength with what they have registered (the
    /// sign-in must send them to registration, or block).
    pub fn is_impossible(&self) -> bool {
        self.options.is_empty()
    }

    /// The single method to prompt for next: the first remaining method of the strongest
    /// option. `None` when already satisfied or impossible.
    pub fn next_prompt(&self) -> Option<&AuthenticationMethodMode> {
        if self.is_satisfied() {
            return None;
        }
        self.options
            .first()
            .and_then(|option| option.remaining.first())
    }
}

/// Lists the allowed combinations the user can still complete, given the methods used so far
/// in this sign-in and the methods they have registered (include `password` in `registered`
/// when the user has one). Each method must pass the combination's configurations (an AAGUID
/// allow-list rejects a registered key of another model).
///
/// Order, strongest first: by [`MethodClass`] (phishing-resistant, passwordless, other MFA,
/// single factor), then by the system-preferred MFA rank of the combination's best method
/// (`AuthenticationMethodMode::preference_rank`, `entra.md` §5.7), then fewer methods, then
/// the combination's text — a stable, total order. Within an option, first-factor-only
/// methods (password, federated or certificate single factor) come first, then by rank.
///
/// Windows Hello for Business counts only as the primary method (§4), so once any method
/// has been used, combinations still needing it are not offered.
pub fn plan_completion(
    allowed: &[Combination],
    configurations: &[CombinationConfiguration],
    registered: &[MethodCredential],
    used: &[MethodCredential],
) -> CompletionPlan {
    let mut options: Vec<CompletionOption> = allowed
        .iter()
        .filter_map(|combination| option_for(combination, configurations, registered, used))
        .collect();
    options.sort_by_cached_key(|option| {
        (
            option.class,
            best_rank(&option.combination),
            option.combination.len(),
            option.combination.to_string(),
        )
    });
    options.dedup_by(|a, b| a.combination == b.combination);
    CompletionPlan { options }
}

fn option_for(
    combination: &Combination,
    configurations: &[CombinationConfiguration],
    registered: &[MethodCredential],
    used: &[MethodCredential],
) -> Option<CompletionOption> {
    let missing = missing_methods(combination, configurations, used)?;
    let completable = missing
        .iter()
        .all(|mode| has_acceptable(mode, combination, configurations, registered));
    let needs_primary_hello = missing.contains(&&AuthenticationMethodMode::WindowsHelloForBusiness);
    if !completable || (needs_primary_hello && !used.is_empty()) {
        return None;
    }
    let mut remaining: Vec<AuthenticationMethodMode> = missing.into_iter().cloned().collect();
    remaining.sort_by_key(|mode| (!mode.is_first_factor_only(), mode.preference_rank()));
    Some(CompletionOption {
        combination: combination.clone(),
        class: combination.class(),
        remaining,
    })
}

fn best_rank(combination: &Combination) -> u8 {
    combination
        .methods()
        .map(AuthenticationMethodMode::preference_rank)
        .min()
        .unwrap_or(u8::MAX)
}
