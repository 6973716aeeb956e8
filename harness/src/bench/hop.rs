//! Per-hop overhead: a chain of `depth` trivial reasoners, each calling the
//! next through the control plane with a sync execute, timed end to end and
//! divided by the depth. A hop is two HTTP round trips (caller → control
//! plane, control plane → agent), so the physical floor is a bare axum echo
//! on loopback doing two round trips per hop with a pooled reqwest client,
//! measured in rounds that alternate with the chain's.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::routing::post;
use axum::Router;
use serde_json::json;

use super::agent::BenchAgent;
use super::{node_id, HopPoint, Options, Stats, TargetSpec};
use crate::client::Client;

/// Untimed chains (or floor rounds) before the timed ones: connections,
/// allocator and caches warm up.
const WARMUP: usize = 2;

/// A bare axum echo on loopback and a pooled reqwest client: the floor.
pub struct Floor {
    http: reqwest::Client,
    url: String,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Floor {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Floor {
    /// Starts the echo server on 127.0.0.1:0.
    pub async fn start() -> Result<Floor, String> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("floor: bind: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let app = Router::new().route("/echo", post(|b: Bytes| async move { b }));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Floor {
            http,
            url: format!("http://{addr}/echo"),
            server,
        })
    }

    /// `2 * depth` sequential round trips, divided by `depth`: µs per hop.
    async fn round(&self, depth: usize) -> Result<f64, String> {
        let t0 = Instant::now();
        for d in 0..2 * depth {
            let r = self
                .http
                .post(&self.url)
                .json(&json!({ "input": { "d": d } }))
                .send()
                .await
                .map_err(|e| format!("floor: {e}"))?;
            r.bytes().await.map_err(|e| format!("floor: {e}"))?;
        }
        Ok(t0.elapsed().as_secs_f64() * 1e6 / depth as f64)
    }
}

/// Per-hop time on one target, µs.
pub async fn measure(
    spec: &TargetSpec,
    url: &str,
    api_key: Option<String>,
    opts: &Options,
) -> HopPoint {
    let mut point = HopPoint {
        target: spec.name.clone(),
        depth: opts.depth,
        per_hop_us: None,
        floor_us: None,
        note: None,
    };
    let agent = match BenchAgent::start(url, api_key.clone(), &node_id("afchop")).await {
        Ok(a) => a,
        Err(e) => {
            point.note = Some(e);
            return point;
        }
    };
    let floor = match Floor::start().await {
        Ok(f) => f,
        Err(e) => {
            point.note = Some(e);
            return point;
        }
    };
    let client = Client::new(url, api_key);
    let path = format!("/api/v1/execute/{}.hop", agent.shared.node);
    let input = json!({ "input": { "d": opts.depth.saturating_sub(1) } });
    let (mut chain, mut bare) = (Vec::new(), Vec::new());
    // Floor and chain rounds alternate, so both see the same machine load.
    for round in 0..opts.runs + WARMUP {
        let f = match floor.round(opts.depth).await {
            Ok(f) => f,
            Err(e) => {
                point.note = Some(e);
                return point;
            }
        };
        let t0 = Instant::now();
        match client.post(&path, input.clone()).await {
            Ok(r) if r.status == 200 => {}
            Ok(r) => {
                point.note = Some(format!("chain: HTTP {} {}", r.status, r.body));
                return point;
            }
            Err(e) => {
                point.note = Some(format!("chain: {e}"));
                return point;
            }
        }
        if round >= WARMUP {
            chain.push(t0.elapsed().as_secs_f64() * 1e6 / opts.depth as f64);
            bare.push(f);
        }
    }
    let (s, f) = (Stats::of(chain), Stats::of(bare));
    eprintln!(
        "{}: {:.1} µs per hop [{:.1}–{:.1}], floor {:.1} µs [{:.1}–{:.1}], depth {}",
        spec.name, s.median, s.min, s.max, f.median, f.min, f.max, opts.depth
    );
    point.per_hop_us = Some(s);
    point.floor_us = Some(f);
    point
}
