//! `conditionalAccessSessionControls` (entra.md §1.7).
//!
//! Every control inherits `isEnabled`; `null` and absent read as `false` (a control that
//! is not enabled does nothing either way).

use serde::{Deserialize, Serialize};

use super::extra::{Extra, null_as_default};
use super::{
    CloudAppSecurityType, ContinuousAccessEvaluationMode, PersistentBrowserMode,
    SignInFrequencyAuthenticationType, SignInFrequencyInterval, SignInFrequencyType,
};

/// `conditionalAccessSessionControls`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionControls {
    /// App-enforced restrictions (Exchange Online, SharePoint Online).
    #[serde(default)]
    pub application_enforced_restrictions: Option<SessionControl>,
    /// Defender for Cloud Apps conditional access app control.
    #[serde(default)]
    pub cloud_app_security: Option<CloudAppSecuritySessionControl>,
    /// Sign-in frequency.
    #[serde(default)]
    pub sign_in_frequency: Option<SignInFrequencySessionControl>,
    /// Persistent browser session.
    #[serde(default)]
    pub persistent_browser: Option<PersistentBrowserSessionControl>,
    /// Disables resilience defaults.
    #[serde(default)]
    pub disable_resilience_defaults: Option<bool>,
    /// Token protection (preview).
    #[serde(default)]
    pub secure_sign_in_session: Option<SessionControl>,
    /// Beta: continuous access evaluation customisation. Not written when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuous_access_evaluation: Option<ContinuousAccessEvaluationSessionControl>,
    /// Properties this model does not name (beta `globalSecureAccessFilteringProfile`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

impl SessionControls {
    /// The sign-in frequency control, if enabled.
    pub fn enabled_sign_in_frequency(&self) -> Option<&SignInFrequencySessionControl> {
        self.sign_in_frequency
            .as_ref()
            .filter(|control| control.is_enabled)
    }

    /// The persistent browser control, if enabled.
    pub fn enabled_persistent_browser(&self) -> Option<&PersistentBrowserSessionControl> {
        self.persistent_browser
            .as_ref()
            .filter(|control| control.is_enabled)
    }

    /// Whether any session control is set. A control object that is present counts even
    /// when `isEnabled` is false: the admin configured it (Graph stores disabled controls).
    /// Unknown (beta) session controls in [`Extra`] count when non-null.
    pub fn is_configured(&self) -> bool {
        self.application_enforced_restrictions.is_some()
            || self.cloud_app_security.is_some()
            || self.sign_in_frequency.is_some()
            || self.persistent_browser.is_some()
            || self.disable_resilience_defaults == Some(true)
            || self.secure_sign_in_session.is_some()
            || self.continuous_access_evaluation.is_some()
            || self.extra.0.keys().any(|key| self.extra.is_set(key))
    }
}

/// `conditionalAccessSessionControl`: a control that is only switched on or off.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionControl {
    /// Whether the control is on.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_enabled: bool,
    /// Properties this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `cloudAppSecuritySessionControl`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudAppSecuritySessionControl {
    /// Whether the control is on.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_enabled: bool,
    /// What Defender for Cloud Apps does.
    #[serde(default)]
    pub cloud_app_security_type: Option<CloudAppSecurityType>,
    /// Properties this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `signInFrequencySessionControl`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInFrequencySessionControl {
    /// Whether the control is on.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_enabled: bool,
    /// `days` or `hours` (time-based only).
    #[serde(default, rename = "type")]
    pub frequency_type: Option<SignInFrequencyType>,
    /// How many days or hours (time-based only).
    #[serde(default)]
    pub value: Option<i32>,
    /// Which factors must be repeated.
    #[serde(default)]
    pub authentication_type: Option<SignInFrequencyAuthenticationType>,
    /// `timeBased` or `everyTime`.
    #[serde(default)]
    pub frequency_interval: Option<SignInFrequencyInterval>,
    /// Properties this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

impl SignInFrequencySessionControl {
    /// Whether the interval is "every time".
    pub fn is_every_time(&self) -> bool {
        self.frequency_interval == Some(SignInFrequencyInterval::EveryTime)
    }

    /// The time-based period in seconds, when `type` and a positive `value` are set.
    pub fn period_seconds(&self) -> Option<i64> {
        let value = i64::from(self.value.filter(|value| *value > 0)?);
        match self.frequency_type.as_ref()? {
            SignInFrequencyType::Hours => Some(value * 3_600),
            SignInFrequencyType::Days => Some(value * 86_400),
            SignInFrequencyType::Other(_) => None,
        }
    }
}

/// `persistentBrowserSessionControl`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersistentBrowserSessionControl {
    /// Whether the control is on.
    #[serde(default, deserialize_with = "null_as_default")]
    pub is_enabled: bool,
    /// `always` or `never`.
    #[serde(default)]
    pub mode: Option<PersistentBrowserMode>,
    /// Properties this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Beta `continuousAccessEvaluationSessionControl`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContinuousAccessEvaluationSessionControl {
    /// The CAE mode.
    #[serde(default)]
    pub mode: Option<ContinuousAccessEvaluationMode>,
    /// Properties this model does not name.
    #[serde(flatten)]
    pub extra: Extra,
}
