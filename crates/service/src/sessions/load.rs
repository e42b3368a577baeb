//! Reading a session and everything that decides it from the store (a cache miss).

use std::sync::Arc;

use portcullis_core::{Credential, CredentialKind, Session, UserId, UserRisk};
use portcullis_store::{Store, StoreError};
use time::OffsetDateTime;

use super::active::{ActiveSession, SessionEvidence, SessionRejection, SessionUser, judge};
use super::epochs::EpochStamp;
use super::shared_users::SharedUsers;
use crate::error::ServiceResult;

/// Groups listed in `Remote-Groups` and used for Conditional Access at most; a user in
/// more is still judged by the groups read (policies name few groups).
const MAX_GROUPS: usize = 200;

/// A loaded session: valid (with the epochs it was read at) or refused.
pub enum Loaded {
    Active(Arc<ActiveSession>, EpochStamp),
    Rejected(SessionRejection, Option<Box<Session>>),
}

/// Loads the session found by `first_read`. The user's epoch is read *after* the first
/// read (which names the user) and *before* everything judged, which is read again: a
/// change committed between the two reads moves the epoch past the stamp, so a stale
/// judgement can never carry a current stamp.
pub async fn load(
    store: &dyn Store,
    first_read: Session,
    position: i64,
    now: OffsetDateTime,
    shared_users: &SharedUsers,
) -> ServiceResult<Loaded> {
    let (user_epoch, global_epoch) = store.user_epoch(&first_read.user_id).await?;
    let stamp = EpochStamp {
        user: user_epoch,
        global: global_epoch,
        position,
    };
    let session = match store.get_session(&first_read.id).await {
        Ok(session) => session,
        Err(StoreError::NotFound(_)) => {
            return Ok(Loaded::Rejected(SessionRejection::Unknown, None));
        }
        Err(other) => return Err(other.into()),
    };
    let user = match store.get_user(&session.user_id).await {
        Ok(user) => Some(user),
        Err(StoreError::NotFound(_)) => None,
        Err(other) => return Err(other.into()),
    };
    let posture = match &user {
        Some(user) => posture(store, &user.id).await?,
        None => Posture::default(),
    };
    let evidence = SessionEvidence {
        session: &session,
        account_enabled: user.as_ref().map(|u| u.account_enabled),
        password_set_at: posture.password_set_at,
        high_risk_detected_at: posture.high_risk_detected_at,
    };
    if let Err(rejection) = judge(&evidence, now) {
        return Ok(Loaded::Rejected(rejection, Some(Box::new(session))));
    }
    let Some(user) = user else {
        return Ok(Loaded::Rejected(
            SessionRejection::UserDeleted,
            Some(Box::new(session)),
        ));
    };
    let group_ids = store.transitive_groups_of_user(&user.id).await?;
    let mut groups = Vec::with_capacity(group_ids.len().min(MAX_GROUPS));
    for id in group_ids.iter().take(MAX_GROUPS) {
        match store.get_group(id).await {
            Ok(group) => groups.push((id.to_string(), group.display_name)),
            // Deleted between the two reads: not a member any more.
            Err(StoreError::NotFound(_)) => {}
            Err(other) => return Err(other.into()),
        }
    }
    let roles = store.effective_roles_of_user(&user.id).await?;
    let facts = store.get_session_authentication(&session.id).await?;
    let methods = super::active::session_methods(&session, facts.as_ref());
    let (group_ids, group_names) = groups.into_iter().unzip();
    let mut session_user = SessionUser {
        id: user.id,
        user_principal_name: user.user_principal_name,
        display_name: user.display_name,
        mail: user.mail,
        user_type: user.user_type,
        group_ids,
        group_names,
        role_template_ids: roles.iter().map(|r| r.template_id().to_owned()).collect(),
        identity_headers: Arc::default(),
    };
    session_user.identity_headers = Arc::new(crate::forward_auth::identity_headers(&session_user));
    // Cached copies hold exactly what they use.
    session_user.group_ids.shrink_to_fit();
    session_user.group_names.shrink_to_fit();
    session_user.role_template_ids.shrink_to_fit();
    let mut methods = methods;
    methods.shrink_to_fit();
    let active = ActiveSession {
        session: session.into(),
        user: shared_users.share(session_user),
        methods,
    };
    Ok(Loaded::Active(Arc::new(active), stamp))
}

/// When the current password was set, and when the newest still-open (`atRisk` or
/// `confirmedCompromised`) high user-risk detection was made; the caller compares both
/// with the session's start.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Posture {
    pub password_set_at: Option<OffsetDateTime>,
    pub high_risk_detected_at: Option<OffsetDateTime>,
}

/// The user's [`Posture`], read from the store (two reads).
pub(super) async fn posture(store: &dyn Store, user: &UserId) -> ServiceResult<Posture> {
    let credentials = store.list_credentials(user).await?;
    // One row by primary key: the store keeps each user's risk with its newest open
    // high detection (portcullis_core::user_risk).
    let risk = store.get_user_risk(user).await?;
    Ok(posture_of(&credentials, risk.as_ref()))
}

/// The [`Posture`] of what was read. Only high risk matters here, and it never ages out,
/// so no clock is needed.
pub(super) fn posture_of(credentials: &[Credential], risk: Option<&UserRisk>) -> Posture {
    Posture {
        password_set_at: credentials
            .iter()
            .filter(|c| c.kind == CredentialKind::Password)
            .map(|c| c.created_date_time)
            .max(),
        high_risk_detected_at: risk
            .filter(|risk| risk.is_at_risk())
            .and_then(|risk| risk.high_risk_detected_date_time),
    }
}
