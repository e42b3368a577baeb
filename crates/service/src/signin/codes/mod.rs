//! Delivery of one-time codes (SMS, voice, email). The pipeline issues a code, keeps
//! only its salted hash in the transaction and enforces lifetime, attempts and resend
//! throttling (portcullis-authn `otp_code`); this module only carries the plaintext to
//! the user, once, after the step's state is committed.
//!
//! Providers: [`FileCodeSender`] (development and tests: appends a JSON line per code to
//! a file, or logs it), [`SmtpCodeSender`] (email over SMTP with STARTTLS, or plain for a
//! loopback sink), [`WebhookCodeSender`] (SMS and voice through an HTTP provider), and
//! [`RoutingCodeSender`] which picks one per channel.

mod file;
mod message;
mod smtp;
mod throttle;
mod webhook;

use async_trait::async_trait;
pub use file::FileCodeSender;
pub use message::{CodeMessage, CodePurpose};
use portcullis_core::{CorrelationId, UserId};
use serde::{Deserialize, Serialize};
pub use smtp::{SmtpCodeSender, SmtpSecurity, SmtpSettings};
pub use throttle::{claim_code_send, user_sends_per_window};
pub use webhook::{WebhookCodeSender, WebhookSettings};

/// How a code travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CodeChannel {
    Sms,
    Voice,
    Email,
}

/// Why a code could not be delivered.
#[derive(Debug, thiserror::Error)]
pub enum CodeDeliveryError {
    #[error("no provider is configured for {0:?} codes")]
    NoProvider(CodeChannel),
    #[error("the provider refused the message: {0}")]
    Refused(String),
    #[error("the provider could not be reached: {0}")]
    Unreachable(String),
}

/// A security notice to a user (no code): "your password was reset".
#[derive(Debug, Clone)]
pub struct Notice {
    pub channel: CodeChannel,
    pub destination: String,
    pub user_id: UserId,
    pub subject: String,
    pub text: String,
    pub correlation_id: CorrelationId,
}

impl Notice {
    /// The notice after a self-service password reset, by email.
    pub fn password_reset(
        user: &portcullis_core::User,
        address: &str,
        at: time::OffsetDateTime,
        correlation_id: CorrelationId,
    ) -> Self {
        let when = at
            .format(&time::format_description::well_known::Rfc2822)
            .unwrap_or_else(|_| at.to_string());
        Notice {
            channel: CodeChannel::Email,
            destination: address.to_owned(),
            user_id: user.id.clone(),
            subject: "Your Portcullis password was reset".to_owned(),
            text: format!(
                "The password of {} was reset on {when}, and every session was signed out. If you did not do this, contact your helpdesk now (reference {correlation_id}).",
                user.user_principal_name
            ),
            correlation_id,
        }
    }
}

/// Carries codes (and security notices) to users.
#[async_trait]
pub trait CodeSender: Send + Sync {
    async fn send(&self, message: &CodeMessage) -> Result<(), CodeDeliveryError>;

    /// Whether a provider is configured for `channel` (so a method using it may be
    /// offered for registration).
    fn carries(&self, _channel: CodeChannel) -> bool {
        true
    }

    /// Delivers a notice; a provider that cannot carry notices says so.
    async fn notify(&self, notice: &Notice) -> Result<(), CodeDeliveryError> {
        Err(CodeDeliveryError::NoProvider(notice.channel))
    }
}

/// Picks a provider per channel.
#[derive(Default)]
pub struct RoutingCodeSender {
    pub email: Option<Box<dyn CodeSender>>,
    pub sms: Option<Box<dyn CodeSender>>,
    pub voice: Option<Box<dyn CodeSender>>,
}

impl RoutingCodeSender {
    fn provider(&self, channel: CodeChannel) -> &Option<Box<dyn CodeSender>> {
        match channel {
            CodeChannel::Email => &self.email,
            CodeChannel::Sms => &self.sms,
            CodeChannel::Voice => &self.voice,
        }
    }
}

#[async_trait]
impl CodeSender for RoutingCodeSender {
    fn carries(&self, channel: CodeChannel) -> bool {
        self.provider(channel)
            .as_ref()
            .is_some_and(|provider| provider.carries(channel))
    }

    async fn send(&self, message: &CodeMessage) -> Result<(), CodeDeliveryError> {
        match self.provider(message.channel) {
            Some(provider) => provider.send(message).await,
            None => Err(CodeDeliveryError::NoProvider(message.channel)),
        }
    }

    async fn notify(&self, notice: &Notice) -> Result<(), CodeDeliveryError> {
        match self.provider(notice.channel) {
            Some(provider) => provider.notify(notice).await,
            None => Err(CodeDeliveryError::NoProvider(notice.channel)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_carries_only_the_channels_with_a_provider() {
        let routing = RoutingCodeSender {
            email: None,
            sms: Some(Box::new(FileCodeSender::new(None))),
            voice: None,
        };
        assert!(routing.carries(CodeChannel::Sms));
        assert!(!routing.carries(CodeChannel::Voice));
        assert!(!routing.carries(CodeChannel::Email));
        assert!(!RoutingCodeSender::default().carries(CodeChannel::Sms));
    }
}
