//! `run: agent.reasoner`: starts a workflow at a root reasoner.

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::build::{flag, headers, input};
use super::super::semantic::StepCheck;
use super::{expect, split_target, ParseStep, Parsed, StepKind};
use crate::scenario::load::Problems;

/// Start a workflow at a root reasoner; creates the next run alias.
#[derive(Clone, Debug)]
pub struct Run {
    /// Scenario agent name.
    pub agent: String,
    /// Reasoner name.
    pub reasoner: String,
    /// Execute body `input`.
    pub input: Value,
    /// Execute body `context`, if any.
    pub context: Option<Value>,
    /// Execute body `run_metadata`, if any (V-ns; `docs/contract-latest.md`).
    pub run_metadata: Option<Value>,
    /// Extra request headers (e.g. `X-Session-ID`); values may hold placeholders.
    pub headers: BTreeMap<String, String>,
    /// Use the sync endpoint.
    pub sync: bool,
    /// What to wait for before the next step.
    pub wait: RunWait,
    /// Expected terminal status.
    pub expect: Option<String>,
}

/// What a `run` step waits for before the next step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunWait {
    /// The root's terminal status (`wait: true`, the default).
    Terminal,
    /// The root's dispatch has reached its agent (`wait: dispatched`): the
    /// implementation has picked the root up, whatever its worker timing.
    Dispatched,
    /// Nothing (`wait: false`).
    No,
}

impl ParseStep for Run {
    fn parse(v: &Value, _ptr: &str, _p: &mut Problems<'_>) -> Parsed<Self> {
        let Some(target) = v.get("run") else {
            return Parsed::Absent;
        };
        let (agent, reasoner) = split_target(target);
        Parsed::Step(Run {
            agent,
            reasoner,
            input: input(v),
            context: v.get("context").cloned(),
            run_metadata: v.get("run_metadata").cloned(),
            headers: headers(v),
            sync: flag(v.get("sync")),
            wait: match v.get("wait") {
                Some(Value::Bool(false)) => RunWait::No,
                Some(Value::String(s)) if s == "dispatched" => RunWait::Dispatched,
                _ => RunWait::Terminal,
            },
            expect: expect(v),
        })
    }
}

impl StepKind for Run {
    fn check(&self, c: &mut StepCheck<'_, '_>) {
        c.target(&self.agent, &self.reasoner, "run");
        c.placeholders(self.headers.values().map(String::as_str), "headers");
        if self.wait != RunWait::Terminal && self.expect.is_some() {
            c.at(
                "expect",
                "expect needs the run to be awaited; drop `wait:` or use an `await` step",
            );
        }
    }

    fn makes_run(&self) -> bool {
        true
    }
}
