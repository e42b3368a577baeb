//! A session that passed validation, with what its users (the pages, OIDC, forward-auth)
//! need to know about it, and why a session is refused.

use std::sync::Arc;

use portcullis_core::{DeviceId, Session, SessionId, UserId, UserType};
use portcullis_policy::evaluate::UsedMethod;
use portcullis_policy::strength::AuthenticationMethodMode as Mode;
use serde_json::Value;
use time::{Duration, OffsetDateTime};

/// The signed-in user as the session sees them (loaded with the session, refreshed when
/// the user's security epoch moves).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionUser {
    pub id: UserId,
    pub user_principal_name: String,
    pub display_name: String,
    pub mail: Option<String>,
    pub user_type: UserType,
    /// Transitive group object IDs (Conditional Access assignments).
    pub group_ids: Vec<String>,
    /// Display names of those groups, same order (`Remote-Groups`).
    pub group_names: Vec<String>,
    /// Role template IDs of the user's effective directory roles.
    pub role_template_ids: Vec<String>,
    /// The forward-auth identity headers (`Remote-User`, …), made once per user load:
    /// they depend on the user alone, so every session and application shares them.
    pub identity_headers: Arc<Vec<(&'static str, String)>>,
}

/// The stored session as an active session keeps it: what its users read, without
/// the token hash (the cache is keyed by it already), the user agent and last-seen
/// time (for the sessions list, read uncached) and the revocation time (a revoked
/// session is never active). Every node caches many: each byte counts.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_date_time: OffsetDateTime,
    /// When the user last proved each factor; drives sign-in frequency.
    pub authenticated_date_time: OffsetDateTime,
    pub expires_date_time: OffsetDateTime,
    pub persistent: bool,
    /// Authentication methods references (`pwd`, `otp`, `hwk`, …).
    pub amr: Vec<String>,
    pub acr: Option<String>,
    pub device_id: Option<DeviceId>,
    pub ip_address: Option<String>,
}

impl From<Session> for SessionRecord {
    fn from(session: Session) -> Self {
        let mut amr = session.amr;
        amr.shrink_to_fit();
        SessionRecord {
            id: session.id,
            user_id: session.user_id,
            created_date_time: session.created_date_time,
            authenticated_date_time: session.authenticated_date_time,
            expires_date_time: session.expires_date_time,
            persistent: session.persistent,
            amr,
            acr: session.acr,
            device_id: session.device_id,
            ip_address: session.ip_address,
        }
    }
}

/// A valid session.
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveSession {
    pub session: SessionRecord,
    /// Shared by the user's sessions on this node while it is the same user
    /// (see `sessions::shared_users`): the per-session cache entry stays small.
    pub user: Arc<SessionUser>,
    /// Every method the session proved, with when: the evaluator's `SessionState`. From
    /// the sign-in's stored authentication facts, or derived from `amr` for sessions
    /// created without them.
    pub methods: Vec<UsedMethod>,
}

impl ActiveSession {
    pub fn id(&self) -> &SessionId {
        &self.session.id
    }

    pub fn user_id(&self) -> &UserId {
        &self.session.user_id
    }

    /// `Max-Age` for the cookie: the time left for a persistent session, `None` for a
    /// browser-session cookie (persistent browser off, or "stay signed in?" declined).
    pub fn cookie_max_age(&self, now: OffsetDateTime) -> Option<Duration> {
        self.session
            .persistent
            .then(|| (self.session.expires_date_time - now).max(Duration::ZERO))
    }
}

/// Why a session cookie does not sign anyone in. The browser is sent to sign in again;
/// the reason goes to the server log (never to the client, which learns only
/// "not signed in").
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SessionRejection {
    #[error("no session cookie, or one that is not of the session cookie's form")]
    Malformed,
    #[error("no session with this cookie")]
    Unknown,
    #[error("the session was revoked (signed out, or revoked by an administrator)")]
    Revoked,
    #[error("the session expired")]
    Expired,
    #[error("the user no longer exists")]
    UserDeleted,
    #[error("the user's account is disabled")]
    UserDisabled,
    #[error("the user's password changed after the session began")]
    PasswordChanged,
    #[error("the user's risk became high after the session began")]
    UserRiskHigh,
}

impl SessionRejection {
    /// Whether the session itself is now bad for good, so it is revoked in the store
    /// (Entra ends sessions on these posture changes; re-enabling the user or dismissing
    /// the risk must not bring an old cookie back).
    pub fn revokes_session(self) -> bool {
        matches!(
            self,
            SessionRejection::UserDisabled
                | SessionRejection::PasswordChanged
                | SessionRejection::UserRiskHigh
        )
    }
}

/// What decides whether a stored session is still good.
#[derive(Debug, Clone)]
pub struct SessionEvidence<'a> {
    pub session: &'a Session,
    /// `None`: the user is gone.
    pub account_enabled: Option<bool>,
    /// When the current password was set (`None`: the user has no password).
    pub password_set_at: Option<OffsetDateTime>,
    /// When a high user-risk detection that is still at risk was last made.
    pub high_risk_detected_at: Option<OffsetDateTime>,
}

