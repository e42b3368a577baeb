//! What the protected application learns about the user: `Remote-*` headers and,
//! optionally, a signed JWT carrying the same facts (for apps that would rather verify
//! a signature against `/.well-known/jwks.json` than trust a header; see
//! [`super::identity_token`]).

use time::Duration;

use crate::sessions::SessionUser;

/// How long the identity JWT is valid; it is re-signed when a cached judgement is
/// renewed, so it never outlives the judgement it came from.
pub const IDENTITY_TOKEN_LIFETIME: Duration = Duration::minutes(5);

/// Header names, as Authelia, authentik and most apps expect them.
pub const REMOTE_USER: &str = "Remote-User";
pub const REMOTE_EMAIL: &str = "Remote-Email";
pub const REMOTE_NAME: &str = "Remote-Name";
pub const REMOTE_GROUPS: &str = "Remote-Groups";

/// The identity headers for `user`. Values are cleaned of control characters (a
/// display name must not be able to inject a header), and commas inside group names are
/// replaced because `Remote-Groups` is comma-separated.
pub fn identity_headers(user: &SessionUser) -> Vec<(&'static str, String)> {
    let email = user
        .mail
        .clone()
        .unwrap_or_else(|| user.user_principal_name.clone());
    let groups: Vec<String> = user
        .group_names
        .iter()
        .map(|name| clean(name).replace(',', " "))
        .collect();
    vec![
        (REMOTE_USER, clean(&user.user_principal_name)),
        (REMOTE_EMAIL, clean(&email)),
        (REMOTE_NAME, clean(&user.display_name)),
        (REMOTE_GROUPS, groups.join(",")),
    ]
}

fn clean(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).collect()
}
