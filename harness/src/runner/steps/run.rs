//! `run: agent.reasoner`: submits the root, names the new run, and waits as asked.

use serde_json::json;

use super::super::error::NoRunIds;
use super::super::{Runner, StepError};
use super::Execute;
use crate::client::Body;
use crate::observe::RunRef;
use crate::scenario::{Location, Run, RunWait};

impl Execute for Run {
    async fn execute(&self, r: &mut Runner, n: usize, loc: &Location) -> Result<(), StepError> {
        let Run {
            agent,
            reasoner,
            input,
            context,
            run_metadata,
            headers,
            sync,
            wait,
            expect,
        } = self;
        let node = r.agents.node_id(agent).unwrap_or(agent).to_string();
        let path = if *sync {
            format!("/api/v1/execute/{node}.{reasoner}")
        } else {
            format!("/api/v1/execute/async/{node}.{reasoner}")
        };
        let mut body = json!({ "input": input });
        if let Some(c) = context {
            body["context"] = c.clone();
        }
        if let Some(m) = run_metadata {
            body["run_metadata"] = m.clone();
        }
        let hs = r.substitute_headers(headers).await?;
        let mark = r.start_mark(agent, reasoner);
        let resp = r
            .client
            .send(reqwest::Method::POST, &path, Some(&Body::Json(body)), &hs)
            .await?;
        // A sync execute that the agent failed is answered without ids
        // (v0.1.96 `writeExecutionError`); the root dispatch names them.
        let ids = match (
            resp.str("run_id").or_else(|| resp.header("x-run-id")),
            resp.str("execution_id")
                .or_else(|| resp.header("x-execution-id")),
        ) {
            (Some(run), Some(root)) => Some((run, root)),
            _ => root_dispatch(r, agent, reasoner),
        };
        let Some((run_id, root)) = ids else {
            return Err(StepError::NoRunIds(Box::new(NoRunIds {
                path,
                status: resp.status,
                body: resp.body,
                agent: agent.to_owned(),
                reasoner: reasoner.to_owned(),
            })));
        };
        r.root_inputs.insert(root.clone(), input.clone());
        if *sync {
            // The sync answer is the outcome itself; keep it for the responses view.
            r.keep(format!("step {n}: run {agent}.{reasoner}"), resp);
        }
        let run = RunRef {
            alias: format!("run{}", r.runs.len() + 1),
            run_id,
            root,
        };
        r.runs.push(run.clone());
        match wait {
            RunWait::Terminal => {
                let status = r.wait_root(&run).await?;
                r.mark_llm(&run.alias).await;
                r.check(loc, &run, expect.as_deref(), &status);
            }
            RunWait::Dispatched => r.wait_dispatched(&run, mark).await?,
            RunWait::No => {}
        }
        Ok(())
    }
}

/// The ids of the newest parentless dispatch of `agent.reasoner` that is
/// not yet a run's root.
fn root_dispatch(r: &Runner, agent: &str, reasoner: &str) -> Option<(String, String)> {
    let log = r.agents.log();
    log.dispatches.iter().rev().find_map(|d| {
        let root = d.header("x-execution-id")?;
        let fresh = d.agent == agent
            && d.reasoner == reasoner
            && d.header("x-parent-execution-id").is_none()
            && !r.runs.iter().any(|run| run.root == root);
        fresh.then(|| Some((d.header("x-run-id")?.to_string(), root.to_string())))?
    })
}
