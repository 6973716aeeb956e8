//! Execution reads and agent reports: `GET /api/v1/executions/{id}`,
//! batch status, the status callback (agent-protocol §3.3), Python's workflow
//! events (§3.5) and logs.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::PathParam;
use crate::reference::canonical::{self, GoValue};
use crate::reference::client_error;
use crate::reference::contract::{Contract, Feature};
use crate::reference::error::ApiError;
use crate::reference::limits::MAX_BATCH_IDS;
use crate::reference::model::millis_between;
use crate::reference::payload::GoMap;
use crate::reference::state::Shared;
use crate::reference::status::{Refusal, Status};
use crate::reference::store::StoreError;
use crate::reference::texts::{
    self, GoType, BATCH_STATUS_REQUEST, STATUS_UPDATE_REQUEST, WORKFLOW_EVENT_REQUEST,
};
use crate::reference::views::status_view;

/// `GET /api/v1/executions/{id}`.
pub async fn get_execution(
    State(state): State<Shared>,
    PathParam(id): PathParam,
) -> Result<Json<Value>, ApiError> {
    match state.load_execution(&id)? {
        Some(exec) => Ok(Json(status_with_pointer(&state, &exec))),
        None => Err(ApiError::plain(
            StatusCode::NOT_FOUND,
            "execution not found",
        )),
    }
}

/// The status view plus §7.1's `restarted_as` while the successor resolves.
fn status_with_pointer(state: &Shared, exec: &crate::reference::model::Execution) -> Value {
    let mut v = status_view(exec);
    if let Some(p) = crate::reference::pointers::read(state, exec) {
        v["restarted_as"] = p;
    }
    // §7.1 (V-latest): the agent instance the row was made for; v0.1.96 has none.
    let contract = state.config.contract;
    if contract.serves(crate::reference::contract::Feature::InstanceScopedReap) {
        if let Some(i) = &exec.instance_id {
            v["instance_id"] = Value::String(i.clone());
        }
    }
    v
}

/// `POST /api/v1/executions/batch-status`: a map of id → status view, for at
/// most [`MAX_BATCH_IDS`] ids (v0.1.96 has no cap; 1 M ids made a 58 MB answer).
/// Errors are v0.1.96's bind errors; an unknown id maps to `not_found`.
pub async fn batch_status(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let ids = batch_ids(&body).map_err(|m| ApiError::plain(StatusCode::BAD_REQUEST, m))?;
    if ids.len() > MAX_BATCH_IDS {
        return Err(ApiError {
            status: StatusCode::BAD_REQUEST,
            body: json!({
                "error": format!("too many execution_ids: {}; at most {MAX_BATCH_IDS} per request", ids.len()),
                "max_ids": MAX_BATCH_IDS,
            }),
        });
    }
    let mut out = Map::new();
    for id in ids {
        let empty = |status: &str| json!({ "execution_id": id, "run_id": "", "status": status, "started_at": "", "webhook_registered": false });
        let view = match state.store.execution(&id) {
            Ok(Some(exec)) => status_with_pointer(&state, &exec),
            Ok(None) => empty("not_found"),
            Err(e) => {
                let mut v = empty("error");
                v["error"] = json!(format!("load execution: {e}"));
                v
            }
        };
        out.insert(id, view);
    }
    Ok(Json(Value::Object(out)))
}

/// The body's `execution_ids`, or v0.1.96's bind error (`BatchStatusRequest`,
/// `binding:"required"`: absent or null fails, `[]` passes).
fn batch_ids(body: &[u8]) -> Result<Vec<String>, String> {
    const FIELD: &str = "execution_ids";
    let parsed = match canonical::parse(body).map_err(|e| e.to_string())? {
        // encoding/json leaves the struct as it is on a top-level null.
        GoValue::Null => GoValue::Object(GoMap::new()),
        v => v,
    };
    let GoValue::Object(obj) = parsed else {
        return Err(texts::not_the_struct(&parsed, BATCH_STATUS_REQUEST));
    };
    let list = match obj.get(FIELD) {
        None | Some(GoValue::Null) => {
            return Err(texts::required(BATCH_STATUS_REQUEST, "ExecutionIDs"))
        }
        Some(GoValue::Array(list)) => list,
        Some(other) => {
            return Err(texts::wrong_field(
                other,
                BATCH_STATUS_REQUEST,
                FIELD,
                GoType::Strings,
            ));
        }
    };
    list.iter()
        .map(|v| match v {
            GoValue::String(s) => Ok(s.clone()),
            // Go leaves a string untouched by a JSON null: an empty id.
            GoValue::Null => Ok(String::new()),
            other => Err(texts::wrong_field(
                other,
                BATCH_STATUS_REQUEST,
                FIELD,
                GoType::String,
            )),
        })
        .collect()
}

