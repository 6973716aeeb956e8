//! The benchmark agent: the smallest agent that exercises restart and nested
//! calls, registered as agent-protocol §8 profile F (functional mode: no
//! heartbeats, every reasoner answers 200 inline or 500 on failure).
//!
//! Nested calls use the **sync** execute (`POST /api/v1/execute/{target}`):
//! one HTTP round trip per child whether it is dispatched or replayed, with no
//! polling interval in the measurement. The replay trio and the parent header
//! are forwarded as §8 step 4 says.
//!
//! Reasoners:
//! - `fan {n, parallel, conc}`: calls `leaf {i, fail: i == n-1}` for i in 0..n,
//!   one after another, or the first n-1 with `conc` in flight and then the
//!   last (so every other child started before it); 500 if any child failed.
//! - `leaf {i, fail}`: 200 `{"i"}`, or 500 while failing is armed and `fail` is set.
//! - `hop {d}`: calls `hop {d-1}` until `d` is 0: a chain of trivial reasoners.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::sync::watch;

/// Headers an inbound dispatch hands on to its nested calls (§8 step 4).
const FORWARDED: [&str; 3] = [
    "x-agentfield-replay-source-run-id",
    "x-agentfield-replay-before-execution-id",
    "x-agentfield-replay-mode",
];

/// What the agent counts and remembers, shared with the driver in-process.
pub struct Shared {
    http: reqwest::Client,
    cp: String,
    api_key: Option<String>,
    /// The node id it registered as.
    pub node: String,
    /// While set, a `leaf` with `fail: true` answers 500.
    pub failing: AtomicBool,
    /// Child calls the control plane answered with `X-AgentField-Replay-Hit`.
    pub hits: AtomicU64,
    /// Dispatches of `leaf` (calls the control plane did not replay).
    pub leaf_calls: AtomicU64,
    /// The execution id of the last `leaf` that failed (as dispatched to it).
    pub failed_child: Mutex<Option<String>>,
    finished: Mutex<HashSet<String>>,
    done: watch::Sender<u64>,
}

/// A running benchmark agent; dropping it stops the server.
pub struct BenchAgent {
    /// State shared with the handlers.
    pub shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for BenchAgent {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl BenchAgent {
    /// Listens on 127.0.0.1:0 and registers `node` with the control plane at `cp`.
    pub async fn start(cp: &str, api_key: Option<String>, node: &str) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(3600))
            .build()
            .map_err(|e| e.to_string())?;
        let shared = Arc::new(Shared {
            http,
            cp: cp.trim_end_matches('/').to_owned(),
            api_key,
            node: node.to_owned(),
            failing: AtomicBool::new(false),
            hits: AtomicU64::new(0),
            leaf_calls: AtomicU64::new(0),
            failed_child: Mutex::new(None),
            finished: Mutex::new(HashSet::new()),
            done: watch::channel(0).0,
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("bench agent: bind: {e}"))?;
        let addr: SocketAddr = listener.local_addr().map_err(|e| e.to_string())?;
        let status = json!({"status": "running", "node_id": node});
        let app = Router::new()
            .route("/reasoners/{name}", post(dispatch))
            .route(
                "/health",
                get(|| async { Json(json!({"status": "healthy"})) }),
            )
            .route("/status", get(move || async move { Json(status) }))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let agent = BenchAgent { shared, task };
        let body = json!({
            "id": node,
            "base_url": format!("http://{addr}"),
            "version": "1.0.0",
            "instance_id": uuid::Uuid::new_v4().simple().to_string(),
            "reasoners": [{"id": "fan"}, {"id": "leaf"}, {"id": "hop"}],
            "skills": [],
        });
        let r = agent
            .shared
            .post("/api/v1/nodes/register", &body, &[])
            .await
            .map_err(|e| format!("register {node}: {e}"))?;
        if !r.status().is_success() {
            return Err(format!("register {node}: HTTP {}", r.status()));
        }
        Ok(agent)
    }

    /// A receiver that changes whenever a `fan` root finishes.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.shared.done.subscribe()
    }

