//! Where the admin API is and which client credentials to use: flags, then the
//! `PORTCULLIS_URL` / `PORTCULLIS_CLIENT_ID` / `PORTCULLIS_CLIENT_SECRET` environment, then
//! a `--credentials` file holding what `portcullis bootstrap --json` printed.

use std::path::PathBuf;

use clap::Args;
use serde_json::Value;

/// Connection flags shared by every admin subcommand.
#[derive(Args, Clone, Debug, Default)]
pub struct ConnectionArgs {
    /// Base URL of the Portcullis server (e.g. https://idp.example.com).
    #[arg(long, env = "PORTCULLIS_URL", value_name = "URL", global = true)]
    pub url: Option<String>,
    /// Client id of an application with the Graph permissions the command needs.
    #[arg(long, env = "PORTCULLIS_CLIENT_ID", value_name = "ID", global = true)]
    pub client_id: Option<String>,
    /// Its client secret (prefer the environment or a credentials file: flags show in `ps`).
    #[arg(
        long,
        env = "PORTCULLIS_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true,
        global = true
    )]
    pub client_secret: Option<String>,
    /// JSON printed by `portcullis bootstrap --json` (its `automation` client is used).
    #[arg(long, value_name = "FILE", global = true)]
    pub credentials: Option<PathBuf>,
}

/// Resolved credentials.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// No trailing slash.
    pub base_url: String,
    pub client_id: String,
    pub client_secret: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    #[error("cannot read the credentials file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the credentials file {path} is not the JSON `portcullis bootstrap --json` prints: {why}"
    )]
    Format { path: PathBuf, why: String },
    #[error(
        "no {what}: pass --{flag}, set {env}, or pass --credentials FILE (the output of `portcullis bootstrap --json`)"
    )]
    Missing {
        what: &'static str,
        flag: &'static str,
        env: &'static str,
    },
    #[error("--url must be an http:// or https:// URL, not {0:?}")]
    BadUrl(String),
}

impl ConnectionArgs {
    /// Flags and environment win over the file, so one file can serve several servers.
    pub fn resolve(&self) -> Result<Credentials, ConnectionError> {
        let from_file = match &self.credentials {
            Some(path) => Some(read_bootstrap_file(path)?),
            None => None,
        };
        let file = from_file.as_ref();
        let base_url = self
            .url
            .clone()
            .or_else(|| file.and_then(|f| f.base_url.clone()))
            .ok_or(ConnectionError::Missing {
                what: "server URL",
                flag: "url",
                env: "PORTCULLIS_URL",
            })?;
        let base_url = base_url.trim_end_matches('/').to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(ConnectionError::BadUrl(base_url));
        }
        let client_id = self
            .client_id
            .clone()
            .or_else(|| file.map(|f| f.client_id.clone()))
            .ok_or(ConnectionError::Missing {
                what: "client id",
                flag: "client-id",
                env: "PORTCULLIS_CLIENT_ID",
            })?;
        let client_secret = self
            .client_secret
            .clone()
            .or_else(|| file.map(|f| f.client_secret.clone()))
            .ok_or(ConnectionError::Missing {
                what: "client secret",
                flag: "client-secret",
                env: "PORTCULLIS_CLIENT_SECRET",
            })?;
        Ok(Credentials {
            base_url,
            client_id,
            client_secret,
        })
    }
}

struct BootstrapFile {
    base_url: Option<String>,
    client_id: String,
    client_secret: String,
}

fn read_bootstrap_file(path: &std::path::Path) -> Result<BootstrapFile, ConnectionError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConnectionError::Read {
        path: path.to_owned(),
        source,
    })?;
    let format = |why: &str| ConnectionError::Format {
        path: path.to_owned(),
        why: why.to_owned(),
    };
    let json: Value = serde_json::from_str(&text).map_err(|e| format(&e.to_string()))?;
    let automation = &json["automation"];
    let text_of = |key: &str| {
        automation[key]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format(&format!("automation.{key} is missing or not a string")))
    };
    let base_url = automation["tokenEndpoint"]
        .as_str()
        .and_then(|endpoint| endpoint.strip_suffix("/oauth2/token"))
        .map(str::to_owned);
    Ok(BootstrapFile {
        base_url,
        client_id: text_of("clientId")?,
        client_secret: text_of("clientSecret")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_bootstrap_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bootstrap.json");
        std::fs::write(
            &path,
            r#"{"admin":{},"automation":{"clientId":"c1","clientSecret":"s1","tokenEndpoint":"http://127.0.0.1:9/oauth2/token"}}"#,
        )
        .unwrap();
        let from_file = ConnectionArgs {
            credentials: Some(path.clone()),
            ..Default::default()
        }
        .resolve()
        .unwrap();
        assert_eq!(from_file.base_url, "http://127.0.0.1:9");
        assert_eq!(from_file.client_id, "c1");
        let overridden = ConnectionArgs {
            url: Some("https://idp.example/".into()),
            client_secret: Some("s2".into()),
            credentials: Some(path),
            ..Default::default()
        }
        .resolve()
        .unwrap();
        assert_eq!(overridden.base_url, "https://idp.example");
        assert_eq!(overridden.client_secret, "s2");
    }

    #[test]
    fn missing_and_malformed_inputs_say_what_is_wrong() {
        let err = ConnectionArgs::default().resolve().unwrap_err();
        assert!(err.to_string().contains("PORTCULLIS_URL"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.json");
        std::fs::write(&path, r#"{"automation":{"clientId":1}}"#).unwrap();
        let err = ConnectionArgs {
            credentials: Some(path),
            ..Default::default()
        }
        .resolve()
        .unwrap_err();
        assert!(err.to_string().contains("automation.clientId"), "{err}");
        let err = ConnectionArgs {
            url: Some("idp.example".into()),
            client_id: Some("a".into()),
            client_secret: Some("b".into()),
            ..Default::default()
        }
        .resolve()
        .unwrap_err();
        assert!(matches!(err, ConnectionError::BadUrl(_)));
    }
}
