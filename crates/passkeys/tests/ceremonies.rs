//! Full ceremonies against webauthn-authenticator-rs's software authenticators: real
//! P-256 keys, real signatures, real attestation objects.

#![allow(clippy::unwrap_used)]

use portcullis_core::{CredentialId, UserId};
use portcullis_passkeys::{
    AaguidPolicy, AuthenticationTarget, PasskeyCandidate, PasskeyError, PasskeyResponse,
    PasskeyUser, Passkeys, RelyingParty, StoredPasskey,
};
use portcullis_signin::{KeyEnforcement, KeyRestrictions};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::softtoken::{AAGUID as SOFTTOKEN_AAGUID, SoftToken};
use webauthn_rs::prelude::{
    CreationChallengeResponse, PublicKeyCredential, RequestChallengeResponse, Url,
};
use webauthn_rs_core::proto::{AllowCredentials, UserVerificationPolicy};

const ORIGIN: &str = "https://login.example.com";

fn passkeys() -> Passkeys {
    Passkeys::new(&RelyingParty::for_public_url(ORIGIN, "Portcullis").unwrap()).unwrap()
}

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_790_000_000).unwrap()
}

fn user_id() -> UserId {
    UserId::from_uuid(Uuid::from_u128(0x1234))
}

fn origin() -> Url {
    Url::parse(ORIGIN).unwrap()
}

/// Registers `authenticator` for the test user; `tamper` may alter the options the
/// "browser" hands to the authenticator (the server's state is untouched).
fn register(
    rp: &Passkeys,
    authenticator: &mut impl WebauthnAuthenticator,
    models: &AaguidPolicy,
    tamper: impl FnOnce(&mut CreationChallengeResponse),
) -> Result<StoredPasskey, PasskeyError> {
    let id = user_id();
    let user = PasskeyUser {
        id: &id,
        name: "adele@example.com",
        display_name: "Adele Vance",
    };
    let (options, ceremony) = rp.begin_registration(user, &[], now()).unwrap();
    // Round trip through the stored form, as between two HTTP requests.
    let ceremony =
        portcullis_passkeys::RegistrationCeremony::from_json(&ceremony.to_json().unwrap()).unwrap();
    let mut options: CreationChallengeResponse = serde_json::from_value(options).unwrap();
    tamper(&mut options);
    let response = authenticator.do_registration(origin(), options).unwrap();
    let json = serde_json::to_string(&response).unwrap();
    rp.finish_registration(ceremony, &json, models, now() + Duration::seconds(20))
        .map(|registered| registered.stored)
}

fn candidate(stored: StoredPasskey) -> PasskeyCandidate {
    PasskeyCandidate {
        credential_id: CredentialId::from_uuid(Uuid::from_u128(0xc1)),
        stored,
    }
}

/// Signs in as the known test user with `authenticator`.
fn sign_in(
    rp: &Passkeys,
    authenticator: &mut impl WebauthnAuthenticator,
    passkeys: &[PasskeyCandidate],
    models: &AaguidPolicy,
    tamper: impl FnOnce(&mut RequestChallengeResponse),
) -> Result<portcullis_passkeys::VerifiedPasskey, PasskeyError> {
    let id = user_id();
    let target = AuthenticationTarget::User {
        user_id: &id,
        passkeys,
    };
    let (options, ceremony) = rp.begin_authentication(target, now()).unwrap();
    let ceremony =
        portcullis_passkeys::AuthenticationCeremony::from_json(&ceremony.to_json().unwrap())
            .unwrap();
    let mut options: RequestChallengeResponse = serde_json::from_value(options).unwrap();
    tamper(&mut options);
    let response = authenticator.do_authentication(origin(), options).unwrap();
    let response = PasskeyResponse::parse(&serde_json::to_string(&response).unwrap()).unwrap();
    rp.finish_authentication(
        ceremony,
        &response,
        &id,
        passkeys,
        models,
        now() + Duration::seconds(30),
    )
}

fn no_change<T>(_: &mut T) {}

