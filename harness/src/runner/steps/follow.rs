//! `follow: runN`: the run the control plane restarted runN's root as on its
//! own (an automatic resume), read from the root's `restarted_as` once it
//! appears (a wait with the scenario's deadline), becomes the next run alias.

use serde_json::Value;

use super::super::{Runner, StepError};
use super::Execute;
use crate::observe::RunRef;
use crate::scenario::{Follow, Location};

impl Execute for Follow {
    async fn execute(&self, r: &mut Runner, _n: usize, _loc: &Location) -> Result<(), StepError> {
        let alias = &self.run;
        let source = r.run_ref(alias)?;
        let path = format!("/api/v1/executions/{}", source.root);
        let what = format!("{alias}'s root ({}) to gain restarted_as", source.root);
        let client = r.client.clone();
        let (run_id, root) = crate::client::poll(&what, r.deadline, || async {
            match client.get(&path).await {
                Ok(r) if r.status == 200 => {
                    let ptr = r.body.get("restarted_as");
                    let id = |k: &str| ptr.and_then(|p| p.get(k)).and_then(Value::as_str);
                    let ids = id("run_id").zip(id("execution_id"));
                    let seen = format!("restarted_as {}", ptr.unwrap_or(&Value::Null));
                    (ids.map(|(r, e)| (r.to_owned(), e.to_owned())), seen)
                }
                Ok(r) => (None, format!("HTTP {} {}", r.status, r.body)),
                Err(e) => (None, e.to_string()),
            }
        })
        .await
        .map_err(StepError::Deadline)?;
        let alias = format!("run{}", r.runs.len() + 1);
        r.runs.push(RunRef {
            alias,
            run_id,
            root,
        });
        Ok(())
    }
}
