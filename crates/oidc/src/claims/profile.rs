//! Profile, email and groups claims, released by scope (OpenID Connect Core §5.4),
//! and the userinfo answer.

use serde::{Deserialize, Serialize};

use crate::scope::{EMAIL, GROUPS, PROFILE, Scope};

/// What the directory knows about the user; the glue fills it from
/// `portcullis_core::User` (display name, UPN, mail) and the user's groups.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserProfile {
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub preferred_username: Option<String>,
    pub email: Option<String>,
    pub email_verified: bool,
    /// Group names or ids, as the application is configured to receive them.
    pub groups: Vec<String>,
}

/// The claims one scope set releases. Absent values are left out of the JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileClaims {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
}

impl ProfileClaims {
    /// `profile` → names, `email` → email and whether it is verified, `groups` →
    /// groups. Nothing else leaves without its scope.
    pub fn for_scope(profile: &UserProfile, scope: &Scope) -> Self {
        let mut claims = ProfileClaims::default();
        if scope.contains(PROFILE) {
            claims.name = profile.name.clone();
            claims.given_name = profile.given_name.clone();
            claims.family_name = profile.family_name.clone();
            claims.preferred_username = profile.preferred_username.clone();
        }
        if scope.contains(EMAIL) && profile.email.is_some() {
            claims.email = profile.email.clone();
            claims.email_verified = Some(profile.email_verified);
        }
        if scope.contains(GROUPS) {
            claims.groups = Some(profile.groups.clone());
        }
        claims
    }
}

/// The userinfo response (OpenID Connect Core §5.3.2): `sub` always, the rest by the
/// access token's scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub sub: String,
    #[serde(flatten)]
    pub claims: ProfileClaims,
}

impl UserInfo {
    pub fn build(subject: &str, profile: &UserProfile, scope: &Scope) -> Self {
        UserInfo {
            sub: subject.to_owned(),
            claims: ProfileClaims::for_scope(profile, scope),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ada() -> UserProfile {
        UserProfile {
            name: Some("Ada Lovelace".into()),
            given_name: Some("Ada".into()),
            family_name: Some("Lovelace".into()),
            preferred_username: Some("ada@example.org".into()),
            email: Some("ada@example.org".into()),
            email_verified: true,
            groups: vec!["engineering".into()],
        }
    }

    #[test]
    fn claims_follow_scope() {
        let only_openid = UserInfo::build("u1", &ada(), &Scope::parse("openid").unwrap());
        assert_eq!(
            serde_json::to_value(&only_openid).unwrap(),
            serde_json::json!({"sub": "u1"})
        );
        let email = UserInfo::build("u1", &ada(), &Scope::parse("openid email").unwrap());
        assert_eq!(
            serde_json::to_value(&email).unwrap(),
            serde_json::json!({"sub": "u1", "email": "ada@example.org", "email_verified": true})
        );
        let all = UserInfo::build(
            "u1",
            &ada(),
            &Scope::parse("openid profile email groups").unwrap(),
        );
        let json = serde_json::to_value(&all).unwrap();
        assert_eq!(json["name"], "Ada Lovelace");
        assert_eq!(json["preferred_username"], "ada@example.org");
        assert_eq!(json["groups"], serde_json::json!(["engineering"]));
    }
}