#[test]
fn register_then_sign_in_as_a_second_factor() {
    let rp = passkeys();
    // `true`: the soft authenticator performs user verification when asked.
    let mut authenticator = SoftPasskey::new(true);
    let stored = register(&rp, &mut authenticator, &AaguidPolicy::default(), no_change).unwrap();
    // The soft passkey reports the all-zero AAGUID: an unknown model.
    assert_eq!(stored.aaguid, None);
    assert!(!stored.is_clone_suspected());
    let payload = stored.to_payload().unwrap();
    assert_eq!(StoredPasskey::from_payload(&payload).unwrap(), stored);

    let passkeys = [candidate(stored)];
    let verified = sign_in(
        &rp,
        &mut authenticator,
        &passkeys,
        &AaguidPolicy::default(),
        no_change,
    )
    .unwrap();
    assert_eq!(verified.user_id, user_id());
    assert!(verified.assertion.user_verified);
    assert_eq!(verified.assertion.credential_id, passkeys[0].credential_id);
    // The counter moved from 0 to 1: the edge must save the update.
    assert!(verified.updated.is_some());
}

#[test]
fn user_verification_is_required_at_registration() {
    let rp = passkeys();
    let mut authenticator = SoftPasskey::new(true);
    // A client that asks the authenticator for presence only (a tampered page, an old
    // key): the server's own state still demands verification.
    let refused = register(
        &rp,
        &mut authenticator,
        &AaguidPolicy::default(),
        |options| {
            if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
                selection.user_verification = UserVerificationPolicy::Discouraged_DO_NOT_USE;
            }
        },
    );
    assert_eq!(refused.unwrap_err(), PasskeyError::UserVerificationMissing);
}

#[test]
fn user_verification_is_required_at_sign_in() {
    let rp = passkeys();
    let mut authenticator = SoftPasskey::new(true);
    let stored = register(&rp, &mut authenticator, &AaguidPolicy::default(), no_change).unwrap();
    let passkeys = [candidate(stored)];
    let refused = sign_in(
        &rp,
        &mut authenticator,
        &passkeys,
        &AaguidPolicy::default(),
        |options| {
            options.public_key.user_verification = UserVerificationPolicy::Discouraged_DO_NOT_USE;
        },
    );
    assert_eq!(refused.unwrap_err(), PasskeyError::UserVerificationMissing);
}

#[test]
fn counter_regression_flags_a_clone() {
    let rp = passkeys();
    let (mut original, _ca) = SoftToken::new(true).unwrap();
    let stored = register(&rp, &mut original, &AaguidPolicy::default(), no_change).unwrap();
    assert_eq!(stored.aaguid, Some(SOFTTOKEN_AAGUID));
    // A copy of the private key, taken right after registration.
    let mut clone = SoftToken::from_cbor(&original.to_cbor().unwrap()).unwrap();

    let mut passkeys = vec![candidate(stored)];
    for _ in 0..2 {
        let verified = sign_in(
            &rp,
            &mut original,
            &passkeys,
            &AaguidPolicy::default(),
            no_change,
        )
        .unwrap();
        passkeys[0].stored = verified.updated.unwrap();
    }
    // The copy signs with counter 1, behind the stored 2.
    let err = sign_in(
        &rp,
        &mut clone,
        &passkeys,
        &AaguidPolicy::default(),
        no_change,
    )
    .unwrap_err();
    let PasskeyError::CloneSuspected {
        credential_id,
        flagged,
    } = err
    else {
        panic!("expected a clone signal, got {err:?}");
    };
    assert_eq!(credential_id, passkeys[0].credential_id);
    assert!(flagged.is_clone_suspected());

    // Once saved, the flag stops even the genuine authenticator, and the credential is
    // no longer offered.
    passkeys[0].stored = *flagged;
    let id = user_id();
    assert_eq!(
        rp.begin_authentication(
            AuthenticationTarget::User {
                user_id: &id,
                passkeys: &passkeys
            },
            now()
        )
        .unwrap_err(),
        PasskeyError::NoUsablePasskey
    );
}

fn restricted(enforcement_type: KeyEnforcement, aa_guids: Vec<Uuid>) -> AaguidPolicy {
    AaguidPolicy::from_key_restrictions(KeyRestrictions {
        is_enforced: true,
        enforcement_type,
        aa_guids,
    })
}

#[test]
fn aaguid_restrictions_apply_at_registration() {
    let rp = passkeys();
    let (mut token, _ca) = SoftToken::new(true).unwrap();
    let blocked = restricted(KeyEnforcement::Block, vec![SOFTTOKEN_AAGUID]);
    assert_eq!(
        register(&rp, &mut token, &blocked, no_change).unwrap_err(),
        PasskeyError::AaguidRefused {
            aaguid: Some(SOFTTOKEN_AAGUID)
        }
    );
    let allowed = restricted(KeyEnforcement::Allow, vec![SOFTTOKEN_AAGUID]);
    assert!(register(&rp, &mut token, &allowed, no_change).is_ok());
    // An unknown model never satisfies an allow-list.
    let mut unattested = SoftPasskey::new(true);
    assert_eq!(
        register(&rp, &mut unattested, &allowed, no_change).unwrap_err(),
        PasskeyError::AaguidRefused { aaguid: None }
    );
}

