//! `POST /api/v1/reasoners/{node.reasoner}` and `/api/v1/skills/{node.skill}`:
//! v0.1.96's legacy direct invocation (`handlers/reasoners.go`). Unlike
//! `/execute` it creates no execution row, so nothing it runs is in a run,
//! replayable, or visible to the execution, DAG or run reads. It dispatches
//! once, synchronously, with its own header set (`X-Workflow-ID` = the
//! caller's or a new `wf_…` id, no `X-Run-ID` but to a serverless agent, which
//! gets the serverless envelope on the reasoner route), and answers 200 with whatever
//! JSON the agent returned, whatever the agent's status, as
//! `{"result","node_id","duration_ms","timestamp"}`. The dispatch goes through
//! the execute path's transport (`dispatch::send`).

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, MethodRouter};
use axum::Json;
use chrono::{SecondsFormat, Utc};
use serde_json::json;

use super::PathParam;
use crate::reference::canonical::{self, GoValue};
use crate::reference::dispatch;
use crate::reference::error::ApiError;
use crate::reference::ids;
use crate::reference::limits;
use crate::reference::model::{Execution, Node};
use crate::reference::payload::{envelope, GoMap};
use crate::reference::state::{header, Shared};
use crate::reference::texts::{self, GoType, EXECUTE_REASONER_REQUEST};

/// Which legacy route: the words v0.1.96 uses in its messages and the agent path.
#[derive(Clone, Copy)]
pub enum Kind {
    /// `/api/v1/reasoners/{target}`.
    Reasoner,
    /// `/api/v1/skills/{target}`.
    Skill,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Reasoner => "reasoner",
            Kind::Skill => "skill",
        }
    }
    fn serves(self, node: &Node, name: &str) -> bool {
        let list = match self {
            Kind::Reasoner => &node.reasoners,
            Kind::Skill => &node.skills,
        };
        list.iter().any(|r| r == name)
    }
}

/// Headers the legacy handler copies from the request onto the dispatch, when set.
const FORWARDED: [&str; 10] = [
    "X-Parent-Workflow-ID",
    "X-Parent-Execution-ID",
    "X-Root-Workflow-ID",
    "X-Session-ID",
    "X-Actor-ID",
    "X-Workflow-Name",
    "X-Workflow-Tags",
    "X-Caller-DID",
    "X-Target-DID",
    "X-Agent-Node-DID",
];

fn err(status: StatusCode, message: impl Into<String>) -> ApiError {
    ApiError::plain(status, message)
}

/// Binds `ExecuteReasonerRequest` (`input`, `context`) with gin's raw error text.
fn bind_input(body: &[u8]) -> Result<GoMap, ApiError> {
    let bad = |m: String| err(StatusCode::BAD_REQUEST, m);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad(texts::EOF.into()));
    }
    let value = canonical::parse(body).map_err(|e| bad(e.to_string()))?;
    let GoValue::Object(mut obj) = value else {
        return Err(bad(texts::not_the_struct(&value, EXECUTE_REASONER_REQUEST)));
    };
    let mut input = GoMap::new();
    for name in ["input", "context"] {
        match obj.remove(name) {
            None | Some(GoValue::Null) => {}
            Some(GoValue::Object(m)) if name == "input" => input = m,
            Some(GoValue::Object(_)) => {}
            Some(other) => {
                return Err(bad(texts::wrong_field(
                    &other,
                    EXECUTE_REASONER_REQUEST,
                    name,
                    GoType::Map,
                )))
            }
        }
    }
    Ok(input)
}

/// `POST /api/v1/reasoners/{target}` or `/api/v1/skills/{target}`: one
/// handler, told which route it serves.
pub fn route(kind: Kind) -> MethodRouter<Shared> {
    post(
        move |State(state): State<Shared>,
              PathParam(target): PathParam,
              headers: HeaderMap,
              body: Bytes| async move { invoke(&state, kind, &target, &headers, &body).await },
    )
}

