//! What the sign-in API tests start from: a server whose argon2 is cheap (tests judge
//! the pipeline, not the hash), and users with a password put straight in the store.

use portcullis_authn::password::{Argon2Params, PasswordHasher};
use portcullis_core::{Credential, CredentialId, CredentialKind, User, UserId, UserType};
use portcullis_server::config::FileConfig;
use portcullis_server::signin_config::SignInSection;
use portcullis_service::signin::credential_payload::PasswordPayload;
use portcullis_store::{Batch, Change};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Backend, TestApp, spawn_with_config};

/// argon2id at 8 MiB and one pass: valid parameters, a few milliseconds per hash.
pub fn cheap_argon2() -> Argon2Params {
    Argon2Params {
        memory_kib: 8 * 1024,
        iterations: 1,
        parallelism: 1,
    }
}

/// A server with [`cheap_argon2`] and otherwise the sign-in settings given.
pub async fn spawn_cheap_argon2(backend: &Backend, signin: SignInSection) -> TestApp {
    let params = cheap_argon2();
    spawn_with_config(
        backend,
        FileConfig {
            signin: SignInSection {
                argon2_memory_kib: Some(params.memory_kib),
                argon2_iterations: Some(params.iterations),
                argon2_parallelism: Some(params.parallelism),
                ..signin
            },
            ..FileConfig::default()
        },
    )
    .await
}

/// A password credential for `user`, hashed with [`cheap_argon2`].
pub fn password_credential(user: &UserId, password: &str) -> Credential {
    let phc = PasswordHasher::new(cheap_argon2())
        .unwrap()
        .hash(password, &mut rand::rng())
        .unwrap();
    Credential {
        id: CredentialId::from_uuid(Uuid::new_v4()),
        user_id: user.clone(),
        kind: CredentialKind::Password,
        display_name: None,
        payload: PasswordPayload {
            phc,
            must_change: false,
        }
        .to_value(),
        metadata: json!({}),
        created_date_time: OffsetDateTime::now_utc(),
        last_used_date_time: None,
        revision: 0,
    }
}

/// A member named `upn` (also their display name) with `password`, in one commit.
pub async fn create_user_with_password(app: &TestApp, upn: &str, password: &str) -> UserId {
    let user = User {
        id: UserId::from_uuid(Uuid::new_v4()),
        user_principal_name: upn.to_owned(),
        display_name: upn.to_owned(),
        mail: None,
        mobile_phone: None,
        user_type: UserType::Member,
        account_enabled: true,
        created_date_time: OffsetDateTime::now_utc(),
        attributes: Default::default(),
    };
    let password = password_credential(&user.id, password);
    app.store()
        .commit(
            Batch::new()
                .change(Change::CreateUser(user.clone()))
                .change(Change::AddCredential(password)),
        )
        .await
        .unwrap();
    user.id
}

/// Gives an existing user `password`.
pub async fn add_password(app: &TestApp, user: &UserId, password: &str) {
    app.store()
        .commit(Batch::new().change(Change::AddCredential(password_credential(user, password))))
        .await
        .unwrap();
}
