//! A grant's re-judgement reads (`GrantSubjectStore`) as one statement: the user, their
//! credentials, stored risk, transitive groups, effective roles and sign-in state, and
//! the session, each a part of one `UNION ALL`. On SQLite every statement is a round
//! trip to the connection's worker thread (and every pooled connection's return one
//! more), so seven statements cost several times what one does; the rows read are the
//! same as the single-object reads', which the conformance suite checks fact by fact.
//!
//! Every part fills only the columns its row decoder reads (`doc` and `revision` for a
//! credential, `doc` and `revoked_at` for the session, …); the first part declares the
//! columns' types, which PostgreSQL needs for the `NULL`s of the others.

use async_trait::async_trait;
use std::sync::LazyLock;

use portcullis_core::{CredentialId, SecretHash, SessionId, UserId};
use portcullis_store::{
    ConfigurationVersions, GrantSubject, GrantSubjectStore, RefreshGrantRead, RefreshGrantSubject,
    SignInStepRead, SignInSubjectRead, StoreError, StoreResult, SubjectKey,
};
use sqlx::Row;

use super::{
    SqlStore, decode, directory, oauth_state, read_err, security, sign_in_state, user_risk,
};

type DbRow = <crate::dialect::Db as sqlx::Database>::Row;

const USER: i32 = 1;
const CREDENTIAL: i32 = 2;
const RISK: i32 = 3;
const GROUP: i32 = 4;
const ROLE: i32 = 5;
const SIGN_IN_STATE: i32 = 6;
const SESSION: i32 = 7;

const REFRESH_TOKEN: i32 = 8;
/// The sign-in transaction a step continues: `id` its user, `name` its typed name,
/// `sort_at` its creation (the columns `sign_in_state::TRANSACTION_COLUMNS` names).
const SIGN_IN_TRANSACTION: i32 = 9;
/// The configuration versions: the policy version in `revision`, the directory-wide
/// security epoch in `updated_at` (one row, always).
const VERSIONS: i32 = 0;

/// The user's facts and the session: `$1` the user, `$2` the session (`NULL`: none).
static GRANT_SUBJECT: LazyLock<String> = LazyLock::new(|| subject_statement("", "$1", "$2", ""));

/// The configuration versions as one part: the policy version in `revision`, the
/// directory-wide epoch in `updated_at`.
static VERSIONS_PART: LazyLock<String> = LazyLock::new(|| {
    format!(
        " UNION ALL \
         SELECT {VERSIONS}, NULL, NULL, NULL, NULL, NULL, NULL, \
           (SELECT policy_version FROM store_state WHERE id = 1), NULL, global_epoch, \
           NULL, NULL, NULL, NULL, NULL \
         FROM security_clock WHERE id = 1"
    )
});

/// The configuration versions, the refresh token whose hash is `$1` and
/// [`GRANT_SUBJECT`] for its user and its session: the token's row is found once (the
/// `presented` CTE) and the parts keyed by it. A token without a user (or no such token)
/// reads no facts; the versions row is always there.
static REFRESH_GRANT_SUBJECT: LazyLock<String> = LazyLock::new(|| {
    subject_statement(
        "presented AS ( \
           SELECT doc, user_id, session_id, used_at, revoked_at FROM refresh_tokens \
           WHERE token_hash = $1 \
         ), ",
        "(SELECT user_id FROM presented)",
        "(SELECT session_id FROM presented)",
        &format!(
            " UNION ALL \
             SELECT {REFRESH_TOKEN}, doc, NULL, NULL, NULL, NULL, NULL, NULL, revoked_at, NULL, \
               NULL, NULL, NULL, used_at, NULL \
             FROM presented{}",
            VERSIONS_PART.as_str()
        ),
    )
});

/// A sign-in step's read: the configuration versions and [`GRANT_SUBJECT`]'s facts (no
/// session) of the user the `target` CTE finds — by id, by name or by credential (`$1`).
fn sign_in_subject_statement(target: &str) -> String {
    subject_statement(
        &format!("target AS ({target}), "),
        "(SELECT id FROM target)",
        "NULL",
        &VERSIONS_PART,
    )
}

