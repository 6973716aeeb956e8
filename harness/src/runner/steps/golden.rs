//! `golden: runN`: saves the run as golden and keeps the answer.

use super::super::{Runner, StepError};
use super::Execute;
use crate::scenario::{Golden, Location};

impl Execute for Golden {
    async fn execute(&self, r: &mut Runner, n: usize, loc: &Location) -> Result<(), StepError> {
        let run = r.run_ref(&self.run)?;
        let path = format!("/api/ui/v2/workflow-runs/{}/golden", run.run_id);
        let resp = r
            .client
            .send(reqwest::Method::POST, &path, Some(&self.body), &[])
            .await?;
        r.expect_status(loc, self.status, &resp);
        r.keep(format!("step {n}: golden {}", run.alias), resp);
        Ok(())
    }
}
