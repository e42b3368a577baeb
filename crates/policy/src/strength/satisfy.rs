//! Whether the methods used in a session satisfy a strength.

use super::combination::Combination;
use super::configuration::CombinationConfiguration;
use super::credential::MethodCredential;
use super::method::AuthenticationMethodMode;

/// True when the methods used satisfy at least one allowed combination: every method of the
/// combination was used (extra methods don't hurt), and each used instance passes the
/// configurations that apply to that combination (e.g. a FIDO2 AAGUID allow-list).
/// A combination containing email never counts (§4: email OTP is not usable in a strength).
pub fn satisfies(
    allowed: &[Combination],
    configurations: &[CombinationConfiguration],
    used: &[MethodCredential],
) -> bool {
    satisfied_combination(allowed, configurations, used).is_some()
}

/// The first allowed combination (in the strength's order) the used methods satisfy, for the
/// sign-in log; `None` if none is satisfied.
pub fn satisfied_combination<'a>(
    allowed: &'a [Combination],
    configurations: &[CombinationConfiguration],
    used: &[MethodCredential],
) -> Option<&'a Combination> {
    allowed.iter().find(|combination| {
        missing_methods(combination, configurations, used).is_some_and(|m| m.is_empty())
    })
}

/// The methods of `combination` that `used` does not yet cover, or `None` when the
/// combination can never count: it contains email, or it is empty (only a programmatically
/// collected combination can be; one naming no method must not be satisfied by anything).
pub(crate) fn missing_methods<'c>(
    combination: &'c Combination,
    configurations: &[CombinationConfiguration],
    used: &[MethodCredential],
) -> Option<Vec<&'c AuthenticationMethodMode>> {
    if combination.is_empty() || combination.contains(&AuthenticationMethodMode::Email) {
        return None;
    }
    Some(
        combination
            .methods()
            .filter(|mode| !has_acceptable(mode, combination, configurations, used))
            .collect(),
    )
}

/// Whether `credentials` hold an instance of `mode` that every configuration applying to
/// `combination` accepts.
pub(crate) fn has_acceptable(
    mode: &AuthenticationMethodMode,
    combination: &Combination,
    configurations: &[CombinationConfiguration],
    credentials: &[MethodCredential],
) -> bool {
    credentials.iter().any(|credential| {
        &credential.mode == mode
            && configurations
                .iter()
                .filter(|configuration| configuration.applies_to(combination))
                .all(|configuration| configuration.accepts(credential))
    })
}
