//! `POST /api/v1/execute/{target}` and `/api/v1/execute/async/{target}`
//! (agent-protocol §2, contract §3.6).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde_json::{json, Map, Value};

use super::PathParam;
use crate::reference::admission::{admit, Slot};
use crate::reference::canonical::{self, GoValue};
use crate::reference::client_error;
use crate::reference::contract::Feature;
use crate::reference::dispatch::{self, go_duration, CallOutcome};
use crate::reference::error::ApiError;
use crate::reference::model::{rfc3339, Execution};
use crate::reference::payload::GoMap;
use crate::reference::pool;
use crate::reference::prepare::{prepare_admitting, ExecRequest, Prepared};
use crate::reference::run_metadata;
use crate::reference::state::Shared;
use crate::reference::status::Status;
use crate::reference::texts::{self, GoType, EXECUTE_REQUEST};
use crate::reference::views::result_json;

/// The execute body: `{"input"?, "context"?, "webhook"?}`; unknown keys ignored.
pub struct ExecuteBody {
    /// Input object, `{}` when absent or null.
    pub input: GoMap,
    /// Context object when given and not null.
    pub context: Option<GoMap>,
    /// Whether a webhook object was supplied.
    pub webhook: bool,
    /// `run_metadata` as sent (V-ns), validated only for a root on the newest contract.
    pub run_metadata: Option<Value>,
}

/// Parses an execute body with Go's decoding rules and error wording.
pub fn parse_execute_body(body: &[u8]) -> Result<ExecuteBody, ApiError> {
    let bad = |m: String| ApiError::untyped(format!("invalid request body: {m}"));
    let value = if body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad(texts::EOF.to_owned()));
    } else {
        canonical::parse(body).map_err(|e| bad(e.to_string()))?
    };
    // encoding/json leaves the request as it is on a top-level `null`: input {}.
    let value = match value {
        GoValue::Null => GoValue::Object(GoMap::new()),
        v => v,
    };
    let GoValue::Object(mut obj) = value else {
        return Err(bad(texts::not_the_struct(&value, EXECUTE_REQUEST)));
    };
    let mut object_field = |name: &str| -> Result<Option<GoMap>, ApiError> {
        match obj.remove(name) {
            None | Some(GoValue::Null) => Ok(None),
            Some(GoValue::Object(m)) => Ok(Some(m)),
            Some(other) => Err(bad(texts::wrong_field(
                &other,
                EXECUTE_REQUEST,
                name,
                GoType::Map,
            ))),
        }
    };
    let input = object_field("input")?.unwrap_or_default();
    let context = object_field("context")?;
    let webhook = object_field("webhook")?.is_some();
    let run_metadata = obj
        .remove("run_metadata")
        .filter(|v| !matches!(v, GoValue::Null))
        .map(|v| canonical::to_json(&v));
    Ok(ExecuteBody {
        input,
        context,
        webhook,
        run_metadata,
    })
}

/// The headers of contract §4.2, which the execute routes read.
const CONTRACT_HEADERS: [&str; 7] = [
    "X-Run-ID",
    "X-Parent-Execution-ID",
    "X-Session-ID",
    "X-Actor-ID",
    "X-AgentField-Replay-Source-Run-ID",
    "X-AgentField-Replay-Before-Execution-ID",
    "X-AgentField-Replay-Mode",
];

/// Refuses a contract header whose value is not visible ASCII. v0.1.96 (Go)
/// takes such a value's raw bytes as the id; the reference would otherwise
/// have to drop it and start a new run without a word, so it answers 400.
fn ascii_headers(headers: &HeaderMap) -> Result<(), ApiError> {
    for name in CONTRACT_HEADERS {
        if headers.get(name).is_some_and(|v| v.to_str().is_err()) {
            return Err(ApiError::plain(
                StatusCode::BAD_REQUEST,
                format!("header {name} must be visible ASCII"),
            ));
        }
    }
    Ok(())
}

/// A validated `run_metadata` object, ready to keep.
type RunMetadata = Map<String, Value>;

