//! `Application::build`: everything `portcullis serve` starts, bound and ready; tests
//! build it on port 0 with a temporary data directory.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use portcullis_service::{ServiceSettings, Services};
use portcullis_web::{AddressRateLimiter, AppState, ClientRateLimiter, HttpLimits};

use crate::config::Config;
use crate::listener::{BoxedServe, ShutdownHandle};
use crate::storage::{self, StorageError};
use crate::tls::{self, TlsError};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: io::Error },
    #[error("cannot start services: {0}")]
    Services(#[from] portcullis_service::ServiceError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}

/// A started, not yet serving, application.
pub struct Application {
    local_addr: SocketAddr,
    public_url: String,
    services: Services,
    bootstrap_link: Option<String>,
    shutdown: ShutdownHandle,
    serve: BoxedServe,
}

impl Application {
    /// Opens the store, starts the services, binds the listener (port 0 picks a free
    /// port) and creates the first-start bootstrap link when no administrator exists.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        tls::install_crypto_provider();
        let tls_config = config
            .tls
            .as_ref()
            .map(tls::load_server_config)
            .transpose()?;
        let listener = crate::listener::bind(config.listen).map_err(|source| StartError::Bind {
            addr: config.listen,
            source,
        })?;
        let local_addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.listen,
            source,
        })?;
        let public_url = config.public_url_for(local_addr);
        let store = storage::open(&config.storage, &config.data_dir).await?;
        let mut services = Services::start(
            store,
            ServiceSettings {
                public_url: public_url.clone(),
                access_token_lifetime: config.access_token_lifetime,
                signing_keys: crate::signing_keys::signing_key_settings(&config.data_dir)?,
            },
        )
        .await?;
        let signin_settings = config.signin.settings()?;
        // Passwords set by administrators follow the users' own rules.
        services.use_password_settings(&signin_settings.passwords, signin_settings.argon2)?;
        let bootstrap_link = services.first_start_link().await?;
        let signin = portcullis_service::signin::SignInService::start(
            services.store().clone(),
            signin_settings,
            config.signin.code_sender()?,
        )
        .await?;
        let state = AppState {
            services: services.clone(),
            trusted_proxies: portcullis_web::client_ip::TrustedProxies::new(
                config.trusted_proxies.clone(),
            ),
            metrics: Some(crate::telemetry::prometheus_handle()),
            token_limiter: Arc::new(ClientRateLimiter::new(
                config.token_requests_per_second,
                config.token_request_burst,
            )),
            form_post_limiter: Arc::new(AddressRateLimiter::new(
                config.form_posts_per_ip_per_second,
                config.form_posts_per_ip_burst,
            )),
            signin,
        };
        let router = portcullis_web::router(
            state.clone(),
            HttpLimits {
                body_limit_bytes: config.body_limit_bytes,
                request_timeout: config.request_timeout,
            },
        )
        .merge(portcullis_portal::router(&state))
        .merge(portcullis_pages::router(state));
        let bound = crate::listener::serve(listener, router, tls_config, config.shutdown_timeout)
            .map_err(|source| StartError::Bind {
            addr: config.listen,
            source,
        })?;
        tracing::info!(
            address = %local_addr,
            public_url = %public_url,
            store = services.store().backend_name(),
            "Portcullis listening"
        );
        Ok(Application {
            local_addr,
            public_url,
            services,
            bootstrap_link,
            shutdown: bound.shutdown,
            serve: bound.serve,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    /// The one-time first-administrator link, when this start created one.
    pub fn bootstrap_link(&self) -> Option<&str> {
        self.bootstrap_link.as_deref()
    }

    /// A handle that starts a graceful shutdown (drain, then close).
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.shutdown.clone()
    }

    /// Serves until shut down through [`Application::shutdown_handle`].
    pub async fn run_until_stopped(self) -> io::Result<()> {
        self.serve.await
    }

    /// Serves until SIGINT or SIGTERM, then drains in-flight requests (up to the
    /// configured shutdown timeout) and returns.
    pub async fn run_until_signal(self) -> io::Result<()> {
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            crate::shutdown::stop_signal().await;
            shutdown.shutdown();
        });
        let result = self.serve.await;
        tracing::info!("Portcullis stopped");
        result
    }
}
