//! `down: agent`: the agent stops answering, as a crashed node does.

use serde_json::Value;

use super::super::build::text;
use super::super::semantic::StepCheck;
use super::{ParseStep, Parsed, StepKind};
use crate::scenario::load::Problems;

/// Stop an agent listening (it keeps its port).
#[derive(Clone, Debug)]
pub struct Down {
    /// Scenario agent name.
    pub agent: String,
}

impl ParseStep for Down {
    fn parse(v: &Value, _ptr: &str, _p: &mut Problems<'_>) -> Parsed<Self> {
        match v.get("down") {
            Some(a) => Parsed::Step(Down {
                agent: text(Some(a)),
            }),
            None => Parsed::Absent,
        }
    }
}

impl StepKind for Down {
    fn check(&self, c: &mut StepCheck<'_, '_>) {
        c.agent(&self.agent, "down");
    }
}
