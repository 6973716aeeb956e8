//! Run-level aggregation shared by the DAG, the run list, run detail and the
//! golden endpoint: derived statuses and `WorkflowRunSummary` (contract §7.3).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::model::{rfc3339, Execution, RunRecord};
use super::rules;
use super::status::Status;
use super::views::add_run_metadata;

/// Counts per status plus the times every view needs.
pub struct RunStats<'a> {
    /// Executions per status.
    pub counts: BTreeMap<Status, usize>,
    /// The DAG root: earliest parentless execution, else the earliest.
    pub root: Option<&'a Execution>,
    /// Earliest start.
    pub started_at: Option<DateTime<Utc>>,
    /// Latest start.
    pub last_started_at: Option<DateTime<Utc>>,
    /// Latest completion.
    pub completed_at: Option<DateTime<Utc>>,
    /// Deepest execution.
    pub max_depth: u32,
    /// Depth per execution id: parent's depth + 1 when the parent is in the run, else 0.
    pub depths: HashMap<String, u32>,
}

impl<'a> RunStats<'a> {
    /// Aggregates a run's executions (given in start order).
    pub fn of(execs: &'a [Execution]) -> Self {
        let mut counts = BTreeMap::new();
        for e in execs {
            *counts.entry(e.status).or_insert(0) += 1;
        }
        let root = rules::run_root(execs);
        let completed_at = execs.iter().filter_map(|e| e.completed_at).max();
        // A parent always starts before its child, so one pass in start order suffices.
        let mut depths: HashMap<String, u32> = HashMap::new();
        for e in execs {
            let parent = e.parent_execution_id.as_deref().and_then(|p| depths.get(p));
            let d = parent.map_or(0, |d| d + 1);
            depths.insert(e.execution_id.clone(), d);
        }
        let last_started_at = execs.iter().map(|e| e.started_at).max();
        Self {
            counts,
            root,
            started_at: execs.iter().map(|e| e.started_at).min(),
            last_started_at,
            completed_at,
            max_depth: depths.values().copied().max().unwrap_or(0),
            depths,
        }
    }

    /// Depth of one execution of the run.
    pub fn depth(&self, id: &str) -> u32 {
        self.depths.get(id).copied().unwrap_or(0)
    }

    /// Executions with `status`.
    pub fn count(&self, status: Status) -> usize {
        self.counts.get(&status).copied().unwrap_or(0)
    }

    /// Running, waiting, pending or queued executions.
    pub fn active(&self) -> usize {
        active_of(&self.counts)
    }

    /// Counts per status name, in name order (as Go marshals a map).
    pub fn counts_by_name(&self) -> BTreeMap<&'static str, usize> {
        self.counts.iter().map(|(s, n)| (s.as_str(), *n)).collect()
    }

    /// Run-list precedence: active > failed > timeout > cancelled > paused > succeeded.
    pub fn list_status(&self) -> &'static str {
        list_status_of(&self.counts)
    }

    /// DAG precedence: paused > running > failed > timeout > cancelled > succeeded.
    pub fn dag_status(&self) -> &'static str {
        if self.count(Status::Paused) > 0 {
            return Status::Paused.as_str();
        }
        if self.active() > 0 {
            return Status::Running.as_str();
        }
        for s in [Status::Failed, Status::Timeout, Status::Cancelled] {
            if self.count(s) > 0 {
                return s.as_str();
            }
        }
        Status::Succeeded.as_str()
    }
}

/// Run-list status from counts per status (see [`RunStats::list_status`]).
pub fn list_status_of(counts: &BTreeMap<Status, usize>) -> &'static str {
    if active_of(counts) > 0 {
        return Status::Running.as_str();
    }
    let order = [
        Status::Failed,
        Status::Timeout,
        Status::Cancelled,
        Status::Paused,
    ];
    match order
        .into_iter()
        .find(|s| counts.get(s).is_some_and(|n| *n > 0))
    {
        Some(s) => s.as_str(),
        None => Status::Succeeded.as_str(),
    }
}