static SIGN_IN_SUBJECT_BY_ID: LazyLock<String> =
    LazyLock::new(|| sign_in_subject_statement("SELECT id FROM users WHERE id = $1"));
static SIGN_IN_SUBJECT_BY_NAME: LazyLock<String> =
    LazyLock::new(|| sign_in_subject_statement("SELECT id FROM users WHERE upn_lower = $1"));
static SIGN_IN_SUBJECT_BY_CREDENTIAL: LazyLock<String> = LazyLock::new(|| {
    sign_in_subject_statement("SELECT user_id AS id FROM credentials WHERE id = $1")
});

/// A step that continues the stored transaction whose id hash is `$1`: the transaction
/// (the `stepping` CTE, read once) as the last part, and [`sign_in_subject_statement`]'s
/// parts for the user its stored subject names — the user, else the owner of the passkey
/// credential `$2` (`NULL`: no passkey in this step), else the typed name. The three
/// branches of `target` exclude each other, so it has at most one row.
static SIGN_IN_STEP_READ: LazyLock<String> = LazyLock::new(|| {
    subject_statement(
        "stepping AS ( \
           SELECT revision, created_at, expires_at, doc, user_id, upn_lower \
           FROM sign_in_transactions WHERE id_hash = $1 \
         ), \
         target AS ( \
           SELECT id FROM users WHERE id = (SELECT user_id FROM stepping) \
           UNION ALL \
           SELECT user_id AS id FROM credentials \
           WHERE id = CAST($2 AS TEXT) AND EXISTS (SELECT 1 FROM stepping WHERE user_id IS NULL) \
           UNION ALL \
           SELECT id FROM users \
           WHERE upn_lower = (SELECT upn_lower FROM stepping WHERE user_id IS NULL) \
             AND CAST($2 AS TEXT) IS NULL \
         ), ",
        "(SELECT id FROM target)",
        "NULL",
        &format!(
            " UNION ALL \
             SELECT {SIGN_IN_TRANSACTION}, doc, user_id, NULL, NULL, NULL, NULL, revision, NULL, \
               NULL, expires_at, NULL, created_at, NULL, upn_lower \
             FROM stepping{}",
            VERSIONS_PART.as_str()
        ),
    )
});

