//! A workflow event for an execution the control plane never issued
//! (agent-protocol §3.5): as v0.1.96 `WorkflowExecutionEventHandler` does, it
//! creates the row, so that a step an SDK ran in its own process (a local
//! same-node call) shows in the run's reads and DAG on both.
//!
//! v0.1.96 writes two rows, `executions` and `workflow_executions`; the
//! reference keeps one execution table behind every read, so the one row
//! serves both. What it holds is `buildExecutionRecordFromEvent`'s.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use chrono::Utc;

use crate::reference::canonical::{self, GoValue};
use crate::reference::error::ApiError;
use crate::reference::model::{Execution, TargetType};
use crate::reference::state::AppState;
use crate::reference::status::Status;
use crate::reference::store::StoreError;

/// Held while an event looks for its row and creates it when missing, so
/// that two events for one new id never make two rows.
pub(super) fn one_at_a_time() -> MutexGuard<'static, ()> {
    static ONE: Mutex<()> = Mutex::new(());
    ONE.lock().unwrap_or_else(|p| p.into_inner())
}

/// The first of `values` that is not blank, trimmed (v0.1.96 `firstNonEmpty`).
fn first_non_empty<'a>(values: &[Option<&'a str>]) -> Option<&'a str> {
    values
        .iter()
        .flatten()
        .map(|v| v.trim())
        .find(|v| !v.is_empty())
}

/// v0.1.96 `marshalJSON`: `null` or absent stores nothing.
fn payload(v: Option<&GoValue>) -> Option<String> {
    v.filter(|v| **v != GoValue::Null).map(canonical::to_string)
}

/// The row an event for unknown `id` creates, as v0.1.96 builds it.
///
/// The event's status has already been normalised; v0.1.96 stores an
/// unrecognised one as `unknown`, a status the reference has not, so such an
/// event creates nothing here (the caller answers as for a known row).
pub(super) fn row_from_event(
    id: &str,
    event: &BTreeMap<String, GoValue>,
    status: Status,
    duration_ms: Option<i64>,
) -> Execution {
    let text = |k: &str| match event.get(k) {
        Some(GoValue::String(s)) => Some(s.as_str()),
        _ => None,
    };
    let run_id = first_non_empty(&[text("run_id"), text("workflow_id"), Some(id)])
        .unwrap_or(id)
        .to_string();
    let kind = text("type");
    let node = first_non_empty(&[text("agent_node_id"), kind])
        .unwrap_or_default()
        .to_string();
    let reasoner = first_non_empty(&[text("reasoner_id"), kind, Some("reasoner")])
        .unwrap_or("reasoner")
        .to_string();
    // Bare kwargs, never a `{"input":…}` envelope (agent-protocol §3.5): the
    // stored text is its own replay key, as every stored payload is, so it
    // matches only a request whose envelope spells the same.
    let input = payload(event.get("input_data")).unwrap_or_else(|| "null".to_string());
    let now = Utc::now();
    // An event names no agent instance, session or actor: `running`'s Nones.
    Execution {
        // A JSON `""` is a pointer to "" in v0.1.96; every read here treats
        // an empty parent as none (contract §4.2), so it is stored as none.
        parent_execution_id: text("parent_execution_id")
            .filter(|p| !p.trim().is_empty())
            .map(str::to_string),
        target_type: if kind == Some("skill") {
            TargetType::Skill
        } else {
            TargetType::Reasoner
        },
        status,
        replay_key: Some(input.clone()),
        result_payload: payload(event.get("result")).map(String::into_bytes),
        error_message: text("error").filter(|e| !e.is_empty()).map(str::to_string),
        started_at: now,
        completed_at: status.is_terminal().then_some(now),
        duration_ms,
        ..Execution::running(id.to_string(), run_id, node, reasoner, input)
    }
}

/// Stores `row`; the event's answer says it was created.
pub(super) fn create(state: &AppState, row: Execution) -> Result<serde_json::Value, ApiError> {
    let id = row.execution_id.clone();
    match state.store.insert_execution(row) {
        Ok(_) => {
            state.completions.notify(&id);
            Ok(serde_json::json!({ "success": true, "created": true }))
        }
        Err(StoreError::Full(max)) => Err(crate::reference::limits::store_full(max)),
        Err(e) => Err(ApiError::storage(format!(
            "failed to create execution: {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(json: &str) -> BTreeMap<String, GoValue> {
        match canonical::parse(json.as_bytes()).expect("json") {
            GoValue::Object(o) => o,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_row_takes_v0_1_96_s_fallbacks() {
        let e = event(
            r#"{"execution_id":"x","workflow_id":" wf ","type":"skill","parent_execution_id":"p","input_data":{"b":1.0,"a":2},"result":null,"error":""}"#,
        );
        let row = row_from_event("x", &e, Status::Running, None);
        assert_eq!(row.run_id, "wf");
        assert_eq!(
            (row.node_id.as_str(), row.reasoner_id.as_str()),
            ("skill", "skill")
        );
        assert_eq!(row.target_type, TargetType::Skill);
        assert_eq!(row.parent_execution_id.as_deref(), Some("p"));
        assert_eq!(row.input_payload, r#"{"a":2,"b":1}"#);
        assert_eq!((row.result_payload, row.error_message), (None, None));
        assert!(row.completed_at.is_none());
        let bare = row_from_event(
            "y",
            &event(r#"{"execution_id":"y"}"#),
            Status::Succeeded,
            Some(3),
        );
        assert_eq!(
            (bare.run_id.as_str(), bare.reasoner_id.as_str()),
            ("y", "reasoner")
        );
        assert_eq!(bare.parent_execution_id, None);
        assert!(bare.completed_at.is_some());
        assert_eq!(bare.duration_ms, Some(3));
    }
}
