//! The HTTP side of a scripted agent: the routes an SDK agent exposes, each
//! dispatch recorded before anything else happens.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::program::{run, Ctx, Outcome, World};
use super::record::Dispatch;
use crate::scenario::AgentMode;

#[derive(Clone)]
struct AgentState {
    world: Arc<World>,
    agent: String,
}

impl AgentState {
    /// What a program run of `reasoner` sees, for a dispatch with `headers`
    /// that arrived in process instance `born`.
    fn ctx<'a>(
        &'a self,
        reasoner: &'a str,
        headers: &'a BTreeMap<String, String>,
        born: u32,
    ) -> Ctx<'a> {
        Ctx {
            world: &self.world,
            agent: &self.agent,
            reasoner,
            headers,
            born,
        }
    }
}

/// The router of one agent.
pub(crate) fn router(world: Arc<World>, agent: String) -> Router {
    let node_id = world.node_ids.get(&agent).cloned().unwrap_or_default();
    Router::new()
        .route("/reasoners/{name}", post(dispatch))
        .route("/skills/{name}", post(dispatch))
        .route(
            "/health",
            get(|| async { Json(json!({"status": "healthy"})) }),
        )
        .route(
            "/status",
            get(move || async move { Json(json!({"status": "running", "node_id": node_id})) }),
        )
        .with_state(AgentState { world, agent })
}

async fn dispatch(
    State(state): State<AgentState>,
    Path(reasoner): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let headers: BTreeMap<String, String> = headers
        .iter()
        .filter_map(|(k, v)| {
            Some((
                k.as_str().to_ascii_lowercase(),
                v.to_str().ok()?.to_string(),
            ))
        })
        .collect();
    let input: Value = serde_json::from_slice(&body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    // Read on arrival: the instance that received the dispatch runs it.
    let born = state.world.generation(&state.agent);
    state.world.recorder.dispatch(Dispatch {
        agent: state.agent.clone(),
        reasoner: reasoner.clone(),
        headers: headers.clone(),
        body: input.clone(),
    });
    let Some(spec) = state.world.scenario.agents.get(&state.agent) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !spec.reasoners.contains_key(&reasoner) {
        return (StatusCode::NOT_FOUND, Json(json!({"detail": "Not Found"}))).into_response();
    }
    let execution = headers.get("x-execution-id").cloned();
    match (spec.mode, execution) {
        (AgentMode::Async | AgentMode::Serve, Some(execution)) => {
            let ack = Json(json!({"status": "processing", "execution_id": execution}));
            tokio::spawn(run_and_report(
                state, reasoner, headers, input, execution, born,
            ));
            (StatusCode::ACCEPTED, ack).into_response()
        }
        _ => match run(&state.ctx(&reasoner, &headers, born), input).await {
            Outcome::Done(v) => (StatusCode::OK, Json(v)).into_response(),
            Outcome::Failed { status, .. } => {
                let code =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                (code, "Internal Server Error").into_response()
            }
        },
    }
}

/// A workflow event, as the SDK posts it in serve mode; its answer does not matter.
async fn post_event(state: &AgentState, body: Value) {
    let path = "/api/v1/workflow/executions/events";
    if let Err(e) = state.world.client.post(path, body).await {
        tracing::debug!("workflow event failed: {e}");
    }
}

/// Async and serve modes: run in the background, then report through the status callback.
async fn run_and_report(
    state: AgentState,
    reasoner: String,
    headers: BTreeMap<String, String>,
    input: Value,
    execution: String,
    born: u32,
) {
    let started = Instant::now();
    let serve = state
        .world
        .scenario
        .agents
        .get(&state.agent)
        .map(|a| a.mode)
        == Some(AgentMode::Serve);
    let event = |status: &str| {
        json!({
            "execution_id": execution,
            "workflow_id": headers.get("x-workflow-id").or(headers.get("x-run-id")),
            "run_id": headers.get("x-run-id"),
            "reasoner_id": reasoner,
            "agent_node_id": state.world.node_ids.get(&state.agent),
            "status": status,
            "type": reasoner,
            "parent_execution_id": headers.get("x-parent-execution-id"),
            "parent_workflow_id": headers.get("x-run-id"),
            "input_data": input,
        })
    };
    if serve {
        post_event(&state, event("running")).await;
    }
    let ran = run(&state.ctx(&reasoner, &headers, born), input.clone()).await;
    if serve {
        // The SDK's terminal event carries the result or the error, like its callback.
        let mut end = match &ran {
            Outcome::Done(result) => {
                let mut e = event("succeeded");
                e["result"] = result.clone();
                e
            }
            Outcome::Failed { message, .. } => {
                let mut e = event("failed");
                e["error"] = json!(message);
                e
            }
        };
        end["duration_ms"] = json!(started.elapsed().as_millis() as u64);
        post_event(&state, end).await;
    }
    let body = match ran {
        Outcome::Done(result) => json!({
            "status": "succeeded",
            "result": result,
            "duration_ms": started.elapsed().as_millis() as u64,
            "execution_id": execution,
        }),
        Outcome::Failed { message, status } => {
            let mut b = json!({"status": "failed", "error": message, "execution_id": execution});
            // A scripted 4xx is reported as the newest SDK reports a client error.
            if (400..500).contains(&status) {
                b["error_status_code"] = json!(status);
            }
            b
        }
    };
    let path = format!("/api/v1/executions/{execution}/status");
    // The SDK retries its callback on transport errors with backoff; so do we:
    // five attempts, 20 ms apart and doubling.
    use backon::Retryable as _;
    let post = || state.world.client.post(&path, body.clone());
    let sent = post
        .retry(
            backon::ExponentialBuilder::new()
                .with_min_delay(Duration::from_millis(20))
                .with_max_times(4),
        )
        .notify(|e, _| tracing::debug!("status callback for {execution} failed: {e}"))
        .await;
    if sent.is_err() {
        tracing::warn!("gave up reporting {execution} after 5 attempts");
    }
}
