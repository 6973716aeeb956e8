//! The provenance view (contract §6, §7.2–§7.4): per run its status and
//! max depth, per execution its parent, depth, status, reuse and whether the
//! caller saw the hit, each agreed across the read surfaces.

use serde_json::{json, Map, Value};

use super::{agreed, ViewInputs};
use crate::agents::{Log, OutCall};
use crate::observe::normative::{
    render, ANSWER_HEADER, DEPTH, DURATION, MAX_DEPTH, MODE, PARENT, REUSE, STATUS, STATUS_REASON,
    WORKFLOW_STATUS,
};
use crate::observe::{ExecObs, RunObs};

/// The lightweight DAG's status, if the answer is the lightweight shape
/// (§7.2: `mode: lightweight`, no `dag` tree); otherwise a disagreement.
fn lightweight_status(i: &ViewInputs<'_>, light: &Value) -> Value {
    if i.field(&MODE, Some(light)) == json!("lightweight") && light.get("dag").is_none() {
        i.field(&WORKFLOW_STATUS, Some(light))
    } else {
        json!("not the lightweight shape")
    }
}

/// §6 `reuse`, field by field (the view's names: `source_execution`, `source_run`).
fn reuse(i: &ViewInputs<'_>, node: Option<&Value>) -> Value {
    match node.and_then(|n| n.get("reuse")) {
        Some(r) if !r.is_null() => json!({
            "hit": i.field(&REUSE[0], Some(r)),
            "source_execution": i.field(&REUSE[1], Some(r)),
            "source_run": i.field(&REUSE[2], Some(r)),
        }),
        _ => Value::Null,
    }
}

pub(super) fn view(i: &ViewInputs<'_>) -> Value {
    let mut out = Map::new();
    for run in i.runs {
        let status = agreed(vec![
            ("dag", i.field(&WORKFLOW_STATUS, Some(&run.dag))),
            ("dag_lightweight", lightweight_status(i, &run.light)),
            ("run_detail", i.field(&STATUS, run.detail.get("run"))),
            ("run_list", i.field(&STATUS, Some(&run.listed))),
        ]);
        let mut execs: Vec<(String, Value)> = run
            .execs
            .iter()
            .map(|e| {
                let alias = i.aliases.get(&e.id).unwrap_or(&e.id).to_string();
                (alias, exec_row(e, run, i))
            })
            .collect();
        execs.sort_by(|a, b| a.0.cmp(&b.0));
        out.insert(
            run.run.alias.clone(),
            json!({
                "status": status,
                "max_depth": agreed(vec![
                    ("dag", i.field(&MAX_DEPTH, Some(&run.dag))),
                    ("dag_lightweight", i.field(&MAX_DEPTH, Some(&run.light))),
                    ("run_list", i.field(&MAX_DEPTH, Some(&run.listed))),
                ]),
                "executions": Value::Object(execs.into_iter().collect()),
            }),
        );
    }
    Value::Object(out)
}

/// The tree holds one root; a run's other parentless executions are only on
/// the timeline, so for them the tree says what the timeline says.
fn in_tree(e: &ExecObs, f: &dyn Fn(&Value) -> Value) -> Value {
    match (&e.tree, e.node.get("parent_execution_id")) {
        (Some(t), _) => f(t),
        (None, None | Some(Value::Null)) => f(&e.node),
        (None, Some(_)) => json!("absent from the tree"),
    }
}

