//! Every bound of the reference answers with JSON and the limit it hit
//! (issue 12, `afc::reference::limits`): URI, header fields, body,
//! batch-status ids, connections, agent answers; and the connection timers.

use std::time::Duration;

use crate::kit::{read_until_closed, Agent, Cp, Program};
use afc::reference::limits::{MAX_BATCH_IDS, MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_URI_BYTES};
use afc::reference::Config;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn connect_addr(cp: &Cp) -> String {
    cp.url.trim_start_matches("http://").to_owned()
}

#[tokio::test]
async fn a_half_sent_head_is_dropped_after_the_header_read_timeout() {
    let cp = Cp::with_config(Config {
        header_read_timeout: Duration::from_millis(300),
        ..Config::default()
    })
    .await;
    let mut s = TcpStream::connect(connect_addr(&cp))
        .await
        .expect("connect");
    s.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    read_until_closed(&mut s, "half-sent head").await;
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed() {
    let cp = Cp::with_config(Config {
        header_read_timeout: Duration::from_millis(300),
        ..Config::default()
    })
    .await;
    let mut s = TcpStream::connect(connect_addr(&cp))
        .await
        .expect("connect");
    s.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let seen = read_until_closed(&mut s, "idle keep-alive connection").await;
    assert!(seen.starts_with("HTTP/1.1 200"), "answered first: {seen}");
}

#[tokio::test]
async fn a_connection_over_the_cap_gets_a_json_503() {
    let cp = Cp::with_config(Config {
        max_connections: 2,
        ..Config::default()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(connect_addr(&cp))
            .await
            .expect("connect");
        // A full exchange proves the connection holds a slot before the next one comes.
        s.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("write");
        let mut buf = [0u8; 512];
        let n = s.read(&mut buf).await.expect("answer");
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
        held.push(s);
    }
    let mut third = TcpStream::connect(connect_addr(&cp))
        .await
        .expect("connect");
    let seen = read_until_closed(&mut third, "connection over the cap").await;
    assert!(seen.starts_with("HTTP/1.1 503"), "{seen}");
    assert!(
        seen.ends_with(r#"{"error":"too many connections","max_connections":2}"#),
        "{seen}"
    );
    drop(held);
}

#[tokio::test]
async fn shutdown_abandons_a_stalled_client_at_the_deadline() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let config = Config {
        shutdown_timeout: Duration::from_millis(200),
        header_read_timeout: Duration::from_secs(3600),
        ..Config::default()
    };
    let server = tokio::spawn(afc::reference::serve(listener, config, async {
        let _ = rx.await;
    }));
    let mut s = TcpStream::connect(addr).await.expect("connect");
    // A whole head and half a body: the request is in flight, so only the deadline ends it.
    s.write_all(
        b"POST /api/v1/executions/batch-status HTTP/1.1\r\nHost: x\r\nContent-Length: 99\r\n\r\n{",
    )
    .await
    .expect("write");
    // The stalled client is being served once the server answers on another connection.
    let probe = reqwest::get(format!("http://{addr}/api/v1/health"))
        .await
        .expect("health");
    assert_eq!(probe.status(), 200);
    let _ = tx.send(());
    let done = tokio::time::timeout(Duration::from_secs(5), server).await;
    assert!(
        matches!(done, Ok(Ok(Ok(())))),
        "serve returned within 5 s of a 200 ms deadline: {done:?}"
    );
}

#[tokio::test]
async fn oversize_requests_are_answered_with_json() {
    let cp = Cp::start().await;
    let long = "x".repeat(MAX_URI_BYTES + 1);
    let r = cp.get(&format!("/api/v1/health?q={long}")).await;
    assert_eq!(
        (r.status, r.body.clone()),
        (
            414,
            json!({"error": "request URI too long", "max_bytes": MAX_URI_BYTES})
        )
    );

    let mut req = cp.client.get(format!("{}/api/v1/health", cp.url));
    for i in 0..101 {
        req = req.header(format!("x-h{i}"), "1");
    }
    let r = req.send().await.expect("send");
    assert_eq!(r.status().as_u16(), 431);
    let body: serde_json::Value = r.json().await.expect("JSON body");
    assert_eq!(body["error"], "request header fields too large");

    let big = "v".repeat(MAX_HEADER_BYTES);
    let r = cp
        .client
        .get(format!("{}/api/v1/health", cp.url))
        .header("x-big", big)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 431);

    let body = vec![b' '; MAX_BODY_BYTES + 1];
    let r = cp.post_raw("/api/v1/execute/n.r", &[], body).await;
    assert_eq!(
        (r.status, r.body),
        (
            413,
            json!({"error": "request body too large", "max_bytes": MAX_BODY_BYTES})
        )
    );
}

#[tokio::test]
async fn batch_status_refuses_more_ids_than_its_bound() {
    let cp = Cp::start().await;
    let ids: Vec<String> = (0..=MAX_BATCH_IDS).map(|i| format!("e{i}")).collect();
    let r = cp
        .post(
            "/api/v1/executions/batch-status",
            &[],
            json!({"execution_ids": ids}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.body["max_ids"], json!(MAX_BATCH_IDS));
    let r = cp
        .post(
            "/api/v1/executions/batch-status",
            &[],
            json!({"execution_ids": ids[..MAX_BATCH_IDS]}),
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn an_oversize_agent_answer_fails_its_execution() {
    let cp = Cp::with_config(Config {
        max_agent_response_bytes: 1024 * 1024,
        ..Config::default()
    })
    .await;
    let agent = Agent::start(&cp, "n1", &["big", "fits"]).await;
    let huge = format!("\"{}\"", "a".repeat(1024 * 1024));
    agent.program("big", Program::Reply(200, huge));
    agent.program(
        "fits",
        Program::Reply(200, format!("\"{}\"", "a".repeat(1000 * 1024))),
    );
    let r = cp.execute("n1.big", &[], json!({})).await;
    assert_eq!(r.status, 502, "{}", r.body);
    assert_eq!(r.body["error_category"], "agent_response_too_large");
    let exec = agent.hops_to("big").pop().expect("dispatched");
    let id = exec.h("x-execution-id").expect("header").to_owned();
    let row = cp.get(&format!("/api/v1/executions/{id}")).await.body;
    assert_eq!(
        (row["status"].clone(), row["status_reason"].clone()),
        (json!("failed"), json!("agent_response_too_large"))
    );
    assert_eq!(
        cp.execute("n1.fits", &[], json!({})).await.status,
        200,
        "under the cap"
    );
}

#[tokio::test]
async fn invocation_url_gets_base_url_checks() {
    let cp = Cp::start().await;
    for bad in [
        "http://user:pw@127.0.0.1:1/admin",
        "file:///etc/passwd",
        "http://",
    ] {
        let body = json!({"id": "n", "base_url": "http://127.0.0.1:1", "invocation_url": bad});
        let r = cp.post("/api/v1/nodes/register", &[], body).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert_eq!(r.body["error"], "Invalid invocation_url", "{bad}");
    }
    let ok = json!({"id": "n", "base_url": "http://127.0.0.1:1", "invocation_url": "http://127.0.0.1:1/x"});
    assert_eq!(cp.post("/api/v1/nodes/register", &[], ok).await.status, 201);
}

#[tokio::test]
async fn a_full_store_evicts_the_oldest_finished_run_else_answers_503() {
    let cp = Cp::with_config(Config {
        max_executions: 3,
        ..Config::default()
    })
    .await;
    let agent = Agent::start(&cp, "n1", &["done", "hang"]).await;
    agent.program("hang", Program::Silent);
    for run in ["r1", "r2", "r3", "r4"] {
        let r = cp.execute("n1.done", &[("X-Run-ID", run)], json!({})).await;
        assert_eq!(r.status, 200, "{run}: {}", r.body);
    }
    let listed = cp
        .get("/api/ui/v2/workflow-runs?sort_by=started_at&sort_order=asc")
        .await
        .body;
    let runs: Vec<&str> = listed["runs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["run_id"].as_str())
        .collect();
    assert_eq!(
        runs,
        ["r2", "r3", "r4"],
        "r1, the oldest finished run, was evicted"
    );
    assert_eq!(cp.get("/api/ui/v2/workflow-runs/r1").await.status, 404);
    for run in ["h1", "h2", "h3"] {
        let r = cp
            .execute_async("n1.hang", &[("X-Run-ID", run)], json!({}))
            .await;
        assert_eq!(r.status, 202, "{run}: {}", r.body);
    }
    let r = cp
        .execute_async("n1.hang", &[("X-Run-ID", "h4")], json!({}))
        .await;
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.body["max_executions"], json!(3));
}
