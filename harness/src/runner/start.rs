//! The steps that start runs: `run` submits a root, `restart` restarts or
//! forks one; each names the new run `runN` and waits as the step asks.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::error::{NoRunIds, RestartStatus};
use super::{Runner, StepError};
use crate::client::Body;
use crate::observe::RunRef;
use crate::scenario::{Location, Restart, RunWait};

/// What a `run` step submits.
pub(crate) struct StartRun<'a> {
    pub agent: &'a str,
    pub reasoner: &'a str,
    pub input: &'a Value,
    pub context: Option<&'a Value>,
    pub run_metadata: Option<&'a Value>,
    pub headers: &'a BTreeMap<String, String>,
    pub sync: bool,
}

impl Runner {
    /// `run: agent.reasoner`: submits the root, names the new run, and waits as asked.
    pub(crate) async fn start_run(
        &mut self,
        n: usize,
        loc: &Location,
        run: &StartRun<'_>,
        wait: &RunWait,
        expect: Option<&str>,
    ) -> Result<(), StepError> {
        let StartRun {
            agent,
            reasoner,
            input,
            context,
            run_metadata,
            headers,
            sync,
        } = *run;
        let node = self.agents.node_id(agent).unwrap_or(agent).to_string();
        let path = if sync {
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
        let hs = self.substitute_headers(headers).await?;
        let mark = self.start_mark(agent, reasoner);
        let r = self
            .client
            .send(reqwest::Method::POST, &path, Some(&Body::Json(body)), &hs)
            .await?;
        // A sync execute that the agent failed is answered without ids
        // (v0.1.96 `writeExecutionError`); the root dispatch names them.
        let ids = match (
            r.str("run_id").or_else(|| r.header("x-run-id")),
            r.str("execution_id").or_else(|| r.header("x-execution-id")),
        ) {
            (Some(run), Some(root)) => Some((run, root)),
            _ => self.root_dispatch(agent, reasoner),
        };
        let Some((run_id, root)) = ids else {
            return Err(StepError::NoRunIds(Box::new(NoRunIds {
                path,
                status: r.status,
                body: r.body,
                agent: agent.to_owned(),
                reasoner: reasoner.to_owned(),
            })));
        };
        self.root_inputs.insert(root.clone(), input.clone());
        if sync {
            // The sync answer is the outcome itself; keep it for the responses view.
            self.keep(format!("step {n}: run {agent}.{reasoner}"), r);
        }
        let run = RunRef {
            alias: format!("run{}", self.runs.len() + 1),
            run_id,
            root,
        };
        self.runs.push(run.clone());
        match wait {
            RunWait::Terminal => {
                let status = self.wait_root(&run).await?;
                self.mark_llm(&run.alias).await;
                self.check(loc, &run, expect, &status);
            }
            RunWait::Dispatched => self.wait_dispatched(&run, mark).await?,
            RunWait::No => {}
        }
        Ok(())
    }

    pub(crate) async fn restart(
        &mut self,
        n: usize,
        loc: &Location,
        r: &Restart,
    ) -> Result<(), StepError> {
        let source = self.resolve(&r.from).await?;
        let mut body = Map::new();
        if r.fork {
            body.insert("fork".into(), json!(true));
        }
        for (k, v) in [
            ("scope", &r.scope),
            ("reuse", &r.reuse),
            ("reason", &r.reason),
        ] {
            if let Some(v) = v {
                body.insert(k.into(), json!(v));
            }
        }
        for (k, v) in [("input", &r.input), ("context", &r.context)] {
            if let Some(v) = v {
                body.insert(k.into(), v.clone());
            }
        }
        let prefix = if r.ui { "/api/ui/v1" } else { "/api/v1" };
        let path = format!("{prefix}/executions/{source}/restart");
        let body = match &r.raw_body {
            Some(raw) => Body::Raw(raw.clone()),
            None => Body::Json(Value::Object(body)),
        };
        let resp = self
            .client
            .send(reqwest::Method::POST, &path, Some(&body), &[])
            .await?;
        let verb = if r.fork { "fork" } else { "restart" };
        let label = format!("step {n}: {verb} {}", r.from);
        if resp.status != r.status {
            let err = StepError::RestartStatus(Box::new(RestartStatus {
                verb,
                from: r.from.clone(),
                want: r.status,
                saw: resp.status,
                body: resp.body.clone(),
            }));
            self.keep(label, resp);
            // Later steps name the run this one should have created.
            return Err(err);
        }
        let created = (resp.status == 202).then(|| (resp.str("run_id"), resp.str("execution_id")));
        self.keep(label, resp);
        if let Some((Some(run_id), Some(root))) = created {
            let run = RunRef {
                alias: format!("run{}", self.runs.len() + 1),
                run_id,
                root,
            };
            self.runs.push(run.clone());
            if r.wait {
                let status = self.wait_root(&run).await?;
                self.mark_llm(&run.alias).await;
                self.check(loc, &run, r.expect.as_deref(), &status);
            }
        } else if created.is_some() {
            return Err(StepError::RestartWithoutIds {
                verb,
                from: r.from.clone(),
            });
        }
        Ok(())
    }

    /// The ids of the newest parentless dispatch of `agent.reasoner` that is
    /// not yet a run's root.
    fn root_dispatch(&self, agent: &str, reasoner: &str) -> Option<(String, String)> {
        let log = self.agents.log();
        log.dispatches.iter().rev().find_map(|d| {
            let root = d.header("x-execution-id")?;
            let fresh = d.agent == agent
                && d.reasoner == reasoner
                && d.header("x-parent-execution-id").is_none()
                && !self.runs.iter().any(|r| r.root == root);
            fresh.then(|| Some((d.header("x-run-id")?.to_string(), root.to_string())))?
        })
    }

    /// `follow: runN`: the run the control plane restarted runN's root as on
    /// its own (an automatic resume), read from the root's `restarted_as`
    /// once it appears (a wait with the scenario's deadline), becomes the
    /// next run alias.
    pub(crate) async fn follow(&mut self, alias: &str) -> Result<(), StepError> {
        let source = self.run_ref(alias)?;
        let path = format!("/api/v1/executions/{}", source.root);
        let what = format!("{alias}'s root ({}) to gain restarted_as", source.root);
        let client = self.client.clone();
        let (run_id, root) = crate::client::poll(&what, self.deadline, || async {
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
        let alias = format!("run{}", self.runs.len() + 1);
        self.runs.push(RunRef {
            alias,
            run_id,
            root,
        });
        Ok(())
    }
}
