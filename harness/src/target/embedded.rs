//! The embedded reference control plane: started once per process, on its
//! own thread and runtime, on 127.0.0.1:0. `AFC_STORE=sqlite` puts its state
//! in the SQLite store in a fresh temporary data dir (kept after the process
//! ends, so a failure can be inspected; its path is printed); `memory`, the
//! default, keeps it in memory. `AFC_CONTRACT` picks the contract it serves
//! (`reference::contract`); `AFC_PERTURB` (with `AFC_PERTURB_SEED`)
//! perturbs it for the neutrality self-check (`reference::perturb`).

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use super::ReferenceError;
use crate::reference::{self, Storage};

/// Starts the reference once, on its own thread and runtime, so it outlives
/// every test's runtime and serves them all. A failure is kept, and shared,
/// as the address would be.
pub(super) fn start() -> Result<SocketAddr, Arc<ReferenceError>> {
    static ADDR: OnceLock<Result<SocketAddr, Arc<ReferenceError>>> = OnceLock::new();
    ADDR.get_or_init(|| start_once().map_err(Arc::new)).clone()
}

fn start_once() -> Result<SocketAddr, ReferenceError> {
    {
        let store = store_from_env()?;
        let config = config_from_env()?;
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
                        let _ = tx.send(Err(ReferenceError::Runtime(e)));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
                        Ok(l) => l,
                        Err(e) => {
                            let _ = tx.send(Err(ReferenceError::Bind(e)));
                            return;
                        }
                    };
                    let addr = listener.local_addr().map_err(ReferenceError::Listener);
                    let _ = tx.send(addr);
                    // Lives as long as the process.
                    let forever = std::future::pending::<()>();
                    if let Err(e) = reference::serve_on(listener, config, store, forever).await {
                        tracing::error!("embedded reference stopped: {e}");
                    }
                });
            })
            .map_err(ReferenceError::Thread)?;
        rx.recv().map_err(ReferenceError::ThreadDied)?
    }
}

/// The default configuration, perturbed as `AFC_PERTURB` says (off when unset).
pub(super) fn config_from_env() -> Result<reference::Config, ReferenceError> {
    let perturb = reference::perturb::Perturb::from_env().map_err(ReferenceError::Perturb)?;
    if !perturb.is_off() {
        eprintln!("embedded reference: perturbed ({perturb:?})");
    }
    Ok(reference::Config {
        perturb,
        contract: contract_from_env()?,
        ..reference::Config::default()
    })
}

/// The contract `AFC_CONTRACT` names: the newest (default) or `v0.1.96`.
pub(super) fn contract_from_env() -> Result<reference::contract::Contract, ReferenceError> {
    reference::contract::Contract::from_env().map_err(ReferenceError::UnknownContract)
}

/// The store `AFC_STORE` names: `memory` (default, also when blank) or `sqlite`.
fn store_from_env() -> Result<Storage, ReferenceError> {
    store_named(&std::env::var("AFC_STORE").unwrap_or_default())
}

fn store_named(choice: &str) -> Result<Storage, ReferenceError> {
    match choice.trim() {
        "" | "memory" => Ok(Storage::memory(reference::Config::default().max_executions)),
        "sqlite" => {
            let dir = tempfile::Builder::new()
                .prefix("afc-store-")
                .tempdir()
                .map_err(ReferenceError::StoreDir)?
                .keep();
            eprintln!("embedded reference: SQLite store in {}", dir.display());
            Storage::sqlite(&dir, reference::SqliteSync::Full).map_err(ReferenceError::StoreOpen)
        }
        other => Err(ReferenceError::UnknownStore(other.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_store_is_refused_by_kind_quoting_it() {
        let e = store_named(" redis ").err().expect("no such store");
        assert!(
            matches!(&e, ReferenceError::UnknownStore(s) if s == "redis"),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "AFC_STORE=\"redis\" is not a store; use memory (default) or sqlite"
        );
        assert!(store_named("").is_ok());
    }
}
