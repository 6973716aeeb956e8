//! `POST /api/v1/executions/{id}/restart` and its UI mirror (contract §1–§2, §5).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde_json::{json, Map, Value};

use super::execute::async_body;
use super::PathParam;
use crate::reference::admission::{admit, admit_before_rows};
use crate::reference::canonical::{self, GoValue};
use crate::reference::contract::Feature;
use crate::reference::dispatch::spawn_dispatch;
use crate::reference::error::ApiError;
use crate::reference::model::{Execution, ReplayPlan, RunRecord};
use crate::reference::payload::{decode_stored, GoMap};
use crate::reference::pointers;
use crate::reference::pool;
use crate::reference::prepare::{prepare, ExecRequest, Prepared};
use crate::reference::rules::{header_plan, ReplayMode, Scope};
use crate::reference::state::Shared;
use crate::reference::texts::{self, GoType, RESTART_REQUEST};

/// The restart body of §1.2 after binding.
#[derive(Debug, Default)]
pub(crate) struct RestartRequest {
    pub(crate) scope: String,
    pub(crate) reuse: String,
    pub(crate) fork: bool,
    pub(crate) reason: String,
    pub(crate) input: Option<GoMap>,
    pub(crate) context: Option<GoMap>,
    pub(crate) webhook: bool,
}

fn bind(body: &[u8]) -> Result<RestartRequest, ApiError> {
    let bad = |m: String| {
        ApiError::plain(
            StatusCode::BAD_REQUEST,
            format!("invalid request body: {m}"),
        )
    };
    // An empty body is io.EOF, which v0.1.96 ignores.
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(RestartRequest::default());
    }
    let value = canonical::parse(body).map_err(|e| bad(e.to_string()))?;
    // encoding/json leaves a struct as it is on a top-level `null`: the defaults.
    if value == GoValue::Null {
        return Ok(RestartRequest::default());
    }
    let GoValue::Object(obj) = value else {
        return Err(bad(texts::not_the_struct(&value, RESTART_REQUEST)));
    };
    let mismatch = |field: &str, want: GoType, got: &GoValue| {
        bad(texts::wrong_field(got, RESTART_REQUEST, field, want))
    };
    let string = |f: &str| match obj.get(f) {
        None | Some(GoValue::Null) => Ok(String::new()),
        Some(GoValue::String(s)) => Ok(s.clone()),
        Some(other) => Err(mismatch(f, GoType::String, other)),
    };
    let object = |f: &str| match obj.get(f) {
        None | Some(GoValue::Null) => Ok(None),
        Some(GoValue::Object(m)) => Ok(Some(m.clone())),
        Some(other) => Err(mismatch(f, GoType::Map, other)),
    };
    let fork = match obj.get("fork") {
        None | Some(GoValue::Null) => false,
        Some(GoValue::Bool(b)) => *b,
        Some(other) => return Err(mismatch("fork", GoType::Bool, other)),
    };
    let webhook = match obj.get("webhook") {
        None | Some(GoValue::Null) => false,
        Some(GoValue::Object(_)) => true,
        Some(other) => return Err(mismatch("webhook", GoType::Webhook, other)),
    };
    Ok(RestartRequest {
        scope: string("scope")?,
        reuse: string("reuse")?,
        fork,
        reason: string("reason")?,
        input: object("input")?,
        context: object("context")?,
        webhook,
    })
}

/// §1.3 steps 2–3: scope and reuse, blank meaning the default.
fn validate(req: &RestartRequest) -> Result<(Scope, ReplayMode), ApiError> {
    let scope = match req.scope.trim() {
        "" => Scope::Workflow,
        s => s.parse().map_err(|()| {
            ApiError::plain(
                StatusCode::BAD_REQUEST,
                "scope must be one of: workflow, execution",
            )
        })?,
    };
    let reuse = match req.reuse.trim() {
        "" => ReplayMode::SucceededBefore,
        r => r.parse().map_err(|()| {
            ApiError::plain(
                StatusCode::BAD_REQUEST,
                "reuse must be one of: succeeded-before, all-succeeded, none",
            )
        })?,
    };
    Ok((scope, reuse))
}

