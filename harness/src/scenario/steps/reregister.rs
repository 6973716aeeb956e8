//! `reregister: agent`: the agent registers again, as a restarted process.

use serde_json::Value;

use super::super::semantic::StepCheck;
use super::{named, ParseStep, Parsed, StepKind};
use crate::scenario::load::Problems;

/// Register a scripted agent again as a new process instance (agent restart).
#[derive(Clone, Debug)]
pub struct Reregister {
    /// Scenario agent name.
    pub agent: String,
}

impl ParseStep for Reregister {
    fn parse(v: &Value, _ptr: &str, _p: &mut Problems<'_>) -> Parsed<Self> {
        named(v, "reregister", |agent| Reregister { agent })
    }
}

impl StepKind for Reregister {
    fn check(&self, c: &mut StepCheck<'_, '_>) {
        c.agent(&self.agent, "reregister");
    }
}
