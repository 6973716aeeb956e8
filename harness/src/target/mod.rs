//! Where the control plane under test comes from. Every kind ends as a base
//! URL and an optional API key; nothing downstream knows which kind it got.
//!
//! - embedded (default): the reference control plane, in-process on 127.0.0.1:0;
//! - URL: `AGENTFIELD_URL` (+ `AGENTFIELD_API_KEY`), any running implementation.

use std::net::SocketAddr;
use std::sync::OnceLock;

use crate::client::Client;
use crate::reference;

/// A control plane to test.
#[derive(Clone, Debug)]
pub struct Target {
    /// Base URL, e.g. `http://127.0.0.1:8080`.
    pub url: String,
    /// API key to send, if the target wants one.
    pub api_key: Option<String>,
    /// Human name for reports: `embedded` or the URL.
    pub kind: String,
}

impl Target {
    /// The target the environment asks for; the embedded reference by default.
    /// The embedded reference is started once per process and shared, exactly
    /// as a URL target is shared, so scenarios must not collide on it.
    pub fn from_env() -> Result<Target, String> {
        match std::env::var("AGENTFIELD_URL") {
            Ok(url) if !url.trim().is_empty() => Ok(Target {
                url: url.trim().trim_end_matches('/').to_string(),
                api_key: std::env::var("AGENTFIELD_API_KEY")
                    .ok()
                    .filter(|k| !k.is_empty()),
                kind: url.trim().to_string(),
            }),
            _ => embedded().map(|addr| Target {
                url: format!("http://{addr}"),
                api_key: None,
                kind: "embedded".to_string(),
            }),
        }
    }

    /// A client for this target.
    pub fn client(&self) -> Client {
        Client::new(&self.url, self.api_key.clone())
    }
}

/// Starts the reference once, on its own thread and runtime, so it outlives
/// every test's runtime and serves them all.
fn embedded() -> Result<SocketAddr, String> {
    static ADDR: OnceLock<Result<SocketAddr, String>> = OnceLock::new();
    ADDR.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("afc-reference".to_string())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = tx.send(Err(format!("cannot start a runtime: {e}")));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
                        Ok(l) => l,
                        Err(e) => {
                            let _ = tx.send(Err(format!("cannot bind 127.0.0.1:0: {e}")));
                            return;
                        }
                    };
                    let addr = listener.local_addr().map_err(|e| e.to_string());
                    let _ = tx.send(addr);
                    // Lives as long as the process.
                    let forever = std::future::pending::<()>();
                    if let Err(e) =
                        reference::serve(listener, reference::Config::default(), forever).await
                    {
                        tracing::error!("embedded reference stopped: {e}");
                    }
                });
            })
            .map_err(|e| format!("cannot start the reference thread: {e}"))?;
        rx.recv()
            .map_err(|e| format!("the reference thread died: {e}"))?
    })
    .clone()
}
