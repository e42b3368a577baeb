//! Who is changing their security info, as the sign-in pipeline sees them.

use portcullis_policy::evaluate::SessionState;
use portcullis_signin::{PolicyEnvironment, RequestContext, UserRecord};

use crate::caller::Caller;

/// The signed-in user acting on their own methods, with everything Conditional Access
/// needs to judge `urn:user:registersecurityinfo`. The sign-in service provides each part:
/// `user_record` (groups, roles, methods, loaded afresh), `request_context` (IP, location,
/// device, risk), `policy().environment()`, and the session's proven methods with when
/// (`SessionAuthentication::methods` and `auth_time`).
#[derive(Debug, Clone, Copy)]
pub struct RegistrationContext<'a> {
    pub user: &'a UserRecord,
    pub session: &'a SessionState,
    pub request: &'a RequestContext,
    pub policy: PolicyEnvironment<'a>,
    /// The client IP for the audit record.
    pub ip_address: Option<&'a str>,
}

impl RegistrationContext<'_> {
    /// The audit identity: the user acting on themselves.
    pub(crate) fn caller(&self) -> Caller {
        Caller::user(
            &self.user.id,
            &self.user.user_principal_name,
            self.ip_address.map(str::to_owned),
        )
    }
}
