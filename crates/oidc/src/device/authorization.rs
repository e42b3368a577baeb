//! Device authorization records and polling (RFC 8628 §3.1–§3.5).

use serde::{Deserialize, Serialize};

use super::user_code::UserCode;
use crate::error::{ErrorCode, OAuthError};
use crate::params::Params;
use crate::scope::Scope;

/// How long a device code may be polled for.
pub const DEVICE_CODE_LIFETIME_SECS: i64 = 600;
/// RFC 8628 §3.2: the default minimum polling interval.
pub const DEFAULT_POLL_INTERVAL_SECS: i64 = 5;
/// RFC 8628 §3.5: `slow_down` adds five seconds to the interval, for good.
pub const SLOW_DOWN_INCREMENT_SECS: i64 = 5;

/// What the user decided on the verification page, after a full sign-in (with
/// Conditional Access for the device-code flow).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceApproval {
    pub subject: String,
    pub session_id: String,
    pub auth_time: i64,
    pub amr: Vec<String>,
    pub acr: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum DeviceStatus {
    Pending,
    Approved(DeviceApproval),
    Denied,
    /// Tokens were issued; the device code is spent.
    Redeemed,
}

/// A stored device authorization. The device code itself is stored as a hash by the
/// glue; `id` names the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceAuthorization {
    pub id: String,
    pub client_id: String,
    pub scope: Scope,
    pub user_code: UserCode,
    pub issued_at: i64,
    pub expires_at: i64,
    pub interval_secs: i64,
    pub last_polled_at: Option<i64>,
    pub status: DeviceStatus,
}

/// RFC 8628 §3.2 response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceAuthorizationResponse {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: String,
    pub expires_in: i64,
    pub interval: i64,
}

/// Why the verification page cannot approve or deny.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceTransitionError {
    #[error("this code has expired; start again on the device")]
    Expired,
    #[error("this code was already approved, denied or used")]
    AlreadyDecided,
}

/// The result of one poll: the record to store (always, since it carries the poll
/// time and interval) and the answer for the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollOutcome {
    pub record: DeviceAuthorization,
    pub result: Result<DeviceApproval, OAuthError>,
}

/// Parses a device authorization request body (client authentication is read by
/// [`crate::client_auth`]): only an optional `scope`.
pub fn parse_device_authorization_request(params: &Params) -> Result<Scope, OAuthError> {
    if let Some(problem) = params.first_problem() {
        return Err(OAuthError::invalid_request(problem.to_string()));
    }
    match params.get("scope") {
        Ok(Some(scope)) => {
            Scope::parse(scope).map_err(|e| OAuthError::new(ErrorCode::InvalidScope, e.to_string()))
        }
        Ok(None) => Ok(Scope::default()),
        Err(e) => Err(OAuthError::invalid_request(e.to_string())),
    }
}

impl DeviceAuthorization {
    pub fn issue(
        id: String,
        client_id: String,
        scope: Scope,
        user_code: UserCode,
        now: i64,
    ) -> Self {
        DeviceAuthorization {
            id,
            client_id,
            scope,
            user_code,
            issued_at: now,
            expires_at: now.saturating_add(DEVICE_CODE_LIFETIME_SECS),
            interval_secs: DEFAULT_POLL_INTERVAL_SECS,
            last_polled_at: None,
            status: DeviceStatus::Pending,
        }
    }

    /// The response for the device; `verification_uri` is the page users open.
    pub fn response(
        &self,
        device_code: &str,
        verification_uri: &str,
        now: i64,
    ) -> DeviceAuthorizationResponse {
        let complete = format!(
            "{verification_uri}?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("user_code", &self.user_code.display())
                .finish()
        );
        DeviceAuthorizationResponse {
            device_code: device_code.to_owned(),
            user_code: self.user_code.display(),
            verification_uri: verification_uri.to_owned(),
            verification_uri_complete: complete,
            expires_in: self.expires_at.saturating_sub(now).max(0),
            interval: self.interval_secs,
        }
    }

    fn decide(&self, status: DeviceStatus, now: i64) -> Result<Self, DeviceTransitionError> {
        if now >= self.expires_at {
            return Err(DeviceTransitionError::Expired);
        }
        if self.status != DeviceStatus::Pending {
            return Err(DeviceTransitionError::AlreadyDecided);
        }
        Ok(DeviceAuthorization {
            status,
            ..self.clone()
        })
    }

    /// The signed-in user approved on the verification page.
    pub fn approve(
        &self,
        approval: DeviceApproval,
        now: i64,
    ) -> Result<Self, DeviceTransitionError> {
        self.decide(DeviceStatus::Approved(approval), now)
    }

    /// The user refused, or Conditional Access blocked the sign-in.
    pub fn deny(&self, now: i64) -> Result<Self, DeviceTransitionError> {
        self.decide(DeviceStatus::Denied, now)
    }

    /// RFC 8628 §3.4–§3.5: one poll by `client_id` at `now`.
    pub fn poll(&self, client_id: &str, now: i64) -> PollOutcome {
        let unchanged = |error: OAuthError| PollOutcome {
            record: self.clone(),
            result: Err(error),
        };
        if client_id != self.client_id {
            return unchanged(OAuthError::invalid_grant(
                "the device code was issued to another client",
            ));
        }
        if now >= self.expires_at {
            return unchanged(OAuthError::new(
                ErrorCode::ExpiredToken,
                "the device code has expired",
            ));
        }
        if self.status == DeviceStatus::Redeemed {
            return unchanged(OAuthError::invalid_grant(
                "the device code was already used",
            ));
        }
        let mut record = self.clone();
        record.last_polled_at = Some(now);
        let too_soon = self
            .last_polled_at
            .is_some_and(|last| now.saturating_sub(last) < self.interval_secs);
        if too_soon {
            record.interval_secs = self.interval_secs.saturating_add(SLOW_DOWN_INCREMENT_SECS);
            let description = format!("poll at most every {} seconds", record.interval_secs);
            return PollOutcome {
                record,
                result: Err(OAuthError::new(ErrorCode::SlowDown, description)),
            };
        }
        let result = match &self.status {
            DeviceStatus::Pending => Err(OAuthError::new(
                ErrorCode::AuthorizationPending,
                "the user has not finished yet",
            )),
            DeviceStatus::Denied => Err(OAuthError::new(
                ErrorCode::AccessDenied,
                "the request was denied",
            )),
            DeviceStatus::Approved(approval) => {
                record.status = DeviceStatus::Redeemed;
                Ok(approval.clone())
            }
            DeviceStatus::Redeemed => Err(OAuthError::invalid_grant(
                "the device code was already used",
            )),
        };
        PollOutcome { record, result }
    }
}
