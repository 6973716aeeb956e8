//! `up: agent`: the stopped agent listens again on the same port.

use super::super::{Runner, StepError};
use super::Execute;
use crate::scenario::{Location, Up};

impl Execute for Up {
    async fn execute(&self, r: &mut Runner, _n: usize, _loc: &Location) -> Result<(), StepError> {
        Ok(r.agents.up(&self.agent).await?)
    }
}
