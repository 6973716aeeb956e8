//! Dispatch connections: the reference keeps connections to agents alive; an
//! agent that closes a connection after answering on it (as uvicorn does
//! after an unhandled exception) costs no dispatch, and no dispatch is ever
//! sent twice (issue 27: a POST runs a reasoner; `dispatch_races` shows one
//! dropped after it was read is not resent).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::kit::Cp;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Reads one request head plus its Content-Length body; false at EOF.
async fn read_request(stream: &mut TcpStream) -> bool {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return true;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

const OK: &[u8] =
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{\"ok\":true}";

/// An agent whose first connection answers one request and then closes
/// (signalling `closed`); every later connection answers normally.
async fn closing_agent() -> (String, Arc<AtomicUsize>, Arc<tokio::sync::Notify>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let requests = Arc::new(AtomicUsize::new(0));
    let closed = Arc::new(tokio::sync::Notify::new());
    let (seen, signal) = (requests.clone(), closed.clone());
    tokio::spawn(async move {
        let mut first = true;
        while let Ok((mut stream, _)) = listener.accept().await {
            let (close_after_one, seen, signal) = (first, seen.clone(), signal.clone());
            first = false;
            tokio::spawn(async move {
                while read_request(&mut stream).await {
                    seen.fetch_add(1, Ordering::SeqCst);
                    if stream.write_all(OK).await.is_err() {
                        return;
                    }
                    if close_after_one {
                        let _ = stream.shutdown().await;
                        drop(stream);
                        signal.notify_one();
                        return;
                    }
                }
            });
        }
    });
    (url, requests, closed)
}

#[tokio::test]
async fn a_connection_the_agent_closed_after_answering_costs_no_dispatch() {
    let cp = Cp::start().await;
    let (agent_url, requests, closed) = closing_agent().await;
    let reg =
        json!({"id": "flaky", "base_url": agent_url, "reasoners": [{"id": "r"}], "skills": []});
    let r = cp.post("/api/v1/nodes/register", &[], reg).await;
    assert_eq!(r.status, 201, "{}", r.body);
    for i in 0..3 {
        let r = cp.execute("flaky.r", &[], json!({"input": {"i": i}})).await;
        assert_eq!(r.status, 200, "execute {i}: {}", r.body);
        assert_eq!(r.body["result"], json!({"ok": true}), "execute {i}");
        if i == 0 {
            // The first connection is closed before the next dispatch starts.
            closed.notified().await;
        }
    }
    // Three dispatches, none sent twice.
    assert_eq!(requests.load(Ordering::SeqCst), 3);
}