/// §1.3 step 4 and §2.1: the source execution, and the one the new run
/// re-runs (the run's root for workflow scope, the source itself otherwise).
fn resolve(state: &Shared, id: &str, scope: Scope) -> Result<(Execution, Execution), ApiError> {
    let source = state
        .store
        .execution(id)
        .map_err(|_| ApiError::storage("failed to load source execution"))?
        .ok_or_else(|| {
            ApiError::plain(StatusCode::NOT_FOUND, format!("execution {id} not found"))
        })?;
    if scope == Scope::Execution {
        return Ok((source.clone(), source));
    }
    let root = state
        .store
        .workflow_root(&source.run_id)
        .map_err(|_| ApiError::storage("failed to load workflow root"))?
        .ok_or_else(|| {
            ApiError::plain(
                StatusCode::NOT_FOUND,
                format!("run {} not found", source.run_id),
            )
        })?;
    Ok((source, root))
}

/// What an accepted restart made, for its lineage row and its 202 body.
struct Accepted<'a> {
    root: &'a Execution,
    source: &'a Execution,
    restarted: &'a Execution,
    reuse: ReplayMode,
    scope: Scope,
    /// §2.4: `fork` or `restart` (or `resume`, from the automatic resume).
    kind: &'static str,
    plan: &'a ReplayPlan,
    /// `resume_attempt` of a `resume` (V-latest), written to the lineage.
    resume_attempt: Option<u32>,
}

/// An internal caller's choices (upstream `restartOptions`): the automatic
/// resume passes kind `resume` and its attempt (`reference::resume`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Internal {
    /// Overrides §2.4's kind.
    pub(crate) kind: Option<&'static str>,
    /// The attempt a `resume` is.
    pub(crate) resume_attempt: Option<u32>,
}

/// Restarts or forks from an execution; answers 202 and dispatches the new root.
pub async fn restart(
    State(state): State<Shared>,
    PathParam(raw_id): PathParam,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = raw_id.trim();
    if id.is_empty() {
        return Err(ApiError::plain(
            StatusCode::BAD_REQUEST,
            "execution_id is required",
        ));
    }
    let req = bind(&body)?;
    start(&state, id, &req, Internal::default()).map(|(r, _)| r)
}

/// §1.3 from step 2: validates, admits, writes the new root and its lineage,
/// dispatches it and stamps the forward pointers; the 202 and the new root.
pub(crate) fn start(
    state: &Shared,
    id: &str,
    req: &RestartRequest,
    internal: Internal,
) -> Result<(Response, Execution), ApiError> {
    let state = state.clone();
    let (scope, reuse) = validate(req)?;
    let (source, restarted) = resolve(&state, id, scope)?;

    // §2.3: input and context from the body, else as the restarted row stored them.
    let (stored_input, stored_context) = decode_stored(&restarted.input_payload);
    let plan = header_plan(scope, reuse, &source);
    let exec_req = ExecRequest {
        input: req.input.clone().unwrap_or(stored_input),
        context: req.context.clone().or(stored_context),
        run_id: None,
        parent: None,
        session_id: restarted.session_id.clone(),
        actor_id: restarted.actor_id.clone(),
        replay: plan.clone(),
    };
    let target = format!("{}.{}", restarted.node_id, restarted.reasoner_id);
    // §1.3 step 8 (newest): an async place before any row (upstream
    // `startRestart` → `reserveForAdmission`; `TestRestartHandler_QueueFullCarriesRetryAfter`).
    let place = pool::reserve(&state)?;
    let (prepared, slot) = if state
        .config
        .contract
        .serves(Feature::AdmissionBeforePersistence)
    {
        // The newest: the slot first, so a refusal writes no row (a restart
        // root has no parent, so it is never a replay hit to exempt).
        let slot = admit_before_rows(&state, &restarted.node_id)?;
        (prepare(&state, &target, exec_req)?, slot)
    } else {
        // v0.1.96: admission after the rows exist; a rejection writes no lineage.
        let prepared = prepare(&state, &target, exec_req)?;
        let slot = admit(&state, &prepared.exec)?;
        (prepared, slot)
    };

    let kind = if let Some(k) = internal.kind {
        k
    } else if req.fork || req.input.is_some() || req.context.is_some() {
        "fork"
    } else {
        "restart"
    };
    let accepted = Accepted {
        root: &prepared.exec,
        source: &source,
        restarted: &restarted,
        reuse,
        scope,
        kind,
        plan: &plan,
        resume_attempt: internal.resume_attempt,
    };
    persist_lineage(&state, &accepted, req.reason.trim());
    spawn_dispatch(state.clone(), prepared.exec.clone(), slot, place);
    // §5.3: after the submit, as upstream; v0.1.96 writes none.
    if state.config.contract.serves(Feature::ForwardPointers) {
        pointers::write(&state, &source, &restarted, &prepared.exec);
    }
    Ok((
        respond(&prepared, &accepted, req.webhook),
        prepared.exec.clone(),
    ))
}