/// A status report, from the callback or a workflow event.
struct Report {
    status: Status,
    status_reason: Option<String>,
    result: Option<Vec<u8>>,
    error: Option<String>,
    duration_ms: Option<i64>,
    completed_at: Option<DateTime<Utc>>,
}

/// `POST /api/v1/executions/{id}/status`.
pub async fn status_callback(
    State(state): State<Shared>,
    PathParam(id): PathParam,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let report = parse_callback(&body, state.config.contract)?;
    let updated = state
        .update_execution(&id, &mut |e| {
            if let Some(refusal) = e.status.refusal(report.status) {
                return Err(StoreError::Rejected(refused(
                    &id,
                    e.status,
                    report.status,
                    refusal,
                )));
            }
            apply_report(e, &report);
            Ok(())
        })
        .map_err(|e| ApiError::storage(format!("failed to update execution: {e}")))?;
    Ok(Json(status_view(&updated)))
}

/// v0.1.96's refusal texts (`handleStatusUpdate`).
fn refused(id: &str, from: Status, to: Status, refusal: Refusal) -> String {
    match refusal {
        Refusal::Waiting => format!(
            "execution {id} is in 'waiting' state; only running, cancelled, or failed transitions are allowed"
        ),
        Refusal::Terminal => format!(
            "execution {id} is already in terminal state '{from}'; cannot transition to '{to}'"
        ),
    }
}

/// A report replaces the status and the status reason (an absent reason
/// clears it); keeps a non-empty result; sets a non-empty error, else clears
/// it on success; and stamps a terminal row's completion.
fn apply_report(e: &mut crate::reference::model::Execution, r: &Report) {
    e.status = r.status;
    e.status_reason.clone_from(&r.status_reason);
    if let Some(result) = &r.result {
        e.result_payload = Some(result.clone());
    }
    set_error(e, r);
    if r.status.is_terminal() {
        let done = r.completed_at.unwrap_or_else(Utc::now);
        e.completed_at = Some(done);
        e.duration_ms = Some(
            r.duration_ms
                .unwrap_or_else(|| millis_between(e.started_at, done)),
        );
    } else {
        e.completed_at = r.completed_at;
        if let Some(d) = r.duration_ms {
            e.duration_ms = Some(d);
        }
    }
}

fn parse_callback(body: &[u8], contract: Contract) -> Result<Report, ApiError> {
    let bad = |m: String| {
        ApiError::plain(
            StatusCode::BAD_REQUEST,
            format!("invalid request body: {m}"),
        )
    };
    // gin's ShouldBindJSON: a json.Decoder reads nothing from an empty body.
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad(texts::EOF.to_owned()));
    }
    let obj = match canonical::parse(body).map_err(|e| bad(e.to_string()))? {
        GoValue::Object(obj) => obj,
        // encoding/json leaves the struct as it is on a top-level null.
        GoValue::Null => GoMap::new(),
        other => return Err(bad(texts::not_the_struct(&other, STATUS_UPDATE_REQUEST))),
    };
    let string_field = |name: &str| -> Result<Option<String>, ApiError> {
        match obj.get(name) {
            None | Some(GoValue::Null) => Ok(None),
            Some(GoValue::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(bad(texts::wrong_field(
                other,
                STATUS_UPDATE_REQUEST,
                name,
                GoType::String,
            ))),
        }
    };
    let raw_status = string_field("status")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad(texts::required(STATUS_UPDATE_REQUEST, "Status")))?;
    let status = Status::normalize(&raw_status).ok_or_else(|| {
        ApiError::plain(
            StatusCode::BAD_REQUEST,
            format!("unsupported status '{raw_status}'"),
        )
    })?;
    let result = match obj.get("result") {
        None | Some(GoValue::Null) => None,
        // Stored only when non-empty: `{}` leaves no result (contract §3.4 rule 3).
        Some(GoValue::Object(m)) if m.is_empty() => None,
        Some(v @ GoValue::Object(_)) => Some(canonical::to_string(v).into_bytes()),
        Some(other) => {
            return Err(bad(texts::wrong_field(
                other,
                STATUS_UPDATE_REQUEST,
                "result",
                GoType::Map,
            )))
        }
    };
    // Go binds these into *int64 and *time.Time: a mistyped value is a bind error.
    let int64_field = |name: &str| -> Result<Option<i64>, ApiError> {
        match obj.get(name) {
            None | Some(GoValue::Null) => Ok(None),
            Some(GoValue::Number(n)) if n.fract() == 0.0 && n.abs() < 9.2e18 => Ok(Some(*n as i64)),
            Some(GoValue::Number(n)) => Err(bad(texts::wrong_number(
                *n,
                STATUS_UPDATE_REQUEST,
                name,
                GoType::Int64,
            ))),
            Some(other) => Err(bad(texts::wrong_field(
                other,
                STATUS_UPDATE_REQUEST,
                name,
                GoType::Int64,
            ))),
        }
    };
    let duration_ms = int64_field("duration_ms")?;
    let completed_at = match string_field("completed_at")? {
        None => None,
        Some(s) => Some(
            DateTime::parse_from_rfc3339(&s)
                .map_err(|e| bad(format!("parsing time {s:?} as RFC3339: {e}")))?
                .with_timezone(&Utc),
        ),
    };
    // V-latest: `error_status_code` (a Go *int) reclassifies the reason;
    // v0.1.96 has no such field and ignores it.
    let code = if contract.serves(Feature::AgentClientError) {
        int64_field("error_status_code")?
    } else {
        None
    };
    Ok(Report {
        status,
        status_reason: client_error::reason(string_field("status_reason")?, code),
        result,
        error: string_field("error")?,
        duration_ms,
        completed_at,
    })
}

