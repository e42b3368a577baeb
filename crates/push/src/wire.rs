//! JSON bodies of the `/authenticator/*` API, shared by the server and the app so the two
//! cannot drift apart.
//!
//! | request | body | answer |
//! |---|---|---|
//! | `POST /authenticator/activate` | [`crate::ActivationRequest`] | 201 [`ActivationResponse`] |
//! | `GET /authenticator/pending` (signed device request) | — | [`PendingList`] |
//! | `GET /authenticator/events` (signed device request) | — | `text/event-stream`: `push` events carry a [`crate::PushNotice`], `settled` events a [`SettledNotice`] |
//! | `POST /authenticator/respond` | [`crate::SignedAnswer`] | [`RespondResponse`] |
//! | `POST /authenticator/phone-sign-in/on` and `…/off` (signed device request; the path says which) | — | [`PhoneSignInResponse`] |
//! | any error | — | [`ApiError`] with a 4xx/5xx status |

use portcullis_core::{CredentialId, UserId};
use serde::{Deserialize, Serialize};

use crate::approval::{ApprovalId, PushNotice};

pub const ACTIVATE_PATH: &str = "/authenticator/activate";
pub const PENDING_PATH: &str = "/authenticator/pending";
pub const EVENTS_PATH: &str = "/authenticator/events";
pub const RESPOND_PATH: &str = "/authenticator/respond";
/// Passwordless sign-in on or off for the signing device. Two paths rather than a body,
/// because a device request's signature covers the method and path, not a body.
pub const PHONE_SIGN_IN_ON_PATH: &str = "/authenticator/phone-sign-in/on";
pub const PHONE_SIGN_IN_OFF_PATH: &str = "/authenticator/phone-sign-in/off";

/// SSE event names.
pub const PUSH_EVENT: &str = "push";
pub const SETTLED_EVENT: &str = "settled";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivationResponse {
    pub device_id: CredentialId,
    pub user_id: UserId,
    pub user_principal_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingList {
    pub value: Vec<PushNotice>,
}

/// Sent on the stream when an approval ends (answered on another device, expired,
/// cancelled), so every device can take it off its screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettledNotice {
    pub approval_id: ApprovalId,
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RespondResponse {
    /// The approval's new state: `approved`, `denied`, `wrongNumber`, `reported`.
    pub result: String,
    /// The sign-in log wording of the result.
    pub detail: String,
}

/// The device's passwordless sign-in setting after the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneSignInResponse {
    pub phone_sign_in: bool,
    /// `false` when it already was so (nothing written, nothing audited).
    pub changed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    pub error: ApiErrorBody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiErrorBody {
    pub code: String,
    pub message: String,
}
