//! Which protocol carries the sign-in, and what that means for Conditional Access (the
//! client app type) and for what the user can be asked (an interactive challenge or not).

use portcullis_policy::model::ClientAppType;
use serde::{Deserialize, Serialize};

/// The protocol path a sign-in arrives on. Every protocol drives the same machine; only
/// these properties differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Protocol {
    /// The sign-in pages in a browser (also OIDC `authorize` and forward-auth redirects).
    Browser,
    /// The JSON API flow of a native (mobile or desktop) client with modern authentication.
    NativeApp,
    /// Exchange ActiveSync with basic authentication.
    ExchangeActiveSync,
    /// An LDAP simple bind through the gateway.
    LdapBind,
    /// A RADIUS Access-Request (VPN).
    Radius,
}

impl Protocol {
    /// The Conditional Access client app type (entra.md §1.2): LDAP and RADIUS are
    /// legacy authentication, "other clients".
    pub fn client_app_type(self) -> ClientAppType {
        match self {
            Protocol::Browser => ClientAppType::Browser,
            Protocol::NativeApp => ClientAppType::MobileAppsAndDesktopClients,
            Protocol::ExchangeActiveSync => ClientAppType::ExchangeActiveSync,
            Protocol::LdapBind | Protocol::Radius => ClientAppType::OtherClients,
        }
    }

    /// `signIn.clientAppUsed`, in Entra's wording.
    pub fn client_app_used(self) -> &'static str {
        match self {
            Protocol::Browser => "Browser",
            Protocol::NativeApp => "Mobile Apps and Desktop clients",
            Protocol::ExchangeActiveSync => "Exchange ActiveSync",
            Protocol::LdapBind => "Other clients; LDAP",
            Protocol::Radius => "Other clients; RADIUS",
        }
    }

    /// Whether the user can be shown a challenge, a registration page or a password change
    /// within this protocol. Legacy protocols only carry a name and a password: anything
    /// more becomes a block (never a silent pass), except out-of-band methods.
    pub fn is_interactive(self) -> bool {
        matches!(self, Protocol::Browser | Protocol::NativeApp)
    }

    /// `authenticationProtocol` (beta) for the log.
    pub fn authentication_protocol(self) -> &'static str {
        match self {
            Protocol::Browser | Protocol::NativeApp => "none",
            Protocol::ExchangeActiveSync | Protocol::LdapBind | Protocol::Radius => "ropc",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_protocols_are_other_clients_and_not_interactive() {
        for protocol in [Protocol::LdapBind, Protocol::Radius] {
            assert_eq!(protocol.client_app_type(), ClientAppType::OtherClients);
            assert!(!protocol.is_interactive());
        }
        assert!(!Protocol::ExchangeActiveSync.is_interactive());
        assert!(Protocol::Browser.is_interactive());
        assert!(Protocol::NativeApp.is_interactive());
    }
}
