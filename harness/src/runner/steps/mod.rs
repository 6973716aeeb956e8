//! Steps: the dispatch to each kind's `execute` (one file per kind here)
//! and what the kinds share: expectations, kept answers, alias resolution and
//! placeholder substitution.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

mod await_dispatch;
mod down;
mod follow;
mod golden;
mod release;
mod request;
mod reregister;
mod restart;
mod restart_control_plane;
mod run;
mod set_llm;
mod up;
mod wait;

use super::{Expectation, Runner, StepError};
use crate::client::Body;
use crate::client::Response;
use crate::observe::{self, Known, RunRef, StepResponse};
use crate::scenario::{body_placeholders, placeholders, Location, Step, NODE_PREFIX};

const RESPONSE_HEADERS: [&str; 3] = ["x-execution-id", "x-run-id", "x-agentfield-replay-hit"];

/// How the runner executes one step kind: each kind's `impl` is in its own
/// file here, beside the kind's model in `scenario/steps/<kind>.rs`.
pub(crate) trait Execute {
    /// Executes step `n` (1-based), written at `loc`.
    async fn execute(&self, r: &mut Runner, n: usize, loc: &Location) -> Result<(), StepError>;
}

/// The dispatch from a step to its kind's [`Execute`], generated from the
/// one list of kinds (`scenario::step_kinds!`).
macro_rules! dispatch {
    ($($kind:ident),* $(,)?) => {
        impl Runner {
            pub(crate) async fn step(&mut self, n: usize, step: &Step) -> Result<(), StepError> {
                let loc = self.scenario.steps[n - 1].loc.clone();
                match step {
                    $(Step::$kind(s) => s.execute(self, n, &loc).await,)*
                }
            }
        }
    };
}
crate::scenario::step_kinds!(dispatch);

impl Runner {
    pub(crate) fn check(
        &mut self,
        loc: &Location,
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

    fn expect_status(&mut self, loc: &Location, want: u16, r: &Response) {
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
