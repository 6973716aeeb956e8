//! The shared front half of every execute and of a restart root
//! (`prepareExecutionForTarget` in v0.1.96): check the target, create the
//! execution row, then look for a replay hit.

use axum::http::{HeaderMap, StatusCode};

use super::admission::{admit_before_rows, Slot};
use super::contract::Feature;
use super::error::ApiError;
use super::ids;
use super::model::{Execution, Node, ReplayPlan, TargetType};
use super::payload::{envelope, GoMap};
use super::replay;
use super::state::{header, AppState};
use super::store::StoreError;

/// What an execute (or a restart) asks for, after body and headers are read.
#[derive(Clone, Debug, Default)]
pub struct ExecRequest {
    /// The input object (`{}` when absent or null).
    pub input: GoMap,
    /// The context object, if given.
    pub context: Option<GoMap>,
    /// Run to attach to; a new one is made when absent.
    pub run_id: Option<String>,
    /// Parent execution (makes the row a child, eligible for replay).
    pub parent: Option<String>,
    /// Session id to carry on the dispatch.
    pub session_id: Option<String>,
    /// Actor id to carry on the dispatch.
    pub actor_id: Option<String>,
    /// Replay trio as received (or from a restart plan).
    pub replay: ReplayPlan,
}

impl ExecRequest {
    /// Reads the headers of contract §4.2, trimmed; every other header is ignored.
    pub fn with_headers(mut self, headers: &HeaderMap) -> Self {
        self.run_id = header(headers, "x-run-id");
        self.parent = header(headers, "x-parent-execution-id");
        self.session_id = header(headers, "x-session-id");
        self.actor_id = header(headers, "x-actor-id");
        self.replay = ReplayPlan {
            source_run_id: header(headers, "x-agentfield-replay-source-run-id"),
            before_execution_id: header(headers, "x-agentfield-replay-before-execution-id"),
            mode: header(headers, "x-agentfield-replay-mode"),
        };
        self
    }
}

/// A created execution and, on a replay hit, the source it was completed from.
#[derive(Debug)]
pub struct Prepared {
    /// The new row (already succeeded when `hit` is set).
    pub exec: Execution,
    /// The replayed source execution.
    pub hit: Option<Execution>,
}

impl Prepared {
    /// `"<node>.<name>"`, as responses spell the target.
    pub fn target(&self) -> String {
        format!("{}.{}", self.exec.node_id, self.exec.reasoner_id)
    }
}

/// Splits `node.name` on its one dot. As v0.1.96 `parseTarget`, an empty part
/// is not a format error: it fails later as an unknown agent or target.
pub fn parse_target(target: &str) -> Result<(&str, &str), ApiError> {
    match target.split('.').collect::<Vec<_>>().as_slice() {
        [node, name] => Ok((node, name)),
        _ => Err(ApiError::untyped(
            "invalid target: target must be in format 'node_id.reasoner_name'",
        )),
    }
}

/// A gone agent or reasoner (§1.3 step 9 table): `target_not_found` on the
/// newest contract (`writeExecutionError`), v0.1.96's untyped `internal_error`.
fn not_found(state: &AppState, message: String) -> ApiError {
    if state
        .config
        .contract
        .serves(Feature::TargetNotFoundCategory)
    {
        ApiError::categorized(StatusCode::BAD_REQUEST, message, "target_not_found")
    } else {
        ApiError::untyped(message)
    }
}

/// §3.8 (V-latest): a node already known to be down (health `inactive` or
/// lifecycle `offline`) is refused before any row, unless the request carries
/// the replay Source header (a hit never contacts the agent) or the node is
/// serverless. Upstream: `ensureAgentDispatchable` in
/// `handlers/execute_agent_restart.go`, asserted by `TestEnsureAgentDispatchable`.
fn ensure_dispatchable(state: &AppState, node: &Node) -> Result<(), ApiError> {
    if !state.config.contract.serves(Feature::NodeUnavailableGate)
        || node.deployment_type == "serverless"
    {
        return Ok(());
    }
    let message = if node.health_status == "inactive" {
        format!(
            "agent node '{}' is not reachable (health: inactive); start the node and retry",
            node.id
        )
    } else if node.lifecycle_status == "offline" {
        format!(
            "agent node '{}' is offline; start the node and retry",
            node.id
        )
    } else {
        return Ok(());
    };
    Err(ApiError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        body: serde_json::json!({
            "error": "node_unavailable",
            "message": message,
            "error_category": "node_unavailable",
            "retry_after": 1,
        }),
    })
}

