//! `reregister: agent`: the agent registers again as a new process instance.

use super::super::{Runner, StepError};
use super::Execute;
use crate::scenario::{Location, Reregister};

impl Execute for Reregister {
    async fn execute(&self, r: &mut Runner, _n: usize, _loc: &Location) -> Result<(), StepError> {
        Ok(r.agents.reregister(&self.agent).await?)
    }
}
