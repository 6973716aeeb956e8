//! `GET /api/v1/nodes` (v0.1.96 `handlers/nodes_list.go`): the registered
//! nodes, by default only those whose health is `active`. `health_status=X`
//! filters on another health, `show_all=true` drops the health filter,
//! `team_id` and `group_id` filter on the registration's fields (a node's
//! group defaults to its id). The reference never probes agents: a node's
//! health is `unknown` until its first heartbeat, then `active` while its
//! heartbeats are fresh (as v0.1.96's status manager decides), so an SDK
//! agent that is registered and heartbeating is listed without `show_all`.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::Json;
use serde_json::{json, Map, Value};

use super::nodes::{health_now, node_json};
use crate::reference::error::ApiError;
use crate::reference::state::Shared;

/// `GET /api/v1/nodes`: `{"nodes", "count", "filters"}`.
pub async fn list_nodes(
    State(state): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let param = |k: &str| q.get(k).filter(|v| !v.is_empty()).cloned();
    let mut filters = Map::new();
    let health = if q.get("show_all").is_some_and(|v| v == "true") {
        None
    } else {
        Some(param("health_status").unwrap_or_else(|| "active".to_owned()))
    };
    let team = param("team_id");
    let group = param("group_id");
    // `types.AgentFilters` field order.
    if let Some(t) = &team {
        filters.insert("team_id".into(), json!(t));
    }
    if let Some(g) = &group {
        filters.insert("group_id".into(), json!(g));
    }
    if let Some(h) = &health {
        filters.insert("health_status".into(), json!(h));
    }
    let field = |n: &crate::reference::model::Node, k: &str| {
        n.registration
            .get(k)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let mut nodes = state
        .store
        .nodes()
        .map_err(|_| ApiError::storage("failed to get nodes"))?;
    let now = chrono::Utc::now();
    nodes.retain(|n| {
        health.as_ref().is_none_or(|h| health_now(n, now) == h)
            && team
                .as_ref()
                .is_none_or(|t| field(n, "team_id").unwrap_or_default() == *t)
            && group
                .as_ref()
                .is_none_or(|g| field(n, "group_id").unwrap_or_else(|| n.id.clone()) == *g)
    });
    nodes.sort_by(|a, b| a.id.cmp(&b.id));
    let list: Vec<Value> = nodes.iter().map(node_json).collect();
    Ok(Json(json!({
        "nodes": list,
        "count": list.len(),
        "filters": filters,
    })))
}
