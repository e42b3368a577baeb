//! One forward-auth request, start to finish.
//!
//! ```text
//! proxy headers ─▶ original URL (validated) ─▶ application by host + path prefix
//!   ─▶ session from the cookie (cached while the user's security epoch stands)
//!   ─▶ judgement for (app, policy version, client IP, user agent), cached in the
//!      session's entry until sign-in frequency or the identity token falls due
//!   ─▶ allow with identity headers │ sign in / step up │ deny
//! ```
//!
//! # What is logged
//!
//! A forward-auth request is not a sign-in: the session's sign-in was logged when it was
//! made, and logging every proxied request (thousands a second) would drown the sign-in
//! log. A judgement is made only when the cache has none (first request of a session to
//! an application, a policy change, a security-epoch change, sign-in frequency due); a
//! judgement that differs from the one it replaces is written to the server log.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use super::apps::ProtectedApp;
use super::decision_cache::{CachedVerdict, DecisionKey, DecisionSlot};
use super::identity::IDENTITY_TOKEN_LIFETIME;
use super::identity_token::{SignedIdentity, identity_token};
use super::judge::judge;
use super::request::ForwardAuthRequest;
use crate::error::ServiceResult;
use crate::services::Services;
use crate::sessions::{CachedSession, PresentedToken, session_cookie_value};
use crate::signin::SignInService;

/// The header carrying the signed identity JWT. Always produced; a proxy passes it on
/// only if told to (nginx `auth_request_set`, Traefik `authResponseHeaders`, Caddy
/// `copy_headers`), which is what makes it optional.
pub const IDENTITY_JWT_HEADER: &str = "Remote-Jwt";

/// Judgements kept per session (one per application, IP and browser in use).
const MAX_SLOTS: usize = 8;

/// A re-signed identity token is due this long before the old one expires.
const TOKEN_RENEWAL_MARGIN: Duration = Duration::seconds(30);

/// What to tell the proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardAuthAnswer {
    /// Let the request through with these identity headers and, when a signing key is
    /// usable, the signed identity JWT (header [`IDENTITY_JWT_HEADER`]).
    Allow {
        headers: Arc<Vec<(&'static str, String)>>,
        identity_token: Option<String>,
    },
    /// Not signed in, or the application needs more than the session proved: send the
    /// browser to this sign-in URL (it carries the return URL and the application).
    SignIn { location: String },
    /// Refused (blocked by policy, or a device requirement no sign-in can meet).
    Deny,
    /// No forward-auth application serves this host and path (refused: fail closed).
    UnknownApplication,
    /// The proxy's description of the request is unusable.
    BadRequest(String),
}

impl Services {
    /// Judges one proxied request. `Err` only when the store cannot be read.
    pub async fn forward_auth(
        &self,
        signin: &SignInService,
        request: &ForwardAuthRequest,
        now: OffsetDateTime,
    ) -> ServiceResult<ForwardAuthAnswer> {
        let url = match request.original_url() {
            Ok(url) => url,
            Err(err) => return Ok(ForwardAuthAnswer::BadRequest(err.to_string())),
        };
        let sessions = self.sessions();
        sessions.epochs().ensure_fresh(self.store.as_ref()).await?;
        let Some(app) = sessions
            .app_routes()
            .find(self.store.as_ref(), sessions.epochs().global_epoch(), &url)
            .await?
        else {
            return Ok(ForwardAuthAnswer::UnknownApplication);
        };
        let sign_in = || ForwardAuthAnswer::SignIn {
            location: self.sign_in_url(&url.absolute(), &app),
        };
        let Some(token) = request
            .cookie_header
            .as_deref()
            .and_then(session_cookie_value)
            .and_then(PresentedToken::parse)
        else {
            return Ok(sign_in());
        };
        let entry = match sessions.resolve_token(&token, now).await? {
            Ok(entry) => entry,
            Err(rejection) => {
                tracing::debug!(app = %app.client_id, reason = %rejection, "forward-auth: not signed in");
                return Ok(sign_in());
            }
        };
        let key = DecisionKey {
            application: app.clone(),
            client_ip: request.client_ip,
            user_agent: user_agent_hash(request.user_agent.as_deref()),
        };
        let render = |signed: &SignedIdentity| {
            signed.token(self.issuer(), self.tenant_id(), &app, &entry.active)
        };
        let policy_version = sessions.epochs().policy_version();
        let (verdict, identity_token) =
            match cached_verdict(&entry, &key, policy_version, now, render) {
                Some(found) => found,
                None => {
                    let (verdict, identity) = self
                        .judge_and_cache(signin, &entry, &app, request, key, now)
                        .await?;
                    (verdict, identity.as_ref().and_then(render))
                }
            };
        Ok(match verdict {
            CachedVerdict::Allow { headers } => ForwardAuthAnswer::Allow {
                headers,
                identity_token,
            },
            CachedVerdict::SignIn => sign_in(),
            CachedVerdict::Deny => ForwardAuthAnswer::Deny,
        })
    }

