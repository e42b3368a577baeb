//! Typed configuration: defaults, then the TOML file, then `PORTCULLIS_…` environment
//! variables, then command-line flags — each layer overriding the one before.
//!
//! The file is parsed into [`FileConfig`] with unknown keys rejected, every layer is
//! merged into one [`FileConfig`], and [`Config::from_layers`] turns that into a
//! validated [`Config`] whose fields are always usable ("parse, don't validate").

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ipnet::IpNet;
use serde::Deserialize;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "./portcullis-data";
const DEFAULT_BODY_LIMIT_BYTES: usize = 1024 * 1024;
const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;
const DEFAULT_SHUTDOWN_TIMEOUT_SECS: u64 = 30;
const DEFAULT_ACCESS_TOKEN_LIFETIME_SECS: u64 = 3600;
const DEFAULT_TOKEN_REQUESTS_PER_SECOND: u32 = 50;
const DEFAULT_TOKEN_REQUEST_BURST: u32 = 100;
/// Form posts per client address: a sign-in is three or four posts, and a whole office
/// behind one NAT or VPN egress signs in at nine; as generous as the sign-in service's
/// own per-address limit (600 a minute, 120 at once), which still stops a script.
const DEFAULT_FORM_POSTS_PER_IP_PER_SECOND: u32 = 10;
const DEFAULT_FORM_POSTS_PER_IP_BURST: u32 = 120;

/// Everything wrong with a configuration, each naming the offending source.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
    #[error("{key}: {message}")]
    Invalid { key: &'static str, message: String },
}

/// The configuration file's shape. Every field is optional so that the same type
/// serves as a layer (file, environment, flags) to merge.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    /// The URL users and clients reach this server at (issuer, links).
    pub public_url: Option<String>,
    #[serde(default)]
    pub log: LogSection,
    #[serde(default)]
    pub tls: TlsSection,
    #[serde(default)]
    pub http: HttpSection,
    #[serde(default)]
    pub tokens: TokensSection,
    #[serde(default)]
    pub signin: crate::signin_config::SignInSection,
}

#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LogSection {
    pub format: Option<String>,
    pub level: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TlsSection {
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
}

#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HttpSection {
    pub trusted_proxies: Option<Vec<String>>,
    pub body_limit_bytes: Option<usize>,
    pub request_timeout_secs: Option<u64>,
    pub shutdown_timeout_secs: Option<u64>,
    /// Form posts (sign-in, reset, portal) one client address may make per second, per
    /// node, sustained…
    pub form_posts_per_ip_per_second: Option<u32>,
    /// …and in a burst.
    pub form_posts_per_ip_burst: Option<u32>,
}

#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TokensSection {
    pub access_token_lifetime_secs: Option<u64>,
    /// Token requests one client may make per second (per node), sustained…
    pub client_requests_per_second: Option<u32>,
    /// …and in a burst.
    pub client_request_burst: Option<u32>,
}

