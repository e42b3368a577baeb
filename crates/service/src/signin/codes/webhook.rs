//! SMS and voice codes through an HTTP provider: one JSON `POST` per code to the
//! configured URL, authenticated with a bearer token. Providers (or a small adapter in
//! front of one) accept `{"channel","purpose","to","message","code","correlationId"}`.

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{CodeDeliveryError, CodeMessage, CodeSender};

/// Webhook settings (`[signin.sms]` / `[signin.voice]` in the server configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct WebhookSettings {
    /// `https://…` (plain `http://` only for loopback test providers).
    pub url: String,
    #[serde(default)]
    pub bearer_token: Option<String>,
    #[serde(default = "default_timeout_seconds")]
    pub timeout_seconds: u64,
}

fn default_timeout_seconds() -> u64 {
    10
}

pub struct WebhookCodeSender {
    client: reqwest::Client,
    settings: WebhookSettings,
}

impl WebhookCodeSender {
    pub fn new(settings: WebhookSettings) -> Result<Self, CodeDeliveryError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(settings.timeout_seconds.max(1)))
            .build()
            .map_err(|err| CodeDeliveryError::Unreachable(err.to_string()))?;
        Ok(WebhookCodeSender { client, settings })
    }
}

#[async_trait]
impl CodeSender for WebhookCodeSender {
    async fn send(&self, message: &CodeMessage) -> Result<(), CodeDeliveryError> {
        let mut request = self.client.post(&self.settings.url).json(&json!({
            "channel": message.channel,
            "purpose": message.purpose,
            "to": message.destination,
            "message": message.text(),
            "code": message.code.as_str(),
            "correlationId": message.correlation_id,
        }));
        if let Some(token) = &self.settings.bearer_token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|err| CodeDeliveryError::Unreachable(err.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(CodeDeliveryError::Refused(format!(
                "the provider answered {status}"
            )))
        }
    }
}
