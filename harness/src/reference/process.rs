//! The reference as a process (`afc serve`): its own runtime and listener,
//! served until SIGINT or SIGTERM, a second signal exiting at once.

use std::net::SocketAddr;

use super::{serve_on, Config, Storage};

/// Why the process could not serve, or stopped serving with an error.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// No tokio runtime.
    #[error("cannot start a runtime: {0}")]
    Runtime(std::io::Error),
    /// The address could not be bound.
    #[error("cannot listen on {listen}: {source}")]
    Listen {
        /// The address asked for.
        listen: String,
        /// Why.
        source: std::io::Error,
    },
    /// Serving failed after it started.
    #[error("{0}")]
    Serve(std::io::Error),
}

impl ProcessError {
    /// Whether it never served (could not run), rather than failed serving.
    pub fn before_serving(&self) -> bool {
        !matches!(self, ProcessError::Serve(_))
    }
}

/// Serves the reference on `listen` until a signal, announcing the bound
/// address on stdout once signals are handled and before the first request
/// (what a script waits for). Tasks still running at the end (dispatches to
/// agents) are dropped, not awaited.
pub fn serve_until_signal(
    listen: &str,
    config: Config,
    storage: Storage,
) -> Result<(), ProcessError> {
    let runtime = tokio::runtime::Runtime::new().map_err(ProcessError::Runtime)?;
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| ProcessError::Listen {
                listen: listen.to_owned(),
                source,
            })?;
        // Signals are handled from before the address is announced.
        let shutdown = shutdown_signal();
        announce(listener.local_addr(), &config);
        serve_on(listener, config, storage, shutdown)
            .await
            .map_err(ProcessError::Serve)
    });
    runtime.shutdown_background();
    result
}

/// The lines that say where it listens, what it serves, and a warning when
/// it listens beyond loopback without an API key.
fn announce(addr: std::io::Result<SocketAddr>, config: &Config) {
    match addr {
        Ok(addr) => {
            if !addr.ip().is_loopback() && config.api_key.is_none() {
                eprintln!(
                    "afc serve: WARNING: listening on {addr}, beyond loopback, without \
                     --api-key: anyone who can reach it can register agents and run them"
                );
            }
            eprintln!("afc serve: serving contract {}", config.contract);
            println!("afc reference control plane listening on http://{addr}");
        }
        Err(e) => eprintln!("afc serve: {e}"),
    }
}

/// Resolves on the first SIGINT or SIGTERM, and from then on makes the next
/// one end the process at once, whatever is still draining. Both listeners
/// are registered here, before the future is first polled (the server polls
/// it among its other work, not necessarily before its first answer), and
/// stay registered, so neither the first signal nor a second one sent right
/// after it is ever left to the default action.
#[cfg(unix)]
fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    use tokio::signal::unix::{signal, SignalKind};
    let listeners = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    );
    async move {
        let (Ok(mut int), Ok(mut term)) = listeners else {
            eprintln!("afc serve: cannot listen for signals; stop it with SIGKILL");
            return std::future::pending().await;
        };
        tokio::select! {
            _ = int.recv() => {},
            _ = term.recv() => {},
        }
        eprintln!("afc serve: shutting down (a second signal exits at once)");
        tokio::spawn(async move {
            tokio::select! {
                _ = int.recv() => {},
                _ = term.recv() => {},
            }
            eprintln!("afc serve: second signal: exiting now");
            // 128 + SIGINT, as a shell reports an interrupted process.
            std::process::exit(130);
        });
    }
}

#[cfg(not(unix))]
fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
