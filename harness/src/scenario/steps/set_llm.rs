//! `set_llm: stub`: reprograms an LLM stub between steps.

use serde_json::Value;

use super::super::build::{llm_program, text};
use super::super::model::LlmProgram;
use super::super::semantic::StepCheck;
use super::{ParseStep, Parsed, StepKind};
use crate::scenario::load::Problems;

/// Reprogram an LLM stub.
#[derive(Clone, Debug)]
pub struct SetLlm {
    /// Stub name.
    pub stub: String,
    /// The new program.
    pub program: LlmProgram,
}

impl ParseStep for SetLlm {
    fn parse(v: &Value, ptr: &str, p: &mut Problems<'_>) -> Parsed<Self> {
        let Some(stub) = v.get("set_llm") else {
            return Parsed::Absent;
        };
        match llm_program(v, ptr, p) {
            Some(program) => Parsed::Step(SetLlm {
                stub: text(Some(stub)),
                program,
            }),
            None => Parsed::Problem,
        }
    }
}

impl StepKind for SetLlm {
    fn check(&self, c: &mut StepCheck<'_, '_>) {
        c.llm_stub(&self.stub, "set_llm");
    }
}
