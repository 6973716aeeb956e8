//! Run-list latency and memory of a running control plane as its run count
//! grows (issue 12's BENCHMARKS.md rows). Not part of `cargo test`.
//!
//! ```sh
//! afc serve --listen 127.0.0.1:18110 &   # a release build
//! cargo run --release --example run_list -- http://127.0.0.1:18110 $! 1000,10000,100000
//! ```
//!
//! Each run is one async execute against a node whose agent is unreachable
//! (the execution fails at once), so N runs are N executions. At each size it
//! prints the median [min–max] of 7 `GET /api/ui/v2/workflow-runs?page_size=20`
//! (default sort: updated_at desc), the slowest of 8 health requests sent
//! while 4 list calls run, and the server's VmRSS / VmHWM.

use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).ok_or("usage: run_list URL PID SIZES")?.clone();
    let pid: u32 = args.get(2).ok_or("PID")?.parse()?;
    let sizes: Vec<usize> = args
        .get(3)
        .map_or("1000,10000,100000", String::as_str)
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let client = reqwest::Client::builder().no_proxy().build()?;
    let reg = json!({"id": "bench", "base_url": "http://127.0.0.1:9", "version": "1",
                     "reasoners": [{"id": "r"}]});
    let r = client
        .post(format!("{url}/api/v1/nodes/register"))
        .json(&reg)
        .send()
        .await?;
    if !r.status().is_success() {
        return Err(format!("register: {}", r.status()).into());
    }
    let mut have = 0usize;
    println!(
        "| runs | page (median [min–max]) | health under 4 list calls (max of 8) | VmRSS | VmHWM |"
    );
    println!("|---:|---:|---:|---:|---:|");
    for size in sizes {
        let url_ref = &url;
        let client_ref = &client;
        let made: Vec<bool> = stream::iter(have..size)
            .map(|_| async move {
                client_ref
                    .post(format!("{url_ref}/api/v1/execute/async/bench.r"))
                    .json(&json!({"input": {}}))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().as_u16() == 202)
            })
            .buffer_unordered(16)
            .collect()
            .await;
        if made.iter().any(|ok| !ok) {
            return Err("an async execute was refused".into());
        }
        have = size;
        let list = format!("{url}/api/ui/v2/workflow-runs?page_size=20");
        let mut page = Vec::new();
        for _ in 0..7 {
            let t = Instant::now();
            let body = client.get(&list).send().await?.bytes().await?;
            page.push(t.elapsed());
            if body.is_empty() {
                return Err("empty run list".into());
            }
        }
        page.sort();
        let busy: Vec<_> = (0..4)
            .map(|_| tokio::spawn(client.get(&list).send()))
            .collect();
        let mut health = Duration::ZERO;
        for _ in 0..8 {
            let t = Instant::now();
            client
                .get(format!("{url}/api/v1/health"))
                .send()
                .await?
                .bytes()
                .await?;
            health = health.max(t.elapsed());
        }
        for b in busy {
            let _ = b.await;
        }
        let (rss, hwm) = vm(pid)?;
        println!(
            "| {size} | {} [{}–{}] | {} | {rss:.0} MiB | {hwm:.0} MiB |",
            ms(page[3]),
            ms(page[0]),
            ms(page[6]),
            ms(health)
        );
    }
    Ok(())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// VmRSS and VmHWM of `pid` in MiB.
fn vm(pid: u32) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> f64 {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    Ok((field("VmRSS:"), field("VmHWM:")))
}