impl FileConfig {
    /// Reads and parses a TOML file; unknown keys are an error naming the key.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_toml(&text).map_err(|message| ConfigError::Parse {
            path: path.to_owned(),
            message,
        })
    }

    fn from_toml(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim_end().replace('\n', " "))
    }

    /// The `PORTCULLIS_…` overlay. Variables are `PORTCULLIS_<KEY>` for top-level keys
    /// and `PORTCULLIS_<SECTION>_<KEY>` for keys in a section, upper-cased; lists are
    /// comma-separated. Other `PORTCULLIS_` variables (e.g. test settings) are ignored.
    pub fn from_env(vars: impl IntoIterator<Item = (String, String)>) -> Result<Self, ConfigError> {
        let mut layer = FileConfig::default();
        for (name, value) in vars {
            let Some(key) = name.strip_prefix("PORTCULLIS_") else {
                continue;
            };
            let env_err = |message: String| ConfigError::Env {
                name: name.clone(),
                message,
            };
            match key {
                "LISTEN" => layer.listen = Some(value),
                "DATA_DIR" => layer.data_dir = Some(value.into()),
                "DATABASE_URL" => layer.database_url = Some(value),
                "PUBLIC_URL" => layer.public_url = Some(value),
                "LOG_FORMAT" => layer.log.format = Some(value),
                "LOG_LEVEL" => layer.log.level = Some(value),
                "TLS_CERT" => layer.tls.cert = Some(value.into()),
                "TLS_KEY" => layer.tls.key = Some(value.into()),
                "HTTP_TRUSTED_PROXIES" => {
                    layer.http.trusted_proxies = Some(
                        value
                            .split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(String::from)
                            .collect(),
                    )
                }
                "HTTP_BODY_LIMIT_BYTES" => {
                    layer.http.body_limit_bytes = Some(parse_number(&value).map_err(env_err)?)
                }
                "HTTP_REQUEST_TIMEOUT_SECS" => {
                    layer.http.request_timeout_secs = Some(parse_number(&value).map_err(env_err)?)
                }
                "HTTP_SHUTDOWN_TIMEOUT_SECS" => {
                    layer.http.shutdown_timeout_secs = Some(parse_number(&value).map_err(env_err)?)
                }
                "HTTP_FORM_POSTS_PER_IP_PER_SECOND" => {
                    layer.http.form_posts_per_ip_per_second =
                        Some(parse_number(&value).map_err(env_err)?)
                }
                "HTTP_FORM_POSTS_PER_IP_BURST" => {
                    layer.http.form_posts_per_ip_burst =
                        Some(parse_number(&value).map_err(env_err)?)
                }
                "TOKENS_CLIENT_REQUESTS_PER_SECOND" => {
                    layer.tokens.client_requests_per_second =
                        Some(parse_number(&value).map_err(env_err)?)
                }
                "TOKENS_CLIENT_REQUEST_BURST" => {
                    layer.tokens.client_request_burst = Some(parse_number(&value).map_err(env_err)?)
                }
                "SIGNIN_CODE_FILE" => layer.signin.code_file = Some(value.into()),
                "TOKENS_ACCESS_TOKEN_LIFETIME_SECS" => {
                    layer.tokens.access_token_lifetime_secs =
                        Some(parse_number(&value).map_err(env_err)?)
                }
                _ => {}
            }
        }
        Ok(layer)
    }

    /// Overlays `other` on `self`: every value set in `other` wins.
    pub fn merge(self, other: FileConfig) -> FileConfig {
        FileConfig {
            listen: other.listen.or(self.listen),
            data_dir: other.data_dir.or(self.data_dir),
            database_url: other.database_url.or(self.database_url),
            public_url: other.public_url.or(self.public_url),
            log: LogSection {
                format: other.log.format.or(self.log.format),
                level: other.log.level.or(self.log.level),
            },
            tls: TlsSection {
                cert: other.tls.cert.or(self.tls.cert),
                key: other.tls.key.or(self.tls.key),
            },
            http: HttpSection {
                trusted_proxies: other.http.trusted_proxies.or(self.http.trusted_proxies),
                body_limit_bytes: other.http.body_limit_bytes.or(self.http.body_limit_bytes),
                request_timeout_secs: other
                    .http
                    .request_timeout_secs
                    .or(self.http.request_timeout_secs),
                shutdown_timeout_secs: other
                    .http
                    .shutdown_timeout_secs
                    .or(self.http.shutdown_timeout_secs),
                form_posts_per_ip_per_second: other
                    .http
                    .form_posts_per_ip_per_second
                    .or(self.http.form_posts_per_ip_per_second),
                form_posts_per_ip_burst: other
                    .http
                    .form_posts_per_ip_burst
                    .or(self.http.form_posts_per_ip_burst),
            },
            tokens: TokensSection {
                access_token_lifetime_secs: other
                    .tokens
                    .access_token_lifetime_secs
                    .or(self.tokens.access_token_lifetime_secs),
                client_requests_per_second: other
                    .tokens
                    .client_requests_per_second
                    .or(self.tokens.client_requests_per_second),
                client_request_burst: other
                    .tokens
                    .client_request_burst
                    .or(self.tokens.client_request_burst),
            },
            signin: self.signin.merge(other.signin),
        }
    }
}

