//! The registration campaign ("nudge", entra.md §5.8): after a sign-in with MFA, a user
//! without the target method (the Authenticator app) is asked to set it up, and may snooze
//! a set number of times before it becomes mandatory.

use portcullis_authn::methods::MethodKind;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::subject::UserRecord;

/// `registrationEnforcement.authenticationMethodsRegistrationCampaign`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RegistrationCampaign {
    pub state: CampaignState,
    /// The method to nudge towards (Entra allows only the Authenticator app).
    pub target: MethodKind,
    /// 0–14; 0 nudges at every MFA sign-in.
    pub snooze_duration_in_days: u8,
    /// After `allowed_snoozes` snoozes, registration becomes mandatory.
    pub enforce_registration_after_allowed_snoozes: bool,
    pub allowed_snoozes: u32,
    /// `true`: all users.
    pub include_all_users: bool,
    pub include_group_ids: Vec<String>,
    pub exclude_group_ids: Vec<String>,
}

impl Default for RegistrationCampaign {
    fn default() -> Self {
        Self {
            state: CampaignState::Default,
            target: MethodKind::AuthenticatorPush,
            snooze_duration_in_days: 1,
            enforce_registration_after_allowed_snoozes: true,
            allowed_snoozes: 3,
            include_all_users: true,
            include_group_ids: Vec::new(),
            exclude_group_ids: Vec::new(),
        }
    }
}

/// `state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CampaignState {
    /// Microsoft-managed: on only for users whose MFA methods are SMS or voice.
    Default,
    Enabled,
    Disabled,
}

/// A user's progress through the campaign (persisted by the edge).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CampaignProgress {
    pub snoozes: u32,
    #[serde(with = "time::serde::rfc3339::option")]
    pub snoozed_until: Option<OffsetDateTime>,
}

impl RegistrationCampaign {
    /// Whether `user` is nudged now (before the registration policy and platform checks):
    /// targeted, lacking the target method, and not snoozed.
    pub(crate) fn nudges(&self, user: &UserRecord, now: OffsetDateTime) -> bool {
        let kinds: Vec<MethodKind> = user
            .methods
            .iter()
            .map(|method| method.material.kind())
            .collect();
        if kinds.contains(&self.target) {
            return false;
        }
        let in_group = |groups: &[String]| {
            groups.iter().any(|group| {
                user.group_ids
                    .iter()
                    .any(|member_of| member_of.eq_ignore_ascii_case(group))
            })
        };
        let targeted = (self.include_all_users || in_group(&self.include_group_ids))
            && !in_group(&self.exclude_group_ids);
        let on = match self.state {
            CampaignState::Disabled => false,
            CampaignState::Enabled => true,
            CampaignState::Default => {
                let telephony_only = kinds
                    .iter()
                    .filter(|kind| kind.is_mfa_second_factor())
                    .all(|kind| matches!(kind, MethodKind::Sms | MethodKind::Voice));
                telephony_only
                    && kinds
                        .iter()
                        .any(|kind| matches!(kind, MethodKind::Sms | MethodKind::Voice))
            }
        };
        let snoozed = user
            .registration_campaign
            .snoozed_until
            .is_some_and(|until| now < until);
        on && targeted && !snoozed
    }

    /// Until when the nudge may be snoozed now; `None` when snoozes are used up and
    /// registration is enforced.
    pub(crate) fn snooze_until(
        &self,
        user: &UserRecord,
        now: OffsetDateTime,
    ) -> Option<OffsetDateTime> {
        if self.enforce_registration_after_allowed_snoozes
            && user.registration_campaign.snoozes >= self.allowed_snoozes
        {
            return None;
        }
        let snooze = time::Duration::days(i64::from(self.snooze_duration_in_days.min(14)));
        // At the end of representable time (a broken clock) the snooze is simply over.
        Some(now.checked_add(snooze).unwrap_or(now))
    }
}
