//! `await_dispatch: agent.reasoner`: waits for the agents to have received
//! `count` dispatches of it.

use super::super::{Runner, StepError};
use super::Execute;
use crate::scenario::{AwaitDispatch, Location};

impl Execute for AwaitDispatch {
    async fn execute(&self, r: &mut Runner, _n: usize, _loc: &Location) -> Result<(), StepError> {
        r.await_dispatch(&self.agent, &self.reasoner, self.count)
            .await
    }
}