/// One execution's row: parent, depth, status, reason, reuse and, for a hit,
/// what §3.6 says a hit is.
fn exec_row(e: &ExecObs, run: &RunObs, i: &ViewInputs<'_>) -> Value {
    let al = i.aliases;
    let mut row = Map::new();
    row.insert("parent".into(), i.field(&PARENT, Some(&e.node)));
    row.insert("depth".into(), depth(e, run, i));
    row.insert(
        "status".into(),
        agreed(vec![
            ("dag", i.field(&STATUS, Some(&e.node))),
            ("status_view", i.field(&STATUS, Some(&e.status_view))),
        ]),
    );
    let reason = agreed(vec![
        ("dag", i.field(&STATUS_REASON, Some(&e.node))),
        ("status_view", i.field(&STATUS_REASON, Some(&e.status_view))),
    ]);
    if !reason.is_null() {
        row.insert("status_reason".into(), reason);
    }
    let full = reuse(i, Some(&e.node));
    row.insert(
        "reuse".into(),
        agreed(vec![
            ("dag", full.clone()),
            ("dag_tree", in_tree(e, &|t: &Value| reuse(i, Some(t)))),
            ("dag_lightweight", reuse(i, e.light.as_ref())),
        ]),
    );
    if !full.is_null() {
        // A hit takes no time and copies the source's result byte for byte (§3.6).
        row.insert(
            "duration_ms".into(),
            i.field(&DURATION, Some(&e.status_view)),
        );
        row.insert("result_is_source_copy".into(), source_copy(e, i));
    }
    if let Some(call) = caller_call(e, &run.execs, i.log) {
        row.insert(
            "caller_saw_replay_hit".into(),
            call.replay_hit.as_ref().map_or(Value::Null, |h| {
                render(i.tier, ANSWER_HEADER, &json!(al.text(h))).unwrap_or(Value::Null)
            }),
        );
    }
    Value::Object(row)
}

/// §7.2 / §7.4: depth counts parent hops from the run's root, on every surface.
fn depth(e: &ExecObs, run: &RunObs, i: &ViewInputs<'_>) -> Value {
    let in_detail = run.detail["executions"]
        .as_array()
        .and_then(|xs| xs.iter().find(|x| x["execution_id"] == json!(e.id)));
    agreed(vec![
        ("dag", i.field(&DEPTH, Some(&e.node))),
        (
            "dag_tree",
            in_tree(e, &|t: &Value| i.field(&DEPTH, Some(t))),
        ),
        ("dag_lightweight", i.field(&DEPTH, e.light.as_ref())),
        ("run_detail", i.field(&DEPTH, in_detail)),
    ])
}

/// Whether a hit's result equals its source's, byte for byte (§3.6).
fn source_copy(e: &ExecObs, i: &ViewInputs<'_>) -> Value {
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
    copy.map_or(json!("source not observed"), Value::Bool)
}

/// The nested call that created `e`: linked by the child id the caller saw,
/// or, when the answer named no id (a failed sync call: v0.1.96's
/// `writeExecutionError` names none, and an SDK that calls only
/// synchronously, as TypeScript's, never learns it), the one unlinked call
/// from `e`'s parent to `e`'s reasoner, if `e` is the only such execution in
/// its run; among several such executions, the one the call's input was
/// dispatched as (contract §4.1: the dispatch body is the input alone).
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
    let twins: Vec<&ExecObs> = run
        .iter()
        .filter(|x| key(x) == (parent.clone(), reasoner.clone()))
        .collect();
    // The call names the agent by its scenario name, so only the reasoner compares.
    let unlinked: Vec<&OutCall> = log
        .calls
        .iter()
        .filter(|c| {
            c.child_execution.is_none()
                && c.from_execution == parent
                && c.target.rsplit_once('.').map(|(_, r)| r) == Some(reasoner.as_str())
        })
        .collect();
    if let ([_], [call]) = (twins.as_slice(), unlinked.as_slice()) {
        return Some(call);
    }
    let input = dispatched_input(&e.id, log)?;
    let same_input = twins
        .iter()
        .filter(|x| dispatched_input(&x.id, log) == Some(input))
        .count();
    let mut calls = unlinked.into_iter().filter(|c| &c.input == input);
    match (same_input, calls.next(), calls.next()) {
        (1, Some(call), None) => Some(call),
        _ => None,
    }
}

