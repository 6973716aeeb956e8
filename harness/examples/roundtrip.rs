//! Measures one sync execute round trip through the reference (client ->
//! control plane -> agent answering 200 -> control plane -> client), N times
//! on loopback, and prints median and spread. `cargo run --release --example roundtrip [N]`.

use std::time::{Duration, Instant};

use axum::{routing::post, Json, Router};
use serde_json::json;

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let cp = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind control plane");
    let cp_url = format!("http://{}", cp.local_addr().expect("addr"));
    tokio::spawn(afc::reference::serve(
        cp,
        Default::default(),
        std::future::pending(),
    ));
    let agent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind agent");
    let agent_url = format!("http://{}", agent.local_addr().expect("addr"));
    let app = Router::new().route(
        "/reasoners/echo",
        post(|Json(v): Json<serde_json::Value>| async move { Json(v) }),
    );
    tokio::spawn(async move { axum::serve(agent, app).await });
    let client = afc::client::Client::new(&cp_url, None);
    let reg = json!({"id": "bench", "base_url": agent_url, "version": "1.0.0", "reasoners": [{"id": "echo"}], "skills": []});
    let r = client
        .post("/api/v1/nodes/register", reg)
        .await
        .expect("register");
    assert!(r.status < 300, "register: {}", r.body);
    let mut times: Vec<Duration> = Vec::with_capacity(n);
    for i in 0..n + 50 {
        let start = Instant::now();
        let r = client
            .post("/api/v1/execute/bench.echo", json!({"input": {"i": i}}))
            .await
            .expect("execute");
        assert_eq!(r.status, 200, "{}", r.body);
        if i >= 50 {
            times.push(start.elapsed()); // the first 50 warm up connections
        }
    }
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize];
    println!(
        "sync execute round trip, n={n}: median {:?}, p10 {:?}, p90 {:?}, p99 {:?}",
        pct(0.5),
        pct(0.1),
        pct(0.9),
        pct(0.99)
    );
}
