//! The five views. Each takes only contract fields, aliases every id, and
//! shows where two read surfaces disagree instead of picking one, so a
//! disagreement is itself a diff.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::{Aliases, ExecObs, RunObs};
use crate::agents::{Log, OutCall};
use crate::scenario::View;

/// One step's HTTP answer, kept for the responses view.
#[derive(Clone, Debug)]
pub struct StepResponse {
    /// `step 3: restart run1/research.synth`.
    pub label: String,
    /// HTTP status.
    pub status: u16,
    /// Contract response headers present (lower-case names).
    pub headers: BTreeMap<String, String>,
    /// The body, not yet aliased.
    pub body: Value,
    /// A GET: the view keeps only what shows what was persisted (`read_summary`).
    pub read: bool,
}

/// Everything the views are built from.
pub struct ViewInputs<'a> {
    /// The runs, as read.
    pub runs: &'a [RunObs],
    /// The alias table.
    pub aliases: &'a Aliases,
    /// The agents' log.
    pub log: &'a Log,
    /// LLM calls per stub made while each run ran.
    pub llm: &'a [(String, BTreeMap<String, usize>)],
    /// Step answers.
    pub responses: &'a [StepResponse],
}

/// Builds one view.
pub fn build(view: View, i: &ViewInputs<'_>) -> Value {
    match view {
        View::Provenance => provenance(i),
        View::Lineage => lineage(i),
        View::Headers => headers(i),
        View::Llm => llm(i),
        View::Responses => responses(i),
    }
}