#[test]
fn aaguid_restrictions_apply_at_sign_in() {
    let rp = passkeys();
    let (mut token, _ca) = SoftToken::new(true).unwrap();
    let stored = register(&rp, &mut token, &AaguidPolicy::default(), no_change).unwrap();
    let passkeys = [candidate(stored)];
    // The model was blocked after registration: its keys stop working (entra.md §5.4).
    let blocked = restricted(KeyEnforcement::Block, vec![SOFTTOKEN_AAGUID]);
    assert!(matches!(
        sign_in(&rp, &mut token, &passkeys, &blocked, no_change),
        Err(PasskeyError::AaguidRefused { .. })
    ));
    // A strength that allows only another model refuses it too.
    let strength = AaguidPolicy {
        strength_allowed: Some(vec![Uuid::from_u128(99)]),
        ..AaguidPolicy::default()
    };
    assert!(matches!(
        sign_in(&rp, &mut token, &passkeys, &strength, no_change),
        Err(PasskeyError::AaguidRefused { .. })
    ));
    assert!(
        sign_in(
            &rp,
            &mut token,
            &passkeys,
            &AaguidPolicy::default(),
            no_change
        )
        .is_ok()
    );
}

/// Username-less: the options name no credential and the authenticator answers with its
/// user handle. The soft authenticators keep no resident credentials, so the test plays
/// the authenticator's part of discovery: it hands the authenticator its own credential
/// ID and adds the user handle (which is not signed) to the answer.
fn discoverable_sign_in(
    rp: &Passkeys,
    authenticator: &mut impl WebauthnAuthenticator,
    stored: &StoredPasskey,
    handle: &[u8],
    at: OffsetDateTime,
) -> Result<(PasskeyResponse, portcullis_passkeys::AuthenticationCeremony), PasskeyError> {
    let (options, ceremony) = rp
        .begin_authentication(
            AuthenticationTarget::Discoverable {
                conditional_ui: true,
            },
            at,
        )
        .unwrap();
    assert_eq!(options["mediation"], "conditional");
    assert_eq!(
        options["publicKey"]["allowCredentials"],
        serde_json::json!([])
    );
    let mut options: RequestChallengeResponse = serde_json::from_value(options).unwrap();
    options.public_key.allow_credentials = vec![AllowCredentials {
        type_: "public-key".into(),
        id: stored.webauthn_credential_id().to_vec(),
        transports: None,
    }];
    let mut response: PublicKeyCredential =
        authenticator.do_authentication(origin(), options).unwrap();
    response.response.user_handle = Some(handle.to_vec());
    let response = PasskeyResponse::parse(&serde_json::to_string(&response).unwrap())?;
    Ok((response, ceremony))
}

#[test]
fn username_less_sign_in_finds_the_user_by_handle() {
    let rp = passkeys();
    let mut authenticator = SoftPasskey::new(true);
    let stored = register(&rp, &mut authenticator, &AaguidPolicy::default(), no_change).unwrap();
    let passkeys = [candidate(stored.clone())];
    let id = user_id();
    let handle = Uuid::parse_str(id.as_str()).unwrap();

    let (response, ceremony) =
        discoverable_sign_in(&rp, &mut authenticator, &stored, handle.as_bytes(), now()).unwrap();
    assert_eq!(response.user_handle(), Some(id.clone()));
    let verified = rp
        .finish_authentication(
            ceremony,
            &response,
            &id,
            &passkeys,
            &AaguidPolicy::default(),
            now(),
        )
        .unwrap();
    assert_eq!(verified.user_id, id);
    assert!(verified.assertion.user_verified);

    // A handle naming someone else is refused, even with a valid signature.
    let (response, ceremony) = discoverable_sign_in(
        &rp,
        &mut authenticator,
        &stored,
        Uuid::from_u128(7).as_bytes(),
        now(),
    )
    .unwrap();
    assert_eq!(
        rp.finish_authentication(
            ceremony,
            &response,
            &id,
            &passkeys,
            &AaguidPolicy::default(),
            now()
        )
        .unwrap_err(),
        PasskeyError::WrongCeremony
    );
}

