//! The admin roles Microsoft's admin templates target "at minimum" (entra.md §9), with
//! their directory role template IDs.

/// A built-in directory role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminRole {
    /// The role's display name.
    pub name: &'static str,
    /// The role template ID (what `includeRoles` holds).
    pub template_id: &'static str,
}

/// The Global Administrator role template ID.
pub const GLOBAL_ADMINISTRATOR_ROLE_ID: &str = "62e90394-69f5-4237-9190-012177145e10";

/// The "Directory Synchronization Accounts" role, held by the Entra Connect sync account,
/// which §9 excludes from the all-users device policies (it cannot do MFA or present a
/// device).
pub const DIRECTORY_SYNCHRONIZATION_ACCOUNTS_ROLE_ID: &str = "d29b2b05-8046-44ba-8758-1e26182fcf32";

/// The default `adminRoles` of the admin templates: §9's table, in its order.
pub const ADMIN_ROLES: [AdminRole; 15] = [
    role("Global Administrator", GLOBAL_ADMINISTRATOR_ROLE_ID),
    role(
        "Application Administrator",
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    ),
    role(
        "Authentication Administrator",
        "c4e39bd9-1100-46d3-8c65-fb160da0071f",
    ),
    role(
        "Billing Administrator",
        "b0f54661-2d74-4c50-afa3-1ec803f12efe",
    ),
    role(
        "Cloud Application Administrator",
        "158c047a-c907-4556-b7ef-446551a6b5f7",
    ),
    role(
        "Conditional Access Administrator",
        "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
    ),
    role(
        "Exchange Administrator",
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
    ),
    role(
        "Helpdesk Administrator",
        "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    ),
    role(
        "Password Administrator",
        "966707d0-3269-4727-9be2-8c3a10f19b9d",
    ),
    role(
        "Privileged Authentication Administrator",
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
    ),
    role(
        "Privileged Role Administrator",
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
    ),
    role(
        "Security Administrator",
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
    ),
    role(
        "SharePoint Administrator",
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
    ),
    role(
        "Teams Administrator",
        "69091246-20e8-4a56-aa4d-066075b2a7a8",
    ),
    role("User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1"),
];

const fn role(name: &'static str, template_id: &'static str) -> AdminRole {
    AdminRole { name, template_id }
}

/// The display name of a role template ID from [`ADMIN_ROLES`], if it is one.
pub fn admin_role_name(template_id: &str) -> Option<&'static str> {
    ADMIN_ROLES
        .iter()
        .find(|role| role.template_id.eq_ignore_ascii_case(template_id))
        .map(|role| role.name)
}