/// The rules, pure. A password change or risk detection counts only if it came after the
/// session was *created*: a password changed inside the sign-in (expired password, risk
/// remediation) happens after the first factor but before the session exists.
pub fn judge(evidence: &SessionEvidence<'_>, now: OffsetDateTime) -> Result<(), SessionRejection> {
    let session = evidence.session;
    if session.revoked_date_time.is_some() {
        return Err(SessionRejection::Revoked);
    }
    if now >= session.expires_date_time {
        return Err(SessionRejection::Expired);
    }
    match evidence.account_enabled {
        None => return Err(SessionRejection::UserDeleted),
        Some(false) => return Err(SessionRejection::UserDisabled),
        Some(true) => {}
    }
    if evidence
        .password_set_at
        .is_some_and(|at| at > session.created_date_time)
    {
        return Err(SessionRejection::PasswordChanged);
    }
    if evidence
        .high_risk_detected_at
        .is_some_and(|at| at > session.created_date_time)
    {
        return Err(SessionRejection::UserRiskHigh);
    }
    Ok(())
}

/// The methods of a session: the `methods` array of the sign-in's authentication facts
/// when present and readable, else derived from `amr` (each at the session's
/// authentication time; lossy, but never stronger than what was proven).
pub fn session_methods(session: &Session, authentication: Option<&Value>) -> Vec<UsedMethod> {
    if let Some(methods) = authentication
        .and_then(|facts| facts.get("methods"))
        .and_then(|methods| serde_json::from_value::<Vec<UsedMethod>>(methods.clone()).ok())
    {
        return methods;
    }
    let at = session.authenticated_date_time;
    let mut methods: Vec<UsedMethod> = Vec::new();
    for amr in &session.amr {
        let method = match amr.as_str() {
            "pwd" => Mode::Password,
            "otp" => Mode::SoftwareOath,
            "sms" => Mode::Sms,
            "tel" => Mode::Voice,
            "hwk" => Mode::Fido2,
            "swk" => Mode::MicrosoftAuthenticatorPush,
            _ => continue,
        };
        if !methods.iter().any(|known| known.method == method) {
            methods.push(UsedMethod {
                method,
                at,
                aaguid: None,
                certificate_issuer_ski: None,
                certificate_policy_oids: Vec::new(),
            });
        }
    }
    methods
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_core::SecretHash;
    use time::macros::datetime;

    fn session() -> Session {
        Session {
            id: SessionId::from_uuid(uuid::Uuid::new_v4()),
            user_id: UserId::from_uuid(uuid::Uuid::new_v4()),
            token_hash: SecretHash::of("x"),
            created_date_time: datetime!(2026-11-23 08:00 UTC),
            authenticated_date_time: datetime!(2026-11-23 07:59 UTC),
            last_seen_date_time: datetime!(2026-11-23 08:00 UTC),
            expires_date_time: datetime!(2026-11-23 16:00 UTC),
            persistent: false,
            amr: vec!["pwd".into(), "otp".into(), "mfa".into()],
            acr: None,
            device_id: None,
            ip_address: None,
            user_agent: None,
            revoked_date_time: None,
        }
    }

    fn evidence(session: &Session) -> SessionEvidence<'_> {
        SessionEvidence {
            session,
            account_enabled: Some(true),
            // Set during the sign-in (after the first factor, before the session).
            password_set_at: Some(datetime!(2026-11-23 07:59:30 UTC)),
            high_risk_detected_at: None,
        }
    }

    const NOW: OffsetDateTime = datetime!(2026-11-23 09:00 UTC);

    #[test]
    fn each_rule_refuses() {
        let good = session();
        assert_eq!(judge(&evidence(&good), NOW), Ok(()));

        let mut revoked = session();
        revoked.revoked_date_time = Some(NOW);
        assert_eq!(
            judge(&evidence(&revoked), NOW),
            Err(SessionRejection::Revoked)
        );
        assert_eq!(
            judge(&evidence(&good), datetime!(2026-11-23 16:00 UTC)),
            Err(SessionRejection::Expired)
        );
        let cases = [
            (
                SessionEvidence {
                    account_enabled: None,
                    ..evidence(&good)
                },
                SessionRejection::UserDeleted,
            ),
            (
                SessionEvidence {
                    account_enabled: Some(false),
                    ..evidence(&good)
                },
                SessionRejection::UserDisabled,
            ),
            (
                SessionEvidence {
                    password_set_at: Some(datetime!(2026-11-23 08:30 UTC)),
                    ..evidence(&good)
                },
                SessionRejection::PasswordChanged,
            ),
            (
                SessionEvidence {
                    high_risk_detected_at: Some(datetime!(2026-11-23 08:01 UTC)),
                    ..evidence(&good)
                },
                SessionRejection::UserRiskHigh,
            ),
        ];
        for (evidence, expected) in cases {
            assert_eq!(judge(&evidence, NOW), Err(expected));
            assert_eq!(
                expected.revokes_session(),
                expected != SessionRejection::UserDeleted
            );
        }
        // Risk detected before the session began was judged by the sign-in itself.
        let old_risk = SessionEvidence {
            high_risk_detected_at: Some(datetime!(2026-11-23 07:00 UTC)),
            ..evidence(&good)
        };
        assert_eq!(judge(&old_risk, NOW), Ok(()));
    }

    #[test]
    fn methods_from_facts_or_amr() {
        let s = session();
        let derived = session_methods(&s, None);
        let modes: Vec<_> = derived.iter().map(|m| m.method.clone()).collect();
        assert_eq!(modes, [Mode::Password, Mode::SoftwareOath]);
        assert!(derived.iter().all(|m| m.at == s.authenticated_date_time));

        let facts = serde_json::json!({"methods": [
            {"method": "fido2", "at": "2026-11-23T07:58:00Z"}
        ]});
        let stored = session_methods(&s, Some(&facts));
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].method, Mode::Fido2);
        // Unreadable facts fall back to amr rather than failing the session.
        let junk = serde_json::json!({"methods": "nope"});
        assert_eq!(session_methods(&s, Some(&junk)), derived);
    }
}