/// §1.4: the 202 body and the new root's id headers.
fn respond(prepared: &Prepared, a: &Accepted<'_>, webhook: bool) -> Response {
    let mut body = async_body(prepared, "queued", webhook);
    let extra: Map<String, Value> = [
        ("source_execution_id", json!(a.source.execution_id)),
        ("source_run_id", json!(a.source.run_id)),
        ("restarted_execution_id", json!(a.restarted.execution_id)),
        ("replay_mode", json!(a.plan.mode)),
        ("scope", json!(a.scope.as_str())),
        ("kind", json!(a.kind)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    body.extend(extra);
    if let Some(before) = &a.plan.before_execution_id {
        body.insert("replay_before_execution_id".into(), json!(before));
    }
    let mut response = (StatusCode::ACCEPTED, Json(Value::Object(body))).into_response();
    for (name, v) in [
        ("X-Execution-ID", &a.root.execution_id),
        ("X-Run-ID", &a.root.run_id),
    ] {
        if let Ok(v) = HeaderValue::from_str(v) {
            response.headers_mut().insert(name, v);
        }
    }
    response
}

/// Writes the new run's sidecar row (§5.1–§5.2): best effort, as in v0.1.96.
fn persist_lineage(state: &Shared, a: &Accepted<'_>, reason: &str) {
    let mut metadata = Map::new();
    metadata.insert(
        "lineage".into(),
        json!({
            "kind": a.kind,
            "source_run_id": a.source.run_id,
            "source_execution_id": a.source.execution_id,
            "restarted_execution_id": a.restarted.execution_id,
            "reuse": a.reuse.as_str(),
            "scope": a.scope.as_str(),
        }),
    );
    if let (Some(n), Some(Value::Object(l))) = (a.resume_attempt, metadata.get_mut("lineage")) {
        l.insert("resume_attempt".into(), json!(n));
    }
    if !reason.is_empty() {
        metadata.insert("reason".into(), json!(reason));
    }
    let record = RunRecord {
        run_id: a.root.run_id.clone(),
        metadata,
        created_at: Utc::now(),
    };
    if let Err(e) = state.store.put_run_record(record) {
        tracing::warn!(run_id = %a.root.run_id, error = %e, "could not persist restart lineage");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_accepts_empty_and_rejects_wrong_types() {
        assert!(bind(b"").is_ok());
        assert!(bind(b" null ").is_ok_and(|r| r.scope.is_empty() && r.input.is_none()));
        assert!(bind(br#"{"unknown":1,"input":null}"#).is_ok_and(|r| r.input.is_none()));
        for bad in [
            &br#"{"input":[]}"#[..],
            br#"{"fork":"yes"}"#,
            br#"{"scope":1}"#,
            b"[]",
            b"{",
        ] {
            let Err(e) = bind(bad) else {
                panic!("{bad:?} accepted")
            };
            let msg = e.body["error"].as_str().unwrap_or_default();
            assert!(msg.starts_with("invalid request body: "), "{msg}");
        }
    }
}
