//! An axum app served as a background task until its owner says stop: the
//! scripted agents, their recording proxies and the barriers all serve this
//! way (the bottom of the map: imports nothing of the crate).

use std::future::Future;

use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Serves `app` on `listener` (bound by the caller) in a spawned task until
/// `shutdown` resolves (whatever its output: a dropped stop sender stops it
/// too), then lets requests in flight finish. Nobody awaits the task for a
/// result, so a server error is logged as `"{name} ended: …"`.
pub fn serve_until<F>(
    listener: TcpListener,
    app: Router,
    shutdown: F,
    name: &'static str,
) -> JoinHandle<()>
where
    F: Future + Send + 'static,
{
    tokio::spawn(async move {
        let shutdown = async {
            shutdown.await;
        };
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::warn!("{name} ended: {e}");
        }
    })
}
