//! `down: agent`: the agent stops listening (it keeps its port).

use super::super::{Runner, StepError};
use super::Execute;
use crate::scenario::{Down, Location};

impl Execute for Down {
    async fn execute(&self, r: &mut Runner, _n: usize, _loc: &Location) -> Result<(), StepError> {
        Ok(r.agents.down(&self.agent).await?)
    }
}
