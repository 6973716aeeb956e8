//! `up: agent`: a stopped agent answers again, at the same address.

use super::agent_step::{AgentStep, AgentVerb};

/// The `up` kind: bring a stopped agent back on the same port.
pub enum UpKind {}

impl AgentVerb for UpKind {
    const VERB: &'static str = "up";
}

/// Bring a stopped agent back on the same port.
pub type Up = AgentStep<UpKind>;