#[test]
fn expired_ceremony_and_foreign_credentials_are_refused() {
    let rp = passkeys();
    let mut authenticator = SoftPasskey::new(true);
    let stored = register(&rp, &mut authenticator, &AaguidPolicy::default(), no_change).unwrap();
    let id = user_id();
    let handle = Uuid::parse_str(id.as_str()).unwrap();
    let passkeys = [candidate(stored.clone())];

    let (response, ceremony) =
        discoverable_sign_in(&rp, &mut authenticator, &stored, handle.as_bytes(), now()).unwrap();
    assert_eq!(
        rp.finish_authentication(
            ceremony,
            &response,
            &id,
            &passkeys,
            &AaguidPolicy::default(),
            now() + Duration::minutes(5)
        )
        .unwrap_err(),
        PasskeyError::CeremonyExpired
    );

    // The user's list does not hold the credential that answered.
    let mut other = SoftPasskey::new(true);
    let other_stored = register(&rp, &mut other, &AaguidPolicy::default(), no_change).unwrap();
    let (response, ceremony) =
        discoverable_sign_in(&rp, &mut other, &other_stored, handle.as_bytes(), now()).unwrap();
    assert_eq!(
        rp.finish_authentication(
            ceremony,
            &response,
            &id,
            &passkeys,
            &AaguidPolicy::default(),
            now()
        )
        .unwrap_err(),
        PasskeyError::UnknownCredential
    );
}

#[test]
fn a_response_is_bound_to_its_own_challenge_and_origin() {
    let rp = passkeys();
    let mut authenticator = SoftPasskey::new(true);
    let id = user_id();
    let user = PasskeyUser {
        id: &id,
        name: "adele@example.com",
        display_name: "Adele Vance",
    };
    let (options, ceremony) = rp.begin_registration(user, &[], now()).unwrap();
    let (_, other_ceremony) = rp.begin_registration(user, &[], now()).unwrap();
    let response = authenticator
        .do_registration(origin(), serde_json::from_value(options).unwrap())
        .unwrap();
    let json = serde_json::to_string(&response).unwrap();
    // Replayed into another ceremony: the challenge differs.
    assert!(matches!(
        rp.finish_registration(other_ceremony, &json, &AaguidPolicy::default(), now()),
        Err(PasskeyError::Rejected(_))
    ));
    assert!(
        rp.finish_registration(ceremony, &json, &AaguidPolicy::default(), now())
            .is_ok()
    );

    // Made on a look-alike site whose RP ID equals ours (a proxy that rewrote it): the
    // client data names the phishing origin, which the relying party refuses.
    let phishing = Url::parse("https://login.example.com.evil.test").unwrap();
    let (options, ceremony) = rp.begin_registration(user, &[], now()).unwrap();
    let mut options: CreationChallengeResponse = serde_json::from_value(options).unwrap();
    options.public_key.rp.id = "login.example.com.evil.test".into();
    let response = authenticator.do_registration(phishing, options).unwrap();
    let json = serde_json::to_string(&response).unwrap();
    assert!(matches!(
        rp.finish_registration(ceremony, &json, &AaguidPolicy::default(), now()),
        Err(PasskeyError::Rejected(_))
    ));
}

#[test]
fn malformed_responses_are_errors() {
    let rp = passkeys();
    let id = user_id();
    let user = PasskeyUser {
        id: &id,
        name: "adele@example.com",
        display_name: "",
    };
    let (options, ceremony) = rp.begin_registration(user, &[], now()).unwrap();
    // An empty display name falls back to the user name.
    assert_eq!(
        options["publicKey"]["user"]["displayName"],
        "adele@example.com"
    );
    assert_eq!(
        options["publicKey"]["authenticatorSelection"]["residentKey"],
        "preferred"
    );
    for garbage in ["", "{}", "[]", "{\"id\":1}", "null"] {
        assert!(matches!(
            rp.finish_registration(ceremony.clone(), garbage, &AaguidPolicy::default(), now()),
            Err(PasskeyError::MalformedResponse(_))
        ));
        assert!(matches!(
            PasskeyResponse::parse(garbage),
            Err(PasskeyError::MalformedResponse(_))
        ));
    }
    assert!(portcullis_passkeys::RegistrationCeremony::from_json("{").is_err());
}
