//! `down: agent`: the agent stops answering, as a crashed node does.

use serde_json::Value;

use super::super::semantic::StepCheck;
use super::{named, ParseStep, Parsed, StepKind};
use crate::scenario::load::Problems;

/// Stop an agent listening (it keeps its port).
#[derive(Clone, Debug)]
pub struct Down {
    /// Scenario agent name.
    pub agent: String,
}

impl ParseStep for Down {
    fn parse(v: &Value, _ptr: &str, _p: &mut Problems<'_>) -> Parsed<Self> {
        named(v, "down", |agent| Down { agent })
    }
}

impl StepKind for Down {
    fn check(&self, c: &mut StepCheck<'_, '_>) {
        c.agent(&self.agent, "down");
    }
}
