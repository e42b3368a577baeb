//! The words of a code message: what the code is for (signing in, adding a phone or an
//! email address, resetting a password) decides what it says and what it warns of, and
//! the channel decides its form (a voice call reads the digits one by one, twice).

use portcullis_authn::otp_code::IssuedCode;
use portcullis_core::{CorrelationId, UserId};
use serde::{Deserialize, Serialize};

use super::CodeChannel;

/// What a code proves when it comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CodePurpose {
    /// A second factor (or a step-up) of a sign-in.
    SignIn,
    /// Proof that the phone or address being added to security info is the user's.
    Registration,
    /// Proof of a method during self-service password reset.
    PasswordReset,
}

/// One code to deliver.
#[derive(Clone)]
pub struct CodeMessage {
    pub channel: CodeChannel,
    pub purpose: CodePurpose,
    /// Phone number (E.164) or email address.
    pub destination: String,
    pub code: IssuedCode,
    pub user_id: UserId,
    /// A sign-in's application, named so the user knows which sign-in asked.
    pub app_display_name: Option<String>,
    pub correlation_id: CorrelationId,
}

impl std::fmt::Debug for CodeMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeMessage")
            .field("channel", &self.channel)
            .field("purpose", &self.purpose)
            .field("user_id", &self.user_id)
            .field("correlation_id", &self.correlation_id)
            .finish_non_exhaustive()
    }
}

impl CodeMessage {
    /// The subject line of an email.
    pub fn subject(&self) -> &'static str {
        match self.purpose {
            CodePurpose::SignIn => "Your Portcullis sign-in code",
            CodePurpose::Registration => "Your Portcullis code to add this email address",
            CodePurpose::PasswordReset => "Your Portcullis password reset code",
        }
    }

    /// The text of the message (read out on a voice call).
    pub fn text(&self) -> String {
        let code = self.code.as_str();
        let what = self.what_the_code_does();
        let warning = self.warning();
        match self.channel {
            CodeChannel::Voice => {
                let spoken = spoken_digits(code);
                format!(
                    "This is Portcullis. {what} is: {spoken}. Again, the code is: {spoken}. {warning}"
                )
            }
            CodeChannel::Sms | CodeChannel::Email => format!("{what} is {code}. {warning}"),
        }
    }

    fn what_the_code_does(&self) -> String {
        match (self.purpose, &self.app_display_name) {
            (CodePurpose::SignIn, Some(app)) => {
                format!("Your Portcullis code to sign in to {app}")
            }
            (CodePurpose::SignIn, None) => "Your Portcullis sign-in code".to_owned(),
            (CodePurpose::Registration, _) => format!(
                "Your Portcullis code to add this {} to your security info",
                self.destination_kind()
            ),
            (CodePurpose::PasswordReset, _) => "Your Portcullis password reset code".to_owned(),
        }
    }

    fn warning(&self) -> String {
        match self.purpose {
            CodePurpose::SignIn => "If you are not signing in right now, do not share it: \
                 someone else may know your password, so change it."
                .to_owned(),
            CodePurpose::Registration => format!(
                "If you did not ask to add this {}, do not share the code: nothing is added without it.",
                self.destination_kind()
            ),
            CodePurpose::PasswordReset => "If you did not ask to reset your password, do not \
                 share the code: your password stays as it is without it."
                .to_owned(),
        }
    }

    fn destination_kind(&self) -> &'static str {
        match self.channel {
            CodeChannel::Sms | CodeChannel::Voice => "phone number",
            CodeChannel::Email => "email address",
        }
    }
}

/// "1 2 3" reads as one number to a speech engine; "1, 2, 3" is read digit by digit.
fn spoken_digits(code: &str) -> String {
    code.chars()
        .map(String::from)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[path = "message_tests.rs"]
mod tests;
