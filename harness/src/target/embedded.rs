//! The embedded reference control plane: started once per process, on its
//! own thread and runtime, on 127.0.0.1:0.

use std::net::SocketAddr;
use std::sync::OnceLock;

use crate::reference;

/// Starts the reference once, on its own thread and runtime, so it outlives
/// every test's runtime and serves them all.
pub(super) fn start() -> Result<SocketAddr, String> {
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
