//! The unmodified PyPI `agentfield` SDK against the reference, in one test
//! binary: `restart.rs` (restart reuse in both modes of agent-protocol §7.3)
//! and `devcp.rs` (`afc serve` as a dev control plane, issue 14).
//!
//! The interpreter is `AFC_PYTHON`, else `.venv/bin/python` at the workspace
//! root, else the pinned SDK provisioned on first use under target/afc-python.
//! Without one the trials are reported `ignored (reason)`, never passed,
//! unless `AFC_REQUIRE_PYTHON` is set (CI), when they fail.

mod devcp;
mod restart;

use libtest_mimic::Arguments;

fn main() {
    let args = Arguments::from_args();
    // Relative AFC_PYTHON paths are meant from the workspace root.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::set_current_dir(root).expect("the workspace root exists");
    let mut names = ["functional", "serve"].map(restart::name).to_vec();
    names.push(devcp::NAME.to_string());
    let (skip, py) = afc::trial::python_sdk(&args, &names, None);
    let mut trials = restart::trials(&args, &skip, &py);
    trials.push(devcp::trial(&args, &skip, &py));
    libtest_mimic::run(&args, trials).exit();
}

/// Serves the reference on a free loopback port until the sender is
/// dropped or sent to; returns its URL.
async fn serve_reference() -> Result<(String, tokio::sync::oneshot::Sender<()>), String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let url = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(afc::reference::serve(listener, Default::default(), async {
        let _ = stopped.await;
    }));
    Ok((url, stop))
}

/// Waits until something accepts connections on 127.0.0.1:`port`.
async fn listening(what: &str, port: u16, deadline: std::time::Duration) -> Result<(), String> {
    afc::client::poll(what, deadline, || async {
        match tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            Ok(_) => (Some(()), "accepting".to_string()),
            Err(e) => (None, e.to_string()),
        }
    })
    .await
    .map_err(|e| e.to_string())
}
