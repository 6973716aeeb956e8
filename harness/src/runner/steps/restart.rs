//! `restart:` / `fork:`: sends the request under test, names the new run
//! after a 202, and waits for it as asked.

use serde_json::{json, Map, Value};

use super::super::error::RestartStatus;
use super::super::{Runner, StepError};
use super::Execute;
use crate::client::Body;
use crate::observe::RunRef;
use crate::scenario::{Location, Restart};

impl Execute for Restart {
    async fn execute(&self, r: &mut Runner, n: usize, loc: &Location) -> Result<(), StepError> {
        let source = r.resolve(&self.from).await?;
        let prefix = if self.ui { "/api/ui/v1" } else { "/api/v1" };
        let path = format!("{prefix}/executions/{source}/restart");
        let resp = r
            .client
            .send(reqwest::Method::POST, &path, Some(&body(self)), &[])
            .await?;
        let verb = if self.fork { "fork" } else { "restart" };
        let label = format!("step {n}: {verb} {}", self.from);
        if resp.status != self.status {
            let err = StepError::RestartStatus(Box::new(RestartStatus {
                verb,
                from: self.from.clone(),
                want: self.status,
                saw: resp.status,
                body: resp.body.clone(),
            }));
            r.keep(label, resp);
            // Later steps name the run this one should have created.
            return Err(err);
        }
        let created = (resp.status == 202).then(|| (resp.str("run_id"), resp.str("execution_id")));
        r.keep(label, resp);
        if let Some((Some(run_id), Some(root))) = created {
            let run = RunRef {
                alias: format!("run{}", r.runs.len() + 1),
                run_id,
                root,
            };
            r.runs.push(run.clone());
            if self.wait {
                let status = r.wait_root(&run).await?;
                r.mark_llm(&run.alias).await;
                r.check(loc, &run, self.expect.as_deref(), &status);
            }
        } else if created.is_some() {
            return Err(StepError::RestartWithoutIds {
                verb,
                from: self.from.clone(),
            });
        }
        Ok(())
    }
}

/// The request body: `raw_body` as is, else the fields that were given.
fn body(step: &Restart) -> Body {
    if let Some(raw) = &step.raw_body {
        return Body::Raw(raw.clone());
    }
    let mut body = Map::new();
    if step.fork {
        body.insert("fork".into(), json!(true));
    }
    for (k, v) in [
        ("scope", &step.scope),
        ("reuse", &step.reuse),
        ("reason", &step.reason),
    ] {
        if let Some(v) = v {
            body.insert(k.into(), json!(v));
        }
    }
    for (k, v) in [("input", &step.input), ("context", &step.context)] {
        if let Some(v) = v {
            body.insert(k.into(), v.clone());
        }
    }
    Body::Json(Value::Object(body))
}
