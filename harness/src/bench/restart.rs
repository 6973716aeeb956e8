//! Restart with full reuse as the source run grows: a `fan` root calls N
//! children, the last one fails; the driver restarts from that child
//! (`scope=workflow`, `reuse=succeeded-before`) and times the request up to
//! the new root's terminal status. Every earlier child is a replay hit.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::agent::BenchAgent;
use super::{node_id, Options, RestartPoint, Stats, TargetSpec};
use crate::client::{is_terminal, Client};

/// Fan-out modes, in the order they are measured.
pub const MODES: [&str; 2] = ["sequential", "parallel"];

/// How long one root may take before the driver gives up on it.
const ROOT_DEADLINE: Duration = Duration::from_secs(3600);

/// All sizes and modes on one target.
pub async fn measure(
    spec: &TargetSpec,
    url: &str,
    api_key: Option<String>,
    opts: &Options,
) -> Vec<RestartPoint> {
    let mut points = Vec::new();
    for mode in MODES.iter().filter(|m| opts.modes.iter().any(|o| o == *m)) {
        let agent = match BenchAgent::start(url, api_key.clone(), &node_id("afcbench")).await {
            Ok(a) => a,
            Err(e) => {
                points.push(point(spec, mode, 0, Some(e)));
                continue;
            }
        };
        let client = Client::new(url, api_key.clone());
        // (n, seconds) of the last two measured sizes, to estimate the next.
        let mut seen: Vec<(usize, f64)> = Vec::new();
        for &n in &opts.sizes {
            if let Some(est) = estimate(&seen, n) {
                if est > opts.budget.as_secs_f64() {
                    let note = format!(
                        "skipped: estimated {est:.0} s for the source run and {} restarts, over the {} s budget",
                        opts.runs,
                        opts.budget.as_secs()
                    );
                    eprintln!("{} {mode} n={n}: {note}", spec.name);
                    points.push(point(spec, mode, n, Some(note)));
                    continue;
                }
            }
            let started = Instant::now();
            let p = measure_one(spec, &agent, &client, mode, n, opts).await;
            if p.note.is_none() {
                seen.push((n, started.elapsed().as_secs_f64()));
            }
            eprintln!("{}", summary(&p));
            points.push(p);
        }
    }
    points
}

/// Time for size `n` from the last two measured sizes: the growth exponent
/// they show (at least 1), or linear from one point.
fn estimate(seen: &[(usize, f64)], n: usize) -> Option<f64> {
    let &(n1, t1) = seen.last()?;
    let k = match seen.len() {
        1 => 1.0,
        len => {
            let (n0, t0) = seen[len - 2];
            ((t1 / t0).ln() / (n1 as f64 / n0 as f64).ln()).max(1.0)
        }
    };
    Some(t1 * (n as f64 / n1 as f64).powf(k))
}

fn point(spec: &TargetSpec, mode: &str, n: usize, note: Option<String>) -> RestartPoint {
    RestartPoint {
        target: spec.name.clone(),
        mode: mode.to_owned(),
        n,
        source_ms: None,
        restart_ms: None,
        per_reused_us: None,
        reused: Vec::new(),
        note,
    }
}

fn summary(p: &RestartPoint) -> String {
    match (&p.restart_ms, &p.note) {
        (Some(s), _) => format!(
            "{} {} n={}: source {:.0} ms, restart median {:.1} ms [{:.1}–{:.1}], reused {:?}",
            p.target,
            p.mode,
            p.n,
            p.source_ms.unwrap_or(0.0),
            s.median,
            s.min,
            s.max,
            p.reused
        ),
        (None, note) => format!(
            "{} {} n={}: {}",
            p.target,
            p.mode,
            p.n,
            note.as_deref().unwrap_or("-")
        ),
    }
}

