//! The fields each view reads, in the order it shows them, each with its
//! strength and the section (or rule-table row) that fixes it.

use super::{at, exact, Field, Rule, Strength};

/// Where the memory routes' rules come from (outside both specs; the rule table).
const MEMORY_RULE: &str = "rule table: issue 14 memory (v0.1.96 handlers/memory.go)";
/// The memory routes' `ErrorResponse` fields.
const MEMORY_ERROR_RULE: &str =
    "rule table: issue 14 memory (v0.1.96 handlers/memory.go ErrorResponse)";
/// The node list's fields (outside both specs; the rule table).
const NODE_LIST_RULE: &str = "rule table: issue 14 node list (v0.1.96 handlers/nodes.go)";

/// §5.2: a run's `lineage`, exactly its six keys; the later keys are never shown.
pub const LINEAGE: &[Field] = &[
    exact("kind", "§5.2, §2.4"),
    exact("source_run_id", "§5.2"),
    exact("source_execution_id", "§5.2"),
    exact("restarted_execution_id", "§5.2"),
    exact("reuse", "§5.2 (the requested value)"),
    exact("scope", "§5.2"),
    // V-latest additions (§5.2, §7.2): not surfaced by v0.1.96, tolerated when present.
    at("resume_attempt", Strength::Ignored),
    at("restarted_as", Strength::Ignored),
];

/// §5.4: a run's golden metadata.
pub const GOLDEN: &[Field] = &[
    exact("name", "§5.4 (trimmed, else the run id)"),
    exact("tags", "§5.4 (trimmed, de-duplicated, order kept)"),
    exact("saved_by", "§5.4"),
    at("saved_at", Strength::Timestamp("§5.4")),
];

/// §6: a node's `reuse` (`ExecutionReuseInfo`).
pub const REUSE: &[Field] = &[
    exact("hit", "§6"),
    exact("source_execution_id", "§6"),
    exact("source_run_id", "§6 (back-filled from lineage)"),
];

/// A run's derived status on the DAG (§7.2 precedence).
pub const WORKFLOW_STATUS: Field = exact("workflow_status", "§7.2");
/// A run's or an execution's status (run list, run detail, DAG node, status view).
pub const STATUS: Field = exact("status", "§7.1, §7.3, §7.4, §8");
/// A run's depth bound.
pub const MAX_DEPTH: Field = exact("max_depth", "§7.2, §7.3");
/// An execution's parent.
pub const PARENT: Field = exact("parent_execution_id", "§7.2, §4.3");
/// An execution's depth.
pub const DEPTH: Field = exact("workflow_depth", "§7.2, §7.4");
/// An execution's status reason (a category, or a replay marker).
pub const STATUS_REASON: Field = exact(
    "status_reason",
    "§8, agent-protocol §3.3 (stored as is), §3.4",
);
/// A hit's duration.
pub const DURATION: Field = exact("duration_ms", "§3.6 (a hit takes 0)");
/// The lightweight DAG's marker.
pub const MODE: Field = exact("mode", "§7.2 (lightweight)");

/// The fields the provenance view reads, for the counts.
pub const PROVENANCE: &[Field] = &[
    WORKFLOW_STATUS,
    STATUS,
    MAX_DEPTH,
    PARENT,
    DEPTH,
    STATUS_REASON,
    DURATION,
    MODE,
    exact(
        "result",
        "§3.6 (a hit's result equals its source's; compared, not shown)",
    ),
];

/// A dispatch's contract headers (§4.1), by the name the headers view gives them.
pub const DISPATCH_HEADERS: &[(&str, &str, Strength)] = &[
    ("run", "x-run-id", Strength::Exact("§4.1")),
    ("workflow", "x-workflow-id", Strength::Exact("§4.1")),
    (
        "parent",
        "x-parent-execution-id",
        Strength::Exact("§4.1, §4.3"),
    ),
    (
        "replay_source",
        "x-agentfield-replay-source-run-id",
        Strength::Exact("§2.2, §3.7"),
    ),
    (
        "replay_before",
        "x-agentfield-replay-before-execution-id",
        Strength::Exact("§2.2, §3.7"),
    ),
    (
        "replay_mode",
        "x-agentfield-replay-mode",
        Strength::Exact("§2.2, §3.7"),
    ),
];

/// §4.1 headers sent only when set: session and actor (copied by a restart),
/// caller and target DID (never on a restart root).
pub const OPTIONAL_DISPATCH_HEADERS: &[(&str, &str, Strength)] = &[
    ("session", "x-session-id", Strength::Exact("§4.1, §2.3")),
    ("actor", "x-actor-id", Strength::Exact("§4.1, §2.3")),
    ("caller_did", "x-caller-did", Strength::Exact("§4.1")),
    ("target_did", "x-target-did", Strength::Exact("§4.1")),
];

/// A dispatch's body: the input only (§4.1).
pub const DISPATCH_BODY: Strength = Strength::Exact("§4.1 (body = input only)");

/// A step answer's contract headers (`X-Execution-ID`, `X-Run-ID`,
/// `X-AgentField-Replay-Hit`).
pub const ANSWER_HEADER: Strength = Strength::Exact("§1.3 step 13, §3.6");

