//! `grant_subject` reads what the single-object reads read, fact by fact, for a user
//! with something in every fact, for a deleted user and without a session.

use portcullis_core::{
    ApplicationKind, Credential, CredentialId, DirectoryRole, MemberRef, Principal, RefreshToken,
    RoleAssignment, RoleAssignmentId, SecretHash, Session, User, UserId,
};
use serde_json::json;
use time::Duration;
use uuid::Uuid;

use super::security::{credential, refresh_token, session};
use super::{TestBackend, application, commit, create_group, create_user, t0};
use crate::{
    Change, GrantSubject, RefreshGrantSubject, RefreshTokenUse, SignInStepWrite, Store,
    StoredSignInTransaction, SubjectKey, TransactionSubject, TransactionWrite, UserStateWrite,
};

/// Every fact of `grant_subject` against the read that has always read it.
async fn assert_same_as_single_reads(store: &dyn Store, subject: &GrantSubject) {
    let user = subject.user.as_ref().expect("the user exists");
    let id = &user.id;
    assert_eq!(user, &store.get_user(id).await.unwrap());
    assert_eq!(
        subject.credentials,
        store.list_credentials(id).await.unwrap()
    );
    assert_eq!(subject.risk, store.get_user_risk(id).await.unwrap());
    assert_eq!(
        subject.groups,
        store.transitive_groups_of_user(id).await.unwrap()
    );
    assert_eq!(
        subject.roles,
        store.effective_roles_of_user(id).await.unwrap()
    );
    assert_eq!(
        subject.sign_in_state,
        store.get_user_sign_in_state(id).await.unwrap()
    );
}

/// Ada, with something in every fact (nested groups, a role, a credential, sign-in
/// state, a risk detection), signed in: her, her credential and her session.
async fn user_with_every_fact(store: &dyn Store) -> (User, Credential, Session) {
    let ada = create_user(store, "ada@example.com", "Ada").await;
    let outer = create_group(store, "Outer").await;
    let inner = create_group(store, "Inner").await;
    commit(
        store,
        Change::AddMember {
            group: outer.id.clone(),
            member: MemberRef::Group(inner.id.clone()),
        },
    )
    .await;
    commit(
        store,
        Change::AddMember {
            group: inner.id.clone(),
            member: MemberRef::User(ada.id.clone()),
        },
    )
    .await;
    commit(
        store,
        Change::AssignRole(RoleAssignment {
            id: RoleAssignmentId::from_uuid(Uuid::new_v4()),
            principal: Principal::User(ada.id.clone()),
            role: DirectoryRole::GlobalReader,
            directory_scope_id: "/".into(),
            created_date_time: t0(),
        }),
    )
    .await;
    let otp = credential(&ada.id);
    commit(store, Change::AddCredential(otp.clone())).await;
    commit(
        store,
        Change::PutUserSignInState(UserStateWrite {
            user_id: ada.id.clone(),
            expected_revision: None,
            doc: json!({ "lockout": null }),
        }),
    )
    .await;
    store
        .append_risk_event(&super::user_risk::detection(
            &ada.id,
            "high",
            "atRisk",
            t0(),
        ))
        .await
        .unwrap();
    let signed_in = session(&ada.id, "cookie-ada");
    store.create_session(&signed_in).await.unwrap();

    (ada, otp, signed_in)
}

pub async fn grant_subject_reads_every_fact_of_the_user(backend: &dyn TestBackend) {
    let store = backend.store();
    let store = &*store;
    let (ada, otp, signed_in) = user_with_every_fact(store).await;
    let subject = store
        .grant_subject(&ada.id, Some(&signed_in.id))
        .await
        .unwrap();
    // Something in every fact, so a fact left unread cannot pass as empty.
    assert_eq!(subject.credentials, vec![otp]);
    assert_eq!(subject.groups.len(), 2, "{:?}", subject.groups);
    assert_eq!(subject.roles, vec![DirectoryRole::GlobalReader]);
    assert!(subject.risk.is_some(), "the detection's risk row");
    assert!(subject.sign_in_state.is_some(), "the sign-in state row");
    assert_eq!(
        subject.session,
        Some(store.get_session(&signed_in.id).await.unwrap())
    );
    assert_same_as_single_reads(store, &subject).await;

    // Without a session asked for, none is read.
    let without = store.grant_subject(&ada.id, None).await.unwrap();
    assert_eq!(without.session, None);
    assert_same_as_single_reads(store, &without).await;

    // A revoked session is still returned: the caller judges (and logs) its end.
    store.revoke_session(&signed_in.id, t0()).await.unwrap();
    let revoked = store
        .grant_subject(&ada.id, Some(&signed_in.id))
        .await
        .unwrap();
    assert_eq!(
        revoked.session.and_then(|s| s.revoked_date_time),
        Some(t0())
    );
}