/// The request, whether it registers a webhook, and the run metadata to keep
/// once its row exists: validated here, before any row (V-ns, newest
/// contract only; a child execute ignores it, only a root names its run).
fn request_from(
    state: &Shared,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(ExecRequest, bool, Option<RunMetadata>), ApiError> {
    ascii_headers(headers)?;
    let parsed = parse_execute_body(body)?;
    let req = ExecRequest {
        input: parsed.input,
        context: parsed.context,
        ..ExecRequest::default()
    }
    .with_headers(headers);
    let meta = match &parsed.run_metadata {
        Some(m) if req.parent.is_none() && state.config.contract.serves(Feature::RunMetadata) => {
            Some(run_metadata::validate(m, req.actor_id.as_deref())?)
        }
        _ => None,
    };
    Ok((req, parsed.webhook, meta))
}

/// Keeps a root's run metadata in its run, best effort.
fn keep_run_metadata(state: &Shared, p: &Prepared, meta: Option<RunMetadata>) {
    if let Some(m) = meta {
        run_metadata::persist(state, &p.exec.run_id, m);
    }
}

/// Adds `X-Execution-ID`, `X-Run-ID` and, on a hit, `X-AgentField-Replay-Hit`.
fn with_ids(mut response: Response, exec: &Execution, hit: Option<&Execution>) -> Response {
    let h = response.headers_mut();
    let mut put = |name: &'static str, v: &str| {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(name, v);
        }
    };
    put("X-Execution-ID", &exec.execution_id);
    put("X-Run-ID", &exec.run_id);
    if let Some(src) = hit {
        put("X-AgentField-Replay-Hit", &src.execution_id);
    }
    response
}

fn success_body(exec: &Execution) -> Value {
    let mut body = Map::new();
    body.insert("execution_id".into(), json!(exec.execution_id));
    body.insert("run_id".into(), json!(exec.run_id));
    body.insert("status".into(), json!("succeeded"));
    // `result` is omitempty in v0.1.96, so a JSON null result disappears.
    if let Some(r) = result_json(exec).filter(|r| !r.is_null()) {
        body.insert("result".into(), r);
    }
    body.insert("duration_ms".into(), json!(exec.duration_ms.unwrap_or(0)));
    body.insert(
        "finished_at".into(),
        json!(rfc3339(exec.completed_at.unwrap_or_else(Utc::now))),
    );
    Value::Object(body)
}

/// The 202 body of an async execute (and, with extra fields, of a restart).
pub fn async_body(p: &Prepared, status: &str, webhook: bool) -> Map<String, Value> {
    let created = rfc3339(p.exec.started_at);
    let mut body = Map::new();
    body.insert("execution_id".into(), json!(p.exec.execution_id));
    body.insert("run_id".into(), json!(p.exec.run_id));
    body.insert("workflow_id".into(), json!(p.exec.run_id));
    body.insert("status".into(), json!(status));
    body.insert("target".into(), json!(p.target()));
    body.insert("type".into(), json!(p.exec.target_type.as_str()));
    body.insert("created_at".into(), json!(created));
    body.insert("enqueued_at".into(), json!(created));
    body.insert("webhook_registered".into(), json!(false));
    if webhook {
        body.insert(
            "webhook_error".into(),
            json!("webhook delivery is not implemented by the reference control plane"),
        );
    }
    body
}

/// The row and its per-agent slot: taken before the row on the newest
/// contract (V-adm; a refusal writes nothing), after it on v0.1.96 (a
/// refusal fails the row); a replay hit takes none on either (§3.6).
fn admitted(
    state: &Shared,
    target: &str,
    req: ExecRequest,
) -> Result<(Prepared, Option<Slot>), ApiError> {
    let first = state
        .config
        .contract
        .serves(Feature::AdmissionBeforePersistence);
    let (p, slot) = prepare_admitting(state, target, req, first)?;
    if first || p.hit.is_some() {
        return Ok((p, slot));
    }
    let slot = admit(state, &p.exec)?;
    Ok((p, slot))
}