/// Every field of a step's answer the responses view shows, in this order.
pub const ANSWER: &[Field] = &[
    exact("execution_id", "§1.4, agent-protocol §2"),
    exact("run_id", "§1.4"),
    exact("workflow_id", "§1.4"),
    exact("status", "§1.4, §3.6, §7.1"),
    exact("target", "§1.4"),
    exact("type", "§1.4"),
    at("created_at", Strength::Timestamp("§1.4")),
    at("enqueued_at", Strength::Timestamp("§1.4")),
    exact("source_execution_id", "§1.4"),
    exact("source_run_id", "§1.4"),
    exact("restarted_execution_id", "§1.4"),
    exact("replay_before_execution_id", "§1.4"),
    exact("replay_mode", "§1.4 (the effective mode)"),
    exact("scope", "§1.4"),
    exact("kind", "§1.4, §2.4"),
    exact("webhook_registered", "§1.4, §7.1"),
    at("webhook_error", Strength::NonEmpty),
    Field {
        name: "error",
        rule: Rule::Text {
            otherwise: Strength::NonEmpty,
        },
    },
    exact("error_category", "§1.3, §8, agent-protocol §2, §3.4"),
    Field {
        name: "message",
        rule: Rule::Text {
            otherwise: Strength::Present,
        },
    },
    // Present exactly when the agent's error body is JSON (agent-protocol
    // §3.4): what an agent answers on failure is its SDK's, so no golden pins it.
    at("error_details", Strength::Ignored),
    exact("result", "§3.6, agent-protocol §2"),
    at("finished_at", Strength::Timestamp("agent-protocol §2")),
    // Nested objects, built from LINEAGE and GOLDEN.
    exact("lineage", "§5.2, §5.4"),
    exact("golden", "§5.4"),
    exact("terminal", "§5.4"),
    // The memory and node routes (issue 14; rule table, scenarios/README.md).
    exact("key", MEMORY_RULE),
    exact("data", MEMORY_RULE),
    exact("scope_id", MEMORY_RULE),
    exact("code", MEMORY_ERROR_RULE),
    at("details", Strength::Present),
    exact("count", NODE_LIST_RULE),
    exact("filters", NODE_LIST_RULE),
];

/// The node list's `filters` echo: the query's filters, each as given.
pub const NODE_FILTERS: &[Field] = &[
    exact("team_id", NODE_LIST_RULE),
    exact("group_id", NODE_LIST_RULE),
    exact("health_status", NODE_LIST_RULE),
];

/// A stored error (a status view's `error`, also in a status report's 2xx
/// answer): what the report sent, as is, unless the contract fixes its text.
pub const STORED_ERROR: Field = Field {
    name: "error",
    rule: Rule::Text {
        otherwise: Strength::Exact("agent-protocol §3.3 (stored as is)"),
    },
};

/// A failed execution's `result`: the agent's answer body, stored as the
/// result (agent-protocol §3.4); what an agent answers on failure is its SDK's.
pub const FAILED_RESULT: Field = at("result", Strength::Present);

/// An execution's status view (§7.1) as a read shows it.
pub const STATUS_VIEW: &[Field] = &[
    exact("execution_id", "§7.1"),
    exact("run_id", "§7.1"),
    exact("status", "§7.1, §8"),
    exact(
        "status_reason",
        "§7.1, §8, agent-protocol §3.3 (stored as is)",
    ),
    exact("result", "§7.1"),
    STORED_ERROR,
    at("error_details", Strength::Present),
    exact("webhook_registered", "§7.1"),
];

/// A run as a read (run list, run detail, golden answer) shows it.
pub const RUN_SUMMARY: &[Field] = &[
    exact("run_id", "§7.3, §7.4"),
    exact("status", "§7.3, §7.4, §5.4"),
    // Nested, from LINEAGE and GOLDEN; counts without zeros, keys sorted.
    exact("lineage", "§7.3, §7.4"),
    exact("golden", "§7.3, §7.4"),
    exact("status_counts", "§7.3, §7.4 (zero entries dropped)"),
    exact("root_reasoner", "§7.3"),
    exact("root_execution_status", "§7.3"),
    exact("root_error_category", "§7.3, §8"),
    Field {
        name: "root_error_message",
        rule: Rule::Text {
            otherwise: Strength::Exact("§7.3 (the root's stored error)"),
        },
    },
];

/// The top-level fields of a read (run list, DAG, memory and node reads).
pub const READ: &[Field] = &[
    Field {
        name: "error",
        rule: Rule::Text {
            otherwise: Strength::NonEmpty,
        },
    },
    exact("code", MEMORY_ERROR_RULE),
    at("details", Strength::Present),
    exact("count", NODE_LIST_RULE),
    exact("filters", NODE_LIST_RULE),
    exact("total_count", "§7.3"),
    exact("root_workflow_id", "§7.2"),
    exact("workflow_status", "§7.2"),
    exact("total_nodes", "§7.2"),
    exact("mode", "§7.2 (lightweight)"),
];

/// A memory entry as a list shows it (issue 14; rule table).
pub const MEMORY_ENTRY: &[Field] = &[
    exact("scope", MEMORY_RULE),
    exact("scope_id", MEMORY_RULE),
    exact("key", MEMORY_RULE),
    exact("data", MEMORY_RULE),
];
