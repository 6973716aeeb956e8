//! The newest contract's async pool on shutdown (§1.3 steps 8 and 11;
//! V-latest): once the control plane is stopping, a request still in flight
//! is refused 503 `control_plane_shutdown` with `Retry-After: 1` and
//! `retry_after: 1`, and writes nothing. Upstream: `reserveForAdmission` /
//! `StopAsyncWorkerPool` (handlers/execute.go),
//! `TestExecuteAsyncHandler_AlreadyStoppedPoolReturnsShutdownWithoutPersistence`.
//!
//! Not a scenario: the only way a request meets a stopped pool is to be in
//! flight while the control plane shuts down, which needs a raw connection
//! held across the stop (`Expect: 100-continue` shows that the request head
//! was read) and a second start on the same data to read what was written;
//! no scenario step does either. The full pool is the scenario
//! `errors/async_queue_full`.

use afc::reference::{serve_on, Config, SqliteSync, Storage};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

use crate::kit::{eventually, Agent, Cp, DEADLINE};

/// Serves the reference on SQLite in `dir`; the sender stops it.
async fn start(
    dir: &std::path::Path,
) -> (String, oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("bound address").to_string();
    let storage = Storage::sqlite(dir, SqliteSync::Normal).expect("open the store");
    let (tx, rx) = oneshot::channel::<()>();
    let served = tokio::spawn(async move {
        let _ = serve_on(listener, Config::default(), storage, async move {
            let _ = rx.await;
        })
        .await;
    });
    (addr, tx, served)
}

/// Reads from `s` until `done` holds for what was read, within the deadline.
async fn read_until(s: &mut TcpStream, what: &str, done: impl Fn(&str) -> bool) -> String {
    let mut seen = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        while !done(&String::from_utf8_lossy(&seen)) {
            let n = s.read(&mut buf).await.expect("read");
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
        }
    };
    if tokio::time::timeout(DEADLINE, read).await.is_err() {
        panic!(
            "timed out after {DEADLINE:?} waiting for {what}; read so far: {:?}",
            String::from_utf8_lossy(&seen)
        );
    }
    String::from_utf8_lossy(&seen).into_owned()
}

#[tokio::test]
async fn a_request_in_flight_when_the_control_plane_stops_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (addr, stop, served) = start(dir.path()).await;
    let cp = Cp::at(&format!("http://{addr}"));
    let _agent = Agent::start(&cp, "n1", &["root"]).await;

    let body = br#"{"input":{}}"#;
    let mut s = TcpStream::connect(&addr).await.expect("connect");
    let head = format!(
        "POST /api/v1/execute/async/n1.root HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         X-Session-ID: stopping\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.expect("write the head");
    // 100 Continue: the handler is reading the body, so the request is in flight.
    read_until(&mut s, "100 Continue", |r| r.contains("\r\n\r\n")).await;

    stop.send(()).expect("the control plane is running");
    // The pool stops before the listener closes: a refused connection shows it.
    eventually("the listener to close", || {
        let addr = addr.clone();
        async move {
            match TcpStream::connect(&addr).await {
                Err(_) => Ok(()),
                Ok(_) => Err("a new connection was still accepted".to_owned()),
            }
        }
    })
    .await;

    s.write_all(body).await.expect("write the body");
    let answer = read_until(&mut s, "the answer", |r| {
        r.split("\r\n\r\n").nth(1).is_some_and(|b| b.ends_with('}'))
    })
    .await;
    let mut parts = answer.splitn(2, "\r\n\r\n");
    let (head, body) = (parts.next(), parts.next());
    let head = head.unwrap_or_default().to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 503"), "{answer}");
    assert!(head.contains("\r\nretry-after: 1"), "{answer}");
    let body: Value = serde_json::from_str(body.unwrap_or_default()).expect("a JSON body");
    assert_eq!(body["error_category"], "control_plane_shutdown", "{body}");
    assert_eq!(body["retry_after"], 1, "{body}");
    assert!(
        tokio::time::timeout(DEADLINE, served).await.is_ok(),
        "the control plane stopped within {DEADLINE:?}"
    );

    // Started again on the same data: the refused request wrote no run.
    let (addr, _stop, _served) = start(dir.path()).await;
    let runs = Cp::at(&format!("http://{addr}"))
        .get("/api/ui/v2/workflow-runs?session_id=stopping")
        .await;
    assert_eq!(runs.status, 200, "{}", runs.body);
    assert_eq!(runs.body["total_count"], 0, "{}", runs.body);
}
