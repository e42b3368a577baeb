//! What the portal's handlers reach: the UI kit, which carries the services.

use axum::extract::FromRef;
use portcullis_pages::kit::Kit;
use portcullis_service::security_info::{SecurityInfoService, SecurityInfoSettings};

/// Handler state.
#[derive(Clone)]
pub struct PortalState {
    pub kit: Kit,
    /// The helpdesk's method actions (reset methods, Temporary Access Pass). `None` when
    /// the public URL cannot carry it (logged once here); those actions then answer
    /// with the error page and everything else works.
    pub security_info: Option<SecurityInfoService>,
}

impl PortalState {
    pub fn new(kit: Kit, public_url: &str) -> Self {
        let security_info = SecurityInfoSettings::for_public_url(public_url)
            .and_then(|settings| SecurityInfoService::new(kit.services.clone(), settings))
            .map_err(|error| tracing::error!(%error, "portal method actions are unavailable"))
            .ok();
        PortalState { kit, security_info }
    }
}

impl FromRef<PortalState> for Kit {
    fn from_ref(state: &PortalState) -> Self {
        state.kit.clone()
    }
}
