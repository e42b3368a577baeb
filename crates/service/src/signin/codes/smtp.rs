//! Email codes over SMTP (lettre): STARTTLS or implicit TLS to a relay, or plain SMTP to
//! a loopback sink (development and tests only: refused for any other host).

use std::net::IpAddr;

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use super::{CodeDeliveryError, CodeMessage, CodeSender, Notice};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SmtpSecurity {
    /// Plain SMTP upgraded with STARTTLS (port 587); the upgrade is required.
    #[default]
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption; allowed only to a loopback address (a local sink).
    PlainLoopback,
}

/// SMTP settings (`[signin.email]` in the server configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    #[serde(default)]
    pub security: SmtpSecurity,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// The sender, e.g. `Portcullis <no-reply@example.com>`.
    pub from: String,
}

/// Why SMTP settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SmtpSettingsError {
    #[error("signin.email.from {0:?} is not a mailbox: {1}")]
    From(String, String),
    #[error("signin.email.host {0:?}: {1}")]
    Host(String, String),
    #[error("signin.email.security = plain_loopback needs a loopback host, not {0:?}")]
    PlainNotLoopback(String),
}

pub struct SmtpCodeSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpCodeSender {
    pub fn new(settings: &SmtpSettings) -> Result<Self, SmtpSettingsError> {
        let from: Mailbox =
            settings
                .from
                .parse()
                .map_err(|err: lettre::address::AddressError| {
                    SmtpSettingsError::From(settings.from.clone(), err.to_string())
                })?;
        let host = settings.host.as_str();
        let builder = match settings.security {
            SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|err| SmtpSettingsError::Host(host.to_owned(), err.to_string()))?,
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|err| SmtpSettingsError::Host(host.to_owned(), err.to_string()))?,
            SmtpSecurity::PlainLoopback => {
                let loopback =
                    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
                if !loopback {
                    return Err(SmtpSettingsError::PlainNotLoopback(host.to_owned()));
                }
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            }
        };
        let mut builder = builder.port(settings.port);
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(SmtpCodeSender {
            transport: builder.build(),
            from,
        })
    }
}

impl SmtpCodeSender {
    async fn mail(
        &self,
        destination: &str,
        subject: &str,
        text: String,
    ) -> Result<(), CodeDeliveryError> {
        let to: Mailbox = destination
            .parse()
            .map_err(|err: lettre::address::AddressError| {
                CodeDeliveryError::Refused(format!("the email address is not usable: {err}"))
            })?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(text)
            .map_err(|err| CodeDeliveryError::Refused(err.to_string()))?;
        self.transport.send(email).await.map(|_| ()).map_err(|err| {
            if err.is_permanent() {
                CodeDeliveryError::Refused(err.to_string())
            } else {
                CodeDeliveryError::Unreachable(err.to_string())
            }
        })
    }
}

#[async_trait]
impl CodeSender for SmtpCodeSender {
    async fn send(&self, message: &CodeMessage) -> Result<(), CodeDeliveryError> {
        self.mail(&message.destination, message.subject(), message.text())
            .await
    }

    async fn notify(&self, notice: &Notice) -> Result<(), CodeDeliveryError> {
        self.mail(&notice.destination, &notice.subject, notice.text.clone())
            .await
    }
}
