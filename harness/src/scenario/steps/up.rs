//! `up: agent`: a stopped agent answers again, at the same address.

use serde_json::Value;

use super::super::semantic::StepCheck;
use super::{named, ParseStep, Parsed, StepKind};
use crate::scenario::load::Problems;

/// Bring a stopped agent back on the same port.
#[derive(Clone, Debug)]
pub struct Up {
    /// Scenario agent name.
    pub agent: String,
}

impl ParseStep for Up {
    fn parse(v: &Value, _ptr: &str, _p: &mut Problems<'_>) -> Parsed<Self> {
        named(v, "up", |agent| Up { agent })
    }
}

impl StepKind for Up {
    fn check(&self, c: &mut StepCheck<'_, '_>) {
        c.agent(&self.agent, "up");
    }
}