pub async fn grant_subject_of_a_deleted_user_has_only_the_session(backend: &dyn TestBackend) {
    let store = backend.store();
    let store = &*store;
    let grace = create_user(store, "grace@example.com", "Grace").await;
    let signed_in = session(&grace.id, "cookie-grace");
    store.create_session(&signed_in).await.unwrap();
    let other = create_user(store, "other@example.com", "Other").await;
    let other_session = session(&other.id, "cookie-other");
    store.create_session(&other_session).await.unwrap();
    commit(store, Change::DeleteUser(grace.id.clone())).await;

    let subject = store
        .grant_subject(&grace.id, Some(&other_session.id))
        .await
        .unwrap();
    assert_eq!(subject.user, None);
    assert!(subject.credentials.is_empty() && subject.groups.is_empty());
    // The session named is read whoever it belongs to: the caller compares its user.
    assert_eq!(subject.session.map(|s| s.user_id), Some(other.id.clone()));
    // An unknown session reads as none.
    let unknown = store
        .grant_subject(&other.id, Some(&session(&other.id, "never-stored").id))
        .await
        .unwrap();
    assert_eq!(unknown.session, None);
    assert!(unknown.user.is_some());
}

/// What `refresh_grant_subject` finds for a token that exists.
pub(crate) async fn presented(store: &dyn Store, hash: &SecretHash) -> RefreshGrantSubject {
    store
        .refresh_grant_subject(hash)
        .await
        .unwrap()
        .presented
        .expect("the token exists")
}

/// The refresh grant's one read: the token as `find_refresh_token` reads it, and its
/// user's facts and session as `grant_subject` reads them.
pub async fn refresh_grant_subject_reads_the_token_with_its_user_and_session(
    backend: &dyn TestBackend,
) {
    let store = backend.store();
    let store = &*store;
    let (ada, otp, signed_in) = user_with_every_fact(store).await;
    let token = RefreshToken {
        session_id: Some(signed_in.id.clone()),
        ..refresh_token(&ada.id, "rt-ada", None)
    };
    store.insert_refresh_token(&token).await.unwrap();

    // An application moves the directory-wide epoch away from the policy version, so
    // the two cannot be read from each other's column unnoticed.
    commit(
        store,
        Change::CreateApplication(application("Mail", ApplicationKind::OidcClient)),
    )
    .await;

    let read = store
        .refresh_grant_subject(&token.token_hash)
        .await
        .unwrap();
    // The versions client authentication needs, read in the same statement.
    let versions = store.configuration_versions().await.unwrap();
    assert_ne!(versions.global_epoch, versions.policy_version);
    assert_eq!(read.versions, versions);
    let read = read.presented.expect("the token exists");
    assert_eq!(read.token, token);
    assert_eq!(
        read.subject,
        store
            .grant_subject(&ada.id, Some(&signed_in.id))
            .await
            .unwrap()
    );
    // Something in every fact, so a fact left unread cannot pass as empty.
    assert_eq!(read.subject.credentials, vec![otp]);
    assert_eq!(read.subject.groups.len(), 2);
    assert!(read.subject.risk.is_some() && read.subject.sign_in_state.is_some());
    assert_eq!(
        read.subject.session.map(|s| s.id),
        Some(signed_in.id.clone())
    );

    // A used token is still read, with its use (the caller tells reuse from it).
    let at = t0() + Duration::minutes(1);
    assert!(matches!(
        store
            .use_refresh_token(&token.token_hash, at)
            .await
            .unwrap(),
        RefreshTokenUse::Fresh(_)
    ));
    let used = presented(store, &token.token_hash).await;
    assert_eq!(used.token.used_date_time, Some(at));
    assert_eq!(
        Some(used.token),
        store.find_refresh_token(&token.token_hash).await.unwrap()
    );

    // A token without a session: the user's facts, no session.
    let device_flow = refresh_token(&ada.id, "rt-device", None);
    store.insert_refresh_token(&device_flow).await.unwrap();
    let read = presented(store, &device_flow.token_hash).await;
    assert_eq!(read.subject.session, None);
    assert_eq!(
        read.subject,
        store.grant_subject(&ada.id, None).await.unwrap()
    );

    // A token without a user: no facts at all.
    let userless = RefreshToken {
        user_id: None,
        session_id: Some(signed_in.id.clone()),
        ..refresh_token(&ada.id, "rt-nobody", None)
    };
    store.insert_refresh_token(&userless).await.unwrap();
    let read = presented(store, &userless.token_hash).await;
    assert_eq!(read.token, userless);
    assert_eq!(read.subject, GrantSubject::default());

    // No such token: no facts, but the versions (a client still authenticates).
    let unknown = store
        .refresh_grant_subject(&SecretHash::of("never-issued"))
        .await
        .unwrap();
    assert_eq!(unknown.presented, None);
    assert_eq!(
        unknown.versions,
        store.configuration_versions().await.unwrap()
    );
}