    /// Whether the `fan` execution `id` has answered.
    pub fn finished(&self, id: &str) -> bool {
        lock(&self.shared.finished).contains(id)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    async fn post(
        &self,
        path: &str,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> Result<reqwest::Response, reqwest::Error> {
        let mut req = self.http.post(format!("{}{path}", self.cp)).json(body);
        if let Some(k) = &self.api_key {
            req = req.header("X-API-Key", k);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await
    }

    /// One nested sync call from the execution that `inbound` dispatched.
    /// `Ok` with the result, or `Err` with the child's execution id if the
    /// control plane named it.
    async fn call(
        &self,
        inbound: &HeaderMap,
        reasoner: &str,
        input: Value,
    ) -> Result<Value, String> {
        let get = |n: &str| inbound.get(n).and_then(|v| v.to_str().ok());
        let mut headers: Vec<(&str, &str)> = Vec::with_capacity(5);
        if let Some(run) = get("x-run-id") {
            headers.push(("X-Run-ID", run));
        }
        if let Some(exec) = get("x-execution-id") {
            headers.push(("X-Parent-Execution-ID", exec));
        }
        for name in FORWARDED {
            if let Some(v) = get(name) {
                headers.push((name, v));
            }
        }
        let path = format!("/api/v1/execute/{}.{reasoner}", self.node);
        let r = self
            .post(&path, &json!({ "input": input }), &headers)
            .await
            .map_err(|e| format!("transport: {e}"))?;
        let child = r
            .headers()
            .get("x-execution-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if r.headers().contains_key("x-agentfield-replay-hit") {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        let ok = r.status().is_success();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        if ok {
            Ok(body.get("result").cloned().unwrap_or(Value::Null))
        } else {
            Err(child)
        }
    }
}

fn int(v: &Value, k: &str) -> u64 {
    v.get(k).and_then(Value::as_u64).unwrap_or(0)
}

fn failed() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
}

async fn dispatch(
    State(s): State<Arc<Shared>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let input: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    match name.as_str() {
        "leaf" => {
            s.leaf_calls.fetch_add(1, Ordering::Relaxed);
            let fail = input.get("fail").and_then(Value::as_bool) == Some(true);
            if fail && s.failing.load(Ordering::Relaxed) {
                // Its own id: a failed sync execute does not name the child
                // on every control plane (v0.1.96 sends no X-Execution-ID).
                let id = headers.get("x-execution-id").and_then(|v| v.to_str().ok());
                *lock(&s.failed_child) = id.map(str::to_owned);
                return failed();
            }
            Json(json!({ "i": int(&input, "i") })).into_response()
        }
        "hop" => {
            let d = int(&input, "d");
            if d == 0 {
                return Json(json!({ "d": 0 })).into_response();
            }
            match s.call(&headers, "hop", json!({ "d": d - 1 })).await {
                Ok(v) => Json(v).into_response(),
                Err(_) => failed(),
            }
        }
        "fan" => {
            let response = fan(&s, &headers, &input).await;
            if let Some(id) = headers.get("x-execution-id").and_then(|v| v.to_str().ok()) {
                lock(&s.finished).insert(id.to_owned());
            }
            s.done.send_modify(|v| *v += 1);
            response
        }
        _ => (StatusCode::NOT_FOUND, Json(json!({"detail": "Not Found"}))).into_response(),
    }
}

async fn fan(s: &Shared, headers: &HeaderMap, input: &Value) -> Response {
    let n = int(input, "n");
    let conc = int(input, "conc").max(1) as usize;
    let parallel = input.get("parallel").and_then(Value::as_bool) == Some(true);
    let child = |i: u64| json!({ "i": i, "fail": i + 1 == n });
    let mut ok = 0u64;
    if parallel {
        // Every other child has finished before the last one starts, so the
        // whole fan-out is "succeeded before" the failed child.
        let calls = futures::stream::iter(0..n.saturating_sub(1))
            .map(|i| s.call(headers, "leaf", child(i)))
            .buffered(conc);
        let results: Vec<_> = calls.collect().await;
        ok = results.iter().filter(|r| r.is_ok()).count() as u64;
        if n > 0 && s.call(headers, "leaf", child(n - 1)).await.is_ok() {
            ok += 1;
        }
    } else {
        for i in 0..n {
            if s.call(headers, "leaf", child(i)).await.is_err() {
                break;
            }
            ok += 1;
        }
    }
    if ok == n {
        Json(json!({ "n": n, "ok": ok })).into_response()
    } else {
        failed()
    }
}
