//! Observes what happened, over HTTP only, and turns it into normalised views:
//! every id aliased, no timestamps, only contract fields. The same views must
//! come out of any conforming implementation.

mod aliases;
pub mod normative;
mod observed;
mod views;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde_json::Value;

pub use aliases::{canonical, exec_aliases, Aliases, ExecNode};
pub use normative::Tier;
pub use observed::{Observed, ViewDiff};
pub use views::{build, StepResponse, ViewInputs};

use crate::agents::Log;
use crate::client::{is_terminal, poll, Client, ClientError, Timeout};

/// Why the runs could not be observed.
#[derive(Debug, thiserror::Error)]
pub enum ObserveError {
    /// A run did not settle before the deadline.
    #[error(transparent)]
    Settle(#[from] Timeout),
    /// A read did not get an answer.
    #[error(transparent)]
    Http(#[from] ClientError),
    /// A run's DAG could not be read.
    #[error("DAG of {alias} ({run_id}): HTTP {status} {body}")]
    Dag {
        /// `run2`.
        alias: String,
        /// The target's id of it.
        run_id: String,
        /// The answer's status.
        status: u16,
        /// The answer's body.
        body: Value,
    },
}

/// A run the scenario created.
#[derive(Clone, Debug)]
pub struct RunRef {
    /// `run1`, `run2`...
    pub alias: String,
    /// The id the target gave it.
    pub run_id: String,
    /// Its root execution.
    pub root: String,
}

/// Everything read about one run.
#[derive(Clone, Debug)]
pub struct RunObs {
    /// The run.
    pub run: RunRef,
    /// Full DAG body (or the error body).
    pub dag: Value,
    /// Lightweight DAG body.
    pub light: Value,
    /// Run detail body.
    pub detail: Value,
    /// This run's entry in the run list, or null.
    pub listed: Value,
    /// Executions, from the full DAG timeline.
    pub execs: Vec<ExecObs>,
}

/// Each execution's error text (`GET /api/v1/executions/{id}`'s `error`),
/// by alias, for those that have one: what a report shows on a failed node.
pub fn errors(runs: &[RunObs], aliases: &Aliases) -> BTreeMap<String, String> {
    runs.iter()
        .flat_map(|r| &r.execs)
        .filter_map(|e| {
            let error = e.status_view.get("error")?.as_str()?;
            let alias = aliases.get(&e.id).unwrap_or(&e.id).to_string();
            (!error.is_empty()).then(|| (alias, error.to_owned()))
        })
        .collect()
}

/// One execution as the reads show it.
#[derive(Clone, Debug)]
pub struct ExecObs {
    /// Execution id.
    pub id: String,
    /// The full-DAG timeline node.
    pub node: Value,
    /// The lightweight timeline node, if present.
    pub light: Option<Value>,
    /// The node in the full DAG's `dag` tree, if present.
    pub tree: Option<Value>,
    /// `GET /api/v1/executions/{id}` body.
    pub status_view: Value,
}

/// What the reads need besides the target.
pub struct Known<'a> {
    /// Agent name → node id.
    pub node_ids: &'a BTreeMap<String, String>,
    /// The agents' log.
    pub log: &'a Log,
    /// Ordering keys of executions started by steps (run roots and raw
    /// execute requests): what the alias order uses instead of a logged input.
    pub root_inputs: &'a HashMap<String, Value>,
}

impl Known<'_> {
    fn agent_of(&self, node_id: &str) -> String {
        self.node_ids
            .iter()
            .find(|(_, n)| n.as_str() == node_id)
            .map_or_else(|| node_id.to_string(), |(a, _)| a.clone())
    }

    fn input_of(&self, exec: &str) -> Value {
        if let Some(v) = self.root_inputs.get(exec) {
            return v.clone();
        }
        if let Some(c) = self
            .log
            .calls
            .iter()
            .find(|c| c.child_execution.as_deref() == Some(exec))
        {
            return c.input.clone();
        }
        self.log
            .dispatches
            .iter()
            .find(|d| d.header("x-execution-id") == Some(exec))
            .map_or(Value::Null, |d| d.body.clone())
    }
}

