//! One function per step kind.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Value};

use super::start::StartRun;
use super::{Expectation, Runner, StepError};
use crate::client::Body;
use crate::client::Response;
use crate::observe::{self, Known, RunRef, StepResponse};
use crate::scenario::{body_placeholders, placeholders, Step, NODE_PREFIX};

const RESPONSE_HEADERS: [&str; 3] = ["x-execution-id", "x-run-id", "x-agentfield-replay-hit"];

impl Runner {
    pub(crate) async fn step(&mut self, n: usize, step: &Step) -> Result<(), StepError> {
        let loc = self.scenario.steps[n - 1].loc.clone();
        match step {
            Step::Run {
                agent,
                reasoner,
                input,
                context,
                run_metadata,
                headers,
                sync,
                wait,
                expect,
            } => {
                let run = StartRun {
                    agent,
                    reasoner,
                    input,
                    context: context.as_ref(),
                    run_metadata: run_metadata.as_ref(),
                    headers,
                    sync: *sync,
                };
                self.start_run(n, &loc, &run, wait, expect.as_deref())
                    .await?
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
                    .await?;
                self.expect_status(&loc, *status, &r);
                self.keep(format!("step {n}: golden {}", run.alias), r);
            }
            Step::Request {
                method,
                path,
                body,
                headers,
                status,
                expect,
            } => {
                let path = self.substitute(path).await?;
                let hs = self.substitute_headers(headers).await?;
                let body = self.substitute_body(body.as_ref()).await?;
                let r = self
                    .client
                    .send(method.clone(), &path, body.as_ref(), &hs)
                    .await?;
                if let Some((exec, key)) = request_execution(n, path.as_str(), &r) {
                    self.root_inputs.insert(exec, key);
                }
                self.expect_status(&loc, *status, &r);
                if let Some(want) = expect {
                    let want = match self
                        .substitute_body(Some(&Body::Json(want.clone())))
                        .await?
                    {
                        Some(Body::Json(v)) => v,
                        _ => want.clone(),
                    };
                    let differences = super::expect::mismatches(&want, &r);
                    if !differences.is_empty() {
                        self.fail(&loc, Expectation::Answer { want, differences });
                    }
                }
                let label = format!("step {n}: {method} {}", self.scenario_path(n));
                // A batch status read is a POST (§7.1).
                let read = *method == reqwest::Method::GET
                    || path.starts_with("/api/v1/executions/batch-status");
                self.keep_as(label, r, read);
            }
            Step::RestartControlPlane(how) => self.target.restart_control_plane(*how).await?,
            Step::Down(agent) => self.agents.down(agent).await?,
            Step::Up(agent) => self.agents.up(agent).await?,
            Step::Reregister(agent) => self.agents.reregister(agent).await?,
            Step::Follow(run) => self.follow(run).await?,
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

    pub(crate) fn check(
        &mut self,
        loc: &crate::scenario::Location,
        run: &RunRef,
        expect: Option<&str>,
        status: &str,
    ) {
        if let Some(want) = expect {
            if want != status {
                let kind = Expectation::RunEnded {
                    run: run.alias.clone(),
                    want: want.to_string(),
                    saw: status.to_string(),
                };
                self.fail(loc, kind);
            }
        }
    }

    fn expect_status(&mut self, loc: &crate::scenario::Location, want: u16, r: &Response) {
        if r.status != want {
            let kind = Expectation::Status {
                want,
                saw: r.status,
                body: r.body.clone(),
            };
            self.fail(loc, kind);
        }
    }

    pub(crate) fn keep(&mut self, label: String, r: Response) {
        self.keep_as(label, r, false);
    }

    /// `read`: a GET or a batch status read, whose body the responses view
    /// cuts down to what was persisted.
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

    pub(crate) fn run_ref(&self, alias: &str) -> Result<RunRef, StepError> {
        self.runs
            .iter()
            .find(|r| r.alias == alias)
            .cloned()
            .ok_or_else(|| {
                StepError::Unknown(format!("no run {alias} (only {} created)", self.runs.len()))
            })
    }

    /// `run1` → run id; `run1/agent.reasoner[#k]` → execution id.
    pub(crate) async fn resolve(&self, alias: &str) -> Result<String, StepError> {
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
        let pairs = observe::run_aliases(&self.client, &run, &known)
            .await
            .map_err(|e| StepError::Read(Box::new(e)))?;
        pairs
            .iter()
            .find(|(_, a)| a == alias)
            .map(|(id, _)| id.clone())
            .ok_or_else(|| {
                let have: Vec<&str> = pairs.iter().map(|(_, a)| a.as_str()).collect();
                StepError::Unknown(format!(
                    "no execution {alias}; {} has: {}",
                    run.alias,
                    have.join(", ")
                ))
            })
    }

    async fn substitute(&self, text: &str) -> Result<String, StepError> {
        let mut out = text.to_string();
        for p in placeholders(text) {
            let id = match p.strip_prefix(NODE_PREFIX) {
                Some(agent) => self
                    .agents
                    .node_id(agent)
                    .ok_or_else(|| StepError::Unknown(format!("no agent {agent}")))?
                    .to_string(),
                None => self.resolve(&p).await?,
            };
            out = out.replace(&format!("{{{p}}}"), &id);
        }
        Ok(out)
    }

    /// A JSON body with each whole-placeholder string leaf replaced by its id.
    async fn substitute_body(&self, body: Option<&Body>) -> Result<Option<Body>, StepError> {
        let Some(Body::Json(v)) = body else {
            return Ok(body.cloned());
        };
        let mut ids = HashMap::new();
        for p in body_placeholders(v) {
            let id = self.substitute(&format!("{{{p}}}")).await?;
            ids.insert(format!("{{{p}}}"), id);
        }
        let mut v = v.clone();
        let mut stack = vec![&mut v];
        while let Some(x) = stack.pop() {
            match x {
                Value::String(s) => {
                    if let Some(id) = ids.get(s.as_str()) {
                        *s = id.clone();
                    }
                }
                Value::Array(xs) => stack.extend(xs.iter_mut()),
                Value::Object(m) => stack.extend(m.values_mut()),
                _ => {}
            }
        }
        Ok(Some(Body::Json(v)))
    }

    pub(crate) async fn substitute_headers(
        &self,
        headers: &BTreeMap<String, String>,
    ) -> Result<Vec<(String, String)>, StepError> {
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
