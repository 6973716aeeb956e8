//! Test kit for the reference control plane: start one on 127.0.0.1:0, drive
//! it over HTTP, and run scripted agents that record every dispatch.
#![allow(dead_code, unused_imports)]

use std::future::Future;
use std::time::Duration;

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
