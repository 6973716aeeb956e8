//! `GET /api/ui/v2/workflow-runs` (list, §7.3) and `GET …/{run_id}` (detail, §7.4).

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::PathParam;
use crate::reference::error::ApiError;
use crate::reference::model::{rfc3339, Execution};
use crate::reference::state::Shared;
use crate::reference::status::Status;
use crate::reference::store::{RunFilter, RunQuery, RunSort};
use crate::reference::summary::{run_summary, RunStats, SummaryKind};
use crate::reference::views::add_run_metadata;

/// The sort order after alias resolution; unknown values fall back to `updated_at`.
fn sort_key(raw: Option<&str>) -> RunSort {
    match raw.unwrap_or("").trim().to_ascii_lowercase().as_str() {
        "started_at" | "started" | "created_at" => RunSort::StartedAt,
        "status" => RunSort::Status,
        "total_steps" | "total_executions" | "nodes" => RunSort::TotalExecutions,
        "failed_steps" | "failed" => RunSort::FailedSteps,
        "active_executions" | "active" => RunSort::ActiveExecutions,
        _ => RunSort::UpdatedAt,
    }
}

/// The paged, sorted, filtered list of runs.
pub async fn list_runs(
    State(state): State<Shared>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let query_error = |e: crate::reference::store::StoreError| ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        body: json!({ "error": "failed to query run summaries", "details": e.to_string() }),
    };
    let get = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let page = get("page")
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let page_size = get("page_size")
        .and_then(|p| p.parse::<i64>().ok())
        .map_or(20, |p| p.clamp(1, 200) as usize);
    let since = get("since")
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc));

    let query = RunQuery {
        sort: sort_key(get("sort_by")),
        asc: get("sort_order").is_some_and(|o| o.eq_ignore_ascii_case("asc")),
        filter: RunFilter {
            run_id: get("run_id").map(str::to_owned),
            status: get("status").map(str::to_owned),
            session_id: get("session_id").map(str::to_owned),
            actor_id: get("actor_id").map(str::to_owned),
            since,
            search: get("search").map(str::to_lowercase),
        },
        offset: (page - 1).saturating_mul(page_size),
        limit: page_size,
    };
    // The store walks its index under one short lock; only the page's runs
    // are read whole and summarised.
    let found = state.store.list_runs(&query).map_err(query_error)?;
    let mut rows = Vec::with_capacity(found.run_ids.len());
    for run_id in &found.run_ids {
        let execs = state.store.run_executions(run_id).map_err(query_error)?;
        let record = state.store.run_record(run_id).map_err(query_error)?;
        rows.push(run_summary(
            run_id,
            &execs,
            record.as_ref(),
            SummaryKind::List,
        ));
    }
    let total = found.total;
    let end = query.offset.saturating_add(rows.len());
    Ok(Json(json!({
        "runs": rows,
        "total_count": total,
        "page": page,
        "page_size": page_size,
        "has_more": end < total,
    })))
}

/// Running and pending/queued children per parent, counted in one pass.
fn child_counts(execs: &[Execution]) -> HashMap<&str, (usize, usize)> {
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
    for c in execs {
        let Some(parent) = c.parent_execution_id.as_deref() else {
            continue;
        };
        let entry = counts.entry(parent).or_default();
        match c.status {
            Status::Running => entry.0 += 1,
            Status::Pending | Status::Queued => entry.1 += 1,
            _ => {}
        }
    }
    counts
}

fn execution_row(e: &Execution, (active, pending): (usize, usize), depth: u32) -> Value {
    let mut v = Map::new();
    v.insert("workflow_id".into(), json!(e.run_id));
    v.insert("execution_id".into(), json!(e.execution_id));
    if let Some(p) = &e.parent_execution_id {
        v.insert("parent_execution_id".into(), json!(p));
        v.insert("parent_workflow_id".into(), json!(e.run_id));
    }
    v.insert("agent_node_id".into(), json!(e.agent_node_id));
    v.insert("reasoner_id".into(), json!(e.reasoner_id));
    v.insert("status".into(), json!(e.status));
    if let Some(r) = &e.status_reason {
        v.insert("status_reason".into(), json!(r));
    }
    v.insert("started_at".into(), json!(rfc3339(e.started_at)));
    if let Some(c) = e.completed_at {
        v.insert("completed_at".into(), json!(rfc3339(c)));
    }
    v.insert("workflow_depth".into(), json!(depth));
    v.insert("active_children".into(), json!(active));
    v.insert("pending_children".into(), json!(pending));
    Value::Object(v)
}

/// One run with its executions.
pub async fn run_detail(
    State(state): State<Shared>,
    run_id: PathParam,
) -> Result<Json<Value>, ApiError> {
    let run_id = run_id.run_id()?;
    let execs = state.run_executions_or_404(&run_id, "failed to query executions")?;
    let record = state
        .store
        .run_record(&run_id)
        .map_err(|_| ApiError::storage("failed to query executions"))?;
    let stats = RunStats::of(&execs);
    let mut run = Map::new();
    run.insert("run_id".into(), json!(run_id));
    run.insert("root_workflow_id".into(), json!(run_id));
    if let Some(r) = stats.root {
        run.insert("root_execution_id".into(), json!(r.execution_id));
    }
    let status = stats.list_status();
    run.insert("status".into(), json!(status));
    run.insert("total_steps".into(), json!(execs.len()));
    run.insert(
        "completed_steps".into(),
        json!(stats.count(Status::Succeeded)),
    );
    let failed = [Status::Failed, Status::Cancelled, Status::Timeout]
        .into_iter()
        .map(|s| stats.count(s))
        .sum::<usize>();
    run.insert("failed_steps".into(), json!(failed));
    run.insert("returned_steps".into(), json!(execs.len()));
    run.insert("status_counts".into(), json!(stats.counts_by_name()));
    let now = Utc::now();
    run.insert(
        "created_at".into(),
        json!(rfc3339(stats.started_at.unwrap_or(now))),
    );
    run.insert(
        "updated_at".into(),
        json!(rfc3339(stats.last_started_at.unwrap_or(now))),
    );
    // v0.1.96 reports the DAG root's completion as the run's.
    if let Some(done) = stats.root.and_then(|r| r.completed_at) {
        run.insert("completed_at".into(), json!(rfc3339(done)));
    }
    add_run_metadata(&mut run, record.as_ref());
    let counts = child_counts(&execs);
    let rows: Vec<Value> = execs
        .iter()
        .map(|e| {
            let kids = counts
                .get(e.execution_id.as_str())
                .copied()
                .unwrap_or_default();
            execution_row(e, kids, stats.depth(&e.execution_id))
        })
        .collect();
    Ok(Json(json!({ "run": run, "executions": rows })))
}