fn parse_number<T: std::str::FromStr>(value: &str) -> Result<T, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("'{value}' is not a non-negative whole number"))
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Where the directory is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// Embedded SQLite in the data directory.
    Sqlite { path: PathBuf },
    /// PostgreSQL at this URL.
    Postgres { url: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub storage: Storage,
    /// The URL clients reach this server at; `None` derives it from the bound address
    /// (see [`Config::public_url_for`]).
    pub public_url: Option<String>,
    pub log_format: LogFormat,
    pub log_level: String,
    pub tls: Option<TlsFiles>,
    pub trusted_proxies: Vec<IpNet>,
    pub body_limit_bytes: usize,
    pub request_timeout: Duration,
    pub shutdown_timeout: Duration,
    pub access_token_lifetime: Duration,
    pub token_requests_per_second: u32,
    pub token_request_burst: u32,
    pub form_posts_per_ip_per_second: u32,
    pub form_posts_per_ip_burst: u32,
    /// `[signin]`, validated by [`Config::from_layers`].
    pub signin: crate::signin_config::SignInSection,
}

impl Config {
    /// Loads the file (if any), overlays the environment and then the flags.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        flags: FileConfig,
    ) -> Result<Config, ConfigError> {
        let from_file = match file {
            Some(path) => FileConfig::from_file(path)?,
            None => FileConfig::default(),
        };
        let merged = from_file.merge(FileConfig::from_env(env)?).merge(flags);
        Config::from_layers(merged)
    }

    /// Validates a merged layer and fills in defaults.
    pub fn from_layers(raw: FileConfig) -> Result<Config, ConfigError> {
        let listen_text = raw.listen.unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen: SocketAddr = listen_text.parse().map_err(|_| ConfigError::Invalid {
            key: "listen",
            message: format!("'{listen_text}' is not an address:port such as 127.0.0.1:8080"),
        })?;
        let data_dir = raw.data_dir.unwrap_or_else(|| DEFAULT_DATA_DIR.into());
        let storage = match raw.database_url.filter(|u| !u.trim().is_empty()) {
            None => Storage::Sqlite {
                path: data_dir.join("portcullis.db"),
            },
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Storage::Postgres { url }
            }
            Some(url) if url.starts_with("sqlite:") => Storage::Sqlite {
                path: PathBuf::from(
                    url.trim_start_matches("sqlite://")
                        .trim_start_matches("sqlite:"),
                ),
            },
            Some(_) => {
                return Err(ConfigError::Invalid {
                    key: "database_url",
                    message: "must start with postgres://, postgresql:// or sqlite:".into(),
                });
            }
        };
        let tls = match (raw.tls.cert, raw.tls.key) {
            (None, None) => None,
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            (Some(_), None) => {
                return Err(ConfigError::Invalid {
                    key: "tls.key",
                    message: "tls.cert is set, so tls.key must be set too".into(),
                });
            }
            (None, Some(_)) => {
                return Err(ConfigError::Invalid {
                    key: "tls.cert",
                    message: "tls.key is set, so tls.cert must be set too".into(),
                });
            }
        };
        let log_format = match raw.log.format.as_deref().unwrap_or("text") {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(ConfigError::Invalid {
                    key: "log.format",
                    message: format!("'{other}' is neither 'text' nor 'json'"),
                });
            }
        };
        let trusted_proxies = raw
            .http
            .trusted_proxies
            .unwrap_or_default()
            .iter()
            .map(|text| parse_network(text))
            .collect::<Result<Vec<_>, _>>()?;
        let public_url = match raw.public_url {
            Some(url) => {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(ConfigError::Invalid {
                        key: "public_url",
                        message: format!("'{url}' must start with http:// or https://"),
                    });
                }
                Some(url.trim_end_matches('/').to_owned())
            }
            None => None,
        };
        let body_limit_bytes = raw
            .http
            .body_limit_bytes
            .unwrap_or(DEFAULT_BODY_LIMIT_BYTES);
        if body_limit_bytes == 0 {
            return Err(ConfigError::Invalid {
                key: "http.body_limit_bytes",
                message: "must be greater than zero".into(),
            });
        }
        let secs = |value: Option<u64>, default: u64, key: &'static str| {
            let value = value.unwrap_or(default);
            if value == 0 {
                Err(ConfigError::Invalid {
                    key,
                    message: "must be greater than zero".into(),
                })
            } else {
                Ok(Duration::from_secs(value))
            }
        };
        Ok(Config {
            listen,
            storage,
            data_dir,
            public_url,
            log_format,
            log_level: raw.log.level.unwrap_or_else(|| "info".to_owned()),
            tls,
            trusted_proxies,
            body_limit_bytes,
            request_timeout: secs(
                raw.http.request_timeout_secs,
                DEFAULT_REQUEST_TIMEOUT_SECS,
                "http.request_timeout_secs",
            )?,
            shutdown_timeout: secs(
                raw.http.shutdown_timeout_secs,
                DEFAULT_SHUTDOWN_TIMEOUT_SECS,
                "http.shutdown_timeout_secs",
            )?,
            access_token_lifetime: secs(
                raw.tokens.access_token_lifetime_secs,
                DEFAULT_ACCESS_TOKEN_LIFETIME_SECS,
                "tokens.access_token_lifetime_secs",
            )?,
            token_requests_per_second: positive(
                raw.tokens.client_requests_per_second,
                DEFAULT_TOKEN_REQUESTS_PER_SECOND,
                "tokens.client_requests_per_second",
            )?,
            token_request_burst: positive(
                raw.tokens.client_request_burst,
                DEFAULT_TOKEN_REQUEST_BURST,
                "tokens.client_request_burst",
            )?,
            form_posts_per_ip_per_second: positive(
                raw.http.form_posts_per_ip_per_second,
                DEFAULT_FORM_POSTS_PER_IP_PER_SECOND,
                "http.form_posts_per_ip_per_second",
            )?,
            form_posts_per_ip_burst: positive(
                raw.http.form_posts_per_ip_burst,
                DEFAULT_FORM_POSTS_PER_IP_BURST,
                "http.form_posts_per_ip_burst",
            )?,
            signin: {
                raw.signin.settings()?;
                raw.signin
            },
        })
    }
}

