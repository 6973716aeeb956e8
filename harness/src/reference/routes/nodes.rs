//! Agent node endpoints (agent-protocol §1.1–§1.2): registration with the
//! re-registration orphan reaper, heartbeat, status, shutdown and reads.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::PathParam;
use crate::reference::canonical::{self, GoValue};
use crate::reference::contract::Feature;
use crate::reference::error::ApiError;
use crate::reference::model::{millis_between, rfc3339, Node};
use crate::reference::restart_wait::AWAITING_AGENT_RESTART;
use crate::reference::state::Shared;
use crate::reference::status::Status;
use crate::reference::texts::{self, GoType, AGENT_NODE, REASONER_DEFINITION, SKILL_DEFINITION};

#[derive(Deserialize)]
struct Target {
    id: Option<String>,
    // Declared only so that a bool is a bind error, as Go's `*string` makes it.
    #[allow(dead_code)]
    accepts_webhook: Option<String>,
}

#[derive(Deserialize)]
struct Registration {
    id: Option<String>,
    base_url: Option<String>,
    invocation_url: Option<String>,
    deployment_type: Option<String>,
    instance_id: Option<String>,
    lifecycle_status: Option<String>,
    #[serde(default)]
    reasoners: Option<Vec<Target>>,
    #[serde(default)]
    skills: Option<Vec<Target>>,
}

fn node_not_found() -> ApiError {
    ApiError::plain(StatusCode::NOT_FOUND, "node not found")
}

/// Checks a callback URL: http(s), a host, no userinfo.
fn valid_base_url(raw: &str) -> Result<(), String> {
    let url = reqwest::Url::parse(raw).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(texts::callback_url_scheme(url.scheme()));
    }
    // Go's order: user info before the host.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(texts::CALLBACK_URL_USER_INFO.to_owned());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(texts::CALLBACK_URL_NO_HOST.to_owned());
    }
    Ok(())
}

/// `POST /api/v1/nodes/register` and `POST /api/v1/nodes`: upsert by id.
pub async fn register(
    State(state): State<Shared>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (raw, reg, id) = parse_registration(&body)?;
    check_urls(&reg)?;
    let mode = raw
        .get("callback_discovery")
        .and_then(|d| d.get("mode"))
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .map(str::to_owned);
    let previous = state
        .store
        .node(&id)
        .map_err(|e| ApiError::storage(format!("Failed to store node: {e}")))?;
    let now = Utc::now();
    let node = node_of(id.clone(), reg, raw, now);
    let (base_url, instance_id) = (node.base_url.clone(), node.instance_id.clone());
    state
        .store
        .upsert_node(node)
        .map_err(|e| ApiError::storage(format!("Failed to store node: {e}")))?;
    state.node_changed();
    if let Some(prev) = previous {
        if !prev.instance_id.is_empty()
            && !instance_id.is_empty()
            && prev.instance_id != instance_id
        {
            orphan_executions(&state, &id, &prev.instance_id, &instance_id);
        }
    }
    Ok((
        StatusCode::CREATED,
        Json(registered_body(&id, &base_url, mode, now)),
    ))
}

/// The body as an object and as a registration, and its non-empty id; 400
/// with v0.1.96's bind and validation messages otherwise.
fn parse_registration(body: &[u8]) -> Result<(Map<String, Value>, Registration, String), ApiError> {
    let bad = |m: String| ApiError::plain(StatusCode::BAD_REQUEST, m);
    // gin's ShouldBindJSON: EOF for no body, encoding/json's syntax and
    // type texts where v0.1.96's are known; the decoding itself as before.
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad(format!("Invalid JSON format: {}", texts::EOF)));
    }
    let parsed = canonical::parse(body).map_err(|e| bad(format!("Invalid JSON format: {e}")))?;
    if let Some(why) = mistyped_target(&parsed) {
        return Err(bad(format!("Invalid JSON format: {why}")));
    }
    let raw: Map<String, Value> =
        serde_json::from_slice(body).map_err(|e| bad(format!("Invalid JSON format: {e}")))?;
    let reg: Registration = serde_json::from_value(Value::Object(raw.clone()))
        .map_err(|e| bad(format!("Invalid JSON format: {e}")))?;
    let Some(id) = reg.id.clone().filter(|i| !i.is_empty()) else {
        return Err(bad(format!(
            "Validation failed: {}",
            texts::required(AGENT_NODE, "ID")
        )));
    };
    Ok((raw, reg, id))
}

/// A `reasoners` or `skills` entry whose `accepts_webhook` (`*string`) holds
/// another JSON kind: the decoder's text for the first one.
fn mistyped_target(body: &GoValue) -> Option<String> {
    let GoValue::Object(obj) = body else {
        return None;
    };
    [
        ("reasoners", REASONER_DEFINITION),
        ("skills", SKILL_DEFINITION),
    ]
    .into_iter()
    .find_map(|(list, s)| {
        let Some(GoValue::Array(items)) = obj.get(list) else {
            return None;
        };
        items.iter().find_map(|item| match item {
            GoValue::Object(t) => match t.get("accepts_webhook") {
                None | Some(GoValue::Null | GoValue::String(_)) => None,
                Some(other) => Some(texts::wrong_field(
                    other,
                    s,
                    &format!("{list}.accepts_webhook"),
                    GoType::String,
                )),
            },
            _ => None,
        })
    })
}