/// Sync execute: dispatch, wait for the outcome, answer 200 / 4xx / 502 / 504.
pub async fn execute_sync(
    State(state): State<Shared>,
    PathParam(target): PathParam,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (req, _webhook, meta) = request_from(&state, &headers, &body)?;
    let (p, _slot) = admitted(&state, &target, req)?;
    keep_run_metadata(&state, &p, meta);
    if let Some(src) = &p.hit {
        let resp = (StatusCode::OK, Json(success_body(&p.exec))).into_response();
        return Ok(with_ids(resp, &p.exec, Some(src)));
    }
    let outcome = dispatch::call_agent(&state, &p.exec).await;
    let recorded = dispatch::apply_outcome(&state, &p.exec.execution_id, &outcome);
    // As v0.1.96: the id headers come with a result or a reported failure;
    // an agent error or a timeout is answered by `writeExecutionError`, without them.
    let ids = |r: Response| with_ids(r, &p.exec, None);
    let response = match (&outcome, dispatch::failure_of(&outcome)) {
        // The agent answered but the store refused the outcome (a full disk):
        // a 5xx, never an answer the row does not show.
        (CallOutcome::AgentError { .. } | CallOutcome::TooLarge(_), Some(_))
            if recorded.is_none() =>
        {
            ApiError::storage("failed to record execution result").into_response()
        }
        (_, Some(f)) => {
            let mut b = json!({ "error": f.message, "error_category": f.category });
            if f.answered {
                b["status"] = json!("failed");
                if let Some(d) = f.details {
                    b["error_details"] = d;
                }
            }
            let code = StatusCode::from_u16(f.http_status).unwrap_or(StatusCode::BAD_GATEWAY);
            (code, Json(b)).into_response()
        }
        (CallOutcome::Accepted, None) => {
            let timeout = state.config.agent_timeout;
            match dispatch::wait_for_completion(&state, &p.exec.execution_id, timeout).await {
                Some(done) if done.status == Status::Succeeded => {
                    ids((StatusCode::OK, Json(success_body(&done))).into_response())
                }
                Some(done) => {
                    let code = client_error::sync_status(state.config.contract, &done);
                    ids((code, Json(failed_body(&done))).into_response())
                }
                None => {
                    ApiError::untyped(format!("execution timeout after {}", go_duration(timeout)))
                        .into_response()
                }
            }
        }
        _ => match recorded {
            Some(done) => ids((StatusCode::OK, Json(success_body(&done))).into_response()),
            None => ApiError::storage("failed to record execution result").into_response(),
        },
    };
    Ok(response)
}

/// The 502 body of a sync execute whose agent reported failure by callback.
fn failed_body(exec: &Execution) -> Value {
    json!({
        "execution_id": exec.execution_id,
        "run_id": exec.run_id,
        "status": "failed",
        "error_message": exec.error_message.clone().unwrap_or_default(),
        "error_details": result_json(exec),
        "duration_ms": exec.duration_ms.unwrap_or(0),
        "finished_at": rfc3339(exec.completed_at.unwrap_or_else(Utc::now)),
    })
}

/// Async execute: 202 at once; the dispatch runs in its own task.
pub async fn execute_async(
    State(state): State<Shared>,
    PathParam(target): PathParam,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    // §1.3 step 8 (newest): a place first, before the body is even read, as
    // upstream's `handleAsync`; a hit gives its place back when answered.
    let place = pool::reserve(&state)?;
    let (req, webhook, meta) = request_from(&state, &headers, &body)?;
    let (p, slot) = admitted(&state, &target, req)?;
    keep_run_metadata(&state, &p, meta);
    let status = if p.hit.is_some() {
        "succeeded"
    } else {
        "queued"
    };
    let body = async_body(&p, status, webhook);
    if p.hit.is_none() {
        dispatch::spawn_dispatch(state.clone(), p.exec.clone(), slot, place);
    }
    let resp = (StatusCode::ACCEPTED, Json(Value::Object(body))).into_response();
    Ok(with_ids(resp, &p.exec, p.hit.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_rules_follow_go_binding() {
        let ok = parse_execute_body(br#"{"input":null,"context":{"a":1},"extra":[1]}"#);
        let Ok(b) = ok else {
            panic!("valid body rejected")
        };
        assert!(b.input.is_empty());
        assert!(b.context.is_some());
        for bad in [
            &b""[..],
            b"[]",
            br#"{"input":[]}"#,
            br#"{"context":"x"}"#,
            b"{",
            br#"{"webhook":1}"#,
        ] {
            let Err(e) = parse_execute_body(bad) else {
                panic!("{bad:?} accepted")
            };
            assert_eq!(e.status, StatusCode::BAD_REQUEST);
            let msg = e.body["error"].as_str().unwrap_or_default();
            assert!(msg.starts_with("invalid request body: "), "{msg}");
        }
    }
}