impl Config {
    /// The public URL: as configured, or `http(s)://<bound address>`.
    pub fn public_url_for(&self, bound: SocketAddr) -> String {
        match &self.public_url {
            Some(url) => url.clone(),
            None => {
                let scheme = if self.tls.is_some() { "https" } else { "http" };
                format!("{scheme}://{bound}")
            }
        }
    }
}

fn positive(value: Option<u32>, default: u32, key: &'static str) -> Result<u32, ConfigError> {
    match value.unwrap_or(default) {
        0 => Err(ConfigError::Invalid {
            key,
            message: "must be greater than zero".into(),
        }),
        n => Ok(n),
    }
}

/// Accepts a CIDR (`10.0.0.0/8`) or a single address (`10.0.0.1`).
fn parse_network(text: &str) -> Result<IpNet, ConfigError> {
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| ConfigError::Invalid {
            key: "http.trusted_proxies",
            message: format!("'{text}' is not an IP address or CIDR range"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn nothing_configured_gives_the_documented_defaults() {
        let config = Config::load(None, env(&[]), FileConfig::default()).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.data_dir, PathBuf::from("./portcullis-data"));
        assert_eq!(
            config.storage,
            Storage::Sqlite {
                path: PathBuf::from("./portcullis-data/portcullis.db")
            }
        );
        assert_eq!(
            config.public_url_for(config.listen),
            "http://127.0.0.1:8080"
        );
        assert_eq!(config.log_format, LogFormat::Text);
        assert!(config.tls.is_none());
        assert!(config.trusted_proxies.is_empty());
    }

    #[test]
    fn unknown_key_is_named() {
        let err = FileConfig::from_toml("lisen = \"0.0.0.0:1\"\n").unwrap_err();
        assert!(err.contains("lisen"), "{err}");
        let err = FileConfig::from_toml("[http]\nbody_limit = 5\n").unwrap_err();
        assert!(err.contains("body_limit"), "{err}");
    }

    #[test]
    fn file_error_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(&path, "[tls]\ncertificate = \"x\"\n").unwrap();
        let err = Config::load(Some(&path), env(&[]), FileConfig::default()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("p.toml") && text.contains("certificate"),
            "{text}"
        );

        let missing = dir.path().join("missing.toml");
        let err = Config::load(Some(&missing), env(&[]), FileConfig::default()).unwrap_err();
        assert!(matches!(err, ConfigError::Read { .. }), "{err}");
    }

    #[test]
    fn env_overrides_file_and_flags_override_env() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:1000\"\ndatabase_url = \"postgres://file\"\n[http]\ntrusted_proxies = [\"10.0.0.0/8\"]\n",
        )
        .unwrap();
        let config = Config::load(
            Some(&path),
            env(&[
                ("PORTCULLIS_LISTEN", "127.0.0.1:2000"),
                (
                    "PORTCULLIS_HTTP_TRUSTED_PROXIES",
                    "192.168.0.0/16, 10.1.1.1",
                ),
                ("PORTCULLIS_TEST_POSTGRES_URL", "ignored"),
                ("HOME", "/root"),
            ]),
            FileConfig {
                database_url: Some("postgres://flag".into()),
                ..FileConfig::default()
            },
        )
        .unwrap();
        assert_eq!(config.listen.port(), 2000);
        assert_eq!(
            config.storage,
            Storage::Postgres {
                url: "postgres://flag".into()
            }
        );
        assert_eq!(config.trusted_proxies.len(), 2);
        assert_eq!(config.trusted_proxies[1].to_string(), "10.1.1.1/32");
    }

    #[test]
    fn invalid_values_name_the_key() {
        let bad = |raw: FileConfig| Config::from_layers(raw).unwrap_err().to_string();
        assert!(
            bad(FileConfig {
                listen: Some("localhost".into()),
                ..Default::default()
            })
            .starts_with("listen:")
        );
        assert!(
            bad(FileConfig {
                database_url: Some("mysql://x".into()),
                ..Default::default()
            })
            .starts_with("database_url:")
        );
        assert!(
            bad(FileConfig {
                tls: TlsSection {
                    cert: Some("c.pem".into()),
                    key: None
                },
                ..Default::default()
            })
            .starts_with("tls.key:")
        );
        assert!(
            bad(FileConfig {
                http: HttpSection {
                    trusted_proxies: Some(vec!["10.0.0.0/33".into()]),
                    ..Default::default()
                },
                ..Default::default()
            })
            .starts_with("http.trusted_proxies:")
        );
        let err =
            FileConfig::from_env(env(&[("PORTCULLIS_HTTP_BODY_LIMIT_BYTES", "big")])).unwrap_err();
        assert!(
            err.to_string().contains("PORTCULLIS_HTTP_BODY_LIMIT_BYTES"),
            "{err}"
        );
    }

    #[test]
    fn form_post_allowance_is_read_from_file_and_env_and_zero_refused() {
        let defaults = Config::from_layers(FileConfig::default()).unwrap();
        assert_eq!(
            (
                defaults.form_posts_per_ip_per_second,
                defaults.form_posts_per_ip_burst
            ),
            (10, 120)
        );
        let file = FileConfig::from_toml(
            "[http]\nform_posts_per_ip_per_second = 50\nform_posts_per_ip_burst = 500\n",
        )
        .unwrap();
        let layered = file.merge(
            FileConfig::from_env(env(&[("PORTCULLIS_HTTP_FORM_POSTS_PER_IP_BURST", "900")]))
                .unwrap(),
        );
        let config = Config::from_layers(layered).unwrap();
        assert_eq!(config.form_posts_per_ip_per_second, 50);
        assert_eq!(config.form_posts_per_ip_burst, 900, "the environment wins");
        let zero = Config::from_layers(
            FileConfig::from_toml("[http]\nform_posts_per_ip_per_second = 0\n").unwrap(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            zero.starts_with("http.form_posts_per_ip_per_second:"),
            "{zero}"
        );
    }

    #[test]
    fn tls_switches_the_default_public_url_to_https() {
        let config = Config::from_layers(FileConfig {
            tls: TlsSection {
                cert: Some("c.pem".into()),
                key: Some("k.pem".into()),
            },
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            config.public_url_for(config.listen),
            "https://127.0.0.1:8080"
        );
    }
}
