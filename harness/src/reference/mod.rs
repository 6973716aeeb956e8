//! The reference control plane: AgentField v0.1.96's restart / fork / replay
//! contract over HTTP, in memory. Placeholder until the reference lands.

/// How the reference runs.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// API key every `/api/*` request must carry, if set.
    pub api_key: Option<String>,
    /// Timeout of a dispatch to an agent.
    pub agent_timeout: std::time::Duration,
}

/// Serves the reference on `listener` until `shutdown` resolves.
pub async fn serve(
    _listener: tokio::net::TcpListener,
    _config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    shutdown.await;
    Ok(())
}
