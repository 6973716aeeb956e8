//! Scripted agents: axum servers that register, record every dispatch and
//! answer as programmed (200, 202 + callback, errors, nested calls).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::oneshot;

use super::{eventually, Cp, Reply};

/// What a scripted reasoner does when dispatched.
#[derive(Clone, Debug)]
pub enum Program {
    /// 200 `{"echo": <input>}`.
    Echo,
    /// Answer with this status and raw body.
    Reply(u16, String),
    /// 202, then POST this body to `/api/v1/executions/{id}/status`.
    Callback(Value),
    /// 202 and never report back.
    Silent,
    /// Wait, then 200 `{}` (a programmed slow agent).
    Slow(Duration),
    /// Make these nested calls in order (async + poll, as Python does), then
    /// 200 `{"children": [results]}`; 500 if any child failed.
    Nested(Vec<(String, Value)>),
    /// 500 unless the dispatch carried a replay Source header (the E2E agent's
    /// deterministic "fails once" rule), else 200 `{"replay_source_run_id": …}`.
    FailWithoutReplay,
}

/// One dispatch an agent received.
#[derive(Clone, Debug)]
pub struct Hop {
    /// Reasoner or skill name from the path.
    pub name: String,
    /// `reasoners` or `skills`.
    pub kind: String,
    /// Headers, names lower-cased.
    pub headers: HashMap<String, String>,
    /// The body as received.
    pub body: Value,
}

