//! `await_dispatch: agent.reasoner`: orders a step after dispatches, not a clock.

use serde_json::Value;

use super::super::semantic::StepCheck;
use super::{split_target, ParseStep, Parsed, StepKind};
use crate::scenario::load::Problems;

/// Wait until the agents have received `count` dispatches of
/// `agent.reasoner`, counted over the whole scenario.
#[derive(Clone, Debug)]
pub struct AwaitDispatch {
    /// Scenario agent name.
    pub agent: String,
    /// Reasoner name.
    pub reasoner: String,
    /// How many dispatches, at least.
    pub count: usize,
}

impl ParseStep for AwaitDispatch {
    fn parse(v: &Value, _ptr: &str, _p: &mut Problems<'_>) -> Parsed<Self> {
        let Some(target) = v.get("await_dispatch") else {
            return Parsed::Absent;
        };
        let (agent, reasoner) = split_target(target);
        Parsed::Step(AwaitDispatch {
            agent,
            reasoner,
            count: v
                .get("count")
                .and_then(Value::as_u64)
                .map_or(1, |n| usize::try_from(n).unwrap_or(usize::MAX)),
        })
    }
}

impl StepKind for AwaitDispatch {
    fn check(&self, c: &mut StepCheck<'_, '_>) {
        c.target(&self.agent, &self.reasoner, "await_dispatch");
    }
}
