//! Ceremony state kept server-side between the two requests of a ceremony.
//!
//! Why serialisable: with several nodes behind a load balancer, the second request may
//! reach another node; the edge stores this (JSON) next to the browser's session or
//! sign-in transaction, never in the browser. The finish calls take it by value, so a
//! state is used once; the edge must delete what it stored once the finish call ran.

use portcullis_core::UserId;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, PasskeyAuthentication, PasskeyRegistration,
};

use crate::error::PasskeyError;

/// A passkey registration between `begin_registration` and `finish_registration`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationCeremony {
    pub(crate) user_id: UserId,
    pub(crate) state: PasskeyRegistration,
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) expires_at: OffsetDateTime,
}

/// A passkey sign-in between `begin_authentication` and `finish_authentication`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationCeremony {
    pub(crate) kind: AuthenticationKind,
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) expires_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub(crate) enum AuthenticationKind {
    /// The user was identified first (typed name, or the second factor of a sign-in).
    ForUser {
        user_id: UserId,
        state: PasskeyAuthentication,
    },
    /// Username-less: the authenticator names the user (its user handle).
    Discoverable { state: DiscoverableAuthentication },
}

macro_rules! json_state {
    ($name:ident) => {
        impl $name {
            /// The state as JSON, for the edge to store.
            pub fn to_json(&self) -> Result<String, PasskeyError> {
                serde_json::to_string(self).map_err(|e| PasskeyError::State(e.to_string()))
            }

            /// The state the edge stored.
            pub fn from_json(json: &str) -> Result<Self, PasskeyError> {
                serde_json::from_str(json).map_err(|e| PasskeyError::State(e.to_string()))
            }

            /// When the ceremony stops being accepted (the edge may drop the state then).
            pub fn expires_at(&self) -> OffsetDateTime {
                self.expires_at
            }

            pub(crate) fn check_expiry(&self, now: OffsetDateTime) -> Result<(), PasskeyError> {
                if now >= self.expires_at {
                    return Err(PasskeyError::CeremonyExpired);
                }
                Ok(())
            }
        }
    };
}

json_state!(RegistrationCeremony);
json_state!(AuthenticationCeremony);

impl RegistrationCeremony {
    /// The user registering.
    pub fn user_id(&self) -> &UserId {
        &self.user_id
    }
}

impl AuthenticationCeremony {
    /// The user named before the ceremony; `None` for username-less sign-in.
    pub fn user_id(&self) -> Option<&UserId> {
        match &self.kind {
            AuthenticationKind::ForUser { user_id, .. } => Some(user_id),
            AuthenticationKind::Discoverable { .. } => None,
        }
    }
}
