//! Test kit for the reference control plane: start one on 127.0.0.1:0, drive
//! it over HTTP, and run scripted agents that record every dispatch.
#![allow(dead_code, unused_imports)]

use std::future::Future;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

mod agent;
mod cp;

pub use agent::{Agent, Hop, Program};
pub use cp::{Cp, Reply};

/// How long any wait in these tests may take before it fails.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// Polls `probe` until it yields `Ok`, or fails naming what was awaited and
/// the last thing seen.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let last = match probe().await {
            Ok(v) => return v,
            Err(seen) => seen,
        };
        if tokio::time::Instant::now() >= deadline {
            panic!("timed out after {DEADLINE:?} waiting for {what}; last seen: {last}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Reads until the server closes the connection; what it sent, or a panic
/// naming what was seen when the 10 s deadline passed.
pub async fn read_until_closed(stream: &mut TcpStream, what: &str) -> String {
    let mut seen = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    };
    if tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .is_err()
    {
        panic!(
            "{what}: the connection was still open after 10 s; seen: {:?}",
            String::from_utf8_lossy(&seen)
        );
    }
    String::from_utf8_lossy(&seen).into_owned()
}
