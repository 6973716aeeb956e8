//! `GET /api/ui/v1/workflows/{run_id}/dag`, full and lightweight (contract §7.2, §6).

use std::collections::{BTreeSet, HashMap};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::PathParam;
use crate::reference::error::ApiError;
use crate::reference::model::{insert_times, Execution};
use crate::reference::rules::backfill_source_run;
use crate::reference::state::Shared;
use crate::reference::summary::RunStats;
use crate::reference::tree::{write_object_with, write_tree, Kids};
use crate::reference::views::{add_run_metadata, reuse_info};

/// `?mode=lightweight` or `?lightweight=true|1`, case-insensitive.
fn is_lightweight(q: &HashMap<String, String>) -> bool {
    let mode = q
        .get("mode")
        .is_some_and(|m| m.eq_ignore_ascii_case("lightweight"));
    let flag = q
        .get("lightweight")
        .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    mode || flag
}

fn node_json(e: &Execution, depth: u32, full: bool, backfill: Option<&str>) -> Map<String, Value> {
    let mut n = Map::new();
    if full {
        n.insert("workflow_id".into(), json!(e.run_id));
    }
    n.insert("execution_id".into(), json!(e.execution_id));
    n.insert("agent_node_id".into(), json!(e.agent_node_id));
    n.insert("reasoner_id".into(), json!(e.reasoner_id));
    n.insert("status".into(), json!(e.status));
    if let Some(r) = &e.status_reason {
        n.insert("status_reason".into(), json!(r));
    }
    insert_times(&mut n, e);
    if let Some(p) = &e.parent_execution_id {
        n.insert("parent_execution_id".into(), json!(p));
    }
    n.insert("workflow_depth".into(), json!(depth));
    if full {
        // `children` has no omitempty in v0.1.96: leaves and timeline nodes carry null.
        n.insert("children".into(), Value::Null);
        n.insert("notes".into(), json!([]));
        n.insert("notes_count".into(), json!(0));
    }
    if let Some(reuse) = reuse_info(e.status_reason.as_deref(), backfill) {
        n.insert("reuse".into(), reuse);
    }
    n
}

/// The DAG of a run; 404 when it has no executions, even with lineage metadata.
pub async fn dag(
    State(state): State<Shared>,
    PathParam(run_id): PathParam,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let run_id = run_id.trim().to_owned();
    if run_id.is_empty() {
        return Err(ApiError::plain(
            StatusCode::BAD_REQUEST,
            "workflowId or workflow_id is required",
        ));
    }
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let execs = state
        .store
        .run_executions(&run_id)
        .map_err(|e| ApiError::storage(format!("failed to load workflow: {e}")))?;
    if execs.is_empty() {
        return Err(ApiError::plain(StatusCode::NOT_FOUND, "workflow not found"));
    }
    let record = state
        .store
        .run_record(&run_id)
        .map_err(|e| ApiError::storage(format!("failed to load workflow: {e}")))?;
    let lineage_run = backfill_source_run(record.as_ref());
    let backfill = lineage_run.as_deref();
    let full = !is_lightweight(&q);
    let stats = RunStats::of(&execs);

    let mut v = Map::new();
    v.insert("root_workflow_id".into(), json!(run_id));
    v.insert("workflow_status".into(), json!(stats.dag_status()));
    let root = stats.root;
    v.insert(
        "workflow_name".into(),
        json!(root.map(|r| r.reasoner_id.clone()).unwrap_or_default()),
    );
    if let Some(s) = root.and_then(|r| r.session_id.clone()) {
        v.insert("session_id".into(), json!(s));
    }
    if let Some(a) = root.and_then(|r| r.actor_id.clone()) {
        v.insert("actor_id".into(), json!(a));
    }
    v.insert("total_nodes".into(), json!(execs.len()));
    v.insert("max_depth".into(), json!(stats.max_depth));
    // Start order is already the timeline order.
    let timeline: Vec<Value> = execs
        .iter()
        .map(|e| Value::Object(node_json(e, stats.depth(&e.execution_id), full, backfill)))
        .collect();
    let mut kids: Kids<'_> = HashMap::new();
    if full {
        for e in &execs {
            if let Some(p) = &e.parent_execution_id {
                kids.entry(p.as_str()).or_default().push(e);
            }
        }
        if root.is_some() {
            // A placeholder: the tree is written as text, see `tree`.
            v.insert("dag".into(), Value::Null);
        }
        v.insert("timeline".into(), Value::Array(timeline));
    } else {
        v.insert("timeline".into(), Value::Array(timeline));
        v.insert("mode".into(), json!("lightweight"));
        let agents: BTreeSet<&str> = execs.iter().map(|e| e.agent_node_id.as_str()).collect();
        v.insert("unique_agent_node_ids".into(), json!(agents));
        // Always present in v0.1.96; the reference registers no webhooks.
        v.insert(
            "webhook_summary".into(),
            json!({ "executions_with_webhooks": 0, "total_deliveries": 0, "failed_deliveries": 0 }),
        );
    }
    add_run_metadata(&mut v, record.as_ref());
    let fields = |e: &Execution| node_json(e, stats.depth(&e.execution_id), true, backfill);
    let body = write_object_with(&v, "dag", |out| match root {
        Some(r) => write_tree(out, r, &kids, &fields),
        None => Ok(()),
    })
    .map_err(|e| ApiError::storage(format!("failed to encode workflow: {e}")))?;
    Ok(([(CONTENT_TYPE, "application/json")], body).into_response())
}