fn timeline(dag: &Value) -> Vec<Value> {
    dag.get("timeline")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn s(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Aliases for one run's executions, read from its DAG now.
pub async fn run_aliases(
    client: &Client,
    run: &RunRef,
    known: &Known<'_>,
) -> Result<Vec<(String, String)>, ObserveError> {
    let dag = client
        .get(&format!("/api/ui/v1/workflows/{}/dag", run.run_id))
        .await?;
    if dag.status != 200 {
        return Err(ObserveError::Dag {
            alias: run.alias.clone(),
            run_id: run.run_id.clone(),
            status: dag.status,
            body: dag.body,
        });
    }
    Ok(alias_nodes(run, &timeline(&dag.body), known))
}

fn alias_nodes(run: &RunRef, nodes: &[Value], known: &Known<'_>) -> Vec<(String, String)> {
    let nodes: Vec<ExecNode> = nodes
        .iter()
        .map(|n| {
            let id = s(n, "execution_id");
            ExecNode {
                target: format!(
                    "{}.{}",
                    known.agent_of(&s(n, "agent_node_id")),
                    s(n, "reasoner_id")
                ),
                parent: n
                    .get("parent_execution_id")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                input: known.input_of(&id),
                id,
            }
        })
        .collect();
    exec_aliases(&run.alias, &nodes)
}

/// Waits until every execution of every run is terminal, so the reads are final.
pub async fn settle(client: &Client, runs: &[RunRef], deadline: Duration) -> Result<(), Timeout> {
    for run in runs {
        let path = format!("/api/ui/v1/workflows/{}/dag?mode=lightweight", run.run_id);
        let what = format!("every execution of {} to be terminal", run.alias);
        poll(&what, deadline, || async {
            let r = match client.get(&path).await {
                Ok(r) => r,
                Err(e) => return (None, e.to_string()),
            };
            let open: Vec<String> = timeline(&r.body)
                .iter()
                .filter(|n| !is_terminal(&s(n, "status")))
                .map(|n| {
                    format!(
                        "{} {} is {}",
                        s(n, "reasoner_id"),
                        s(n, "execution_id"),
                        s(n, "status")
                    )
                })
                .collect();
            let done = (r.status == 200 && open.is_empty()).then_some(());
            let seen = if open.is_empty() {
                format!("HTTP {} {}", r.status, r.body)
            } else {
                open.join("; ")
            };
            (done, seen)
        })
        .await?;
    }
    Ok(())
}

/// Reads every run, and builds the alias table for all of them.
pub async fn collect(
    client: &Client,
    runs: &[RunRef],
    known: &Known<'_>,
) -> Result<(Vec<RunObs>, Aliases), ObserveError> {
    let mut aliases = Aliases::default();
    // Node ids carry a per-scenario suffix; views name the scenario's agent.
    for (agent, node) in known.node_ids {
        aliases.insert(node, agent);
    }
    for run in runs {
        aliases.insert(&run.run_id, &run.alias);
    }
    let get = |path: String| async move { client.get(&path).await.map(|r| r.body) };
    let mut out = Vec::new();
    for run in runs {
        let id = &run.run_id;
        let dag = get(format!("/api/ui/v1/workflows/{id}/dag")).await?;
        let light = get(format!("/api/ui/v1/workflows/{id}/dag?mode=lightweight")).await?;
        let detail = get(format!("/api/ui/v2/workflow-runs/{id}")).await?;
        let list = get(format!(
            "/api/ui/v2/workflow-runs?run_id={id}&page_size=200"
        ))
        .await?;
        let listed = list
            .get("runs")
            .and_then(Value::as_array)
            .and_then(|rs| rs.iter().find(|r| s(r, "run_id") == *id).cloned())
            .unwrap_or(Value::Null);
        let nodes = timeline(&dag);
        for (exec, alias) in alias_nodes(run, &nodes, known) {
            aliases.insert(&exec, &alias);
        }
        let light_nodes = timeline(&light);
        let mut execs = Vec::new();
        for node in nodes {
            let exec = s(&node, "execution_id");
            let status_view = get(format!("/api/v1/executions/{exec}")).await?;
            execs.push(ExecObs {
                tree: tree_node(&dag["dag"], &exec),
                light: light_nodes
                    .iter()
                    .find(|n| s(n, "execution_id") == exec)
                    .cloned(),
                id: exec,
                node,
                status_view,
            });
        }
        out.push(RunObs {
            run: run.clone(),
            dag,
            light,
            detail,
            listed,
            execs,
        });
    }
    Ok((out, aliases))
}

/// The node of `id` in a DAG tree (`children` nested), without its children.
fn tree_node(node: &Value, id: &str) -> Option<Value> {
    if node.get("execution_id").and_then(Value::as_str) == Some(id) {
        let mut n = node.clone();
        if let Some(m) = n.as_object_mut() {
            m.remove("children");
        }
        return Some(n);
    }
    node.get("children")?
        .as_array()?
        .iter()
        .find_map(|c| tree_node(c, id))
}
