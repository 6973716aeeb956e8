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
