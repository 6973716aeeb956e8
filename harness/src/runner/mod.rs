//! Executes a scenario's steps against a target, then observes and builds the
//! views. It reaches the control plane only through `client` over HTTP.
//! Every wait has a deadline; on expiry it says what it awaited and what it
//! saw last. A step whose result differs from its expectation is recorded as a
//! failure with the step's location, and the scenario goes on so that the
//! views can show why.

mod error;
mod expect;
mod failure;
mod order;
mod steps;

pub use error::{NoRunIds, RestartStatus, RunError, StepError};
pub use failure::{Expectation, ExpectationFailed, Failure};

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::agents::AgentHost;
use crate::barrier::{BarrierServer, Barriers};
use crate::client::Client;
use crate::llm::LlmStubs;
use crate::observe::{self, Known, RunRef, StepResponse, Tier, ViewInputs};
use crate::scenario::{Scenario, View};
use crate::target::Target;

/// What one scenario produced.
#[derive(Debug)]
pub struct Outcome {
    /// Each requested view, in the scenario's order (the contract tier: each
    /// field at its strength).
    pub views: Vec<(View, Value)>,
    /// The same views with every field at `Exact` (the fidelity tier).
    pub exact: Vec<(View, Value)>,
    /// Expectations that did not hold, each with its location, and
    /// barriers nobody released.
    pub failures: Vec<Failure>,
    /// The runs as observed, for pictures (`report::html`).
    pub observed: observe::Observed,
}

pub(crate) struct Runner {
    scenario: Arc<Scenario>,
    client: Client,
    agents: AgentHost,
    llm: LlmStubs,
    runs: Vec<RunRef>,
    root_inputs: HashMap<String, Value>,
    responses: Vec<StepResponse>,
    llm_per_run: Vec<(String, BTreeMap<String, usize>)>,
    llm_seen: BTreeMap<String, usize>,
    failures: Vec<Failure>,
    deadline: Duration,
    /// For `restart_control_plane`.
    target: Target,
    barriers: Barriers,
    /// Dropped after `agents`, so no agent outlives the barriers it holds at.
    _barrier_server: BarrierServer,
}

/// Runs one scenario against `target`.
pub async fn run(scenario: Arc<Scenario>, target: &Target) -> Result<Outcome, RunError> {
    let client = match scenario.restarts_control_plane() {
        true => target.client().fresh_connections(),
        false => target.client(),
    };
    let llm = LlmStubs::start(&scenario.llm).await;
    let urls = scenario
        .llm
        .keys()
        .map(|s| (s.clone(), llm.base_url(s)))
        .collect();
    let deadline = Duration::from_millis(scenario.timeout_ms);
    let hold = crate::barrier::hold_deadline(deadline, scenario.steps.len());
    let barriers = Barriers::new(crate::scenario::barriers::all(&scenario), hold);
    let barrier_server = BarrierServer::start(barriers.clone())
        .await
        .map_err(RunError::Barriers)?;
    let url = barrier_server.url().to_string();
    let agents = AgentHost::start(
        scenario.clone(),
        client.clone(),
        urls,
        deadline,
        &target.agents,
        url,
    )
    .await?;
    let mut runner = Runner {
        llm_seen: llm.counts().await,
        scenario: scenario.clone(),
        client,
        agents,
        llm,
        runs: Vec::new(),
        root_inputs: HashMap::new(),
        responses: Vec::new(),
        llm_per_run: Vec::new(),
        failures: Vec::new(),
        deadline,
        target: target.clone(),
        barriers,
        _barrier_server: barrier_server,
    };
    for (index, step) in scenario.steps.iter().enumerate() {
        if let Err(e) = runner.step(index + 1, &step.value).await {
            return Err(RunError::Step {
                loc: step.loc.clone(),
                index: index + 1,
                source: Box::new(e),
                held: runner.held_barriers(),
            });
        }
    }
    runner.observe().await
}

impl Runner {
    pub(crate) fn fail(&mut self, loc: &crate::scenario::Location, kind: Expectation) {
        let loc = loc.clone();
        self.failures.push(ExpectationFailed { loc, kind }.into());
    }

    /// Polls a run's root until it is terminal; returns its status.
    pub(crate) async fn wait_root(&self, run: &RunRef) -> Result<String, StepError> {
        let what = format!(
            "the root of {} ({}) to reach a terminal status",
            run.alias, run.root
        );
        let r = crate::client::terminal(&self.client, &what, &run.root, self.deadline)
            .await
            .map_err(StepError::Deadline)?;
        Ok(r.str("status").unwrap_or_default())
    }

    /// Notes the LLM calls made since the last run finished, against `run`.
    pub(crate) async fn mark_llm(&mut self, run: &str) {
        let now = self.llm.counts().await;
        let delta = now
            .iter()
            .map(|(k, n)| (k.clone(), n - self.llm_seen.get(k).copied().unwrap_or(0)))
            .collect();
        self.llm_per_run.push((run.to_string(), delta));
        self.llm_seen = now;
    }

    async fn observe(mut self) -> Result<Outcome, RunError> {
        observe::settle(&self.client, &self.runs, self.deadline)
            .await
            .map_err(|e| RunError::from(observe::ObserveError::from(e)))?;
        // A program held past the deadline failed its reasoner; say which barrier.
        for source in self.barriers.expired() {
            let scenario = self.scenario.name.clone();
            self.failures
                .push(Failure::BarrierExpired { scenario, source });
        }
        if self.llm.counts().await != self.llm_seen {
            self.mark_llm("after the last step").await;
        }
        let log = self.agents.log();
        let known = Known {
            node_ids: self.agents.node_ids(),
            log: &log,
            root_inputs: &self.root_inputs,
        };
        let (runs, aliases) = observe::collect(&self.client, &self.runs, &known).await?;
        let inputs = ViewInputs {
            runs: &runs,
            aliases: &aliases,
            log: &log,
            llm: &self.llm_per_run,
            responses: &self.responses,
            tier: Tier::Contract,
        };
        let exact_inputs = ViewInputs {
            tier: Tier::Fidelity,
            ..inputs
        };
        let views = self
            .scenario
            .snapshot
            .iter()
            .map(|v| (*v, observe::build(*v, &inputs)))
            .collect();
        let exact = self
            .scenario
            .snapshot
            .iter()
            .map(|v| (*v, observe::build(*v, &exact_inputs)))
            .collect();
        let observed = observe::Observed {
            provenance: observe::build(View::Provenance, &inputs),
            lineage: observe::build(View::Lineage, &inputs),
            headers: observe::build(View::Headers, &inputs),
            differing: Vec::new(),
            errors: observe::errors(&runs, &aliases),
        };
        Ok(Outcome {
            views,
            exact,
            failures: self.failures,
            observed,
        })
    }
}