/// One value, or each surface's value when they differ.
fn agreed(values: Vec<(&str, Value)>) -> Value {
    let first = values
        .first()
        .map(|(_, v)| v.clone())
        .unwrap_or(Value::Null);
    if values.iter().all(|(_, v)| *v == first) {
        first
    } else {
        Value::Object(
            values
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }
}

/// The lightweight DAG's status, if the answer is the lightweight shape
/// (§7.2: `mode: lightweight`, no `dag` tree); otherwise a disagreement.
fn lightweight_status(light: &Value) -> Value {
    if light.get("mode") == Some(&json!("lightweight")) && light.get("dag").is_none() {
        opt(light.get("workflow_status"))
    } else {
        json!("not the lightweight shape")
    }
}

fn opt(v: Option<&Value>) -> Value {
    v.cloned().unwrap_or(Value::Null)
}

fn reuse(node: Option<&Value>, al: &Aliases) -> Value {
    match node.and_then(|n| n.get("reuse")) {
        Some(r) if !r.is_null() => json!({
            "hit": opt(r.get("hit")),
            "source_execution": al.value(&opt(r.get("source_execution_id"))),
            "source_run": al.value(&opt(r.get("source_run_id"))),
        }),
        _ => Value::Null,
    }
}

fn provenance(i: &ViewInputs<'_>) -> Value {
    let al = i.aliases;
    let mut out = Map::new();
    for run in i.runs {
        let status = agreed(vec![
            ("dag", opt(run.dag.get("workflow_status"))),
            ("dag_lightweight", lightweight_status(&run.light)),
            ("run_detail", opt(run.detail.pointer("/run/status"))),
            ("run_list", opt(run.listed.get("status"))),
        ]);
        let mut execs: Vec<(String, Value)> = Vec::new();
        for e in &run.execs {
            let alias = al.get(&e.id).unwrap_or(&e.id).to_string();
            let mut row = Map::new();
            row.insert(
                "parent".into(),
                al.value(&opt(e.node.get("parent_execution_id"))),
            );
            // The tree holds one root; a run's other parentless executions are
            // only on the timeline, so for them the tree says what the timeline says.
            let in_tree =
                |f: &dyn Fn(&Value) -> Value| match (&e.tree, e.node.get("parent_execution_id")) {
                    (Some(t), _) => f(t),
                    (None, None | Some(Value::Null)) => f(&e.node),
                    (None, Some(_)) => json!("absent from the tree"),
                };
            // §7.2 / §7.4: depth counts parent hops from the run's root, on every surface.
            let in_detail = run.detail["executions"]
                .as_array()
                .and_then(|xs| xs.iter().find(|x| x["execution_id"] == json!(e.id)));
            row.insert(
                "depth".into(),
                agreed(vec![
                    ("dag", opt(e.node.get("workflow_depth"))),
                    (
                        "dag_tree",
                        in_tree(&|t: &Value| opt(t.get("workflow_depth"))),
                    ),
                    (
                        "dag_lightweight",
                        opt(e.light.as_ref().and_then(|l| l.get("workflow_depth"))),
                    ),
                    (
                        "run_detail",
                        opt(in_detail.and_then(|x| x.get("workflow_depth"))),
                    ),
                ]),
            );
            row.insert(
                "status".into(),
                agreed(vec![
                    ("dag", opt(e.node.get("status"))),
                    ("status_view", opt(e.status_view.get("status"))),
                ]),
            );
            let reason = agreed(vec![
                ("dag", al.value(&opt(e.node.get("status_reason")))),
                (
                    "status_view",
                    al.value(&opt(e.status_view.get("status_reason"))),
                ),
            ]);
            if !reason.is_null() {
                row.insert("status_reason".into(), reason);
            }
            let full = reuse(Some(&e.node), al);
            row.insert(
                "reuse".into(),
                agreed(vec![
                    ("dag", full.clone()),
                    ("dag_tree", in_tree(&|t: &Value| reuse(Some(t), al))),
                    ("dag_lightweight", reuse(e.light.as_ref(), al)),
                ]),
            );
            if !full.is_null() {
                // A hit takes no time and copies the source's result byte for byte (§3.6).
                row.insert("duration_ms".into(), opt(e.status_view.get("duration_ms")));
                let source = e
                    .node
                    .pointer("/reuse/source_execution_id")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let copy = i
                    .runs
                    .iter()
                    .flat_map(|r| &r.execs)
                    .find(|x| x.id == source)
                    .map(|x| x.status_view.get("result") == e.status_view.get("result"));
                row.insert(
                    "result_is_source_copy".into(),
                    copy.map_or(json!("source not observed"), Value::Bool),
                );
            }
            if let Some(call) = caller_call(e, &run.execs, i.log) {
                row.insert(
                    "caller_saw_replay_hit".into(),
                    al.value(&call.replay_hit.clone().map_or(Value::Null, Value::String)),
                );
            }
            execs.push((alias, Value::Object(row)));
        }
        execs.sort_by(|a, b| a.0.cmp(&b.0));
        out.insert(
            run.run.alias.clone(),
            json!({
                "status": status,
                "max_depth": agreed(vec![
                    ("dag", opt(run.dag.get("max_depth"))),
                    ("dag_lightweight", opt(run.light.get("max_depth"))),
                    ("run_list", opt(run.listed.get("max_depth"))),
                ]),
                "executions": Value::Object(execs.into_iter().collect()),
            }),
        );
    }
    Value::Object(out)
}

/// Golden metadata; the caller aliases it (an unnamed save is named after its run id).
fn golden(v: Option<&Value>) -> Value {
    match v {
        Some(g) if !g.is_null() => json!({
            "name": opt(g.get("name")),
            "tags": opt(g.get("tags")),
            "saved_by": opt(g.get("saved_by")),
            "saved_at": timestamp(g.get("saved_at")),
        }),
        _ => Value::Null,
    }
}

fn lineage(i: &ViewInputs<'_>) -> Value {
    let al = i.aliases;
    let mut out = Map::new();
    for run in i.runs {
        let lin = |v: Option<&Value>| al.value(&opt(v));
        out.insert(
            run.run.alias.clone(),
            json!({
                "lineage": agreed(vec![
                    ("dag", lin(run.dag.get("lineage"))),
                    ("dag_lightweight", lin(run.light.get("lineage"))),
                    ("run_detail", lin(run.detail.pointer("/run/lineage"))),
                    ("run_list", lin(run.listed.get("lineage"))),
                ]),
                "golden": agreed(vec![
                    ("dag", al.value(&golden(run.dag.get("golden")))),
                    ("dag_lightweight", al.value(&golden(run.light.get("golden")))),
                    ("run_detail", al.value(&golden(run.detail.pointer("/run/golden")))),
                    ("run_list", al.value(&golden(run.listed.get("golden")))),
                ]),
            }),
        );
    }
    Value::Object(out)
}

const CONTRACT_HEADERS: [(&str, &str); 7] = [
    ("run", "x-run-id"),
    ("workflow", "x-workflow-id"),
    ("execution", "x-execution-id"),
    ("parent", "x-parent-execution-id"),
    ("replay_source", "x-agentfield-replay-source-run-id"),
    ("replay_before", "x-agentfield-replay-before-execution-id"),
    ("replay_mode", "x-agentfield-replay-mode"),
];

/// Contract §4.1 headers sent only when set: session and actor (copied by a
/// restart), caller and target DID (never on a restart root).
const OPTIONAL_HEADERS: [(&str, &str); 4] = [
    ("session", "x-session-id"),
    ("actor", "x-actor-id"),
    ("caller_did", "x-caller-did"),
    ("target_did", "x-target-did"),
];

fn headers(i: &ViewInputs<'_>) -> Value {
    let al = i.aliases;
    let mut rows: Vec<(String, Value)> = Vec::new();
    for d in &i.log.dispatches {
        let exec = d.header("x-execution-id").unwrap_or("absent");
        let key = al.get(exec).map_or_else(
            || format!("unobserved {}.{}", d.agent, d.reasoner),
            str::to_string,
        );
        let mut row = Map::new();
        for (name, header) in CONTRACT_HEADERS.iter().filter(|(n, _)| *n != "execution") {
            let v = d
                .header(header)
                .map_or_else(|| "absent".to_string(), |v| al.text(v));
            row.insert(name.to_string(), Value::String(v));
        }
        // Shown only when the dispatch carried them, so runs without a
        // session, actor or DID keep their rows unchanged (contract §4.1).
        for (name, header) in OPTIONAL_HEADERS {
            if let Some(v) = d.header(header) {
                row.insert(name.to_string(), Value::String(al.text(v)));
            }
        }
        row.insert("body".into(), al.value(&d.body));
        rows.push((key, Value::Object(row)));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Map::new();
    for (k, v) in rows {
        match out.get_mut(&k) {
            // Two dispatches of one execution is itself worth seeing.
            Some(Value::Array(list)) => list.push(v),
            Some(prev) => *prev = Value::Array(vec![prev.clone(), v]),
            None => {
                out.insert(k, v);
            }
        }
    }
    Value::Object(out)
}

fn llm(i: &ViewInputs<'_>) -> Value {
    let mut out: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for (run, counts) in i.llm {
        for (stub, n) in counts {
            out.entry(stub.clone())
                .or_default()
                .insert(run.clone(), json!(n));
        }
    }
    json!(out)
}

/// Response fields the contract defines; anything else an implementation adds is left out.
const FIELDS: &[&str] = &[
    "execution_id",
    "run_id",
    "workflow_id",
    "status",
    "target",
    "type",
    "created_at",
    "enqueued_at",
    "source_execution_id",
    "source_run_id",
    "restarted_execution_id",
    "replay_before_execution_id",
    "replay_mode",
    "scope",
    "kind",
    "webhook_registered",
    "webhook_error",
    "error",
    "error_category",
    "message",
    "error_details",
    "result",
    "finished_at",
    "lineage",
    "golden",
    "terminal",
    // The memory and node routes (issue 14): an entry, v0.1.96's
    // `ErrorResponse` fields, and a node list's size and filters.
    "key",
    "data",
    "scope_id",
    "code",
    "details",
    "count",
    "filters",
];

fn timestamp(v: Option<&Value>) -> Value {
    match v.and_then(Value::as_str) {
        Some(t) if chrono::DateTime::parse_from_rfc3339(t).is_ok() => json!("<rfc3339>"),
        Some(t) => json!(format!("not RFC3339: {t}")),
        None => Value::Null,
    }
}

/// The contract fixes the prefix of a bind error, not the decoder's wording,
/// except for an empty body, which it names: `EOF` (§1.2, §5.4).
fn error_text(v: &Value) -> Value {
    const PREFIX: &str = "invalid request body: ";
    match v.as_str() {
        Some(e) if e.starts_with(PREFIX) && e != "invalid request body: EOF" => {
            json!(format!("{PREFIX}<decoder error>"))
        }
        _ => v.clone(),
    }
}

/// A memory entry as a list shows it: where it lives and what it holds.
fn memory_entry(e: &Value, al: &Aliases) -> Value {
    let Value::Object(m) = e else {
        return al.value(e);
    };
    let kept: Map<String, Value> = ["scope", "scope_id", "key", "data"]
        .iter()
        .filter_map(|k| m.get(*k).map(|v| (k.to_string(), al.value(v))))
        .collect();
    Value::Object(kept)
}

/// A run as a read shows it: enough to see whether it exists and what it carries.
fn run_summary(r: &Value, al: &Aliases) -> Value {
    json!({
        "run_id": al.value(&opt(r.get("run_id"))),
        "status": opt(r.get("status")),
        "lineage": al.value(&opt(r.get("lineage"))),
        "golden": golden(r.get("golden")),
    })
}

/// A read (run list, run detail, DAG) cut down to what shows what was
/// persisted: runs (by alias), executions with their status, lineage and golden.
/// An execution no step created shows up under its raw id.
fn read_summary(body: &Value, al: &Aliases) -> Value {
    let Value::Object(m) = body else {
        // A memory list: each entry without its timestamps.
        if let Value::Array(list) = body {
            return Value::Array(list.iter().map(|e| memory_entry(e, al)).collect());
        }
        return al.value(body);
    };
    let mut out = Map::new();
    if let Some(e) = m.get("error") {
        out.insert("error".into(), error_text(&al.value(e)));
    }
    for k in [
        "code",
        "details",
        "count",
        "filters",
        "total_count",
        "root_workflow_id",
        "workflow_status",
        "total_nodes",
        "mode",
    ] {
        if let Some(v) = m.get(k) {
            out.insert(k.into(), al.value(v));
        }
    }
    if let Some(runs) = m.get("runs").and_then(Value::as_array) {
        // By alias: which runs exist matters here, not the list's order (ties
        // on second-precision timestamps leave it open).
        let mut runs: Vec<Value> = runs.iter().map(|r| run_summary(r, al)).collect();
        runs.sort_by_key(|r| r["run_id"].as_str().unwrap_or_default().to_string());
        out.insert("runs".into(), Value::Array(runs));
    }
    if let Some(run) = m.get("run") {
        out.insert("run".into(), run_summary(run, al));
    }
    if m.contains_key("timeline") {
        out.insert("lineage".into(), al.value(&opt(m.get("lineage"))));
        out.insert("golden".into(), golden(m.get("golden")));
    }
    let rows = m.get("executions").or_else(|| m.get("timeline"));
    if let Some(rows) = rows.and_then(Value::as_array) {
        let mut execs: Vec<(String, Value)> = rows
            .iter()
            .map(|e| {
                let id = e.get("execution_id").and_then(Value::as_str).unwrap_or("");
                (al.text(id), opt(e.get("status")))
            })
            .collect();
        execs.sort_by(|a, b| a.0.cmp(&b.0));
        out.insert(
            "executions".into(),
            Value::Object(execs.into_iter().collect()),
        );
    }
    Value::Object(out)
}

fn responses(i: &ViewInputs<'_>) -> Value {
    let al = i.aliases;
    let list: Vec<Value> = i
        .responses
        .iter()
        .map(|r| {
            let body = match &r.body {
                v if r.read => read_summary(v, al),
                Value::Object(m) => {
                    let kept: Map<String, Value> = FIELDS
                        .iter()
                        .filter_map(|f| m.get(*f).map(|v| (f.to_string(), v)))
                        .map(|(k, v)| {
                            let v = if k.ends_with("_at") {
                                timestamp(Some(v))
                            } else if k == "golden" {
                                al.value(&golden(Some(v)))
                            } else if k == "error" {
                                error_text(&al.value(v))
                            } else {
                                al.value(v)
                            };
                            (k, v)
                        })
                        .collect();
                    Value::Object(kept)
                }
                other => al.value(other),
            };
            let headers: Map<String, Value> = r
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), json!(al.text(v))))
                .collect();
            json!({"step": r.label, "status": r.status, "headers": headers, "body": body})
        })
        .collect();
    Value::Array(list)
}

