//! What the portal's handlers reach: the UI kit, which carries the services.

use axum::extract::FromRef;
use portcullis_pages::kit::Kit;

/// Handler state.
#[derive(Clone)]
pub struct PortalState {
    pub kit: Kit,
}

impl FromRef<PortalState> for Kit {
    fn from_ref(state: &PortalState) -> Self {
        state.kit.clone()
    }
}
