//! `follow: runN`: names the run the control plane itself restarted.

use serde_json::Value;

use super::super::semantic::StepCheck;
use super::{named, ParseStep, Parsed, StepKind};
use crate::scenario::load::Problems;

/// Name the next run alias after the run the control plane itself
/// restarted this run's root as (its `restarted_as`; automatic resume).
#[derive(Clone, Debug)]
pub struct Follow {
    /// Run alias whose root was restarted.
    pub run: String,
}

impl ParseStep for Follow {
    fn parse(v: &Value, _ptr: &str, _p: &mut Problems<'_>) -> Parsed<Self> {
        named(v, "follow", |run| Follow { run })
    }
}

impl StepKind for Follow {
    fn check(&self, c: &mut StepCheck<'_, '_>) {
        c.run_alias(&self.run, "follow");
    }

    fn makes_run(&self) -> bool {
        true
    }
}