/// The nested call that created `e`: linked by the child id the caller saw,
/// or, when the answer named no id (a failed sync call, v0.1.96
/// `writeExecutionError`), the one unlinked call from `e`'s parent to `e`'s
/// reasoner, if `e` is the only such execution in its run.
fn caller_call<'l>(e: &ExecObs, run: &[ExecObs], log: &'l Log) -> Option<&'l OutCall> {
    let linked = |id: &str| {
        log.calls
            .iter()
            .find(|c| c.child_execution.as_deref() == Some(id))
    };
    if let Some(call) = linked(&e.id) {
        return Some(call);
    }
    let key = |x: &ExecObs| {
        let f = |k: &str| x.node.get(k).and_then(Value::as_str).unwrap_or_default();
        (
            f("parent_execution_id").to_string(),
            f("reasoner_id").to_string(),
        )
    };
    let (parent, reasoner) = key(e);
    let twins = run
        .iter()
        .filter(|x| key(x) == (parent.clone(), reasoner.clone()));
    // The call names the agent by its scenario name, so only the reasoner compares.
    let mut unlinked = log.calls.iter().filter(|c| {
        c.child_execution.is_none()
            && c.from_execution == parent
            && c.target.rsplit_once('.').map(|(_, r)| r) == Some(reasoner.as_str())
    });
    match (twins.count(), unlinked.next(), unlinked.next()) {
        (1, Some(call), None) => Some(call),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_errors_hide_the_decoder_wording_but_not_eof() {
        let eof = json!("invalid request body: EOF");
        assert_eq!(error_text(&eof), eof);
        assert_eq!(
            error_text(&json!("invalid request body: unexpected end of JSON input")),
            json!("invalid request body: <decoder error>")
        );
    }

    #[test]
    fn a_read_keeps_runs_executions_lineage_and_golden_only() {
        let mut al = Aliases::default();
        al.insert("run_x", "run1");
        al.insert("exec_r", "run1/n.root");
        let list = json!({"runs": [{"run_id": "run_x", "status": "succeeded",
            "total_executions": 1, "started_at": "2026-01-01T00:00:00Z"}],
            "total_count": 1, "page": 1});
        assert_eq!(
            read_summary(&list, &al),
            json!({"total_count": 1, "runs": [{"run_id": "run1", "status": "succeeded",
                "lineage": null, "golden": null}]})
        );
        let dag = json!({"root_workflow_id": "run_x", "workflow_status": "running",
            "total_nodes": 2, "timeline": [
                {"execution_id": "exec_zz", "status": "running"},
                {"execution_id": "exec_r", "status": "succeeded"}]});
        assert_eq!(
            read_summary(&dag, &al),
            json!({"root_workflow_id": "run1", "workflow_status": "running", "total_nodes": 2,
                "lineage": null, "golden": null,
                "executions": {"exec_zz": "running", "run1/n.root": "succeeded"}})
        );
        assert_eq!(
            read_summary(&json!({"error": "workflow run not found"}), &al),
            json!({"error": "workflow run not found"})
        );
    }
}
