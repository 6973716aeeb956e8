//! `restart:` / `fork:` an execution: the request under test.

use serde_json::Value;

use super::super::build::{flag, text};
use super::super::semantic::StepCheck;
use super::{expect, status, ParseStep, Parsed, StepKind};
use crate::scenario::load::Problems;

/// A restart or fork request; when accepted, creates the next run alias.
#[derive(Clone, Debug)]
pub struct Restart {
    /// Execution alias to restart from.
    pub from: String,
    /// Send `fork: true`.
    pub fork: bool,
    /// `scope`, sent only when given.
    pub scope: Option<String>,
    /// `reuse`, sent only when given.
    pub reuse: Option<String>,
    /// `reason`, sent only when given.
    pub reason: Option<String>,
    /// `input` override (`Some(Value::Null)` sends an explicit null).
    pub input: Option<Value>,
    /// `context` override.
    pub context: Option<Value>,
    /// Sent as the whole body instead of the fields above (malformed or lenient bodies).
    pub raw_body: Option<String>,
    /// Use the UI mirror route.
    pub ui: bool,
    /// Expected HTTP status (default 202).
    pub status: u16,
    /// Wait for the new root's terminal status (only after a 202).
    pub wait: bool,
    /// Expected terminal status of the new run.
    pub expect: Option<String>,
}

impl Restart {
    /// The verb it was written with.
    fn verb(&self) -> &'static str {
        if self.fork {
            "fork"
        } else {
            "restart"
        }
    }
}

impl ParseStep for Restart {
    fn parse(v: &Value, _ptr: &str, _p: &mut Problems<'_>) -> Parsed<Self> {
        let Some((from, fork)) = [("restart", false), ("fork", true)]
            .into_iter()
            .find_map(|(verb, fork)| v.get(verb).map(|from| (from, fork)))
        else {
            return Parsed::Absent;
        };
        let string = |field: &str| v.get(field).and_then(Value::as_str).map(str::to_string);
        Parsed::Step(Restart {
            from: text(Some(from)),
            fork,
            scope: string("scope"),
            reuse: string("reuse"),
            reason: string("reason"),
            input: v.get("input").cloned(),
            context: v.get("context").cloned(),
            raw_body: v.get("raw_body").map(|b| text(Some(b))),
            ui: flag(v.get("ui")),
            status: status(v, 202),
            wait: v.get("wait").and_then(Value::as_bool).unwrap_or(true),
            expect: expect(v),
        })
    }
}

impl StepKind for Restart {
    fn check(&self, c: &mut StepCheck<'_, '_>) {
        c.exec_alias(&self.from, self.verb());
        if self.raw_body.is_some() {
            self.check_raw(c);
        }
        if self.status != 202 && self.expect.is_some() {
            c.at("expect", "expect needs an accepted (202) restart");
        }
    }

    fn makes_run(&self) -> bool {
        self.status == 202
    }
}

impl Restart {
    /// `raw_body` is the whole body, so the fields it replaces must be absent.
    fn check_raw(&self, c: &mut StepCheck<'_, '_>) {
        if self.fork {
            c.at(
                "fork",
                "raw_body is sent as is, so `fork:` cannot add fork: true; use `restart:` and put it in raw_body",
            );
        }
        let given = [
            ("scope", self.scope.is_some()),
            ("reuse", self.reuse.is_some()),
            ("reason", self.reason.is_some()),
            ("input", self.input.is_some()),
            ("context", self.context.is_some()),
        ];
        for (field, _) in given.into_iter().filter(|(_, given)| *given) {
            c.at_key(
                field,
                format!("'{field}' is ignored next to raw_body; put it in raw_body"),
            );
        }
    }
}