pub(super) async fn measure_one(
    spec: &TargetSpec,
    agent: &BenchAgent,
    client: &Client,
    mode: &str,
    n: usize,
    opts: &Options,
) -> RestartPoint {
    let mut p = point(spec, mode, n, None);
    let shared = &agent.shared;
    shared.failing.store(true, Ordering::SeqCst);
    *shared
        .failed_child
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = None;
    let input = json!({"n": n, "parallel": mode == "parallel", "conc": opts.concurrency});
    let started = Instant::now();
    let path = format!("/api/v1/execute/async/{}.fan", shared.node);
    let root = match client.post(&path, json!({ "input": input })).await {
        Ok(r) if r.status == 202 => r.str("execution_id").unwrap_or_default(),
        Ok(r) => return fail(p, format!("source run: HTTP {} {}", r.status, r.body)),
        Err(e) => return fail(p, format!("source run: {e}")),
    };
    match wait_root(agent, client, &root).await {
        Ok((status, _)) if status == "failed" => {}
        Ok((status, body)) => {
            return fail(p, format!("source root ended {status}, not failed: {body}"))
        }
        Err(e) => return fail(p, e),
    }
    p.source_ms = Some(started.elapsed().as_secs_f64() * 1e3);
    let Some(failed) = shared
        .failed_child
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
    else {
        return fail(p, "the source run recorded no failed child".to_owned());
    };
    shared.failing.store(false, Ordering::SeqCst);

    let mut times = Vec::new();
    for _ in 0..opts.runs {
        let hits_before = shared.hits.load(Ordering::SeqCst);
        let t0 = Instant::now();
        let body = json!({"scope": "workflow", "reuse": "succeeded-before"});
        let path = format!("/api/v1/executions/{failed}/restart");
        let new_root = match client.post(&path, body).await {
            Ok(r) if r.status == 202 => r.str("execution_id").unwrap_or_default(),
            Ok(r) => return fail(p, format!("restart: HTTP {} {}", r.status, r.body)),
            Err(e) => return fail(p, format!("restart: {e}")),
        };
        match wait_root(agent, client, &new_root).await {
            Ok((status, _)) if status == "succeeded" => {}
            Ok((status, body)) => return fail(p, format!("restarted root ended {status}: {body}")),
            Err(e) => return fail(p, e),
        }
        times.push(t0.elapsed().as_secs_f64() * 1e3);
        p.reused
            .push(shared.hits.load(Ordering::SeqCst) - hits_before);
    }
    let restart = Stats::of(times);
    let reused = p.reused.iter().copied().min().unwrap_or(0).max(1) as f64;
    p.per_reused_us = Some(restart.scaled(1e3 / reused));
    p.restart_ms = Some(restart);
    p
}

fn fail(mut p: RestartPoint, note: String) -> RestartPoint {
    eprintln!("{} {} n={}: {note}", p.target, p.mode, p.n);
    p.note = Some(note);
    p
}

/// Waits until the agent has answered root `id`, then until the control plane
/// shows it terminal (polling every millisecond from then on, so the poll adds
/// at most about a millisecond). Returns the status and the status view.
pub async fn wait_root(
    agent: &BenchAgent,
    client: &Client,
    id: &str,
) -> Result<(String, Value), String> {
    let deadline = Instant::now() + ROOT_DEADLINE;
    let mut rx = agent.subscribe();
    let path = format!("/api/v1/executions/{id}");
    let mut polls = 0u64;
    loop {
        // A root the control plane failed without calling the agent (or after
        // its dispatch timed out) never reaches the agent's "answered" set, so
        // the status is also read every second meanwhile.
        let answered = agent.finished(id);
        if answered || polls.is_multiple_of(1000) {
            if let Ok(r) = client.get(&path).await {
                let status = r.str("status").unwrap_or_default();
                if r.status == 200 && is_terminal(&status) {
                    return Ok((status, r.body));
                }
            }
        }
        polls += 1;
        if Instant::now() > deadline {
            return Err(format!("root {id} not terminal within {ROOT_DEADLINE:?}"));
        }
        if answered {
            tokio::time::sleep(Duration::from_millis(1)).await;
        } else {
            let _ = tokio::time::timeout(Duration::from_millis(1), rx.changed()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_follow_the_growth_seen() {
        assert_eq!(estimate(&[], 10), None);
        assert_eq!(estimate(&[(10, 1.0)], 100), Some(10.0));
        let quadratic = estimate(&[(10, 1.0), (100, 100.0)], 1000).unwrap_or(0.0);
        assert!((quadratic - 10_000.0).abs() < 1e-6);
        let flat = estimate(&[(10, 1.0), (100, 1.0)], 1000).unwrap_or(0.0);
        assert!((flat - 10.0).abs() < 1e-9, "never below linear");
    }
}