    async fn judge_and_cache(
        &self,
        signin: &SignInService,
        entry: &CachedSession,
        app: &ProtectedApp,
        request: &ForwardAuthRequest,
        key: DecisionKey,
        now: OffsetDateTime,
    ) -> ServiceResult<(CachedVerdict, Option<SignedIdentity>)> {
        let active = &entry.active;
        let judgement = judge(self.store.as_ref(), signin, active, app, request, now).await?;
        let verdict = judgement.verdict;
        let mut valid_until = judgement.valid_until;
        // Signed only for a judgement that lets the request through; the judgement is
        // renewed before the token expires, so the token never outlives it.
        let identity = match (&verdict, self.active_key()) {
            (CachedVerdict::Allow { .. }, Some(key)) => {
                valid_until = valid_until.min(now + IDENTITY_TOKEN_LIFETIME - TOKEN_RENEWAL_MARGIN);
                match identity_token(
                    &key,
                    self.issuer(),
                    self.tenant_id(),
                    app,
                    active,
                    now,
                    self.sessions().identity_header_segments(),
                ) {
                    Ok(signed) => Some(signed),
                    Err(err) => {
                        tracing::error!(error = %err, "forward-auth: identity token not signed");
                        None
                    }
                }
            }
            _ => None,
        };
        if let Ok(mut slots) = entry.decisions.lock() {
            let previous = slots
                .iter()
                .position(|slot| slot.key == key)
                .map(|at| slots.remove(at));
            let changed = previous.as_ref().is_none_or(|old| {
                std::mem::discriminant(&old.verdict) != std::mem::discriminant(&verdict)
            });
            if changed {
                tracing::info!(session = %active.session.id, user = %active.user.id,
                    app = %app.client_id, outcome = judgement.outcome,
                    policy_version = judgement.policy_version, "forward-auth judgement");
            }
            if slots.len() >= MAX_SLOTS {
                slots.remove(0);
            }
            // Most sessions use one application: grow one slot at a time.
            slots.reserve_exact(1);
            slots.push(DecisionSlot {
                key,
                policy_version: judgement.policy_version,
                valid_until,
                verdict: verdict.clone(),
                identity: identity.clone(),
            });
        }
        Ok((verdict, identity))
    }

    /// `/signin?return_to=<absolute URL>&app=<client id>` on the public URL (contract in
    /// TEAM_RULES §11; the pages accept absolute return URLs only for hosts of
    /// forward-auth applications).
    fn sign_in_url(&self, return_to: &str, app: &ProtectedApp) -> String {
        let query =
            form_urlencoded_pairs(&[("return_to", return_to), ("app", app.client_id.as_str())]);
        format!("{}/signin?{query}", self.issuer().trim_end_matches('/'))
    }
}

/// A judgement still good for `key` at `policy_version` and `now`.
fn cached_verdict(
    entry: &CachedSession,
    key: &DecisionKey,
    policy_version: i64,
    now: OffsetDateTime,
    render: impl Fn(&SignedIdentity) -> Option<String>,
) -> Option<(CachedVerdict, Option<String>)> {
    let slots = entry.decisions.lock().ok()?;
    slots
        .iter()
        .find(|slot| {
            &slot.key == key && slot.policy_version >= policy_version && now < slot.valid_until
        })
        .map(|slot| {
            (
                slot.verdict.clone(),
                slot.identity.as_ref().and_then(&render),
            )
        })
}

/// Device platform conditions read the user agent, so a judgement holds for one agent.
fn user_agent_hash(user_agent: Option<&str>) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    user_agent.hash(&mut hasher);
    hasher.finish()
}

/// `application/x-www-form-urlencoded` query text.
fn form_urlencoded_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={}", percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_urls_are_fully_encoded() {
        assert_eq!(
            form_urlencoded_pairs(&[("return_to", "https://wiki.example.com/a?b=c&d=é")]),
            "return_to=https%3A%2F%2Fwiki.example.com%2Fa%3Fb%3Dc%26d%3D%C3%A9"
        );
    }
}
