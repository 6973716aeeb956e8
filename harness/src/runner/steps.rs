//! One function per step kind.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::Runner;
use crate::client::Response;
use crate::observe::{self, Known, RunRef, StepResponse};
use crate::scenario::{placeholders, Body, Restart, RunWait, Step, NODE_PREFIX};

const RESPONSE_HEADERS: [&str; 3] = ["x-execution-id", "x-run-id", "x-agentfield-replay-hit"];

impl Runner {
    pub(crate) async fn step(&mut self, n: usize, step: &Step) -> Result<(), String> {
        let loc = self.scenario.steps[n - 1].loc.clone();
        match step {
            Step::Run {
                agent,
                reasoner,
                input,
                context,
                headers,
                sync,
                wait,
                expect,
            } => {
                let node = self.agents.node_id(agent).unwrap_or(agent).to_string();
                let path = if *sync {
                    format!("/api/v1/execute/{node}.{reasoner}")
                } else {
                    format!("/api/v1/execute/async/{node}.{reasoner}")
                };
                let mut body = json!({ "input": input });
                if let Some(c) = context {
                    body["context"] = c.clone();
                }
                let hs = self.substitute_headers(headers).await?;
                let mark = self.start_mark(agent, reasoner);
                let r = self
                    .client
                    .send(reqwest::Method::POST, &path, Some(&Body::Json(body)), &hs)
                    .await
                    .map_err(|e| e.to_string())?;
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
                    return Err(format!(
                        "POST {path}: no run_id/execution_id in HTTP {} {}, and {agent} saw no \
                         new root dispatch of {reasoner}",
                        r.status, r.body
                    ));
                };
                self.root_inputs.insert(root.clone(), input.clone());
                if *sync {
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
                        self.check(&loc, &run, expect.as_deref(), &status);
                    }
                    RunWait::Dispatched => self.wait_dispatched(&run, mark).await?,
                    RunWait::No => {}
                }
            }
            Step::Restart(r) => self.restart(n, &loc, r).await?,
            Step::Release(name) => self.release(name)?,
            Step::AwaitDispatch {
                agent,
                reasoner,
                count,
            } => self.await_dispatch(agent, reasoner, *count).await?,
            Step::Wait {
                run,
                expect,
                release,
            } => {
                for name in release {
                    self.release(name)?;
                }
                let run = self.run_ref(run)?;
                let status = self.wait_root(&run).await?;
                self.mark_llm(&run.alias).await;
                self.check(&loc, &run, expect.as_deref(), &status);
            }
            Step::Golden { run, body, status } => {
                let run = self.run_ref(run)?;
                let path = format!("/api/ui/v2/workflow-runs/{}/golden", run.run_id);
                let r = self
                    .client
                    .send(reqwest::Method::POST, &path, Some(body), &[])
                    .await
                    .map_err(|e| e.to_string())?;
                self.expect_status(&loc, *status, &r);
                self.keep(format!("step {n}: golden {}", run.alias), r);
            }
            Step::Request {
                method,
                path,
                body,
                headers,
                status,
            } => {
                let path = self.substitute(path).await?;
                let hs = self.substitute_headers(headers).await?;
                let r = self
                    .client
                    .send(method.clone(), &path, body.as_ref(), &hs)
                    .await
                    .map_err(|e| e.to_string())?;
                if let Some((exec, key)) = request_execution(n, path.as_str(), &r) {
                    self.root_inputs.insert(exec, key);
                }
                self.expect_status(&loc, *status, &r);
                let label = format!("step {n}: {method} {}", self.scenario_path(n));
                self.keep_as(label, r, method == reqwest::Method::GET);
            }
            Step::RestartControlPlane(how) => self.target.restart_control_plane(*how).await?,
            Step::Down(agent) => self.agents.down(agent).await.map_err(|e| e.to_string())?,
            Step::Up(agent) => self.agents.up(agent).await.map_err(|e| e.to_string())?,
            Step::SetLlm { stub, program } => {
                self.llm.set(stub, program.clone());
            }
        }
        Ok(())
    }

    /// The request path as written in the scenario, aliases and all.
    fn scenario_path(&self, n: usize) -> String {
        match &self.scenario.steps[n - 1].value {
            Step::Request { path, .. } => path.clone(),
            _ => String::new(),
        }
    }

    async fn restart(
        &mut self,
        n: usize,
        loc: &crate::scenario::Location,
        r: &Restart,
    ) -> Result<(), String> {
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
            .await
            .map_err(|e| e.to_string())?;
        let verb = if r.fork { "fork" } else { "restart" };
        let label = format!("step {n}: {verb} {}", r.from);
        if resp.status != r.status {
            let msg = format!(
                "{verb} {}: expected HTTP {}, saw {} {}",
                r.from, r.status, resp.status, resp.body
            );
            self.keep(label, resp);
            // Later steps name the run this one should have created.
            return Err(msg);
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
            return Err(format!(
                "{verb} {}: a 202 without run_id and execution_id",
                r.from
            ));
        }
        Ok(())
    }

    fn check(
        &mut self,
        loc: &crate::scenario::Location,
        run: &RunRef,
        expect: Option<&str>,
        status: &str,
    ) {
        if let Some(want) = expect {
            if want != status {
                self.fail(
                    loc,
                    format!("expected {} to end {want}, it ended {status}", run.alias),
                );
            }
        }
    }

    fn expect_status(&mut self, loc: &crate::scenario::Location, want: u16, r: &Response) {
        if r.status != want {
            self.fail(
                loc,
                format!("expected HTTP {want}, saw {} {}", r.status, r.body),
            );
        }
    }

    fn keep(&mut self, label: String, r: Response) {
        self.keep_as(label, r, false);
    }

    /// `read`: a GET, whose body the responses view cuts down to what was persisted.
    fn keep_as(&mut self, label: String, r: Response, read: bool) {
        let headers: BTreeMap<String, String> = RESPONSE_HEADERS
            .iter()
            .filter_map(|h| r.header(h).map(|v| (h.to_string(), v)))
            .collect();
        self.responses.push(StepResponse {
            label,
            status: r.status,
            headers,
            body: r.body,
            read,
        });
    }

    fn run_ref(&self, alias: &str) -> Result<RunRef, String> {
        self.runs
            .iter()
            .find(|r| r.alias == alias)
            .cloned()
            .ok_or_else(|| format!("no run {alias} (only {} created)", self.runs.len()))
    }

    /// `run1` → run id; `run1/agent.reasoner[#k]` → execution id.
    pub(crate) async fn resolve(&self, alias: &str) -> Result<String, String> {
        let Some((run, _)) = alias.split_once('/') else {
            return Ok(self.run_ref(alias)?.run_id);
        };
        let run = self.run_ref(run)?;
        let log = self.agents.log();
        let known = Known {
            node_ids: self.agents.node_ids(),
            log: &log,
            root_inputs: &self.root_inputs,
        };
        let pairs = observe::run_aliases(&self.client, &run, &known).await?;
        pairs
            .iter()
            .find(|(_, a)| a == alias)
            .map(|(id, _)| id.clone())
            .ok_or_else(|| {
                let have: Vec<&str> = pairs.iter().map(|(_, a)| a.as_str()).collect();
                format!(
                    "no execution {alias}; {} has: {}",
                    run.alias,
                    have.join(", ")
                )
            })
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

    async fn substitute(&self, text: &str) -> Result<String, String> {
        let mut out = text.to_string();
        for p in placeholders(text) {
            let id = match p.strip_prefix(NODE_PREFIX) {
                Some(agent) => self
                    .agents
                    .node_id(agent)
                    .ok_or_else(|| format!("no agent {agent}"))?
                    .to_string(),
                None => self.resolve(&p).await?,
            };
            out = out.replace(&format!("{{{p}}}"), &id);
        }
        Ok(out)
    }

    async fn substitute_headers(
        &self,
        headers: &BTreeMap<String, String>,
    ) -> Result<Vec<(String, String)>, String> {
        let mut out = Vec::new();
        for (k, v) in headers {
            out.push((k.clone(), self.substitute(v).await?));
        }
        Ok(out)
    }
}

