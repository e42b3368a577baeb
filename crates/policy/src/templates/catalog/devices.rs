//! Device templates: compliant or hybrid devices, unknown platforms, browser sessions
//! on unmanaged devices.

use crate::model::{
    BuiltInControl, DevicePlatform, FilterMode, GrantOperator, PersistentBrowserMode,
    PersistentBrowserSessionControl, Platforms, SessionControls, special,
};

use super::super::parameters::{ParameterKind, ParameterSpec};
use super::super::roles::DIRECTORY_SYNCHRONIZATION_ACCOUNTS_ROLE_ID;
use super::super::shape::{
    all_resources, all_users, applications, block, conditions, device_filter, enabled, every_hours,
    grant,
};
use super::super::{TemplateDetails, TemplateError, TemplateParameters};

const PLATFORMS_IN_USE: &str = "platformsInUse";
const SIGN_IN_FREQUENCY_HOURS: &str = "signInFrequencyHours";

/// The device filter of "No persistent browser session": devices that are not hybrid
/// joined or not compliant (unregistered devices match, since negative operators match
/// null properties — entra.md §2.6).
pub const UNMANAGED_DEVICE_RULE: &str =
    r#"device.trustType -ne "ServerAD" -or device.isCompliant -ne True"#;

/// The device filter of "App-enforced restrictions", in exclude mode: compliant hybrid
/// joined devices are left out.
pub const MANAGED_DEVICE_RULE: &str =
    r#"device.isCompliant -eq True -and device.trustType -eq "ServerAD""#;

/// All users minus the "Directory Synchronization Accounts" role.
fn all_users_but_sync_accounts() -> crate::model::Users {
    let mut users = all_users();
    users
        .exclude_roles
        .push(DIRECTORY_SYNCHRONIZATION_ACCOUNTS_ROLE_ID.to_owned());
    users
}

/// Compliant, hybrid joined or MFA for all users: `mfa` OR `compliantDevice` OR
/// `domainJoinedDevice`.
pub(super) fn compliant_hybrid_or_mfa_for_all_users(
    _: &TemplateParameters,
) -> Result<TemplateDetails, TemplateError> {
    Ok(TemplateDetails {
        conditions: conditions(all_users_but_sync_accounts(), all_resources()),
        grant_controls: Some(grant(
            GrantOperator::Or,
            &[
                BuiltInControl::Mfa,
                BuiltInControl::CompliantDevice,
                BuiltInControl::DomainJoinedDevice,
            ],
        )),
        session_controls: None,
    })
}

/// Require a compliant device: All users minus directory sync accounts, `compliantDevice`.
pub(super) fn compliant_device_for_all_users(
    _: &TemplateParameters,
) -> Result<TemplateDetails, TemplateError> {
    Ok(TemplateDetails {
        conditions: conditions(all_users_but_sync_accounts(), all_resources()),
        grant_controls: Some(grant(GrantOperator::Or, &[BuiltInControl::CompliantDevice])),
        session_controls: None,
    })
}

/// Parameters of [`block_unknown_platforms`].
pub(super) const UNKNOWN_PLATFORM_PARAMETERS: [ParameterSpec; 1] = [ParameterSpec {
    name: PLATFORMS_IN_USE,
    kind: ParameterKind::Platforms,
    description: "the platforms the organisation uses, left out of the block; default android, iOS, windows, macOS",
}];

/// Block unknown or unsupported platforms: every platform minus those in use, `block`.
pub(super) fn block_unknown_platforms(
    parameters: &TemplateParameters,
) -> Result<TemplateDetails, TemplateError> {
    let in_use = parameters.platforms(PLATFORMS_IN_USE)?.unwrap_or_else(|| {
        vec![
            DevicePlatform::Android,
            DevicePlatform::IOs,
            DevicePlatform::Windows,
            DevicePlatform::MacOs,
        ]
    });
    let mut conditions = conditions(all_users(), all_resources());
    conditions.platforms = Some(Platforms {
        include_platforms: vec![DevicePlatform::All],
        exclude_platforms: in_use,
        ..Platforms::default()
    });
    Ok(TemplateDetails {
        conditions,
        grant_controls: Some(block()),
        session_controls: None,
    })
}

/// Parameters of [`no_persistent_browser`].
pub(super) const NO_PERSISTENT_BROWSER_PARAMETERS: [ParameterSpec; 1] = [ParameterSpec {
    name: SIGN_IN_FREQUENCY_HOURS,
    kind: ParameterKind::Hours,
    description: "how often users on unmanaged devices sign in again; default 1 hour",
}];

/// No persistent browser session: unmanaged devices, sign-in frequency (1 hour) and
/// persistent browser `never`. Session controls only.
pub(super) fn no_persistent_browser(
    parameters: &TemplateParameters,
) -> Result<TemplateDetails, TemplateError> {
    let hours = parameters.hours(SIGN_IN_FREQUENCY_HOURS)?.unwrap_or(1);
    let mut conditions = conditions(all_users(), all_resources());
    conditions.devices = Some(device_filter(FilterMode::Include, UNMANAGED_DEVICE_RULE));
    Ok(TemplateDetails {
        conditions,
        grant_controls: None,
        session_controls: Some(SessionControls {
            sign_in_frequency: Some(every_hours(hours)),
            persistent_browser: Some(PersistentBrowserSessionControl {
                is_enabled: true,
                mode: Some(PersistentBrowserMode::Never),
                ..PersistentBrowserSessionControl::default()
            }),
            ..SessionControls::default()
        }),
    })
}

/// App-enforced restrictions for unmanaged devices: `Office365`, devices other than
/// compliant hybrid joined ones, session control `applicationEnforcedRestrictions`.
pub(super) fn app_enforced_restrictions(
    _: &TemplateParameters,
) -> Result<TemplateDetails, TemplateError> {
    let mut conditions = conditions(all_users(), applications(&[special::OFFICE_365]));
    conditions.devices = Some(device_filter(FilterMode::Exclude, MANAGED_DEVICE_RULE));
    Ok(TemplateDetails {
        conditions,
        grant_controls: None,
        session_controls: Some(SessionControls {
            application_enforced_restrictions: Some(enabled()),
            ..SessionControls::default()
        }),
    })
}
