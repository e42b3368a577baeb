//! A password the user chooses (a forced change inside a sign-in, self-service reset):
//! the configured rules, the user's own names, the offline leaked-password ranges, and
//! the store changes that replace the old password.
//!
//! Why the leaked check reads files: Have I Been Pwned publishes its corpus as range
//! files named by the first five hex digits of a password's SHA-1 (k-anonymity). An
//! operator mirrors them into a directory; nothing leaves the machine.

use std::path::PathBuf;

use portcullis_authn::password::{
    LeakedPasswordQuery, PasswordContext, PasswordRejection, PasswordRules, PasswordRulesConfig,
    PasswordRulesError, RejectionReason,
};
use portcullis_core::{Credential, CredentialKind, UserId};
use portcullis_store::Change;
use time::OffsetDateTime;

use super::credential_payload::PasswordPayload;

/// The `[signin.passwords]` settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPasswordSettings {
    pub rules: PasswordRulesConfig,
    /// A directory of Have I Been Pwned range files (`5BAA6` or `5BAA6.txt`, lines of
    /// `SUFFIX:COUNT`); `None`: no leaked-password check.
    pub leaked_ranges_dir: Option<PathBuf>,
}

/// The rules, validated once at start-up.
#[derive(Debug, Clone)]
pub(crate) struct NewPasswordChecker {
    rules: PasswordRules,
    leaked_ranges_dir: Option<PathBuf>,
}

impl NewPasswordChecker {
    pub(crate) fn new(settings: &NewPasswordSettings) -> Result<Self, PasswordRulesError> {
        Ok(Self {
            rules: PasswordRules::new(&settings.rules)?,
            leaked_ranges_dir: settings.leaked_ranges_dir.clone(),
        })
    }

    /// Every reason `password` may not be `user`'s new password (not just the first).
    pub(crate) async fn check(
        &self,
        user_principal_name: &str,
        display_name: &str,
        password: &str,
    ) -> Result<(), PasswordRejection> {
        let words = personal_words(user_principal_name, display_name);
        let borrowed: Vec<&str> = words.iter().map(String::as_str).collect();
        let context = PasswordContext {
            leaked_occurrences: self.leaked_occurrences(password).await,
            personal_words: &borrowed,
        };
        self.rules.check_in_context(password, &context)
    }

    /// How often the password appears in the mirrored breach corpus. A missing range
    /// file counts as not found; an unreadable or malformed one is logged as an error and
    /// skipped, so a broken mirror weakens one check instead of stopping every password
    /// change (the other rules still apply).
    async fn leaked_occurrences(&self, password: &str) -> u64 {
        let Some(dir) = &self.leaked_ranges_dir else {
            return 0;
        };
        let query = LeakedPasswordQuery::for_password(password);
        for name in [format!("{}.txt", query.prefix()), query.prefix().to_owned()] {
            let path = dir.join(&name);
            match tokio::fs::read(&path).await {
                Ok(bytes) => {
                    return query.occurrences_in(&bytes).unwrap_or_else(|error| {
                        tracing::error!(path = %path.display(), %error, "leaked-password range file is malformed; check skipped");
                        0
                    });
                }
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => {
                    tracing::error!(path = %path.display(), %error, "leaked-password range file unreadable; check skipped");
                    return 0;
                }
            }
        }
        0
    }
}

/// The words of a user's own names a password must not contain: the user principal
/// name, its local part and the parts of the display name.
fn personal_words(user_principal_name: &str, display_name: &str) -> Vec<String> {
    let mut words = vec![user_principal_name.to_owned()];
    if let Some((local, _)) = user_principal_name.split_once('@') {
        words.push(local.to_owned());
        words.extend(
            local
                .split(['.', '_', '-'])
                .filter(|part| !part.is_empty())
                .map(str::to_owned),
        );
    }
    words.extend(display_name.split_whitespace().map(str::to_owned));
    words
}

