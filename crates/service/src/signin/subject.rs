//! Loading the user afresh for every step: directory facts, credentials mapped to the
//! pipeline's methods, smart-lockout and registration-nudge state, and whether the
//! request comes from a location the user has signed in from before.

use std::collections::HashMap;

use portcullis_authn::lockout::{Familiarity, LockoutState};
use portcullis_core::{Credential, CredentialId, CredentialKind, User, UserId};
use portcullis_signin::{CampaignProgress, RequestContext, Subject, UserRecord};
use portcullis_store::{Filter, FilterValue, SignInField, SignInOutcome, SignInQuery, Store};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::credential_payload::{password_record, registered_method};
use super::types::SignInError;

/// How many recent successful sign-ins decide whether a location is familiar.
const FAMILIARITY_HISTORY: u32 = 50;

/// A user's sign-in state kept between transactions (the `user_sign_in_state` row).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct UserSignInState {
    pub(crate) lockout: Option<LockoutState>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub(crate) security_defaults_first_interactive_sign_in_at: Option<OffsetDateTime>,
    pub(crate) registration_campaign: CampaignProgress,
}

/// The subject of one step plus what carrying out its effects needs.
pub(crate) struct LoadedSubject {
    pub(crate) subject: Subject,
    /// The user's credentials as read, with their revisions (effects update these).
    pub(crate) credentials: HashMap<CredentialId, Credential>,
    pub(crate) state: UserSignInState,
    /// The stored state's revision (`None`: nothing stored yet).
    pub(crate) state_revision: Option<i64>,
}

impl LoadedSubject {
    fn unknown() -> Self {
        LoadedSubject {
            subject: Subject::Unknown,
            credentials: HashMap::new(),
            state: UserSignInState::default(),
            state_revision: None,
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

pub(crate) async fn load_subject(
    store: &dyn Store,
    who: Who<'_>,
    request: &RequestContext,
    first_factor: bool,
) -> Result<LoadedSubject, SignInError> {
    let user = match who {
        Who::Id(id) => match store.get_user(id).await {
            Ok(user) => Some(user),
            Err(portcullis_store::StoreError::NotFound(_)) => None,
            Err(other) => return Err(other.into()),
        },
        Who::Name("") => None,
        Who::Name(name) => store.find_user_by_upn(name).await?,
        Who::CredentialOwner(credential) => match store.get_credential(credential).await {
            Ok(credential) => match store.get_user(&credential.user_id).await {
                Ok(user) => Some(user),
                Err(portcullis_store::StoreError::NotFound(_)) => None,
                Err(other) => return Err(other.into()),
            },
            Err(portcullis_store::StoreError::NotFound(_)) => None,
            Err(other) => return Err(other.into()),
        },
    };
    let Some(user) = user else {
        return Ok(LoadedSubject::unknown());
    };
    load_user(store, user, request, first_factor).await
}

async fn load_user(
    store: &dyn Store,
    user: User,
    request: &RequestContext,
    first_factor: bool,
) -> Result<LoadedSubject, SignInError> {
    let groups = store.transitive_groups_of_user(&user.id).await?;
    let roles = store.effective_roles_of_user(&user.id).await?;
    let credentials = store.list_credentials(&user.id).await?;
    let stored_state = store.get_user_sign_in_state(&user.id).await?;
    let (state, state_revision) = match stored_state {
        Some(stored) => (
            serde_json::from_value::<UserSignInState>(stored.doc).unwrap_or_else(|error| {
                // Counters that do not decode start over rather than block the user.
                tracing::error!(user = %user.id, %error, "stored sign-in state does not decode");
                UserSignInState::default()
            }),
            Some(stored.revision),
        ),
        None => (UserSignInState::default(), None),
    };
    // Only the first factor consults lockout, and only it pays for the history query.
    let familiarity = if first_factor {
        familiarity(store, &user.id, request).await?
    } else {
        Familiarity::Familiar
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
    Ok(LoadedSubject {
        subject: Subject::Known(Box::new(record)),
        credentials: credentials
            .into_iter()
            .map(|credential| (credential.id.clone(), credential))
            .collect(),
        state,
        state_revision,
    })
}

/// Familiar: one of the user's recent successful sign-ins came from the same IP address,
/// or from the same country when the country is known. Smart lockout keeps separate
/// counters, so an attacker elsewhere cannot lock the user out of their usual place.
async fn familiarity(
    store: &dyn Store,
    user: &UserId,
    request: &RequestContext,
) -> Result<Familiarity, SignInError> {
    let query = SignInQuery {
        filter: Some(Filter::Eq(
            SignInField::UserId,
            FilterValue::Text(user.as_str().to_owned()),
        )),
        outcome: Some(SignInOutcome::Success),
        limit: FAMILIARITY_HISTORY,
        ..SignInQuery::default()
    };
    let recent = store.query_sign_ins(&query).await?;
    let ip = request.ip_address.map(|ip| ip.to_string());
    let country = request.location.country_or_region.as_deref();
    let familiar = recent.items.iter().any(|past| {
        (ip.is_some() && past.ip_address == ip)
            || (country.is_some()
                && past
                    .location
                    .as_ref()
                    .and_then(|location| location.country_or_region.as_deref())
                    == country)
    });
    Ok(if familiar {
        Familiarity::Familiar
    } else {
        Familiarity::Unfamiliar
    })
}