async fn invoke(
    state: &Shared,
    kind: Kind,
    target: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let started = Instant::now();
    let request_id = ids::make("req");
    let workflow_id = header(headers, "x-workflow-id").unwrap_or_else(|| ids::make("wf"));
    if workflow_id.len() > 255 {
        return Err(err(StatusCode::BAD_REQUEST, "invalid workflow_id format"));
    }
    let execution_id = ids::execution_id();
    let (node_id, name) = split_target(kind, target)?;
    let input = bind_input(body)?;
    let node = runnable_node(state, kind, &node_id, &name)?;
    let ids = DispatchIds {
        workflow: &workflow_id,
        execution: &execution_id,
        request: &request_id,
    };
    let (url, out, body) = dispatch_request(kind, &node, &name, input, headers, &ids);
    let pairs: Vec<(&str, &str)> = out.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let sent = dispatch::send(state, &url, &pairs, body).await;
    let response = sent.map_err(|e| {
        err(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("failed to call agent node: Post \"{url}\": {e}"),
        )
    })?;
    // The execute route's cap (`Config::max_agent_response_bytes`): v0.1.96
    // reads the answer whole, however large; past the cap, the read fails.
    let max = state.config.max_agent_response_bytes;
    let bytes = limits::read_capped(response, max).await.map_err(|_| {
        err(
            StatusCode::INTERNAL_SERVER_ERROR,
            "failed to read agent response",
        )
    })?;
    let result = canonical::parse(&bytes).map_err(|_| {
        err(
            StatusCode::INTERNAL_SERVER_ERROR,
            "failed to parse agent response",
        )
    })?;
    let duration = started.elapsed().as_millis() as i64;
    let body = json!({
        "result": canonical::to_json(&result),
        "node_id": node_id,
        "duration_ms": duration,
        "timestamp": Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
    });
    let mut resp = (StatusCode::OK, Json(body)).into_response();
    let h = resp.headers_mut();
    for (name, value) in [
        ("X-Workflow-ID", workflow_id),
        ("X-Execution-ID", execution_id),
        ("X-AgentField-Request-ID", request_id),
        ("X-Agent-Node-ID", node_id),
        ("X-Duration-MS", duration.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
    Ok(resp)
}

/// `node.name` as the node id and the reasoner or skill name.
fn split_target(kind: Kind, target: &str) -> Result<(String, String), ApiError> {
    match target.split('.').collect::<Vec<_>>().as_slice() {
        [node, name] => Ok(((*node).to_owned(), (*name).to_owned())),
        _ => {
            let word = kind.word();
            Err(err(
                StatusCode::BAD_REQUEST,
                format!("{word}_id must be in format 'node_id.{word}_name'"),
            ))
        }
    }
}

/// The registered node, if it is healthy, online, approved and serves `name`.
fn runnable_node(state: &Shared, kind: Kind, node_id: &str, name: &str) -> Result<Node, ApiError> {
    let node = state
        .store
        .node(node_id)
        .ok()
        .flatten()
        .ok_or_else(|| err(StatusCode::NOT_FOUND, format!("node '{node_id}' not found")))?;
    let unavailable = StatusCode::SERVICE_UNAVAILABLE;
    if node.health_status == "inactive" {
        return Err(err(
            unavailable,
            format!("agent node '{node_id}' is not healthy (status: inactive)"),
        ));
    }
    match node.lifecycle_status.as_str() {
        "offline" => {
            return Err(err(
                unavailable,
                format!("agent node '{node_id}' is offline"),
            ))
        }
        "pending_approval" => {
            return Err(ApiError {
                status: unavailable,
                body: json!({
                    "error": "agent_pending_approval",
                    "message": format!("agent node '{node_id}' is awaiting tag approval and cannot execute"),
                }),
            })
        }
        _ => {}
    }
    if !kind.serves(&node, name) {
        let word = kind.word();
        return Err(err(
            StatusCode::NOT_FOUND,
            format!("{word} '{name}' not found on node '{node_id}'"),
        ));
    }
    Ok(node)
}

/// The ids one legacy invocation sends.
struct DispatchIds<'a> {
    workflow: &'a str,
    execution: &'a str,
    request: &'a str,
}

/// The dispatch's URL, headers and body: the serverless envelope on the
/// reasoner route of a serverless node, else the input to `/{word}s/{name}`.
fn dispatch_request(
    kind: Kind,
    node: &Node,
    name: &str,
    input: GoMap,
    headers: &HeaderMap,
    ids: &DispatchIds<'_>,
) -> (String, Vec<(&'static str, String)>, String) {
    let forwarded = |name: &str| header(headers, name);
    // v0.1.96 takes its serverless branch on the reasoner route only.
    let serverless = matches!(kind, Kind::Reasoner) && node.deployment_type == "serverless";
    let (url, body) = if serverless {
        let url = if node.invocation_url.is_empty() {
            format!("{}/execute", node.base_url.trim_end_matches('/'))
        } else {
            node.invocation_url.clone()
        };
        let exec = envelope_execution(ids, &node.id, name, input, &forwarded);
        (url, dispatch::serverless_body(&exec))
    } else {
        let word = kind.word();
        let url = format!("{}/{word}s/{name}", node.base_url.trim_end_matches('/'));
        (url, canonical::to_string(&GoValue::Object(input)))
    };
    let mut out: Vec<(&'static str, String)> = vec![
        ("Content-Type", "application/json".into()),
        ("X-Workflow-ID", ids.workflow.to_owned()),
        ("X-Execution-ID", ids.execution.to_owned()),
        ("X-AgentField-Request-ID", ids.request.to_owned()),
    ];
    if serverless {
        out.push(("X-Run-ID", ids.workflow.to_owned()));
    }
    for name in FORWARDED {
        if let Some(v) = header(headers, name) {
            out.push((name, v));
        }
    }
    (url, out, body)
}

/// The execution a serverless envelope describes: v0.1.96 builds one in
/// memory for `buildServerlessPayload` and never stores it.
fn envelope_execution(
    ids: &DispatchIds<'_>,
    node_id: &str,
    name: &str,
    input: GoMap,
    forwarded: &dyn Fn(&str) -> Option<String>,
) -> Execution {
    Execution {
        parent_execution_id: forwarded("x-parent-execution-id"),
        session_id: forwarded("x-session-id"),
        actor_id: forwarded("x-actor-id"),
        ..Execution::running(
            ids.execution.to_owned(),
            ids.workflow.to_owned(),
            node_id.to_owned(),
            name.to_owned(),
            envelope(&input, None),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_binding_keeps_go_texts() {
        assert!(bind_input(br#"{"input":{"a":1},"context":{"c":1}}"#).is_ok());
        assert!(bind_input(br#"{"input":null}"#).is_ok_and(|m| m.is_empty()));
        for (bad, text) in [
            (&b""[..], "EOF"),
            (b"[]", "json: cannot unmarshal array into Go value of type handlers.ExecuteReasonerRequest"),
            (br#"{"input":[]}"#, "json: cannot unmarshal array into Go struct field ExecuteReasonerRequest.input of type map[string]interface {}"),
        ] {
            let Err(e) = bind_input(bad) else {
                panic!("{bad:?} accepted")
            };
            assert_eq!(e.body["error"], text);
        }
    }
}
