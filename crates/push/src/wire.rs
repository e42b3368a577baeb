//! JSON bodies of the `/authenticator/*` API, shared by the server and the app so the two
//! cannot drift apart.
//!
//! | request | body | answer |
//! |---|---|---|
//! | `POST /authenticator/activate` | [`crate::ActivationRequest`] | 201 [`ActivationResponse`] |
//! | `GET /authenticator/pending` (signed device request) | — | [`PendingList`] |
//! | `GET /authenticator/events` (signed device request) | — | `text/event-stream`: `push` events carry a [`crate::PushNotice`], `settled` events a [`SettledNotice`] |
//! | `POST /authenticator/respond` | [`crate::SignedAnswer`] | [`RespondResponse`] |
//! | any error | — | [`ApiError`] with a 4xx/5xx status |

use portcullis_core::{CredentialId, UserId};
use serde::{Deserialize, Serialize};

use crate::approval::{ApprovalId, PushNotice};

pub const ACTIVATE_PATH: &str = "/authenticator/activate";
pub const PENDING_PATH: &str = "/authenticator/pending";
pub const EVENTS_PATH: &str = "/authenticator/events";
pub const RESPOND_PATH: &str = "/authenticator/respond";

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
