//! `up: agent`: a stopped agent answers again, at the same address.

use serde_json::Value;

use super::super::build::text;
use super::super::semantic::StepCheck;
use super::{ParseStep, Parsed, StepKind};
use crate::scenario::load::Problems;

/// Bring a stopped agent back on the same port.
#[derive(Clone, Debug)]
pub struct Up {
    /// Scenario agent name.
    pub agent: String,
}

impl ParseStep for Up {
    fn parse(v: &Value, _ptr: &str, _p: &mut Problems<'_>) -> Parsed<Self> {
        match v.get("up") {
            Some(a) => Parsed::Step(Up {
                agent: text(Some(a)),
            }),
            None => Parsed::Absent,
        }
    }
}

impl StepKind for Up {
    fn check(&self, c: &mut StepCheck<'_, '_>) {
        c.agent(&self.agent, "up");
    }
}