/// `base_url` and `invocation_url`, when set, pass the callback URL checks.
fn check_urls(reg: &Registration) -> Result<(), ApiError> {
    let base_url = reg.base_url.as_deref().unwrap_or_default();
    if !base_url.is_empty() {
        if let Err(why) = valid_base_url(base_url) {
            return Err(ApiError {
                status: StatusCode::BAD_REQUEST,
                body: json!({
                    "error": format!("Invalid callback URL: {why}"),
                    "details": "The provided base_url must be a valid, reachable HTTP/HTTPS endpoint",
                }),
            });
        }
    }
    let invocation_url = reg.invocation_url.as_deref().unwrap_or_default();
    if !invocation_url.is_empty() {
        // The dispatch URL when set, so it gets base_url's checks: a sync
        // execute hands the target's answer to the caller.
        if let Err(why) = valid_base_url(invocation_url) {
            return Err(ApiError {
                status: StatusCode::BAD_REQUEST,
                body: json!({ "error": "Invalid invocation_url", "details": why }),
            });
        }
    }
    Ok(())
}

/// The node row a registration makes: an absent or `offline` lifecycle
/// status starts as `starting`, health as `unknown`.
fn node_of(id: String, reg: Registration, raw: Map<String, Value>, now: DateTime<Utc>) -> Node {
    let names = |targets: Option<Vec<Target>>| -> Vec<String> {
        targets
            .unwrap_or_default()
            .into_iter()
            .filter_map(|t| t.id)
            .collect()
    };
    let lifecycle = match reg.lifecycle_status.as_deref() {
        None | Some("") | Some("offline") => "starting".to_owned(),
        Some(other) => other.to_owned(),
    };
    Node {
        id,
        base_url: reg.base_url.unwrap_or_default(),
        invocation_url: reg.invocation_url.unwrap_or_default(),
        deployment_type: reg
            .deployment_type
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "long_running".into()),
        instance_id: reg.instance_id.unwrap_or_default(),
        reasoners: names(reg.reasoners),
        skills: names(reg.skills),
        lifecycle_status: lifecycle,
        health_status: "unknown".to_owned(),
        registration: raw,
        registered_at: now,
        last_heartbeat: now,
    }
}

/// The 201 body; `callback_discovery` as v0.1.96 persists it (mode defaults to
/// `auto`, the base URL is both preferred and resolved), empty fields omitted.
fn registered_body(id: &str, base_url: &str, mode: Option<String>, now: DateTime<Utc>) -> Value {
    let mut discovery = Map::new();
    discovery.insert(
        "mode".into(),
        json!(mode.unwrap_or_else(|| "auto".to_owned())),
    );
    if !base_url.is_empty() {
        discovery.insert("preferred".into(), json!(base_url));
        discovery.insert("resolved".into(), json!(base_url));
    }
    discovery.insert("submitted_at".into(), json!(rfc3339(now)));
    let mut body = Map::new();
    body.insert("success".into(), json!(true));
    body.insert("message".into(), json!("Node registered successfully"));
    body.insert("node_id".into(), json!(id));
    if !base_url.is_empty() {
        body.insert("resolved_base_url".into(), json!(base_url));
    }
    body.insert("callback_discovery".into(), Value::Object(discovery));
    Value::Object(body)
}

/// A new process instance cannot finish its predecessor's work: fail it.
///
/// v0.1.96 fails every active row of the node and names the new instance.
/// The newest (`InstanceScopedReap`; upstream `nodes_register.go` @0c438dfc,
/// `MarkAgentInstanceExecutionsOrphaned`; tested by
/// `TestRegisterNodeHandler_ReapsOrphansOnInstanceChange` @10d000b1: the reap
/// targets the old instance and its reason names it) fails only the rows of
/// the departed instance or with no instance, and names the old instance. Its
/// drain grace (`AgentDrainGrace`, a delay before the reap) is not modelled:
/// the reap runs at once, as with a zero grace.
fn orphan_executions(state: &Shared, node_id: &str, old: &str, new: &str) {
    let scoped = state.config.contract.serves(Feature::InstanceScopedReap);
    let reason = if scoped {
        format!(
            "agent_restart_orphaned: previous instance {old} is gone and the execution did not \
             complete within the drain window"
        )
    } else {
        format!("agent_restart_orphaned: {node_id} re-registered with new instance {new}")
    };
    let ids = state
        .store
        .active_executions_of_node(node_id)
        .unwrap_or_default();
    let now = Utc::now();
    let mut roots = Vec::new();
    for id in ids {
        let reaped = state.update_execution(&id, &mut |e| {
            let departed = !scoped || e.instance_id.as_deref().is_none_or(|i| i == old);
            // A dispatch waiting out this very restart keeps its row (the
            // newest; upstream `markExecutionAwaitingRestart`).
            let held = e.status_reason.as_deref() == Some(AWAITING_AGENT_RESTART);
            if e.status.is_active() && departed && !held {
                e.status = Status::Failed;
                e.status_reason = Some(reason.clone());
                e.error_message = Some(reason.clone());
                e.completed_at = Some(now);
                e.duration_ms = Some(millis_between(e.started_at, now));
            }
            Ok(())
        });
        if reaped.is_ok_and(|e| e.parent_execution_id.is_none() && e.status == Status::Failed) {
            roots.push(id);
        }
    }
    // The newest hands each reaped root off to an automatic resume, when on
    // (`handOffInterruptedAgentExecutions`; `reference::resume`).
    for id in roots {
        crate::reference::resume::hand_off(state, &id);
    }
}

