//! The built-in templates, in §9's table order, then the other common policies.
//!
//! | slug | template ID | ID from |
//! |---|---|---|
//! | `mfa-admins` | `c7503427-338e-4c5e-902d-abe252abfb43` | Microsoft |
//! | `phishing-resistant-mfa-admins` | `50442ac8-e691-4835-88a3-a08f960338ce` | Portcullis |
//! | `mfa-admin-portals` | `29cf2c48-36a4-473a-849f-ab5b032864ea` | Portcullis |
//! | `compliant-or-hybrid-device-admins` | `84b9dc3f-17e9-4fc7-a572-fff76427731a` | Portcullis |
//! | `block-legacy-authentication` | `0b2282f9-2862-4178-88b5-d79340b36cb8` | Microsoft |
//! | `mfa-all-users` | `a3d0a415-b068-4326-9251-f9cdf9feeb64` | Microsoft |
//! | `mfa-guests` | `9a07331c-dad1-4e80-848a-15f5eb3a763a` | Portcullis |
//! | `mfa-azure-management` | `fb222e51-0540-4d55-b1dd-47b4ef3485d3` | Portcullis |
//! | `securing-security-info-registration` | `b8bda7f8-6584-4446-bce9-d871480e53fa` | Microsoft |
//! | `compliant-hybrid-or-mfa-all-users` | `bd11fc4c-f016-4a0f-88b7-53715a8f115f` | Portcullis |
//! | `compliant-device-all-users` | `d18c739d-7806-47c9-8193-8232dbc1eb92` | Portcullis |
//! | `block-unknown-platforms` | `13e8c81e-6d45-42af-8c9e-6a76c712f49f` | Portcullis |
//! | `no-persistent-browser` | `105358ce-1d50-4e54-9836-39e30f100e22` | Portcullis |
//! | `app-enforced-restrictions` | `cebec69d-5aab-42a5-91e1-97d5d167455d` | Portcullis |
//! | `mfa-risky-sign-ins` | `5d40fe3e-92ee-4ba5-b32f-af3787a1bad6` | Portcullis |
//! | `password-change-high-risk-users` | `220b341a-ae3e-4e40-85e5-cc52c32c94d3` | Portcullis |
//! | `block-insider-risk` | `9c8dd00c-cb24-4a39-86dc-7a84661ff842` | Portcullis |
//! | `mfa-device-registration` | `1c0dc3c0-56b3-49a6-aed1-a10577a0b1e0` | Portcullis |
//! | `block-by-location` | `a5fd6639-b2bf-4b4e-9e3a-ce6adef4c8d7` | Portcullis |

mod admins;
mod all_users;
mod devices;
mod risk;

pub use all_users::AZURE_SERVICE_MANAGEMENT_APP_ID;
pub use devices::{MANAGED_DEVICE_RULE, UNMANAGED_DEVICE_RULE};

use crate::model::FlagSet;

use super::template::Build;
use super::{ParameterSpec, Template, TemplateScenario};
use TemplateScenario::{EmergingThreats, ProtectAdmins, RemoteWork, SecureFoundation, ZeroTrust};

