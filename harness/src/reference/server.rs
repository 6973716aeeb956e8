//! The accept loop of the reference: every connection and every wait bounded.
//!
//! `axum::serve` keeps a connection as long as its client does and, on
//! shutdown, waits for every connection forever: one client that sent half a
//! request header kept `afc serve` from exiting (observed ≥ 150 s). Here:
//! - a request head must arrive within [`Config::header_read_timeout`]; hyper
//!   arms the same timer while a kept-alive connection waits for its next
//!   request, so it is also the idle keep-alive timeout. hyper arms it only
//!   at the first byte, so a socket that sends nothing is closed here when
//!   that long has passed since accept;
//! - an HTTP/2 (h2c) connection with no request in flight for that long is
//!   shut down (GOAWAY, then closed): hyper's h1 timers do not apply to it;
//! - a request body must arrive whole within [`Config::body_read_timeout`]
//!   (`limits::read_body`, answered 408);
//! - at most [`Config::max_connections`] connections are served at once; one
//!   more is answered `503` with a JSON body and closed, instead of queueing
//!   until accept fails for lack of file descriptors;
//! - on shutdown the listener closes at once, open connections finish their
//!   request in flight, and whatever still runs after
//!   [`Config::shutdown_timeout`] is abandoned (its tasks are aborted).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::service::{service_fn, Service as _};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, Semaphore};
use tokio::task::JoinSet;

use super::limits::MAX_HEADER_COUNT;
use super::Config;

/// Serves `app` on `listener` until `shutdown` resolves, then drains open
/// connections for at most `config.shutdown_timeout`.
pub async fn run(
    listener: TcpListener,
    app: Router,
    config: &Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout)
        // Past our own count limit, so that `limits` answers it with JSON.
        .max_headers(MAX_HEADER_COUNT * 2);
    let slots = Arc::new(Semaphore::new(config.max_connections.max(1)));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut conns = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            () = &mut shutdown => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, typically: the error repeats until
                    // a connection closes, so pause instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            tokio::spawn(refuse(stream, config.max_connections));
            continue;
        };
        let tower = TowerToHyperService::new(app.clone());
        let idle = Arc::new(Idle::default());
        let watched = idle.clone();
        let service = service_fn(move |req| {
            let busy = watched.enter();
            let call = tower.call(req);
            async move {
                let answer = call.await;
                drop(busy);
                answer
            }
        });
        let builder = builder.clone();
        let mut stop = stop_rx.clone();
        let idle_after = config.header_read_timeout;
        conns.spawn(async move {
            let _permit = permit;
            let first = tokio::select! {
                first = first_byte(&stream, idle_after) => first,
                _ = stop.wait_for(|s| *s) => false,
            };
            if !first {
                return;
            }
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = async { let _ = stop.wait_for(|s| *s).await; } => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
                () = idle.expired(idle_after) => {
                    conn.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(idle_after, conn).await;
                }
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drain = async { while conns.join_next().await.is_some() {} };
    if tokio::time::timeout(config.shutdown_timeout, drain)
        .await
        .is_err()
    {
        tracing::warn!(
            connections = conns.len(),
            deadline = ?config.shutdown_timeout,
            "shutdown deadline passed; abandoning the work still in flight"
        );
        conns.abort_all();
    }
    Ok(())
}

/// Whether the client sent a first byte within `deadline` of accept; a
/// closed or silent socket is dropped without an answer, as hyper drops one
/// whose head never completes.
async fn first_byte(stream: &TcpStream, deadline: Duration) -> bool {
    let mut probe = [0u8; 1];
    matches!(
        tokio::time::timeout(deadline, stream.peek(&mut probe)).await,
        Ok(Ok(n)) if n > 0
    )
}

/// Requests in flight on one connection, and a signal at each start and end.
#[derive(Default)]
struct Idle {
    active: AtomicUsize,
    changed: Notify,
}

/// Marks one request in flight until dropped.
struct Busy(Arc<Idle>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::SeqCst);
        self.0.changed.notify_waiters();
    }
}

impl Idle {
    fn enter(self: &Arc<Self>) -> Busy {
        self.active.fetch_add(1, Ordering::SeqCst);
        self.changed.notify_waiters();
        Busy(self.clone())
    }

    /// Resolves once no request has been in flight for `after`.
    async fn expired(&self, after: Duration) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if self.active.load(Ordering::SeqCst) > 0 {
                changed.await;
            } else if tokio::time::timeout(after, changed).await.is_err() {
                return;
            }
        }
    }
}

/// Answers a connection over the cap with a JSON 503 and closes it.
async fn refuse(mut stream: TcpStream, max: usize) {
    let body = serde_json::json!({
        "error": "too many connections",
        "max_connections": max,
    })
    .to_string();
    let reply = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\nretry-after: 1\r\n\r\n{body}",
        body.len()
    );
    let write = async {
        stream.write_all(reply.as_bytes()).await?;
        stream.shutdown().await
    };
    // A client that never reads cannot hold this task.
    let _ = tokio::time::timeout(Duration::from_secs(1), write).await;
}
