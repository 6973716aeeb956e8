//! `await: runN`: waits for a run's root to end.

use serde_json::Value;

use super::super::build::{names, text};
use super::super::semantic::StepCheck;
use super::{expect, ParseStep, Parsed, StepKind};
use crate::scenario::load::Problems;

/// Wait for a run's root to reach a terminal status.
#[derive(Clone, Debug)]
pub struct Wait {
    /// Run alias.
    pub run: String,
    /// Expected terminal status.
    pub expect: Option<String>,
    /// Barriers released first (what the run is held by).
    pub release: Vec<String>,
}

impl ParseStep for Wait {
    fn parse(v: &Value, _ptr: &str, _p: &mut Problems<'_>) -> Parsed<Self> {
        let Some(run) = v.get("await") else {
            return Parsed::Absent;
        };
        Parsed::Step(Wait {
            run: text(Some(run)),
            expect: expect(v),
            release: names(v.get("release")),
        })
    }
}

impl StepKind for Wait {
    fn check(&self, c: &mut StepCheck<'_, '_>) {
        c.run_alias(&self.run, "await");
    }

    fn releases(&self) -> &[String] {
        &self.release
    }
}