/// Records a sign of life, and the lifecycle the body reports in `field` if
/// any; a body that is not JSON is a plain sign of life. 404 for an unknown node.
fn touch(state: &Shared, id: &str, body: &[u8], field: &str) -> Result<DateTime<Utc>, ApiError> {
    let reported = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get(field).and_then(Value::as_str).map(str::to_owned));
    let now = Utc::now();
    state
        .store
        .update_node(id, &mut |n| {
            n.last_heartbeat = now;
            // v0.1.96's status manager makes a node with a fresh heartbeat
            // `active` (and `inactive` 30 s after its last one: `health_now`).
            n.health_status = "active".to_owned();
            if let Some(s) = &reported {
                n.lifecycle_status = s.clone();
            }
        })
        .map_err(|e| ApiError::storage(e.to_string()))?
        .ok_or_else(node_not_found)?;
    state.node_changed();
    Ok(now)
}

/// `POST /api/v1/nodes/{id}/heartbeat`; a bad body is a plain heartbeat.
pub async fn heartbeat(
    State(state): State<Shared>,
    PathParam(id): PathParam,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let now = touch(&state, &id, &body, "status")?;
    Ok(Json(
        json!({ "success": true, "message": "heartbeat received", "timestamp": rfc3339(now) }),
    ))
}

/// `PATCH /api/v1/nodes/{id}/status` (Go SDK lease renewal).
pub async fn patch_status(
    State(state): State<Shared>,
    PathParam(id): PathParam,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let now = touch(&state, &id, &body, "phase")?;
    let renewal = now + chrono::Duration::seconds(300);
    Ok(Json(
        json!({ "lease_seconds": 300, "next_lease_renewal": rfc3339(renewal) }),
    ))
}

/// `POST /api/v1/nodes/{id}/shutdown`: the node goes offline.
pub async fn shutdown(
    State(state): State<Shared>,
    PathParam(id): PathParam,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    state
        .store
        .update_node(&id, &mut |n| n.lifecycle_status = "offline".to_owned())
        .map_err(|e| ApiError::storage(e.to_string()))?
        .ok_or_else(node_not_found)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "lease_seconds": 0, "lifecycle_status": "offline" })),
    ))
}

/// `GET /api/v1/nodes/{id}`: the registration plus live status fields.
pub async fn get_node(
    State(state): State<Shared>,
    PathParam(id): PathParam,
) -> Result<Json<Value>, ApiError> {
    let node = state
        .store
        .node(&id)
        .map_err(|e| ApiError::storage(e.to_string()))?
        .ok_or_else(node_not_found)?;
    Ok(Json(node_json(&node)))
}

/// How long after its last heartbeat an `active` node reads `inactive`
/// (v0.1.96's status manager: `timeSinceHeartbeat > 30*time.Second`).
const HEARTBEAT_STALE: chrono::Duration = chrono::Duration::seconds(30);

/// A node's health at `now`: `unknown` until its first heartbeat (the
/// reference never probes agents), `active` while heartbeats are fresh,
/// then `inactive`.
pub fn health_now(node: &Node, now: DateTime<Utc>) -> &str {
    if node.health_status == "active" && now - node.last_heartbeat > HEARTBEAT_STALE {
        return "inactive";
    }
    &node.health_status
}

/// A node as the node reads show it: the registration plus live status fields.
pub fn node_json(node: &Node) -> Value {
    let mut v = node.registration.clone();
    v.insert("id".into(), json!(node.id));
    v.insert("base_url".into(), json!(node.base_url));
    v.insert("deployment_type".into(), json!(node.deployment_type));
    v.insert("lifecycle_status".into(), json!(node.lifecycle_status));
    v.insert("health_status".into(), json!(health_now(node, Utc::now())));
    v.insert("registered_at".into(), json!(rfc3339(node.registered_at)));
    v.insert("last_heartbeat".into(), json!(rfc3339(node.last_heartbeat)));
    Value::Object(v)
}
