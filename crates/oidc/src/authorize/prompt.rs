//! The `prompt` parameter (OpenID Connect Core §3.1.2.1).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prompt {
    /// No user interaction: answer `login_required` / `consent_required` /
    /// `interaction_required` / `account_selection_required` instead.
    None,
    /// Reauthenticate even with a valid session.
    Login,
    Consent,
    SelectAccount,
}

/// The requested prompts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptSet {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
    pub select_account: bool,
}

impl PromptSet {
    /// Parses the space-separated value. `none` with any other value is an error, as
    /// is a value this provider does not know (better a clear answer than silently
    /// skipping a re-authentication the client asked for).
    pub fn parse(value: &str) -> Result<Self, String> {
        let mut set = PromptSet::default();
        for token in value.split(' ').filter(|t| !t.is_empty()) {
            match token {
                "none" => set.none = true,
                "login" => set.login = true,
                "consent" => set.consent = true,
                "select_account" => set.select_account = true,
                other => return Err(format!("prompt value {other:?} is not supported")),
            }
        }
        if set.none && (set.login || set.consent || set.select_account) {
            return Err("prompt=none cannot be combined with other prompt values".into());
        }
        Ok(set)
    }

    pub fn contains(&self, prompt: Prompt) -> bool {
        match prompt {
            Prompt::None => self.none,
            Prompt::Login => self.login,
            Prompt::Consent => self.consent,
            Prompt::SelectAccount => self.select_account,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_alone_or_others_together() {
        assert!(PromptSet::parse("none").unwrap().none);
        let both = PromptSet::parse("login consent").unwrap();
        assert!(both.login && both.consent && !both.none);
        assert!(PromptSet::parse("none login").is_err());
        assert!(PromptSet::parse("create").is_err());
    }
}
