//! `set_llm: stub`: the stub answers by its new program from now on.

use super::super::{Runner, StepError};
use super::Execute;
use crate::scenario::{Location, SetLlm};

impl Execute for SetLlm {
    async fn execute(&self, r: &mut Runner, _n: usize, _loc: &Location) -> Result<(), StepError> {
        r.llm.set(&self.stub, self.program.clone());
        Ok(())
    }
}
