//! `reregister: agent`: the agent registers again, as a restarted process.

use super::agent_step::{AgentStep, AgentVerb};

/// The `reregister` kind: register a scripted agent again as a new process
/// instance (agent restart).
pub enum ReregisterKind {}

impl AgentVerb for ReregisterKind {
    const VERB: &'static str = "reregister";
}

/// Register a scripted agent again as a new process instance (agent restart).
pub type Reregister = AgentStep<ReregisterKind>;
