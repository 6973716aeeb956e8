//! Dispatch against agents that misbehave at the transport (issue 27): a
//! dispatch is never sent twice, a redirect is never followed and fails the
//! execution, and a failing answer after a `cancelled` callback leaves the
//! row cancelled (v0.1.96's guard). Agents here are raw TCP listeners, so
//! each misbehaviour is exact.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::kit::Cp;

/// Reads one request: its head (lower-cased) and body.
async fn read_request(s: &mut TcpStream) -> (String, Vec<u8>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).await.expect("read request");
        assert!(n > 0, "the control plane closed mid-head");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().expect("length"));
    while buf.len() < head_end + len {
        let n = s.read(&mut chunk).await.expect("read body");
        assert!(n > 0, "the control plane closed mid-body");
        buf.extend_from_slice(&chunk[..n]);
    }
    (head, buf[head_end..head_end + len].to_vec())
}

fn header(head: &str, name: &str) -> String {
    head.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

/// A raw agent: every connection's first request goes to `answer`, which
/// gets the stream, the head and the request count so far.
async fn raw_agent<F, Fut>(cp: &Cp, node: &str, answer: F) -> Arc<AtomicUsize>
where
    F: Fn(TcpStream, String, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let (answer, counted) = (answer.clone(), counted.clone());
            tokio::spawn(async move {
                let (head, _) = read_request(&mut s).await;
                let n = counted.fetch_add(1, Ordering::SeqCst) + 1;
                answer(s, head, n).await;
            });
        }
    });
    let body = json!({"id": node, "base_url": format!("http://{addr}"),
                      "reasoners": [{"id": "r"}], "skills": []});
    let r = cp.post("/api/v1/nodes/register", &[], body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    hits
}

async fn reply(mut s: TcpStream, status: &str, extra: &str, body: &str) {
    let text = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = s.write_all(text.as_bytes()).await;
    let _ = s.shutdown().await;
}

#[tokio::test]
async fn a_dispatch_the_agent_dropped_after_reading_it_is_sent_once() {
    let cp = Cp::start().await;
    let hits = raw_agent(&cp, "n1", |s, _, _| async move { drop(s) }).await;
    let r = cp.execute("n1.r", &[], json!({})).await;
    assert_eq!(r.status, 504, "{}", r.body);
    assert_eq!(r.body["error_category"], "agent_unreachable", "{}", r.body);
    assert_eq!(hits.load(Ordering::SeqCst), 1, "the reasoner ran once");
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_fails_the_execution() {
    let cp = Cp::start().await;
    let elsewhere = raw_agent(&cp, "other", |s, _, _| reply(s, "200 OK", "", "{}")).await;
    let target = cp.get("/api/v1/nodes/other").await.str("base_url");
    let location = format!("location: {target}/reasoners/r\r\n");
    let hits = raw_agent(&cp, "n1", move |s, _, _| {
        let location = location.clone();
        async move { reply(s, "307 Temporary Redirect", &location, "{}").await }
    })
    .await;
    let r = cp.execute("n1.r", &[], json!({})).await;
    assert_eq!(r.status, 502, "{}", r.body);
    assert_eq!(r.body["error_category"], "bad_response", "{}", r.body);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert_eq!(
        elsewhere.load(Ordering::SeqCst),
        0,
        "the redirect was followed"
    );

    let _ = raw_agent(&cp, "n2", |s, _, _| {
        reply(s, "300 Multiple Choices", "", "{}")
    })
    .await;
    let r = cp.execute("n2.r", &[], json!({})).await;
    assert_eq!(r.status, 502, "a 3xx is not a success: {}", r.body);
}

/// The agent reports `status` by callback (and waits for its 200), then
/// answers the dispatch 500; the row as read afterwards.
async fn callback_then_500(status: &'static str) -> serde_json::Value {
    let cp = Cp::start().await;
    let url = cp.url.clone();
    let seen = Arc::new(std::sync::Mutex::new(String::new()));
    let dispatched = seen.clone();
    raw_agent(&cp, "n1", move |s, head, _| {
        let (url, dispatched) = (url.clone(), dispatched.clone());
        async move {
            let id = header(&head, "x-execution-id");
            *dispatched.lock().expect("id") = id.clone();
            let cb = reqwest::Client::new()
                .post(format!("{url}/api/v1/executions/{id}/status"))
                .json(&json!({"status": status, "result": {"ok": true}}))
                .send()
                .await
                .expect("callback");
            assert_eq!(cb.status(), 200, "callback {status}");
            reply(s, "500 Internal Server Error", "", r#"{"boom":1}"#).await;
        }
    })
    .await;
    // The sync reply comes after the dispatch's outcome is recorded.
    let r = cp.execute("n1.r", &[], json!({})).await;
    assert_eq!(r.status, 502, "{}", r.body);
    let id = seen.lock().expect("id").clone();
    cp.get(&format!("/api/v1/executions/{id}")).await.body
}

#[tokio::test]
async fn a_failing_answer_after_a_cancelled_callback_leaves_the_row_cancelled() {
    let row = callback_then_500("cancelled").await;
    assert_eq!(row["status"], "cancelled", "{row}");
}

#[tokio::test]
async fn a_failing_answer_after_a_succeeded_callback_fails_the_row_as_v0_1_96_does() {
    // v0.1.96's failExecution guards only cancelled and waiting rows.
    let row = callback_then_500("succeeded").await;
    assert_eq!(row["status"], "failed", "{row}");
    assert_eq!(row["status_reason"], "agent_error", "{row}");
}

#[tokio::test]
async fn the_legacy_route_reads_an_agent_answer_under_the_execute_cap() {
    let cp = Cp::with_config(afc::reference::Config {
        max_agent_response_bytes: 1024 * 1024,
        ..afc::reference::Config::default()
    })
    .await;
    let big = format!("\"{}\"", "a".repeat(1024 * 1024));
    raw_agent(&cp, "n1", move |s, _, _| {
        let big = big.clone();
        async move { reply(s, "200 OK", "", &big).await }
    })
    .await;
    let r = cp
        .post("/api/v1/reasoners/n1.r", &[], json!({"input": {}}))
        .await;
    assert_eq!(r.status, 500, "{}", r.body);
    assert_eq!(
        r.body["error"], "failed to read agent response",
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_non_ascii_run_or_parent_header_is_refused_with_json() {
    let cp = Cp::start().await;
    let _ = raw_agent(&cp, "n1", |s, _, _| reply(s, "200 OK", "", "{}")).await;
    let addr = cp.url.trim_start_matches("http://").to_owned();
    for name in ["X-Run-ID", "X-Parent-Execution-ID"] {
        let mut s = TcpStream::connect(&addr).await.expect("connect");
        let mut req = format!(
            "POST /api/v1/execute/n1.r HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: 2\r\n{name}: run_"
        )
        .into_bytes();
        req.extend_from_slice("é\r\n\r\n{}".as_bytes());
        s.write_all(&req).await.expect("write");
        let mut seen = Vec::new();
        tokio::time::timeout(std::time::Duration::from_secs(10), s.read_to_end(&mut seen))
            .await
            .expect("answered within 10 s")
            .expect("read");
        let seen = String::from_utf8_lossy(&seen);
        assert!(seen.starts_with("HTTP/1.1 400"), "{name}: {seen}");
        assert!(
            seen.contains(&format!("header {name} must be visible ASCII")),
            "{seen}"
        );
    }
}