/// The `UNION ALL` of every part for the user `user` and the session `session` (SQL
/// expressions), after the common table expressions `ctes` (each ending in a comma) and
/// with `more` parts appended. The groups are `TRANSITIVE_GROUPS_OF_USER`'s recursion and
/// the roles `EFFECTIVE_ROLES_OF_USER`'s condition; the order is each single read's
/// (credentials by creation then id, groups by id, roles by template id).
fn subject_statement(ctes: &str, user: &str, session: &str, more: &str) -> String {
    format!(
        "WITH RECURSIVE {ctes}up(id) AS ( \
           SELECT group_id FROM group_members WHERE member_user_id = {user} \
           UNION \
           SELECT gm.group_id FROM group_members gm JOIN up ON gm.member_group_id = up.id \
         ) \
         SELECT {USER} AS part, doc, CAST(NULL AS TEXT) AS id, CAST(NULL AS TEXT) AS risk_level, \
           CAST(NULL AS TEXT) AS risk_state, CAST(NULL AS TEXT) AS risk_detail, \
           CAST(NULL AS TEXT) AS role_template_id, CAST(NULL AS BIGINT) AS revision, \
           CAST(NULL AS BIGINT) AS revoked_at, CAST(NULL AS BIGINT) AS updated_at, \
           CAST(NULL AS BIGINT) AS expires_at, CAST(NULL AS BIGINT) AS high_detected_at, \
           CAST(NULL AS BIGINT) AS sort_at, CAST(NULL AS BIGINT) AS used_at, \
           CAST(NULL AS TEXT) AS name \
         FROM users WHERE id = {user} \
         UNION ALL \
         SELECT {CREDENTIAL}, doc, id, NULL, NULL, NULL, NULL, revision, NULL, NULL, NULL, NULL, \
           created_at, NULL, NULL \
         FROM credentials WHERE user_id = {user} \
         UNION ALL \
         SELECT {RISK}, NULL, id, risk_level, risk_state, risk_detail, NULL, NULL, NULL, \
           updated_at, expires_at, high_detected_at, NULL, NULL, NULL \
         FROM risky_users WHERE id = {user} \
         UNION ALL \
         SELECT {GROUP}, NULL, id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
           NULL, NULL \
         FROM up \
         UNION ALL \
         SELECT {ROLE}, NULL, NULL, NULL, NULL, NULL, role_template_id, NULL, NULL, NULL, NULL, \
           NULL, NULL, NULL, NULL \
         FROM (SELECT DISTINCT role_template_id FROM role_assignments \
           WHERE (principal_type = 'user' AND principal_id = {user}) \
              OR (principal_type = 'group' AND principal_id IN (SELECT id FROM up))) roles \
         UNION ALL \
         SELECT {SIGN_IN_STATE}, doc, NULL, NULL, NULL, NULL, NULL, revision, NULL, NULL, NULL, \
           NULL, NULL, NULL, NULL \
         FROM user_sign_in_state WHERE user_id = {user} \
         UNION ALL \
         SELECT {SESSION}, doc, NULL, NULL, NULL, NULL, NULL, NULL, revoked_at, NULL, NULL, NULL, \
           NULL, NULL, NULL \
         FROM sessions WHERE id = {session}{more} \
         ORDER BY part, sort_at, id, role_template_id"
    )
}

#[async_trait]
impl GrantSubjectStore for SqlStore {
    async fn grant_subject(
        &self,
        user: &UserId,
        session: Option<&SessionId>,
    ) -> StoreResult<GrantSubject> {
        let rows = sqlx::query(GRANT_SUBJECT.as_str())
            .bind(user.as_str().to_owned())
            .bind(session.map(|id| id.as_str().to_owned()))
            .fetch_all(&self.pool)
            .await
            .map_err(read_err)?;
        subject_from_rows(&rows)
    }

    async fn refresh_grant_subject(
        &self,
        token_hash: &SecretHash,
    ) -> StoreResult<RefreshGrantRead> {
        let rows = sqlx::query(REFRESH_GRANT_SUBJECT.as_str())
            .bind(token_hash.as_str().to_owned())
            .fetch_all(&self.pool)
            .await
            .map_err(read_err)?;
        // `ORDER BY part`: the versions first, the token (if any) last.
        let (versions, rest) = versions_first("refresh grant subject", &rows)?;
        let presented = match rest.split_last() {
            None => None,
            Some((token_row, facts)) => {
                if part_of(token_row)? != REFRESH_TOKEN {
                    return Err(StoreError::Backend(
                        "refresh grant subject: facts read without their token".into(),
                    ));
                }
                let token = oauth_state::refresh_token_from_row(token_row)?;
                let subject = if token.user_id.is_some() {
                    subject_from_rows(facts)?
                } else {
                    GrantSubject::default()
                };
                Some(RefreshGrantSubject { token, subject })
            }
        };
        Ok(RefreshGrantRead {
            versions,
            presented,
        })
    }

    async fn sign_in_subject(&self, key: SubjectKey<'_>) -> StoreResult<SignInSubjectRead> {
        let (statement, bound) = match key {
            SubjectKey::User(id) => (&*SIGN_IN_SUBJECT_BY_ID, id.as_str().to_owned()),
            SubjectKey::Name(name) => (
                &*SIGN_IN_SUBJECT_BY_NAME,
                portcullis_core::user::normalize_upn(name),
            ),
            SubjectKey::CredentialOwner(credential) => (
                &*SIGN_IN_SUBJECT_BY_CREDENTIAL,
                credential.as_str().to_owned(),
            ),
        };
        let rows = sqlx::query(statement.as_str())
            .bind(bound)
            .fetch_all(&self.pool)
            .await
            .map_err(read_err)?;
        let (versions, facts) = versions_first("sign-in subject", &rows)?;
        Ok(SignInSubjectRead {
            versions,
            subject: subject_from_rows(facts)?,
        })
    }