/// The body the control plane dispatched execution `id` with, if an agent
/// recorded that dispatch (its `X-Execution-ID`, agent-protocol §3.1).
fn dispatched_input<'l>(id: &str, log: &'l Log) -> Option<&'l Value> {
    log.dispatches
        .iter()
        .find(|d| d.header("x-execution-id") == Some(id))
        .map(|d| &d.body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::Dispatch;
    use crate::observe::Aliases;

    fn exec(id: &str) -> ExecObs {
        ExecObs {
            id: id.into(),
            node: json!({"parent_execution_id": "root", "reasoner_id": "finish"}),
            light: None,
            tree: None,
            status_view: Value::Null,
        }
    }

    fn dispatch(id: &str, input: Value) -> Dispatch {
        Dispatch {
            agent: "leaf".into(),
            reasoner: "finish".into(),
            headers: [("x-execution-id".to_string(), id.to_string())].into(),
            body: input,
        }
    }

    /// A failed synchronous call names no child (v0.1.96 `writeExecutionError`);
    /// beside a sibling of the same reasoner made by hand, the input decides.
    #[test]
    fn an_unnamed_failed_call_is_linked_by_the_input_it_was_dispatched_with() {
        let run = [exec("by_call"), exec("by_hand")];
        let log = Log {
            dispatches: vec![
                dispatch("by_call", json!({"side": "a"})),
                dispatch("by_hand", json!({"side": "b"})),
            ],
            calls: vec![OutCall {
                from_execution: "root".into(),
                target: "leaf.finish".into(),
                input: json!({"side": "a"}),
                child_execution: None,
                replay_hit: None,
                status: 502,
            }],
        };
        assert!(caller_call(&run[0], &run, &log).is_some());
        assert!(caller_call(&run[1], &run, &log).is_none());
        let same = Log {
            dispatches: vec![
                dispatch("by_call", json!({"side": "a"})),
                dispatch("by_hand", json!({"side": "a"})),
            ],
            ..log
        };
        assert!(caller_call(&run[0], &run, &same).is_none(), "ambiguous");
    }

    fn inputs<'a>(aliases: &'a Aliases, log: &'a crate::agents::Log) -> ViewInputs<'a> {
        ViewInputs {
            runs: &[],
            aliases,
            log,
            llm: &[],
            responses: &[],
            tier: crate::observe::Tier::Contract,
        }
    }

    /// A lightweight read counts only in the lightweight shape: `mode:
    /// lightweight` AND no `dag` tree (§7.2). Half of the shape is a
    /// disagreement, which a passing suite never shows.
    #[test]
    fn half_the_lightweight_shape_is_not_the_lightweight_shape() {
        let (al, log) = (Aliases::default(), crate::agents::Log::default());
        let i = inputs(&al, &log);
        let light = json!({"mode": "lightweight", "workflow_status": "succeeded"});
        assert_eq!(lightweight_status(&i, &light), json!("succeeded"));
        let not = json!("not the lightweight shape");
        let with_tree = json!({"mode": "lightweight", "workflow_status": "succeeded", "dag": {}});
        assert_eq!(lightweight_status(&i, &with_tree), not);
        let no_mode = json!({"workflow_status": "succeeded"});
        assert_eq!(lightweight_status(&i, &no_mode), not);
    }

    /// A `reuse: null` is no reuse, as an absent one is: a target that writes
    /// the optional object as null shows the same view.
    #[test]
    fn a_null_reuse_is_no_reuse() {
        let (al, log) = (Aliases::default(), crate::agents::Log::default());
        let i = inputs(&al, &log);
        assert_eq!(reuse(&i, Some(&json!({"reuse": null}))), Value::Null);
        assert_eq!(reuse(&i, Some(&json!({}))), Value::Null);
        let hit = reuse(&i, Some(&json!({"reuse": {"hit": true}})));
        assert_eq!(hit["hit"], json!(true));
    }
}