/// A sign-in step's one read finds the user by id, by name (as `find_user_by_upn`
/// matches it) or by credential, with the facts `grant_subject` reads and the versions
/// `configuration_versions` reads; nobody found is an empty subject, not an error.
pub async fn sign_in_subject_finds_the_user_by_id_name_or_credential(backend: &dyn TestBackend) {
    let store = backend.store();
    let store = &*store;
    let (ada, otp, _signed_in) = user_with_every_fact(store).await;
    // The epoch moves away from the policy version, so the two cannot be swapped unseen.
    commit(
        store,
        Change::CreateApplication(application("Mail", ApplicationKind::OidcClient)),
    )
    .await;
    let versions = store.configuration_versions().await.unwrap();
    assert_ne!(versions.global_epoch, versions.policy_version);
    let expected = store.grant_subject(&ada.id, None).await.unwrap();
    assert!(expected.user.is_some() && expected.sign_in_state.is_some());

    for key in [
        SubjectKey::User(&ada.id),
        SubjectKey::Name("  ADA@Example.COM "),
        SubjectKey::CredentialOwner(&otp.id),
    ] {
        let read = store.sign_in_subject(key).await.unwrap();
        assert_eq!(read.versions, versions, "{key:?}");
        assert_eq!(read.subject, expected, "{key:?}");
    }
    let by_name = store
        .sign_in_subject(SubjectKey::Name("ada@example.com"))
        .await
        .unwrap();
    assert_eq!(
        by_name.subject.user,
        store.find_user_by_upn("ada@example.com").await.unwrap()
    );

    let nobody = UserId::from_uuid(Uuid::new_v4());
    let unknown_credential = CredentialId::from_uuid(Uuid::new_v4());
    for key in [
        SubjectKey::User(&nobody),
        SubjectKey::Name("nobody@example.com"),
        SubjectKey::Name(""),
        SubjectKey::CredentialOwner(&unknown_credential),
    ] {
        let read = store.sign_in_subject(key).await.unwrap();
        assert_eq!(read.versions, versions, "{key:?}");
        assert_eq!(read.subject, GrantSubject::default(), "{key:?}");
    }

    // A deleted user is nobody, by every key.
    commit(store, Change::DeleteUser(ada.id.clone())).await;
    let gone = store
        .sign_in_subject(SubjectKey::User(&ada.id))
        .await
        .unwrap();
    assert_eq!(gone.subject, GrantSubject::default());
    let gone = store
        .sign_in_subject(SubjectKey::Name("ada@example.com"))
        .await
        .unwrap();
    assert_eq!(gone.subject, GrantSubject::default());
}

