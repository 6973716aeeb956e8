//! `release: NAME`: every program held at the barrier goes on.

use super::super::{Runner, StepError};
use super::Execute;
use crate::scenario::{Location, Release};

impl Execute for Release {
    async fn execute(&self, r: &mut Runner, _n: usize, _loc: &Location) -> Result<(), StepError> {
        r.release(&self.name)
    }
}
