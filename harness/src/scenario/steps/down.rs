//! `down: agent`: the agent stops answering, as a crashed node does.

use super::agent_step::{AgentStep, AgentVerb};

/// The `down` kind: stop an agent listening (it keeps its port).
pub enum DownKind {}

impl AgentVerb for DownKind {
    const VERB: &'static str = "down";
}

/// Stop an agent listening (it keeps its port).
pub type Down = AgentStep<DownKind>;
