//! Loading the user afresh for every step: directory facts, credentials mapped to the
//! pipeline's methods, smart-lockout and registration-nudge state, and whether the
//! request comes from a location the user has signed in from before.

use std::collections::HashMap;

use portcullis_authn::lockout::{Familiarity, LockoutState};
use portcullis_core::{
    Credential, CredentialId, CredentialKind, DirectoryRole, GroupId, User, UserId, UserRisk,
};
use portcullis_signin::{CampaignProgress, RequestContext, Subject, UserRecord};
use portcullis_store::{
    ConfigurationVersions, SignInSubjectRead, Store, StoredUserSignInState, SubjectKey,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::credential_payload::{password_record, registered_method};
use super::familiarity::{FamiliarPlaces, Origin, places_or_history};
use super::types::SignInError;

/// A user's sign-in state kept between transactions (the `user_sign_in_state` row).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct UserSignInState {
    pub(crate) lockout: Option<LockoutState>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub(crate) security_defaults_first_interactive_sign_in_at: Option<OffsetDateTime>,
    pub(crate) registration_campaign: CampaignProgress,
    /// `None` for a state written before places were kept (seeded from the log).
    pub(crate) familiar_places: Option<FamiliarPlaces>,
}

/// The subject of one step plus what carrying out its effects needs.
pub(crate) struct LoadedSubject {
    pub(crate) subject: Subject,
    /// The user's credentials as read, with their revisions (effects update these).
    pub(crate) credentials: HashMap<CredentialId, Credential>,
    pub(crate) state: UserSignInState,
    /// The stored state's revision (`None`: nothing stored yet).
    pub(crate) state_revision: Option<i64>,
    /// Where the user signed in successfully before (a success here updates it);
    /// `None` when not loaded ([`LoadFor::Record`] for a user without a stored list).
    pub(crate) places: Option<FamiliarPlaces>,
    /// The user's stored risk row, read with the rest (`None`: no detections, or not
    /// read by this loader).
    pub(crate) risk: Option<UserRisk>,
}

impl LoadedSubject {
    /// Hands the user's risk, as read with the rest and as it stands at `now`, to the
    /// pipeline's risk input (Conditional Access `userRiskLevels`, the log's risk fields).
    pub(crate) fn apply_user_risk(
        &self,
        input: &mut portcullis_signin::RiskInput,
        now: OffsetDateTime,
    ) {
        if let Some(user) = self.subject.user() {
            let risk = crate::risk::user_risk_as_of(self.risk.clone(), &user.id, now);
            crate::risk::apply_user_risk(&risk, input);
        }
    }

    fn unknown() -> Self {
        LoadedSubject {
            subject: Subject::Unknown,
            credentials: HashMap::new(),
            state: UserSignInState::default(),
            state_revision: None,
            places: None,
            risk: None,
        }
    }

    /// The user's password credential, if any.
    pub(crate) fn password_credential(&self) -> Option<&Credential> {
        self.credentials
            .values()
            .find(|credential| credential.kind == CredentialKind::Password)
    }
}

/// Who the step is about.
pub(crate) enum Who<'a> {
    /// Known from an earlier step.
    Id(&'a UserId),
    /// The typed name.
    Name(&'a str),
    /// The owner of a passkey (username-less sign-in).
    CredentialOwner(&'a CredentialId),
}

impl<'a> Who<'a> {
    pub(crate) fn key(self) -> SubjectKey<'a> {
        match self {
            Who::Id(id) => SubjectKey::User(id),
            Who::Name(name) => SubjectKey::Name(name),
            Who::CredentialOwner(credential) => SubjectKey::CredentialOwner(credential),
        }
    }
}

/// What the user is loaded for, which decides what familiarity costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoadFor {
    /// The first factor: smart lockout judges the place (familiar or not).
    FirstFactor,
    /// A later step, which may complete the sign-in and so remember its place.
    LaterStep,
    /// Judging or showing the user outside a sign-in step (token issuance,
    /// forward-auth, password reset): places are neither judged nor recorded.
    Record,
}

pub(crate) async fn load_subject(
    store: &dyn Store,
    who: Who<'_>,
    request: &RequestContext,
    purpose: LoadFor,
) -> Result<LoadedSubject, SignInError> {
    Ok(load_step_subject(store, who, request, purpose).await?.0)
}

/// [`load_subject`] with the configuration versions read in the same statement (a step
/// judges with the policy at that version: no read of its own).
///
/// Whoever `who` names — an id, a typed name, a passkey's owner — the user, their
/// credentials, groups, roles, sign-in state and risk come from one statement, fresh at
/// every step (nothing cached). A name or credential nobody has costs that same one
/// statement, so the time a step takes tells nothing about whether an account exists.
pub(crate) async fn load_step_subject(
    store: &dyn Store,
    who: Who<'_>,
    request: &RequestContext,
    purpose: LoadFor,
) -> Result<(LoadedSubject, ConfigurationVersions), SignInError> {
    let read = store.sign_in_subject(who.key()).await?;
    subject_from_read(store, read, request, purpose).await
}

