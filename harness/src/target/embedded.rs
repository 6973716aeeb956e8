//! The embedded reference control plane: started once per process, on its
//! own thread and runtime, on 127.0.0.1:0. `AFC_STORE=sqlite` puts its state
//! in the SQLite store in a fresh temporary data dir (kept after the process
//! ends, so a failure can be inspected; its path is printed); `memory`, the
//! default, keeps it in memory.

use std::net::SocketAddr;
use std::sync::OnceLock;

use crate::reference::{self, Storage};

/// Starts the reference once, on its own thread and runtime, so it outlives
/// every test's runtime and serves them all.
pub(super) fn start() -> Result<SocketAddr, String> {
    static ADDR: OnceLock<Result<SocketAddr, String>> = OnceLock::new();
    ADDR.get_or_init(|| {
        let store = store_from_env()?;
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
                        reference::serve_on(listener, reference::Config::default(), store, forever)
                            .await
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

/// The store `AFC_STORE` names: `memory` (default, also when blank) or `sqlite`.
fn store_from_env() -> Result<Storage, String> {
    let choice = std::env::var("AFC_STORE").unwrap_or_default();
    match choice.trim() {
        "" | "memory" => Ok(Storage::memory(reference::Config::default().max_executions)),
        "sqlite" => {
            let dir = tempfile::Builder::new()
                .prefix("afc-store-")
                .tempdir()
                .map_err(|e| format!("AFC_STORE=sqlite: cannot make a data dir: {e}"))?
                .keep();
            eprintln!("embedded reference: SQLite store in {}", dir.display());
            Storage::sqlite(&dir, reference::SqliteSync::Full)
                .map_err(|e| format!("AFC_STORE=sqlite: {e}"))
        }
        other => Err(format!(
            "AFC_STORE={other:?} is not a store; use memory (default) or sqlite"
        )),
    }
}
