//! `golden: runN`: saves a run as an AgentField golden run.

use serde_json::{Map, Value};

use super::super::build::{body, text};
use super::super::semantic::StepCheck;
use super::{status, ParseStep, Parsed, StepKind};
use crate::client::Body;
use crate::scenario::load::Problems;

/// Save a run as golden.
#[derive(Clone, Debug)]
pub struct Golden {
    /// Run alias.
    pub run: String,
    /// Request body (default `{}`).
    pub body: Body,
    /// Expected HTTP status.
    pub status: u16,
}

impl ParseStep for Golden {
    fn parse(v: &Value, _ptr: &str, _p: &mut Problems<'_>) -> Parsed<Self> {
        let Some(run) = v.get("golden") else {
            return Parsed::Absent;
        };
        Parsed::Step(Golden {
            run: text(Some(run)),
            body: body(v).unwrap_or_else(|| Body::Json(Value::Object(Map::new()))),
            status: status(v, 200),
        })
    }
}

impl StepKind for Golden {
    fn check(&self, c: &mut StepCheck<'_, '_>) {
        c.run_alias(&self.run, "golden");
    }
}
