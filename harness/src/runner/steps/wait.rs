//! `await: runN`: releases the barriers named, then waits for the run's root
//! to end and checks its status.

use super::super::{Runner, StepError};
use super::Execute;
use crate::scenario::{Location, Wait};

impl Execute for Wait {
    async fn execute(&self, r: &mut Runner, _n: usize, loc: &Location) -> Result<(), StepError> {
        for name in &self.release {
            r.release(name)?;
        }
        let run = r.run_ref(&self.run)?;
        let status = r.wait_root(&run).await?;
        r.mark_llm(&run.alias).await;
        r.check(loc, &run, self.expect.as_deref(), &status);
        Ok(())
    }
}
