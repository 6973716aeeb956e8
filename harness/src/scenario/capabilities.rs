//! The capabilities a scenario may `require`: a target's (its profile may
//! lack them, each for a stated upstream reason; see `target::Profile`), and
//! an agent's, written `agent.<capability>` (an interpreter's describe run
//! may lack them, with its reason; fixtures/agents/PROTOCOL.md §9).

/// Every capability a scenario may require, with what it means.
pub const CAPABILITIES: &[(&str, &str)] = &[
    (
        "serve_mode_replay",
        "a child that an SDK agent in serve mode reported through workflow events and \
         the status callback is replayed on restart (agent-protocol §7.3)",
    ),
    (
        "resume_paused_before_dispatch",
        "an execution paused by a status callback before it was dispatched is dispatched \
         once a `running` callback resumes it (agent-protocol §3.3)",
    ),
    (
        "parallel_registration",
        "agent nodes registered at the same moment are all registered and served, and the \
         control plane keeps answering (agent-protocol §1); a scenario requiring it has its \
         scripted agents registered at once instead of one after another",
    ),
    // Behaviours newer than v0.1.96 (`reference::contract::Feature`, one
    // each; docs/contract-latest.md); the v0.1.96 profile lacks each "not in
    // this release".
    (
        "admission_before_persistence",
        "a restart or an execute refused by the per-agent concurrency limit creates no row \
         and answers 429 with `Retry-After` and `retry_after` (§1.3 step 9, §1.5; V-adm)",
    ),
    (
        "target_not_found_category",
        "a gone agent or reasoner is answered `error_category: target_not_found` \
         (§1.3 step 9 table; V-latest)",
    ),
    (
        "node_unavailable_gate",
        "a `reuse=none` restart on an offline agent is refused with 503 `node_unavailable` \
         and `Retry-After` before any row (§3.8; V-latest)",
    ),
    (
        "forward_pointers",
        "a restart stamps `restarted_as` on the source and root executions and on the \
         source run's lineage with `at` (§5.3, §7.1; V-latest)",
    ),
    (
        "run_metadata",
        "a root execute's `run_metadata` is validated before its row, shown as \
         `run_metadata` by the run reads and never inherited by a restart (§5.1; V-ns)",
    ),
    (
        "instance_scoped_reap",
        "execution reads show the agent's `instance_id`; an agent that re-registers with a \
         new instance fails only the departed instance's active rows, with a reason naming \
         the old instance (§7.1, §8; V-latest)",
    ),
    (
        "resume_interrupted_runs",
        "the target runs with automatic resume on (upstream `AGENTFIELD_RESUME_INTERRUPTED_RUNS`): \
         an interrupted root is resumed as a `kind: resume` restart, at most once in a row \
         (§8, §10 item 20; V-latest); the embedded reference gives such a scenario a private \
         reference with it on",
    ),
    (
        "async_queue_bound",
        "async executes and restarts are admitted up to the async pool's places (workers + \
         queue capacity), each held until its dispatch is answered; one more is refused 503 \
         with `Retry-After` and `retry_after`, writing nothing (§1.3 steps 8 and 11; V-adm, \
         V-latest); the target runs with 1 worker and a queue of 1 (upstream \
         `AGENTFIELD_EXEC_ASYNC_WORKERS=1`, `AGENTFIELD_EXEC_ASYNC_QUEUE_CAPACITY=1`); the \
         embedded reference gives such a scenario a private reference with them",
    ),
    (
        "agent_concurrency_limit",
        "the target allows one in-flight dispatch per agent (upstream \
         `AGENTFIELD_MAX_CONCURRENT_PER_AGENT=1`; `afc serve --max-concurrent-per-agent 1`), \
         a start option; the embedded reference gives such a scenario a private reference \
         with it",
    ),
    (
        "agent_restart_wait",
        "a dispatch that cannot dial a long-running agent marks its row `status_reason: \
         awaiting_agent_restart` (the orphan reap skips it), waits for the agent to \
         re-register, then dispatches again (§8; V-latest); a start option of the \
         reference (`afc serve --agent-restart-grace`, upstream 15 s)",
    ),
    (
        "agent_client_error",
        "a status callback's `error_status_code` 4xx is recorded as `status_reason: \
         agent_client_error:<code>` and a sync caller waiting on the 202 agent gets that \
         status, not 502 (§8; V-latest)",
    ),
];

/// Whether `name` is a capability scenarios may require.
pub fn is_capability(name: &str) -> bool {
    CAPABILITIES.iter().any(|(c, _)| *c == name)
}

/// The agent capabilities an interpreter may lack (conventions of issue 23,
/// PROTOCOL.md §9); a scenario requires one as `agent.<capability>`.
pub const AGENT_CAPABILITIES: &[(&str, &str)] = &[
    (
        "callback_mode",
        "serve mode: answer a dispatch 202 and report the end by status callback",
    ),
    (
        "llm_retry_switch",
        "one `llm` step is exactly one LLM request (no SDK retry)",
    ),
    (
        "llm_timeout",
        "an `llm` step obeys the program's timeout_ms",
    ),
    (
        "exact_numbers",
        "a result keeps a number's spelling (e.g. `1.0`)",
    ),
    ("did_off", "DID/VC can be switched off"),
];

/// Whether `name` (without `agent.`) is an agent capability.
pub fn is_agent_capability(name: &str) -> bool {
    AGENT_CAPABILITIES.iter().any(|(c, _)| *c == name)
}