    async fn sign_in_step_read(
        &self,
        transaction: &SecretHash,
        credential: Option<&CredentialId>,
    ) -> StoreResult<SignInStepRead> {
        let rows = sqlx::query(SIGN_IN_STEP_READ.as_str())
            .bind(transaction.as_str().to_owned())
            .bind(credential.map(|id| id.as_str().to_owned()))
            .fetch_all(&self.pool)
            .await
            .map_err(read_err)?;
        // `ORDER BY part`: the versions first, the transaction (if any) last.
        let (versions, rest) = versions_first("sign-in step read", &rows)?;
        let (transaction, facts) = match rest.split_last() {
            Some((last, facts)) if part_of(last)? == SIGN_IN_TRANSACTION => (
                Some(sign_in_state::transaction_from_row(transaction, last)?),
                facts,
            ),
            _ if rest.is_empty() => (None, rest),
            _ => {
                return Err(StoreError::Backend(
                    "sign-in step read: facts read without their transaction".into(),
                ));
            }
        };
        Ok(SignInStepRead {
            transaction,
            read: SignInSubjectRead {
                versions,
                subject: subject_from_rows(facts)?,
            },
        })
    }
}

/// The versions part, which `ORDER BY part` puts first, and the rows after it.
fn versions_first<'r>(
    what: &str,
    rows: &'r [DbRow],
) -> StoreResult<(ConfigurationVersions, &'r [DbRow])> {
    let missing = || StoreError::Backend(format!("{what}: no configuration versions"));
    let (versions_row, rest) = rows.split_first().ok_or_else(missing)?;
    if part_of(versions_row)? != VERSIONS {
        return Err(missing());
    }
    let versions = ConfigurationVersions {
        policy_version: versions_row.try_get("revision").map_err(read_err)?,
        global_epoch: versions_row.try_get("updated_at").map_err(read_err)?,
    };
    Ok((versions, rest))
}

fn part_of(row: &DbRow) -> StoreResult<i32> {
    row.try_get::<i32, _>("part").map_err(read_err)
}

/// The subject from its parts' rows.
fn subject_from_rows(rows: &[DbRow]) -> StoreResult<GrantSubject> {
    let mut subject = GrantSubject::default();
    for row in rows {
        match part_of(row)? {
            USER => {
                let doc: String = row.try_get("doc").map_err(read_err)?;
                subject.user = Some(decode("user", &doc)?);
            }
            CREDENTIAL => subject
                .credentials
                .push(security::credential_from_row(row)?),
            RISK => subject.risk = Some(user_risk::risk_from_row(row)?),
            GROUP => subject
                .groups
                .push(directory::group_id(row.try_get("id").map_err(read_err)?)?),
            ROLE => subject.roles.push(directory::role_from_row(row)?),
            SIGN_IN_STATE => {
                // `ORDER BY part`: the user's row came first; without one, only the
                // session is returned below.
                if let Some(user) = &subject.user {
                    subject.sign_in_state =
                        Some(sign_in_state::user_state_from_row(&user.id, row)?);
                }
            }
            SESSION => subject.session = Some(security::session_from_row(row)?),
            other => {
                return Err(StoreError::Backend(format!(
                    "grant subject: unknown part {other}"
                )));
            }
        }
    }
    if subject.user.is_none() {
        // A deleted user: only the session is judged (its end is then recorded).
        return Ok(GrantSubject {
            session: subject.session,
            ..GrantSubject::default()
        });
    }
    Ok(subject)
}
