//! `restart_control_plane: graceful|kill`: the target stops and starts its
//! control plane on the same data.

use super::super::{Runner, StepError};
use super::Execute;
use crate::scenario::{Location, RestartControlPlane};

impl Execute for RestartControlPlane {
    async fn execute(&self, r: &mut Runner, _n: usize, _loc: &Location) -> Result<(), StepError> {
        Ok(r.target.restart_control_plane(self.how).await?)
    }
}
