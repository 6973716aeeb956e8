//! The records the reference keeps: agent nodes, executions and run metadata,
//! (the status vocabulary is in `status`).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

pub use super::status::Status;

/// A registered agent node, keyed by id.
#[derive(Clone, Debug, Default)]
pub struct Node {
    /// Node id, the part of a target before the dot.
    pub id: String,
    /// Where dispatches go (`<base_url>/reasoners/<name>`).
    pub base_url: String,
    /// Overrides the URL for every dispatch when non-empty, as `buildAgentURL` does.
    pub invocation_url: String,
    /// `long_running` (default) or `serverless` (dispatch to `<base>/execute`).
    pub deployment_type: String,
    /// Process identity; a change orphans in-flight executions.
    pub instance_id: String,
    /// Reasoner ids this node serves.
    pub reasoners: Vec<String>,
    /// Skill ids this node serves.
    pub skills: Vec<String>,
    /// `starting`, `ready`, `offline`, `pending_approval`, …
    pub lifecycle_status: String,
    /// Health as last reported.
    pub health_status: String,
    /// The registration body as received, returned by `GET /api/v1/nodes/{id}`.
    pub registration: Map<String, Value>,
    /// When the node last registered.
    pub registered_at: DateTime<Utc>,
    /// When the node last sent a heartbeat (or registered).
    pub last_heartbeat: DateTime<Utc>,
}

/// Whether a target name is a reasoner or a skill (it picks the dispatch path).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetType {
    /// `/reasoners/<name>`.
    Reasoner,
    /// `/skills/<name>`.
    Skill,
}

impl TargetType {
    /// The wire name used in responses.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetType::Reasoner => "reasoner",
            TargetType::Skill => "skill",
        }
    }
}

/// The replay trio as forwarded on a dispatch (contract §4.1): each value is
/// present only if it was non-empty on the request or plan that created it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplayPlan {
    /// `X-AgentField-Replay-Source-Run-ID`.
    pub source_run_id: Option<String>,
    /// `X-AgentField-Replay-Before-Execution-ID`.
    pub before_execution_id: Option<String>,
    /// `X-AgentField-Replay-Mode`.
    pub mode: Option<String>,
}

/// One execution row (the Go `executions` plus `workflow_executions` rows).
#[derive(Clone, Debug)]
pub struct Execution {
    /// CP-made id.
    pub execution_id: String,
    /// Run (= workflow) id.
    pub run_id: String,
    /// Parent execution, from `X-Parent-Execution-ID`; `None` for a root.
    pub parent_execution_id: Option<String>,
    /// Node part of the target URL (the replay key uses this column).
    pub node_id: String,
    /// The resolved agent's id.
    pub agent_node_id: String,
    /// Reasoner or skill name.
    pub reasoner_id: String,
    /// Reasoner or skill.
    pub target_type: TargetType,
    /// Canonical status.
    pub status: Status,
    /// Why it is in that status (category, replay marker, orphan marker, …).
    pub status_reason: Option<String>,
    /// Canonical `{"input":…,"context"?:…}` envelope bytes.
    pub input_payload: String,
    /// Result bytes exactly as stored; `None` when nothing was stored.
    pub result_payload: Option<Vec<u8>>,
    /// Error text.
    pub error_message: Option<String>,
    /// `X-Session-ID`.
    pub session_id: Option<String>,
    /// `X-Actor-ID`.
    pub actor_id: Option<String>,
    /// Wall-clock creation time, for display only.
    pub started_at: DateTime<Utc>,
    /// Per-control-plane creation order; the replay boundary compares this.
    pub start_seq: u64,
    /// When it became terminal.
    pub completed_at: Option<DateTime<Utc>>,
    /// Duration in milliseconds.
    pub duration_ms: Option<i64>,
    /// The replay trio to forward on this execution's dispatch.
    pub replay: ReplayPlan,
    /// Canonical envelope used as the replay key; `None` if unparseable.
    pub replay_key: Option<String>,
    /// §5.3 (V-latest): the execution a restart of this one started, if any.
    pub restarted_as: Option<String>,
    /// §7.1 (V-latest): the agent's `instance_id` when the row was made, if it sent one.
    pub instance_id: Option<String>,
}

impl Execution {
    /// A reasoner execution of `node_id` started now, `running`, with nothing
    /// else known: the one base every maker of a row spells its fields over
    /// (`Execution { session_id, ..Execution::running(…) }`).
    pub fn running(
        execution_id: String,
        run_id: String,
        node_id: String,
        reasoner_id: String,
        input_payload: String,
    ) -> Execution {
        Execution {
            execution_id,
            run_id,
            parent_execution_id: None,
            agent_node_id: node_id.clone(),
            node_id,
            reasoner_id,
            target_type: TargetType::Reasoner,
            status: Status::Running,
            status_reason: None,
            input_payload,
            result_payload: None,
            error_message: None,
            session_id: None,
            actor_id: None,
            started_at: Utc::now(),
            start_seq: 0,
            completed_at: None,
            duration_ms: None,
            replay: ReplayPlan::default(),
            replay_key: None,
            restarted_as: None,
            instance_id: None,
        }
    }
}

/// Fields of a new execution; the store assigns `start_seq`.
pub type NewExecution = Execution;

/// The per-run metadata row (`workflow_runs`): only lineage, reason and golden
/// are ever read back, so the row is a JSON object. (v0.1.96 also seeds a
/// status and the root id into it; no read surface returns them.)
#[derive(Clone, Debug)]
pub struct RunRecord {
    /// Run id.
    pub run_id: String,
    /// `{"lineage"?, "reason"?, "golden"?}`.
    pub metadata: Map<String, Value>,
    /// First write time; kept across upserts.
    pub created_at: DateTime<Utc>,
}

/// RFC3339 UTC to the second, the format of every timestamp v0.1.96 returns.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An execution's `started_at`, and `completed_at` and `duration_ms` when
/// it has them, into a JSON object (the execution, DAG and run reads).
pub fn insert_times(m: &mut Map<String, Value>, e: &Execution) {
    m.insert("started_at".into(), Value::String(rfc3339(e.started_at)));
    if let Some(c) = e.completed_at {
        m.insert("completed_at".into(), Value::String(rfc3339(c)));
    }
    if let Some(d) = e.duration_ms {
        m.insert("duration_ms".into(), Value::from(d));
    }
}

/// Milliseconds between two instants, never negative.
pub fn millis_between(start: DateTime<Utc>, end: DateTime<Utc>) -> i64 {
    (end - start).num_milliseconds().max(0)
}
