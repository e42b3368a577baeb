//! The Portcullis Authenticator at the edge: activation, devices, push approvals, the
//! device event stream, answers and their consequences. The rules are in
//! `portcullis-push` (pure); this module loads and stores state, and rings the
//! [`hub::Hub`] so waiting sign-ins and device streams on every node wake up.
//!
//! How a sign-in uses it (the sign-in service owns the pipeline):
//!
//! ```text
//! pipeline offers AuthenticatorPush, user picks it
//!   ─▶ start_push(user, SignIn{correlation id}, context)  ─▶ show StartedPush.number
//!   ─▶ wait_for_answer(approval id, ≤ 30 s per long-poll)
//!        Approved { device_id }  ─▶ step(Input::OutOfBandApproved { credential_id: device_id })
//!        Denied / WrongNumber / Reported / Expired ─▶ fail the step (detail_of(state))
//!   "use another method" ─▶ cancel(approval id)
//! ```

mod activation;
mod approvals;
mod devices;
pub mod error;
pub mod hub;
mod respond;
pub(crate) mod signin;
mod stream;

use std::sync::Arc;

use portcullis_core::UserId;
use portcullis_core::audit::{InitiatedBy, UserIdentity};
use portcullis_push::FatiguePolicy;
use portcullis_store::Store;

pub use activation::IssuedActivationLink;
pub use approvals::StartedPush;
pub use error::{PushError, PushResult};
pub use respond::detail_of;
pub use signin::{PushSignInError, PushSignInStep};
pub use stream::DeviceEvent;

/// The push edge over one store. Cheap to clone; clones share one hub.
#[derive(Clone)]
pub struct PushService {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) hub: Arc<hub::Hub>,
    pub(crate) policy: FatiguePolicy,
    /// Base of activation links (no trailing slash).
    pub(crate) public_url: Arc<str>,
}

impl PushService {
    pub fn new(store: Arc<dyn Store>, public_url: &str, policy: FatiguePolicy) -> Self {
        Self {
            store,
            hub: hub::Hub::new(),
            policy,
            public_url: public_url.trim_end_matches('/').into(),
        }
    }

    /// Listeners attached to this node's hub (event streams and waiting sign-ins).
    pub fn listeners(&self) -> usize {
        self.hub.listeners()
    }
}

/// The user as initiator of their own action (activation, answer, report).
pub(crate) fn user_initiator(user: &UserId) -> InitiatedBy {
    InitiatedBy {
        user: Some(UserIdentity {
            id: user.to_string(),
            display_name: None,
            user_principal_name: None,
            ip_address: None,
        }),
        app: None,
    }
}

impl crate::Services {
    /// The Portcullis Authenticator edge (one hub per node).
    pub fn push(&self) -> &PushService {
        &self.push
    }
}