/// A rejection in one sentence the user can act on.
pub(crate) fn rejection_message(rejection: &PasswordRejection) -> String {
    let reasons: Vec<String> = rejection
        .reasons
        .iter()
        .map(RejectionReason::to_string)
        .collect();
    let mut message = reasons.join("; ");
    if let Some(first) = message.get(..1) {
        message = first.to_uppercase() + &message[1..];
    }
    message.push('.');
    message
}

/// The changes that make `phc` the user's only password, which also ends every session
/// created before `now` (continuous access evaluation reads the password's creation
/// time).
pub(crate) fn password_replacement(
    existing: &[Credential],
    user: &UserId,
    phc: String,
    must_change: bool,
    now: OffsetDateTime,
) -> Vec<Change> {
    let mut changes: Vec<Change> = existing
        .iter()
        .filter(|credential| credential.kind == CredentialKind::Password)
        .map(|credential| Change::DeleteCredential(credential.id.clone()))
        .collect();
    let mut credential = crate::bootstrap::password_credential(user, &phc, now);
    credential.payload = PasswordPayload { phc, must_change }.to_value();
    changes.push(Change::AddCredential(credential));
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checker(dir: Option<PathBuf>) -> NewPasswordChecker {
        NewPasswordChecker::new(&NewPasswordSettings {
            rules: PasswordRulesConfig {
                banned_words: vec!["contoso".into()],
                ..PasswordRulesConfig::default()
            },
            leaked_ranges_dir: dir,
        })
        .unwrap()
    }

    #[tokio::test]
    async fn a_good_password_passes_and_each_rule_is_reported() {
        let checker = checker(None);
        assert!(
            checker
                .check(
                    "ada@contoso.com",
                    "Ada Lovelace",
                    "violet-harbour-engine-42"
                )
                .await
                .is_ok()
        );
        let rejected = checker
            .check(
                "ada.lovelace@example.com",
                "Ada Lovelace",
                "Lovelace-C0nt0so",
            )
            .await
            .unwrap_err();
        assert!(
            rejected
                .reasons
                .contains(&RejectionReason::ContainsPersonalInfo)
        );
        assert!(rejected.reasons.iter().any(|reason| matches!(
            reason,
            RejectionReason::ContainsBannedWord { word } if word == "contoso"
        )));
        let short = checker.check("a@b.c", "A", "short").await.unwrap_err();
        assert!(matches!(
            short.reasons[0],
            RejectionReason::TooShort { minimum: 8, .. }
        ));
        assert!(rejection_message(&short).starts_with("Use at least 8"));
    }

    #[tokio::test]
    async fn the_leaked_check_reads_the_range_file_and_survives_a_broken_one() {
        let dir = tempfile::tempdir().unwrap();
        let query = LeakedPasswordQuery::for_password("violet-harbour-engine-42");
        std::fs::write(
            dir.path().join(format!("{}.txt", query.prefix())),
            format!("{}:17\r\n", query.suffix()),
        )
        .unwrap();
        let checker = checker(Some(dir.path().to_owned()));
        let rejected = checker
            .check("ada@example.com", "Ada", "violet-harbour-engine-42")
            .await
            .unwrap_err();
        assert_eq!(
            rejected.reasons,
            vec![RejectionReason::Leaked { occurrences: 17 }]
        );
        // A malformed range file skips the check instead of refusing every password.
        std::fs::write(
            dir.path().join(format!("{}.txt", query.prefix())),
            "not a range file",
        )
        .unwrap();
        assert!(
            checker
                .check("ada@example.com", "Ada", "violet-harbour-engine-42")
                .await
                .is_ok()
        );
    }

    #[test]
    fn the_replacement_deletes_every_old_password() {
        let user = UserId::from_uuid(uuid::Uuid::new_v4());
        let now = OffsetDateTime::now_utc();
        let old = crate::bootstrap::password_credential(&user, "$argon2id$old", now);
        let changes = password_replacement(
            std::slice::from_ref(&old),
            &user,
            "$argon2id$new".into(),
            false,
            now,
        );
        assert!(matches!(&changes[0], Change::DeleteCredential(id) if *id == old.id));
        assert!(
            matches!(&changes[1], Change::AddCredential(new) if new.payload["phc"] == "$argon2id$new")
        );
    }
}
