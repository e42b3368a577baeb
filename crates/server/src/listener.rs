//! Serving a router on a TCP listener, plain or TLS, with graceful shutdown.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum_server::Handle;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use std::future::Future;
use std::pin::Pin;

/// A handshake slower than this is dropped, so idle TLS connections cannot pin slots.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The server's accept loop, run by awaiting it.
pub type BoxedServe = Pin<Box<dyn Future<Output = io::Result<()>> + Send>>;

/// Stops a running server: in-flight requests get `timeout` to finish, then the
/// remaining connections are closed.
#[derive(Clone)]
pub struct ShutdownHandle {
    handle: Handle<SocketAddr>,
    timeout: Duration,
}

impl ShutdownHandle {
    pub fn shutdown(&self) {
        self.handle.graceful_shutdown(Some(self.timeout));
    }

    /// Connections still open (tests use it to watch draining).
    pub fn connection_count(&self) -> usize {
        self.handle.connection_count()
    }
}

/// A bound, not yet running, HTTP(S) server.
pub struct BoundServer {
    pub local_addr: SocketAddr,
    pub shutdown: ShutdownHandle,
    pub serve: BoxedServe,
}

/// Binds `addr` (port 0 picks a free port).
pub fn bind(addr: SocketAddr) -> io::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Prepares to serve `router` on the bound listener, with TLS when a rustls config is
/// given.
pub fn serve(
    listener: std::net::TcpListener,
    router: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown_timeout: Duration,
) -> io::Result<BoundServer> {
    let local_addr = listener.local_addr()?;
    let handle = Handle::new();
    let make_service = router.into_make_service_with_connect_info::<SocketAddr>();
    let serve: BoxedServe = match tls {
        Some(config) => {
            let acceptor = RustlsAcceptor::new(RustlsConfig::from_config(config))
                .handshake_timeout(TLS_HANDSHAKE_TIMEOUT);
            let server = axum_server::from_tcp(listener)?
                .acceptor(acceptor)
                .handle(handle.clone());
            Box::pin(async move { server.serve(make_service).await })
        }
        None => {
            let server = axum_server::from_tcp(listener)?.handle(handle.clone());
            Box::pin(async move { server.serve(make_service).await })
        }
    };
    Ok(BoundServer {
        local_addr,
        shutdown: ShutdownHandle {
            handle,
            timeout: shutdown_timeout,
        },
        serve,
    })
}
