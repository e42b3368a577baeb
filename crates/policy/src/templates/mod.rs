//! Microsoft's Conditional Access policy templates (entra.md §9), built in.
//!
//! Every row of §9's configuration table is a [`Template`], plus two of the "other
//! documented common policies" (MFA for device registration, block access by location).
//! A template is instantiated with [`Template::instantiate`] and [`TemplateParameters`]
//! (break-glass group, excluded users and groups, admin roles, …): the result is a
//! [`ConditionalAccessPolicy`] in **report-only** state (Entra's rule for policies created
//! from templates) with `templateId` set, and it is checked with
//! [`crate::validate::validate`] before it is returned, so an instance never breaks a
//! documented constraint.
//!
//! # Template IDs
//!
//! Four templates have the IDs Microsoft publishes (entra.md §9): MFA for admins
//! `c7503427-…`, securing security info registration `b8bda7f8-…`, block legacy
//! authentication `0b2282f9-…`, MFA for all users `a3d0a415-…`. For the others the
//! reference gives no ID, so Portcullis assigned fixed random (v4) UUIDs of its own; they
//! are listed in [`catalog`] and never change, so a `templateId` written today still
//! names the same template tomorrow. [`Template::microsoft_id`] tells the two apart.
//!
//! # Choices
//!
//! * Microsoft's templates exclude "the current administrator"; Portcullis has no
//!   "current" admin in a pure library, so the creating admin passes their own ID in
//!   `excludeUsers` (and the break-glass group in `breakGlassGroup`).
//! * The AI-agent template (block high-risk agent identities) is not included: §9 gives
//!   no configuration for it.
//! * Templates that target user actions (security info registration, device
//!   registration) also start in report-only, as every template does, although Entra
//!   documents that report-only does not apply to user actions; validation warns about
//!   it, and the admin chooses `state=enabled` when ready.

pub mod catalog;
mod error;
mod parameters;
mod roles;
mod scenario;
mod shape;
mod template;

pub use catalog::all;
pub use error::TemplateError;
pub use parameters::{ParameterKind, ParameterSpec, TemplateParameters};
pub use roles::{
    ADMIN_ROLES, AdminRole, DIRECTORY_SYNCHRONIZATION_ACCOUNTS_ROLE_ID,
    GLOBAL_ADMINISTRATOR_ROLE_ID, admin_role_name,
};
pub use scenario::TemplateScenario;
pub use template::{Template, TemplateDetails, TemplateListing};

use crate::model::ConditionalAccessPolicy;

/// The template whose slug, ID or display name is `name` (case-insensitive).
pub fn find(name: &str) -> Option<Template> {
    let wanted = name.trim();
    all().into_iter().find(|template| {
        template.slug.eq_ignore_ascii_case(wanted)
            || template.id.eq_ignore_ascii_case(wanted)
            || template.name.eq_ignore_ascii_case(wanted)
    })
}

/// Instantiates the template named `name` (slug, ID or display name) with `parameters`.
pub fn instantiate(
    name: &str,
    parameters: &TemplateParameters,
) -> Result<ConditionalAccessPolicy, TemplateError> {
    find(name)
        .ok_or_else(|| TemplateError::UnknownTemplate(name.to_owned()))?
        .instantiate(parameters)
}
