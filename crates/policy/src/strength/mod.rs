//! Authentication strengths (`entra.md` §4): which combinations of methods satisfy a
//! strength, the three built-in strengths, whether the methods a session used satisfy one,
//! and which method to ask for next.
//!
//! [`AuthenticationMethodMode`] and [`Combination`] are the only definitions of Graph's
//! method modes and combinations: the Graph model (`crate::model`) uses them for a strength
//! policy's `allowedCombinations`, and `AuthenticationStrength::from(&policy)` gives the
//! engine's view of a model policy.
//!
//! Rules worth knowing:
//! * A combination is satisfied when every one of its methods was used; extra methods don't
//!   hurt. A FIDO2 AAGUID allow-list (or certificate issuer/OID list) applying to the
//!   combination must accept the instance used.
//! * Email one-time passcodes never satisfy a strength, even if a combination names email.
//! * Windows Hello for Business counts only as the primary method: the sign-in should only
//!   report it as used when it was the first step; [`plan_completion`] never offers it after
//!   another method.

mod built_in;
mod combination;
mod configuration;
mod credential;
mod error;
mod from_model;
mod method;
mod plan;
mod policy;
mod satisfy;

pub use built_in::{
    MULTIFACTOR_AUTHENTICATION_ID, PASSWORDLESS_MFA_ID, PHISHING_RESISTANT_MFA_ID,
    built_in_strength, built_in_strengths, multifactor_authentication, passwordless_mfa,
    phishing_resistant_mfa,
};
pub use combination::{Combination, validate_allowed_combinations};
pub use configuration::CombinationConfiguration;
pub use credential::{MethodCredential, MethodDetail};
pub use error::StrengthError;
pub use method::{AuthenticationMethodMode, MethodClass};
pub use plan::{CompletionOption, CompletionPlan, plan_completion};
pub use policy::{AuthenticationStrength, RequirementsSatisfied, StrengthPolicyType};
pub use satisfy::{satisfied_combination, satisfies};