/// Every built-in template, in a fixed order.
pub fn all() -> Vec<Template> {
    vec![
        template(
            "c7503427-338e-4c5e-902d-abe252abfb43",
            true,
            "mfa-admins",
            "Require multifactor authentication for admins",
            "Require multifactor authentication for privileged administrative accounts to reduce risk of compromise.",
            &[SecureFoundation, ZeroTrust, ProtectAdmins],
            &admins::PARAMETERS,
            admins::mfa_for_admins,
        ),
        template(
            "50442ac8-e691-4835-88a3-a08f960338ce",
            false,
            "phishing-resistant-mfa-admins",
            "Require phishing-resistant multifactor authentication for admins",
            "Require the phishing-resistant MFA authentication strength for privileged administrative accounts.",
            &[ProtectAdmins, EmergingThreats],
            &admins::PARAMETERS,
            admins::phishing_resistant_mfa_for_admins,
        ),
        template(
            "29cf2c48-36a4-473a-849f-ab5b032864ea",
            false,
            "mfa-admin-portals",
            "Require multifactor authentication for admins accessing Microsoft Admin Portals",
            "Require the multifactor authentication strength for administrators signing in to the admin portals.",
            &[SecureFoundation, ZeroTrust],
            &admins::PARAMETERS,
            admins::mfa_for_admin_portals,
        ),
        template(
            "84b9dc3f-17e9-4fc7-a572-fff76427731a",
            false,
            "compliant-or-hybrid-device-admins",
            "Require compliant or hybrid joined device for administrators",
            "Require administrators to sign in from a compliant or hybrid joined device.",
            &[RemoteWork, ProtectAdmins],
            &admins::PARAMETERS,
            admins::compliant_or_hybrid_device_for_admins,
        ),
        template(
            "0b2282f9-2862-4178-88b5-d79340b36cb8",
            true,
            "block-legacy-authentication",
            "Block legacy authentication",
            "Block legacy authentication endpoints (Exchange ActiveSync and other clients) that cannot do multifactor authentication.",
            &[SecureFoundation, ZeroTrust, RemoteWork, ProtectAdmins],
            &[],
            all_users::block_legacy_authentication,
        ),
        template(
            "a3d0a415-b068-4326-9251-f9cdf9feeb64",
            true,
            "mfa-all-users",
            "Require multifactor authentication for all users",
            "Require the multifactor authentication strength for all user accounts to reduce risk of compromise.",
            &[SecureFoundation, ZeroTrust, RemoteWork],
            &all_users::MFA_FOR_ALL_USERS_PARAMETERS,
            all_users::mfa_for_all_users,
        ),
        template(
            "9a07331c-dad1-4e80-848a-15f5eb3a763a",
            false,
            "mfa-guests",
            "Require multifactor authentication for guest access",
            "Require guest and external users to perform multifactor authentication.",
            &[ZeroTrust, RemoteWork],
            &[],
            all_users::mfa_for_guests,
        ),
        template(
            "fb222e51-0540-4d55-b1dd-47b4ef3485d3",
            false,
            "mfa-azure-management",
            "Require multifactor authentication for Azure management",
            "Require multifactor authentication to protect privileged access to the management application.",
            &[SecureFoundation, ZeroTrust, ProtectAdmins],
            &all_users::AZURE_MANAGEMENT_PARAMETERS,
            all_users::mfa_for_azure_management,
        ),
        template(
            "b8bda7f8-6584-4446-bce9-d871480e53fa",
            true,
            "securing-security-info-registration",
            "Securing security info registration",
            "Protect when and how users register for multifactor authentication and self-service password reset outside trusted locations.",
            &[SecureFoundation, ZeroTrust, RemoteWork],
            &all_users::SECURITY_INFO_PARAMETERS,
            all_users::securing_security_info_registration,
        ),
        template(
            "bd11fc4c-f016-4a0f-88b7-53715a8f115f",
            false,
            "compliant-hybrid-or-mfa-all-users",
            "Require compliant or hybrid joined device or multifactor authentication for all users",
            "Require a compliant or hybrid joined device, or multifactor authentication, for every user.",
            &[SecureFoundation, ZeroTrust],
            &[],
            devices::compliant_hybrid_or_mfa_for_all_users,
        ),
        template(
            "d18c739d-7806-47c9-8193-8232dbc1eb92",
            false,
            "compliant-device-all-users",
            "Require compliant device",
            "Require every user to sign in from a compliant device.",
            &[SecureFoundation, RemoteWork, ProtectAdmins],
            &[],
            devices::compliant_device_for_all_users,
        ),
        template(
            "13e8c81e-6d45-42af-8c9e-6a76c712f49f",
            false,
            "block-unknown-platforms",
            "Block access for unknown or unsupported device platform",
            "Block sign-ins from device platforms the organisation does not use.",
            &[ZeroTrust, RemoteWork],
            &devices::UNKNOWN_PLATFORM_PARAMETERS,
            devices::block_unknown_platforms,
        ),
        template(
            "105358ce-1d50-4e54-9836-39e30f100e22",
            false,
            "no-persistent-browser",
            "No persistent browser session",
            "Protect user access on unmanaged devices by preventing browser sessions from staying signed in after the browser is closed, and by a sign-in frequency of 1 hour.",
            &[ZeroTrust, RemoteWork],
            &devices::NO_PERSISTENT_BROWSER_PARAMETERS,
            devices::no_persistent_browser,
        ),
        template(
            "cebec69d-5aab-42a5-91e1-97d5d167455d",
            false,
            "app-enforced-restrictions",
            "Use application enforced restrictions for unmanaged devices",
            "Give unmanaged devices a limited experience in apps that honour application enforced restrictions.",
            &[RemoteWork],
            &[],
            devices::app_enforced_restrictions,
        ),
        template(
            "5d40fe3e-92ee-4ba5-b32f-af3787a1bad6",
            false,
            "mfa-risky-sign-ins",
            "Require multifactor authentication for risky sign-ins",
            "Require multifactor authentication, every time, when the sign-in risk is medium or high.",
            &[ZeroTrust, RemoteWork],
            &risk::RISKY_SIGN_IN_PARAMETERS,
            risk::mfa_for_risky_sign_ins,
        ),
        template(
            "220b341a-ae3e-4e40-85e5-cc52c32c94d3",
            false,
            "password-change-high-risk-users",
            "Require password change for high-risk users",
            "Require a secure password change after multifactor authentication when the user risk is high.",
            &[ZeroTrust, RemoteWork],
            &risk::HIGH_RISK_USER_PARAMETERS,
            risk::password_change_for_high_risk_users,
        ),
        template(
            "9c8dd00c-cb24-4a39-86dc-7a84661ff842",
            false,
            "block-insider-risk",
            "Block access for users with insider risk",
            "Block users whose insider risk is elevated.",
            &[ZeroTrust],
            &[],
            risk::block_insider_risk,
        ),
        template(
            "1c0dc3c0-56b3-49a6-aed1-a10577a0b1e0",
            false,
            "mfa-device-registration",
            "Require multifactor authentication for device registration",
            "Require multifactor authentication when users register or join devices.",
            &[],
            &[],
            all_users::mfa_for_device_registration,
        ),
        template(
            "a5fd6639-b2bf-4b4e-9e3a-ce6adef4c8d7",
            false,
            "block-by-location",
            "Block access by location",
            "Block sign-ins from everywhere except the allowed named locations (by default the trusted ones).",
            &[],
            &all_users::BLOCK_BY_LOCATION_PARAMETERS,
            all_users::block_by_location,
        ),
    ]
}

#[allow(clippy::too_many_arguments)] // one call per template reads like a table row
fn template(
    id: &'static str,
    microsoft_id: bool,
    slug: &'static str,
    name: &'static str,
    description: &'static str,
    scenarios: &[TemplateScenario],
    parameters: &[ParameterSpec],
    build: Build,
) -> Template {
    Template {
        id,
        microsoft_id,
        slug,
        name,
        description,
        scenarios: scenarios.iter().cloned().collect::<FlagSet<_>>(),
        specific_parameters: parameters.to_vec(),
        build,
    }
}