/// Executions in an active status, from counts per status.
pub fn active_of(counts: &BTreeMap<Status, usize>) -> usize {
    counts
        .iter()
        .filter(|(s, _)| s.is_active())
        .map(|(_, n)| n)
        .sum()
}

/// Which builder a summary imitates: the list aggregation or golden's `summarizeRun`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SummaryKind {
    /// `GET /api/ui/v2/workflow-runs` rows.
    List,
    /// The golden endpoint's answer: DAG status precedence, no root_* fields.
    Golden,
}

/// A `WorkflowRunSummary` for one run.
pub fn run_summary(
    run_id: &str,
    execs: &[Execution],
    record: Option<&RunRecord>,
    kind: SummaryKind,
) -> Value {
    let stats = RunStats::of(execs);
    let status = match kind {
        SummaryKind::List => stats.list_status(),
        SummaryKind::Golden => stats.dag_status(),
    };
    // Both v0.1.96 builders call a run terminal only when succeeded or failed.
    let terminal = matches!(status, "succeeded" | "failed");
    let root = stats.root;
    let root_reasoner = root
        .map(|r| r.reasoner_id.clone())
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| run_id.to_owned());
    // The aggregation names the current task after the root; summarizeRun after the latest start.
    let current_task = match kind {
        SummaryKind::List => root_reasoner.clone(),
        SummaryKind::Golden => execs
            .last()
            .map(|e| e.reasoner_id.clone())
            .unwrap_or_else(|| root_reasoner.clone()),
    };
    let mut v = Map::new();
    v.insert("workflow_id".into(), json!(run_id));
    v.insert("run_id".into(), json!(run_id));
    v.insert(
        "root_execution_id".into(),
        json!(root.map(|r| r.execution_id.clone()).unwrap_or_default()),
    );
    if let (SummaryKind::List, Some(r)) = (kind, root) {
        v.insert("root_execution_status".into(), json!(r.status));
        // v0.1.96 reads the root's status_reason and error_message whatever
        // its status (`execution_records.go`), omitting empty ones.
        if let Some(reason) = r.status_reason.as_ref().filter(|x| !x.is_empty()) {
            v.insert("root_error_category".into(), json!(reason));
        }
        if let Some(msg) = r.error_message.as_ref().filter(|x| !x.is_empty()) {
            v.insert("root_error_message".into(), json!(msg));
        }
    }
    v.insert("status".into(), json!(status));
    v.insert("display_name".into(), json!(root_reasoner));
    v.insert("current_task".into(), json!(current_task));
    v.insert("root_reasoner".into(), json!(root_reasoner));
    if let Some(r) = root {
        v.insert("agent_id".into(), json!(r.agent_node_id));
        if let Some(s) = &r.session_id {
            v.insert("session_id".into(), json!(s));
        }
        if let Some(a) = &r.actor_id {
            v.insert("actor_id".into(), json!(a));
        }
    }
    v.insert("total_executions".into(), json!(execs.len()));
    v.insert("max_depth".into(), json!(stats.max_depth));
    v.insert("active_executions".into(), json!(stats.active()));
    v.insert("status_counts".into(), json!(stats.counts_by_name()));
    let started = stats.started_at.unwrap_or_else(Utc::now);
    // Both builders date "updated" by the latest start, not the latest completion.
    let updated = stats.last_started_at.unwrap_or(started);
    v.insert("started_at".into(), json!(rfc3339(started)));
    v.insert("updated_at".into(), json!(rfc3339(updated)));
    let completed = match kind {
        // The aggregation has no completion column: a terminal run "completes" at its latest start.
        SummaryKind::List => terminal.then_some(updated),
        SummaryKind::Golden => stats.completed_at,
    };
    if let Some(done) = completed {
        v.insert("completed_at".into(), json!(rfc3339(done)));
        v.insert(
            "duration_ms".into(),
            json!((done - started).num_milliseconds().max(0)),
        );
    }
    v.insert("latest_activity".into(), json!(rfc3339(updated)));
    v.insert("terminal".into(), json!(terminal));
    add_run_metadata(&mut v, record);
    Value::Object(v)
}
