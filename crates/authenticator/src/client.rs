//! The HTTPS client of the `/authenticator/*` API.

use futures::StreamExt as _;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use portcullis_push::device_request::{
    DEVICE_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, USER_ID_HEADER,
};
use portcullis_push::wire::{
    ACTIVATE_PATH, ActivationResponse, ApiError, EVENTS_PATH, PENDING_PATH, PHONE_SIGN_IN_OFF_PATH,
    PHONE_SIGN_IN_ON_PATH, PendingList, PhoneSignInResponse, RESPOND_PATH, RespondResponse,
};
use portcullis_push::{
    ActivationRequest, AnswerSignature, DevicePublicKey, PushNotice, SignedAnswer, activation_bytes,
};
use reqwest::Url;
use thiserror::Error;
use time::OffsetDateTime;

use crate::device::UnlockedDevice;
use crate::sse::{SseEvent, SseParser};

#[derive(Debug, Error)]
pub enum ClientError {
    #[error("not an activation link (expected https://HOST/authenticator/activate?code=…): {0}")]
    BadActivationLink(String),
    #[error("cannot reach the server: {0}")]
    Transport(#[from] reqwest::Error),
    #[error("the server refused ({status}): {message}")]
    Refused { status: u16, message: String },
}

/// A parsed activation link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivationLink {
    /// Scheme, host and port of the server.
    pub server: String,
    pub code: String,
}

impl ActivationLink {
    pub fn parse(link: &str) -> Result<Self, ClientError> {
        let bad = || ClientError::BadActivationLink(link.to_owned());
        let url = Url::parse(link.trim()).map_err(|_| bad())?;
        if !matches!(url.scheme(), "https" | "http") || url.path() != ACTIVATE_PATH {
            return Err(bad());
        }
        let code = url
            .query_pairs()
            .find(|(name, _)| name == "code")
            .map(|(_, value)| value.into_owned())
            .filter(|code| !code.is_empty())
            .ok_or_else(bad)?;
        let server = url.origin().ascii_serialization();
        Ok(Self { server, code })
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    server: String,
}

impl Client {
    pub fn new(server: &str) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!(
                "portcullis-authenticator/",
                env!("CARGO_PKG_VERSION")
            ))
            .connect_timeout(std::time::Duration::from_secs(10))
            .build()?;
        Ok(Self {
            http,
            server: server.trim_end_matches('/').to_owned(),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server)
    }

    /// Registers `key`'s public half with the one-time code, proving possession.
    pub async fn activate(
        &self,
        code: &str,
        key: &SigningKey,
        display_name: &str,
        phone_sign_in: bool,
    ) -> Result<ActivationResponse, ClientError> {
        let public_key = DevicePublicKey::from_verifying_key(*key.verifying_key());
        let proof: Signature = key.sign(&activation_bytes(code, &public_key.to_sec1()));
        let body = ActivationRequest {
            code: code.to_owned(),
            public_key,
            display_name: display_name.to_owned(),
            proof: AnswerSignature::from_signature(proof),
            phone_sign_in,
        };
        let response = self
            .http
            .post(self.url(ACTIVATE_PATH))
            .json(&body)
            .send()
            .await?;
        decode(response).await
    }

    fn signed_get(&self, device: &UnlockedDevice, path: &str) -> reqwest::RequestBuilder {
        self.signed(device, reqwest::Method::GET, path)
    }

    fn signed(
        &self,
        device: &UnlockedDevice,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        let headers = device.sign_request(method.as_str(), path, OffsetDateTime::now_utc());
        self.http
            .request(method, self.url(path))
            .header(DEVICE_ID_HEADER, headers.device_id)
            .header(USER_ID_HEADER, headers.user_id)
            .header(TIMESTAMP_HEADER, headers.timestamp)
            .header(SIGNATURE_HEADER, headers.signature)
    }

    pub async fn pending(&self, device: &UnlockedDevice) -> Result<Vec<PushNotice>, ClientError> {
        let response = self.signed_get(device, PENDING_PATH).send().await?;
        Ok(decode::<PendingList>(response).await?.value)
    }

    /// Turns passwordless sign-in on or off for `device` on the server.
    pub async fn set_phone_sign_in(
        &self,
        device: &UnlockedDevice,
        enabled: bool,
    ) -> Result<PhoneSignInResponse, ClientError> {
        let path = if enabled {
            PHONE_SIGN_IN_ON_PATH
        } else {
            PHONE_SIGN_IN_OFF_PATH
        };
        let response = self
            .signed(device, reqwest::Method::POST, path)
            .send()
            .await?;
        decode(response).await
    }

    pub async fn respond(&self, answer: &SignedAnswer) -> Result<RespondResponse, ClientError> {
        let response = self
            .http
            .post(self.url(RESPOND_PATH))
            .json(answer)
            .send()
            .await?;
        decode(response).await
    }

    /// Opens the event stream and calls `on_event` for each event until the stream ends
    /// or fails. `on_connected` runs once the server accepted the stream.
    pub async fn stream_events(
        &self,
        device: &UnlockedDevice,
        on_connected: impl FnOnce(),
        mut on_event: impl FnMut(SseEvent),
    ) -> Result<(), ClientError> {
        let response = self
            .signed_get(device, EVENTS_PATH)
            .header("accept", "text/event-stream")
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(refused(response).await);
        }
        on_connected();
        let mut parser = SseParser::new();
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            for event in parser.feed(&chunk?) {
                on_event(event);
            }
        }
        Ok(())
    }
}

async fn decode<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, ClientError> {
    if response.status().is_success() {
        Ok(response.json().await?)
    } else {
        Err(refused(response).await)
    }
}

async fn refused(response: reqwest::Response) -> ClientError {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let message = serde_json::from_str::<ApiError>(&text)
        .map(|e| e.error.message)
        .unwrap_or(text);
    ClientError::Refused { status, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_links_are_parsed_strictly() {
        let link = ActivationLink::parse(
            "https://login.example.org:8443/authenticator/activate?code=abc-_1",
        )
        .unwrap();
        assert_eq!(link.server, "https://login.example.org:8443");
        assert_eq!(link.code, "abc-_1");
        for bad in [
            "login.example.org/authenticator/activate?code=x",
            "https://login.example.org/other?code=x",
            "https://login.example.org/authenticator/activate",
            "https://login.example.org/authenticator/activate?code=",
            "ftp://login.example.org/authenticator/activate?code=x",
        ] {
            assert!(ActivationLink::parse(bad).is_err(), "{bad}");
        }
    }
}