/// Resolves the node and target type without writing anything; `gate`
/// applies the dispatchable gate (a request without the replay Source header).
pub fn resolve_target(
    state: &AppState,
    target: &str,
    gate: bool,
) -> Result<(Node, String, TargetType), ApiError> {
    let (node_id, name) = parse_target(target)?;
    let node = state
        .store
        .node(node_id)
        .map_err(|e| ApiError::untyped(format!("failed to load agent: {e}")))?
        .ok_or_else(|| not_found(state, format!("agent '{node_id}' not found")))?;
    if node.lifecycle_status == "pending_approval" {
        return Err(ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: serde_json::json!({
                "error": "agent_pending_approval",
                "message": format!("agent node '{}' is awaiting tag approval and cannot execute", node.id),
                "error_category": "agent_error",
            }),
        });
    }
    if gate {
        ensure_dispatchable(state, &node)?;
    }
    let kind = if node.reasoners.iter().any(|r| r == name) {
        TargetType::Reasoner
    } else if node.skills.iter().any(|s| s == name) {
        TargetType::Skill
    } else {
        return Err(not_found(
            state,
            format!("target '{name}' not found on agent '{}'", node.id),
        ));
    };
    Ok((node, name.to_owned(), kind))
}

/// Creates the execution row for `target` and completes it at once on a replay hit.
pub fn prepare(state: &AppState, target: &str, req: ExecRequest) -> Result<Prepared, ApiError> {
    prepare_admitting(state, target, req, false).map(|(p, _)| p)
}

/// [`prepare`], and with `admit_first` (the newest contract, V-adm) the
/// per-agent concurrency slot is taken after the replay lookup and before the
/// row is written: a refusal writes nothing and a hit takes no slot (§1.3
/// step 9, §3.6). Upstream: `prepareExecutionForTargetWithAdmission`
/// (`handlers/execute.go`); `TestExecuteHandler_ConcurrencyRejectionHasNoPersistence`
/// and `TestRestartHandler_ConcurrencyRejectionHasNoPersistence`.
pub fn prepare_admitting(
    state: &AppState,
    target: &str,
    req: ExecRequest,
    admit_first: bool,
) -> Result<(Prepared, Option<Slot>), ApiError> {
    let gate = req.replay.source_run_id.is_none();
    let (node, name, kind) = resolve_target(state, target, gate)?;
    // v0.1.96 writes the rows first and leaves them `running` when the mode is
    // invalid (contract §10.1); we reject before persisting, with the same answer.
    replay::effective_mode(req.parent.as_deref(), &req.replay)?;

    let payload = envelope(&req.input, req.context.as_ref());
    let node_id = parse_target(target)?.0.to_owned();
    let row = Execution {
        parent_execution_id: req.parent,
        agent_node_id: node.id.clone(),
        target_type: kind,
        // `envelope` already prints canonical JSON, so it is its own replay key.
        replay_key: Some(payload.clone()),
        instance_id: Some(node.instance_id.clone()).filter(|i| !i.is_empty()),
        session_id: req.session_id,
        actor_id: req.actor_id,
        replay: req.replay,
        ..Execution::running(
            ids::execution_id(),
            req.run_id.unwrap_or_else(ids::run_id),
            node_id,
            name,
            payload,
        )
    };
    // The lookup reads only the source run, so it may run before the row
    // exists; the row itself is never a candidate (it is not succeeded).
    let hit = replay::find_hit(state.store.as_ref(), &row)?;
    let slot = match (&hit, admit_first) {
        (None, true) => admit_before_rows(state, &row.node_id)?,
        _ => None,
    };
    let exec = state.store.insert_execution(row).map_err(|e| match e {
        StoreError::Full(max) => super::limits::store_full(max),
        e => ApiError::untyped(format!("failed to store execution: {e}")),
    })?;
    match hit {
        Some(source) => {
            let exec = replay::complete_hit(state, &exec.execution_id, &source)?;
            let hit = Some(source);
            Ok((Prepared { exec, hit }, None))
        }
        None => Ok((Prepared { exec, hit: None }, slot)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_need_exactly_one_dot() {
        assert_eq!(parse_target("n.r").ok(), Some(("n", "r")));
        // Empty parts pass, as in v0.1.96; they fail later as unknown.
        assert_eq!(parse_target(".r").ok(), Some(("", "r")));
        assert_eq!(parse_target("n.").ok(), Some(("n", "")));
        for bad in ["nr", "a.b.c", ""] {
            let Err(e) = parse_target(bad) else {
                panic!("{bad} accepted")
            };
            assert_eq!(e.status, StatusCode::BAD_REQUEST);
            assert_eq!(e.body["error_category"], "internal_error");
        }
    }
}
