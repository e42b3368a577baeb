//! Special values that Graph mixes into ID lists (entra.md §1.3–§1.5, §3).
//!
//! Matching is exact (case-sensitive), as Graph writes them; a differently cased value is
//! treated as an ordinary ID and validation warns about it.

/// `includeUsers`, `includeApplications`, `includeLocations`, agent lists: everything.
pub const ALL: &str = "All";
/// `includeUsers` / `includeApplications`: nothing (used by workload-identity policies).
///
/// In `includeApplications` it is marked \[unverified\] in entra.md §1.4 (not on the v1.0
/// page). It is accepted because real exports use it (the corpus policy CA104), and read
/// as "no application": validation warns that such a policy never applies.
pub const NONE: &str = "None";
/// `includeUsers` / `excludeUsers`: the legacy guest selector.
pub const GUESTS_OR_EXTERNAL_USERS: &str = "GuestsOrExternalUsers";
/// `includeApplications` / `excludeApplications`: the Microsoft 365 suite.
pub const OFFICE_365: &str = "Office365";
/// `includeApplications` / `excludeApplications`: Microsoft admin portals.
pub const MICROSOFT_ADMIN_PORTALS: &str = "MicrosoftAdminPortals";
/// `includeLocations` / `excludeLocations`: every trusted location (plus legacy MFA
/// trusted IPs, entra.md §3).
pub const ALL_TRUSTED: &str = "AllTrusted";
/// `includeServicePrincipals`: every single-tenant service principal of the tenant.
pub const SERVICE_PRINCIPALS_IN_MY_TENANT: &str = "ServicePrincipalsInMyTenant";
/// The "Microsoft Intune Enrollment" application ID; sign-in frequency "every time" is
/// allowed for it (entra.md §1.7).
pub const INTUNE_ENROLLMENT_APP_ID: &str = "d4ebce55-015a-49b5-a083-c84d1797ae8c";

/// Every special value accepted in `includeUsers`.
pub const INCLUDE_USERS_SPECIALS: &[&str] = &[ALL, NONE, GUESTS_OR_EXTERNAL_USERS];
/// Every special value accepted in `excludeUsers`.
pub const EXCLUDE_USERS_SPECIALS: &[&str] = &[GUESTS_OR_EXTERNAL_USERS];
/// Every special value accepted in `includeApplications`.
pub const INCLUDE_APPLICATIONS_SPECIALS: &[&str] =
    &[ALL, NONE, OFFICE_365, MICROSOFT_ADMIN_PORTALS];
/// Every special value accepted in `excludeApplications`.
pub const EXCLUDE_APPLICATIONS_SPECIALS: &[&str] = &[OFFICE_365, MICROSOFT_ADMIN_PORTALS];
/// Every special value accepted in location lists.
pub const LOCATION_SPECIALS: &[&str] = &[ALL, ALL_TRUSTED];