/// `POST /api/v1/workflow/executions/events` (Python serve mode): applies
/// status and result unless the row is terminal. v0.1.96 creates a row for an
/// unknown id; the reference ignores it (agent-protocol §3.5).
pub async fn workflow_event(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let bad = |m: String| ApiError::plain(StatusCode::BAD_REQUEST, format!("invalid payload: {m}"));
    let obj = match canonical::parse(&body).map_err(|e| bad(e.to_string()))? {
        GoValue::Object(obj) => obj,
        other => return Err(bad(texts::not_the_struct(&other, WORKFLOW_EVENT_REQUEST))),
    };
    let text = |k: &str| match obj.get(k) {
        Some(GoValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    let Some(id) = text("execution_id").filter(|i| !i.is_empty()) else {
        return Err(bad(texts::required(WORKFLOW_EVENT_REQUEST, "ExecutionID")));
    };
    let Some(status) = text("status").as_deref().and_then(Status::normalize) else {
        return Ok(Json(json!({ "success": true })));
    };
    let report = Report {
        status,
        status_reason: None,
        result: obj
            .get("result")
            .filter(|v| **v != GoValue::Null)
            .map(|v| canonical::to_string(v).into_bytes()),
        error: text("error"),
        duration_ms: match obj.get("duration_ms") {
            Some(GoValue::Number(n)) => Some(*n as i64),
            _ => None,
        },
        completed_at: None,
    };
    // v0.1.96 also replaces the stored input with the event's `input_data`
    // (agent-protocol §7.3), which breaks replay in serve mode; we keep the input.
    // One event at a time finds a row missing and creates it (no duplicates).
    let _one = super::events::one_at_a_time();
    let updated = state.update_execution(&id, &mut |e| {
        if !e.status.is_terminal() {
            apply_event(e, &report);
        }
        Ok(())
    });
    Ok(Json(match updated {
        Ok(_) => json!({ "success": true, "updated": true }),
        // An id the control plane never issued: v0.1.96 creates its rows.
        Err(StoreError::NotFound(_)) => super::events::create(
            &state,
            super::events::row_from_event(&id, &obj, status, report.duration_ms),
        )?,
        Err(_) => json!({ "success": true }),
    }))
}

/// A workflow event (v0.1.96 `applyEventToExecution`): unlike a callback it
/// keeps the status reason, sets only a duration it is given, and stamps
/// completion at a terminal status only.
fn apply_event(e: &mut crate::reference::model::Execution, r: &Report) {
    e.status = r.status;
    if let Some(result) = &r.result {
        e.result_payload = Some(result.clone());
    }
    if let Some(d) = r.duration_ms {
        e.duration_ms = Some(d);
    }
    set_error(e, r);
    if r.status.is_terminal() {
        e.completed_at = Some(Utc::now());
    }
}

/// A non-empty error is kept; none (or an empty one) clears it on success.
fn set_error(e: &mut crate::reference::model::Execution, r: &Report) {
    match &r.error {
        Some(err) if !err.is_empty() => e.error_message = Some(err.clone()),
        _ if r.status == Status::Succeeded => e.error_message = None,
        _ => {}
    }
}

/// `POST /api/v1/executions/{id}/logs`: accepted and dropped (logs do not affect replay).
pub async fn logs(PathParam(_id): PathParam, _body: Bytes) -> Json<Value> {
    Json(json!({ "success": true }))
}
