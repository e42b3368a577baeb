//! A small typed client for Portcullis's Graph-shaped admin API, authenticated with
//! OAuth2 client credentials. Every admin subcommand (and `portcullis logs …`) goes
//! through it, so errors read the same everywhere: Graph's `{"error":{"code","message"}}`
//! becomes [`ApiError::Graph`] with the status, code and message the server sent.

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;

use crate::admin::connection::Credentials;

/// Most pages a listing follows before stopping: a server that kept answering
/// `@odata.nextLink` forever must not keep the CLI (and its memory) busy forever.
const MAX_PAGES: usize = 100_000;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("cannot reach {url}: {source}")]
    Transport { url: String, source: reqwest::Error },
    #[error("the token endpoint refused the client credentials ({status}): {message}")]
    Token { status: u16, message: String },
    /// A Graph error answer.
    #[error("{status} {code}: {message}")]
    Graph {
        status: u16,
        code: String,
        message: String,
    },
    #[error("unexpected answer from {url}: {why}")]
    Unexpected { url: String, why: String },
}

/// An authenticated connection to one Portcullis server.
#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base_url: String,
    access_token: String,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
}

impl ApiClient {
    /// Obtains an access token with the client credentials grant.
    pub async fn connect(credentials: &Credentials) -> Result<Self, ApiError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("portcullis-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| ApiError::Transport {
                url: credentials.base_url.clone(),
                source,
            })?;
        let token_url = format!("{}/oauth2/token", credentials.base_url);
        let response = http
            .post(&token_url)
            .basic_auth(&credentials.client_id, Some(&credentials.client_secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(|source| ApiError::Transport {
                url: token_url.clone(),
                source,
            })?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        if !status.is_success() {
            let message = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| {
                    let error = v["error"].as_str()?.to_owned();
                    Some(match v["error_description"].as_str() {
                        Some(d) => format!("{error}: {d}"),
                        None => error,
                    })
                })
                .unwrap_or(body);
            return Err(ApiError::Token {
                status: status.as_u16(),
                message,
            });
        }
        let answer: TokenAnswer =
            serde_json::from_str(&body).map_err(|e| ApiError::Unexpected {
                url: token_url,
                why: e.to_string(),
            })?;
        Ok(ApiClient {
            http,
            base_url: credentials.base_url.clone(),
            access_token: answer.access_token,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends one request to `path` (relative to the server, e.g. `/v1.0/users`) or to a
    /// full URL (a `@odata.nextLink`); answers the JSON body (`Null` for 204).
    pub async fn request(
        &self,
        method: Method,
        path_or_url: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, ApiError> {
        let url = if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.base_url)
        };
        let mut request = self
            .http
            .request(method, &url)
            .bearer_auth(&self.access_token)
            .query(query);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|source| ApiError::Transport {
            url: url.clone(),
            source,
        })?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|source| ApiError::Transport {
                url: url.clone(),
                source,
            })?;
        if status.is_success() {
            if text.is_empty() || status == StatusCode::NO_CONTENT {
                return Ok(Value::Null);
            }
            return serde_json::from_str(&text).map_err(|e| ApiError::Unexpected {
                url,
                why: format!("not JSON: {e}"),
            });
        }
        let parsed: Option<Value> = serde_json::from_str(&text).ok();
        let error = parsed.as_ref().map(|v| &v["error"]);
        Err(ApiError::Graph {
            status: status.as_u16(),
            code: error
                .and_then(|e| e["code"].as_str())
                .unwrap_or("Unknown")
                .to_owned(),
            message: error
                .and_then(|e| e["message"].as_str())
                .map(str::to_owned)
                .unwrap_or(text),
        })
    }

    pub async fn get(&self, path: &str) -> Result<Value, ApiError> {
        self.request(Method::GET, path, &[], None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, ApiError> {
        self.request(Method::POST, path, &[], Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Result<Value, ApiError> {
        self.request(Method::PATCH, path, &[], Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Result<Value, ApiError> {
        self.request(Method::DELETE, path, &[], None).await
    }

    /// Every item of a Graph collection, following `@odata.nextLink` to the end
    /// (or `limit` items when given).
    pub async fn list_all(
        &self,
        path: &str,
        query: &[(&str, String)],
        limit: Option<usize>,
    ) -> Result<Vec<Value>, ApiError> {
        let mut items = Vec::new();
        let mut page = self.request(Method::GET, path, query, None).await?;
        for _ in 0..MAX_PAGES {
            let Some(values) = page.get_mut("value").and_then(Value::as_array_mut) else {
                return Err(ApiError::Unexpected {
                    url: path.to_owned(),
                    why: "a collection answer without 'value'".into(),
                });
            };
            items.append(values);
            if limit.is_some_and(|limit| items.len() >= limit) {
                items.truncate(limit.unwrap_or(usize::MAX));
                return Ok(items);
            }
            let Some(next) = page["@odata.nextLink"].as_str().map(str::to_owned) else {
                return Ok(items);
            };
            // The next link carries every query option already.
            page = self.request(Method::GET, &next, &[], None).await?;
        }
        Err(ApiError::Unexpected {
            url: path.to_owned(),
            why: format!("more than {MAX_PAGES} pages"),
        })
    }
}
