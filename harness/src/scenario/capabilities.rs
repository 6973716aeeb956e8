//! The capabilities a scenario may `require` (a target's profile may lack
//! them, each for a stated upstream reason; see `target::Profile`).

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
];

/// Whether `name` is a capability scenarios may require.
pub fn is_capability(name: &str) -> bool {
    CAPABILITIES.iter().any(|(c, _)| *c == name)
}