/// The execution an execute request created, with the key that orders it
/// among same-named executions: the step that sent it, so requests are
/// numbered in the order they were written, whatever their bodies.
fn request_execution(n: usize, path: &str, r: &Response) -> Option<(String, Value)> {
    if !path.starts_with("/api/v1/execute/") {
        return None;
    }
    let exec = r
        .str("execution_id")
        .or_else(|| r.header("x-execution-id"))?;
    Some((exec, json!(format!("step {n:04}"))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderMap;

    fn answer(body: Value) -> Response {
        Response {
            status: 200,
            headers: HeaderMap::new(),
            body,
        }
    }

    #[test]
    fn execute_requests_are_keyed_by_step() {
        let r = answer(json!({"execution_id": "exec_1"}));
        let got = request_execution(4, "/api/v1/execute/n.r", &r);
        assert_eq!(got, Some(("exec_1".to_string(), json!("step 0004"))));
        let mut failed = answer(json!({"error": "agent error (500): x"}));
        failed
            .headers
            .insert("x-execution-id", "exec_2".parse().expect("header"));
        let got = request_execution(12, "/api/v1/execute/async/n.r", &failed);
        assert_eq!(got, Some(("exec_2".to_string(), json!("step 0012"))));
    }

    #[test]
    fn other_requests_create_no_execution() {
        let r = answer(json!({"execution_id": "exec_1"}));
        assert_eq!(
            request_execution(1, "/api/v1/executions/x/restart", &r),
            None
        );
        let none = answer(json!({"error": "agent 'n' not found"}));
        assert_eq!(request_execution(1, "/api/v1/execute/n.r", &none), None);
    }
}