/// A step's one read returns its stored transaction (as `get_sign_in_transaction` reads
/// it) with the subject the transaction's stored subject names: the user once known,
/// else a passkey's owner when the step brings a credential, else the typed name.
pub async fn sign_in_step_read_reads_the_transaction_with_its_subject(backend: &dyn TestBackend) {
    let store = backend.store();
    let store = &*store;
    let (ada, otp, _signed_in) = user_with_every_fact(store).await;
    let versions = store.configuration_versions().await.unwrap();
    let expected = store.grant_subject(&ada.id, None).await.unwrap();
    assert!(expected.user.is_some());
    let begun = |handle: &str, subject: TransactionSubject| StoredSignInTransaction {
        id_hash: SecretHash::of(handle),
        revision: 0,
        created_at: t0(),
        expires_at: t0() + Duration::minutes(10),
        doc: json!({ "handle": handle }),
        subject,
    };
    let identified = begun("identified", TransactionSubject::new(Some(&ada.id), "ada"));
    let named = begun("named", TransactionSubject::new(None, "  ADA@Example.COM "));
    let nameless = begun("nameless", TransactionSubject::new(None, ""));
    assert_eq!(named.subject.upn_lower.as_deref(), Some("ada@example.com"));
    assert_eq!(nameless.subject, TransactionSubject::default());
    let writes: Vec<SignInStepWrite> = [&identified, &named, &nameless]
        .into_iter()
        .map(|created| SignInStepWrite {
            transaction: Some(TransactionWrite::Create(created.clone())),
            ..SignInStepWrite::default()
        })
        .collect();
    let results = store.commit_sign_in_steps(&writes).await.unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");

    let unknown_credential = CredentialId::from_uuid(Uuid::new_v4());
    let read = |handle: &'static str, credential: Option<CredentialId>| async move {
        store
            .sign_in_step_read(&SecretHash::of(handle), credential.as_ref())
            .await
            .unwrap()
    };
    for (created, credential, finds_ada) in [
        // The user once known, whatever credential the step brings.
        (&identified, None, true),
        (&identified, Some(unknown_credential.clone()), true),
        // The typed name, unless the step brings a credential: then its owner.
        (&named, None, true),
        (&named, Some(otp.id.clone()), true),
        (&named, Some(unknown_credential.clone()), false),
        (&nameless, Some(otp.id.clone()), true),
        (&nameless, None, false),
    ] {
        let handle = created.doc["handle"].as_str().unwrap();
        let got = store
            .sign_in_step_read(&created.id_hash, credential.as_ref())
            .await
            .unwrap();
        let case = format!("{handle} with {credential:?}");
        assert_eq!(got.transaction.as_ref(), Some(created), "{case}");
        assert_eq!(
            got.transaction,
            store
                .get_sign_in_transaction(&created.id_hash)
                .await
                .unwrap(),
            "{case}"
        );
        assert_eq!(got.read.versions, versions, "{case}");
        let want = if finds_ada {
            expected.clone()
        } else {
            GrantSubject::default()
        };
        assert_eq!(got.read.subject, want, "{case}");
    }

    // No such transaction: nothing but the versions, even with a credential.
    let missing = read("never-begun", Some(otp.id.clone())).await;
    assert_eq!(missing.transaction, None);
    assert_eq!(missing.read.subject, GrantSubject::default());
    assert_eq!(missing.read.versions, versions);

    // A step that identifies the user stores it; the next step finds them by id.
    let identifying = SignInStepWrite {
        transaction: Some(TransactionWrite::Update {
            id_hash: nameless.id_hash.clone(),
            expected_revision: 0,
            doc: json!({ "handle": "nameless", "step": 1 }),
            subject: TransactionSubject::new(Some(&ada.id), ""),
        }),
        ..SignInStepWrite::default()
    };
    let results = store.commit_sign_in_steps(&[identifying]).await.unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let next = read("nameless", None).await;
    let stored = next.transaction.unwrap();
    assert_eq!(stored.revision, 1);
    assert_eq!(stored.subject.user_id.as_ref(), Some(&ada.id));
    assert_eq!(next.read.subject, expected);

    // A deleted user is nobody; the transaction is still read.
    commit(store, Change::DeleteUser(ada.id.clone())).await;
    let gone = read("identified", None).await;
    assert_eq!(gone.transaction.as_ref(), Some(&identified));
    assert_eq!(gone.read.subject, GrantSubject::default());
}