/// The step's subject from the store's read of its user's facts (see
/// [`load_step_subject`]; a step that continues a transaction reads them with it).
pub(crate) async fn subject_from_read(
    store: &dyn Store,
    read: SignInSubjectRead,
    request: &RequestContext,
    purpose: LoadFor,
) -> Result<(LoadedSubject, ConfigurationVersions), SignInError> {
    let facts = read.subject;
    let Some(user) = facts.user else {
        return Ok((LoadedSubject::unknown(), read.versions));
    };
    let loaded = load_user(
        store,
        UserFacts {
            user,
            credentials: facts.credentials,
            groups: facts.groups,
            roles: facts.roles,
        },
        facts.sign_in_state,
        facts.risk,
        request,
        purpose,
    )
    .await?;
    Ok((loaded, read.versions))
}

async fn load_user(
    store: &dyn Store,
    facts: UserFacts,
    stored_state: Option<StoredUserSignInState>,
    risk: Option<UserRisk>,
    request: &RequestContext,
    purpose: LoadFor,
) -> Result<LoadedSubject, SignInError> {
    let (state, state_revision) = decode_state(&facts.user.id, stored_state);
    let places = match purpose {
        LoadFor::FirstFactor | LoadFor::LaterStep => {
            Some(places_or_history(store, &facts.user.id, state.familiar_places.as_ref()).await?)
        }
        LoadFor::Record => state.familiar_places.clone(),
    };
    let mut loaded = assemble(facts, state, state_revision, places, request, purpose);
    loaded.risk = risk;
    Ok(loaded)
}

/// Everything read about a user but the sign-in state.
pub(crate) struct UserFacts {
    pub(crate) user: User,
    pub(crate) credentials: Vec<Credential>,
    pub(crate) groups: Vec<GroupId>,
    pub(crate) roles: Vec<DirectoryRole>,
}

/// The user as [`LoadFor::Record`] loads them, from facts the caller read already (a token
/// refresh reads them all in one store call, `GrantSubjectStore::grant_subject`).
pub(crate) fn record_from_facts(
    facts: UserFacts,
    stored_state: Option<StoredUserSignInState>,
    request: &RequestContext,
) -> LoadedSubject {
    let (state, state_revision) = decode_state(&facts.user.id, stored_state);
    let places = state.familiar_places.clone();
    assemble(
        facts,
        state,
        state_revision,
        places,
        request,
        LoadFor::Record,
    )
}

fn decode_state(
    user: &UserId,
    stored: Option<StoredUserSignInState>,
) -> (UserSignInState, Option<i64>) {
    match stored {
        Some(stored) => (
            serde_json::from_value::<UserSignInState>(stored.doc).unwrap_or_else(|error| {
                // Counters that do not decode start over rather than block the user.
                tracing::error!(user = %user, %error, "stored sign-in state does not decode");
                UserSignInState::default()
            }),
            Some(stored.revision),
        ),
        None => (UserSignInState::default(), None),
    }
}

fn assemble(
    facts: UserFacts,
    state: UserSignInState,
    state_revision: Option<i64>,
    places: Option<FamiliarPlaces>,
    request: &RequestContext,
    purpose: LoadFor,
) -> LoadedSubject {
    let UserFacts {
        user,
        credentials,
        groups,
        roles,
    } = facts;
    // Only the first factor consults lockout.
    let familiarity = match (&places, purpose) {
        (Some(places), LoadFor::FirstFactor) => {
            places.judge(&Origin::of(request), OffsetDateTime::now_utc())
        }
        _ => Familiarity::Familiar,
    };
    let mut password = None;
    let mut methods = Vec::new();
    for credential in &credentials {
        let mapped = if credential.kind == CredentialKind::Password {
            password_record(credential).map(|record| {
                password = Some(record);
            })
        } else {
            registered_method(credential).map(|method| methods.extend(method))
        };
        if let Err(error) = mapped {
            tracing::error!(user = %user.id, credential = %credential.id, %error,
                "credential cannot be used for sign-in");
        }
    }
    let lockout = state
        .lockout
        .clone()
        .unwrap_or_else(|| LockoutState::new(&mut rand::rng()));
    let record = UserRecord {
        id: user.id.clone(),
        user_principal_name: user.user_principal_name.clone(),
        display_name: user.display_name.clone(),
        user_type: user.user_type,
        account_enabled: user.account_enabled,
        group_ids: groups.iter().map(ToString::to_string).collect(),
        role_template_ids: roles.iter().map(|r| r.template_id().to_owned()).collect(),
        password,
        methods,
        lockout,
        familiarity,
        security_defaults_first_interactive_sign_in_at: state
            .security_defaults_first_interactive_sign_in_at,
        registration_campaign: state.registration_campaign.clone(),
    };
    LoadedSubject {
        subject: Subject::Known(Box::new(record)),
        credentials: credentials
            .into_iter()
            .map(|credential| (credential.id.clone(), credential))
            .collect(),
        state,
        state_revision,
        places,
        risk: None,
    }
}
