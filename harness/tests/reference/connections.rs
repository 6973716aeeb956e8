//! Connections that send nothing, idle h2c, trickled bodies and absurd
//! lengths (issue 27): each is closed or answered within its deadline, which
//! for a silent socket starts at accept.

use std::time::Duration;

use crate::kit::{read_until_closed, Cp};
use afc::reference::Config;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

async fn quick_cp() -> (Cp, String) {
    let cp = Cp::with_config(Config {
        header_read_timeout: Duration::from_millis(300),
        body_read_timeout: Duration::from_millis(300),
        ..Config::default()
    })
    .await;
    let addr = cp.url.trim_start_matches("http://").to_owned();
    (cp, addr)
}

#[tokio::test]
async fn a_socket_that_sends_nothing_is_closed_at_the_header_deadline() {
    let (_cp, addr) = quick_cp().await;
    let mut s = TcpStream::connect(&addr).await.expect("connect");
    let seen = read_until_closed(&mut s, "silent socket").await;
    assert!(!seen.contains("200 OK"), "{seen}");
}

#[tokio::test]
async fn silent_sockets_at_the_cap_free_their_slots_so_health_answers_again() {
    let cp = Cp::with_config(Config {
        header_read_timeout: Duration::from_millis(300),
        max_connections: 8,
        ..Config::default()
    })
    .await;
    let addr = cp.url.trim_start_matches("http://").to_owned();
    let mut silent = Vec::new();
    for _ in 0..8 {
        silent.push(TcpStream::connect(&addr).await.expect("connect"));
    }
    for s in &mut silent {
        read_until_closed(s, "silent socket at the cap").await;
    }
    let r = cp.get("/api/v1/health").await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn an_idle_h2c_connection_is_closed() {
    let (_cp, addr) = quick_cp().await;
    let mut s = TcpStream::connect(&addr).await.expect("connect");
    // The HTTP/2 preface and an empty SETTINGS frame, then nothing.
    let mut hello = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    hello.extend_from_slice(&[0, 0, 0, 4, 0, 0, 0, 0, 0]);
    s.write_all(&hello).await.expect("write");
    read_until_closed(&mut s, "idle h2c connection").await;
}

#[tokio::test]
async fn a_trickled_body_is_answered_408_at_the_body_deadline() {
    let (_cp, addr) = quick_cp().await;
    let mut s = TcpStream::connect(&addr).await.expect("connect");
    s.write_all(
        b"POST /api/v1/executions/batch-status HTTP/1.1\r\nHost: x\r\n\
          Content-Type: application/json\r\nContent-Length: 99\r\n\r\n{",
    )
    .await
    .expect("write");
    let seen = read_until_closed(&mut s, "trickled body").await;
    assert!(seen.starts_with("HTTP/1.1 408"), "{seen}");
    assert!(
        seen.contains(r#""error":"request body not received in time""#),
        "{seen}"
    );
}

#[tokio::test]
async fn an_absurd_content_length_is_refused_at_once_without_100_continue() {
    let (_cp, addr) = quick_cp().await;
    let mut s = TcpStream::connect(&addr).await.expect("connect");
    s.write_all(
        b"POST /api/v1/execute/n.r HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Expect: 100-continue\r\nContent-Length: 100000000000\r\n\r\n",
    )
    .await
    .expect("write");
    let seen = read_until_closed(&mut s, "absurd Content-Length").await;
    assert!(seen.starts_with("HTTP/1.1 413"), "{seen}");
    assert!(!seen.contains("100 Continue"), "{seen}");
    assert!(
        seen.contains(r#"{"error":"request body too large","max_bytes":"#),
        "{seen}"
    );
}