impl Hop {
    /// A header value, if present.
    pub fn h(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

#[derive(Clone)]
struct AgentState {
    cp_url: String,
    hops: Arc<Mutex<Vec<Hop>>>,
    programs: Arc<Mutex<HashMap<String, Program>>>,
    client: reqwest::Client,
}

/// A scripted agent node registered with a control plane; stops when dropped.
pub struct Agent {
    /// Node id.
    pub node_id: String,
    /// Where it listens.
    pub base_url: String,
    /// Instance id sent at registration.
    pub instance_id: String,
    state: AgentState,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for Agent {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

impl Agent {
    /// Starts an agent serving `reasoners` (all `Echo` until programmed) and registers it.
    pub async fn start(cp: &Cp, node_id: &str, reasoners: &[&str]) -> Self {
        let state = AgentState {
            cp_url: cp.url.clone(),
            hops: Arc::default(),
            programs: Arc::default(),
            client: reqwest::Client::new(),
        };
        let app = Router::new()
            .route("/{kind}/{name}", post(handle))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("bound address");
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        let agent = Self {
            node_id: node_id.to_owned(),
            base_url: format!("http://{addr}"),
            instance_id: uuid::Uuid::new_v4().simple().to_string(),
            state,
            stop: Some(tx),
        };
        let reply = agent
            .register(cp, reasoners, &["skill_a"], &agent.instance_id.clone())
            .await;
        assert_eq!(reply.status, 201, "registration: {}", reply.body);
        agent
    }

    /// (Re-)registers with the given instance id.
    pub async fn register(
        &self,
        cp: &Cp,
        reasoners: &[&str],
        skills: &[&str],
        instance: &str,
    ) -> Reply {
        let body = json!({
            "id": self.node_id,
            "base_url": self.base_url,
            "version": "1.0.0",
            "instance_id": instance,
            "reasoners": reasoners.iter().map(|r| json!({"id": r})).collect::<Vec<_>>(),
            "skills": skills.iter().map(|s| json!({"id": s})).collect::<Vec<_>>(),
        });
        cp.post("/api/v1/nodes/register", &[], body).await
    }

    /// Sets what `name` does from now on.
    pub fn program(&self, name: &str, program: Program) {
        self.state
            .programs
            .lock()
            .expect("programs lock")
            .insert(name.to_owned(), program);
    }

    /// Every dispatch so far.
    pub fn hops(&self) -> Vec<Hop> {
        self.state.hops.lock().expect("hops lock").clone()
    }

    /// Dispatches to `name` so far.
    pub fn hops_to(&self, name: &str) -> Vec<Hop> {
        self.hops().into_iter().filter(|h| h.name == name).collect()
    }

    /// Waits for the dispatch of execution `exec_id`.
    pub async fn wait_hop(&self, exec_id: &str) -> Hop {
        eventually(&format!("a dispatch of {exec_id}"), || async {
            let hops = self.hops();
            hops.iter()
                .find(|h| h.h("x-execution-id") == Some(exec_id))
                .cloned()
                .ok_or_else(|| {
                    format!(
                        "{} hops: {:?}",
                        hops.len(),
                        hops.iter().map(|h| &h.name).collect::<Vec<_>>()
                    )
                })
        })
        .await
    }

    /// An execution of this node's `root` held here: started async on a
    /// program that never answers, returned once it was dispatched, so status
    /// callbacks and re-registrations can move it.
    pub async fn held_root(&self, cp: &Cp) -> String {
        self.program("root", Program::Silent);
        let target = format!("{}.root", self.node_id);
        let exec = cp
            .execute_async(&target, &[], json!({}))
            .await
            .str("execution_id");
        self.wait_hop(&exec).await;
        exec
    }
}

async fn handle(
    State(state): State<AgentState>,
    Path((kind, name)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let hop = Hop {
        name: name.clone(),
        kind,
        headers: headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    state.hops.lock().expect("hops lock").push(hop.clone());
    let program = state
        .programs
        .lock()
        .expect("programs lock")
        .get(&name)
        .cloned()
        .unwrap_or(Program::Echo);
    let exec_id = hop.h("x-execution-id").unwrap_or_default().to_owned();
    match program {
        Program::Echo => (StatusCode::OK, axum::Json(json!({ "echo": hop.body }))).into_response(),
        Program::Reply(code, text) => (
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            text,
        )
            .into_response(),
        Program::Callback(report) => {
            let url = format!("{}/api/v1/executions/{exec_id}/status", state.cp_url);
            let client = state.client.clone();
            tokio::spawn(async move {
                let _ = client.post(url).json(&report).send().await;
            });
            (
                StatusCode::ACCEPTED,
                axum::Json(json!({"status": "processing", "execution_id": exec_id})),
            )
                .into_response()
        }
        Program::Silent => StatusCode::ACCEPTED.into_response(),
        Program::Slow(d) => {
            tokio::time::sleep(d).await;
            (StatusCode::OK, "{}").into_response()
        }
        Program::FailWithoutReplay => match hop.h("x-agentfield-replay-source-run-id") {
            Some(src) => (
                StatusCode::OK,
                axum::Json(json!({ "replay_source_run_id": src })),
            )
                .into_response(),
            None => (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response(),
        },
        Program::Nested(calls) => nested(&state, &hop, calls).await,
    }
}

/// Nested calls the canonical SDK way: X-Run-ID = inbound run, X-Parent-Execution-ID
/// = inbound execution, replay trio copied verbatim.
async fn nested(state: &AgentState, hop: &Hop, calls: Vec<(String, Value)>) -> Response {
    let mut results = Vec::new();
    for (target, input) in calls {
        let mut req = state
            .client
            .post(format!("{}/api/v1/execute/async/{target}", state.cp_url))
            .json(&json!({ "input": input }));
        for (out, inbound) in [
            ("X-Run-ID", "x-run-id"),
            ("X-Parent-Execution-ID", "x-execution-id"),
            (
                "X-AgentField-Replay-Source-Run-ID",
                "x-agentfield-replay-source-run-id",
            ),
            (
                "X-AgentField-Replay-Before-Execution-ID",
                "x-agentfield-replay-before-execution-id",
            ),
            ("X-AgentField-Replay-Mode", "x-agentfield-replay-mode"),
        ] {
            if let Some(v) = hop.h(inbound) {
                req = req.header(out, v);
            }
        }
        let Ok(resp) = req.send().await else {
            return (StatusCode::INTERNAL_SERVER_ERROR, "submit failed").into_response();
        };
        let submitted: Value = resp.json().await.unwrap_or(Value::Null);
        let Some(child) = submitted["execution_id"].as_str().map(str::to_owned) else {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("submit rejected: {submitted}"),
            )
                .into_response();
        };
        let view = poll_child(state, &child).await;
        if view["status"] != "succeeded" {
            return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
        }
        results.push(view["result"].clone());
    }
    (StatusCode::OK, axum::Json(json!({ "children": results }))).into_response()
}

async fn poll_child(state: &AgentState, child: &str) -> Value {
    let url = format!("{}/api/v1/executions/{child}", state.cp_url);
    eventually(&format!("nested child {child} to finish"), || async {
        let view: Value = match state.client.get(&url).send().await {
            Ok(r) => r.json().await.unwrap_or(Value::Null),
            Err(e) => return Err(e.to_string()),
        };
        match view["status"].as_str() {
            Some("succeeded" | "failed" | "cancelled" | "timeout") => Ok(view),
            _ => Err(view.to_string()),
        }
    })
    .await
}
