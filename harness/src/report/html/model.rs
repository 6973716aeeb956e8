//! The picture's model: the runs, executions, lineage and hops of one
//! scenario, read from its observed views. The views come from a target under
//! test, so nothing here trusts their shape: a field that is missing reads as
//! `~`, and one the read surfaces disagree on reads as its compact JSON, which
//! is itself worth seeing.

use serde_json::Value;

use crate::observe::Observed;

/// One run: a box in the picture.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Run {
    /// `run2`.
    pub alias: String,
    /// Its status (or the surfaces' disagreement).
    pub status: String,
    /// What it restarts or forks, if anything.
    pub lineage: Option<Lineage>,
    /// Its executions, in the view's order.
    pub execs: Vec<Exec>,
}

/// Where a run comes from: an arrow from its source run.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Lineage {
    /// `restart` or `fork`.
    pub kind: String,
    /// The run it was made from (`run1`).
    pub source_run: String,
    /// The rest in one line: source execution, reuse mode, scope.
    pub detail: String,
}

/// One execution: a node of its run's DAG.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Exec {
    /// `run2/research.plan`.
    pub alias: String,
    /// `research.plan`: the alias without its run.
    pub label: String,
    /// The parent's alias, if it has one.
    pub parent: Option<String>,
    /// Its status (or the surfaces' disagreement).
    pub status: String,
    /// The execution it reused, for a replay hit.
    pub reused_from: Option<String>,
    /// Its error text, as the execution read gives it.
    pub error: Option<String>,
    /// Whether a view that differs from its golden differs on it.
    pub differs: bool,
}

/// One dispatch an agent received: a row of the headers table.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Hop {
    /// The execution it dispatched (`run2/research.synth`).
    pub exec: String,
    /// Header name (as the view names it) and value, in the view's order.
    pub fields: Vec<(String, String)>,
}

/// A value as one line: a string as is, null as `~`, anything else as JSON.
pub(super) fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => "~".to_string(),
        Some(other) => other.to_string(),
    }
}

/// The runs of the provenance view, with the lineage view's arrows.
pub(super) fn runs(observed: &Observed) -> Vec<Run> {
    let Some(runs) = observed.provenance.as_object() else {
        return Vec::new();
    };
    let differs = super::differs::differing_execs(observed);
    runs.iter()
        .map(|(alias, run)| {
            let mut execs = execs(alias, run.get("executions"));
            for e in &mut execs {
                e.error = observed.errors.get(&e.alias).cloned();
                e.differs = differs.contains(&e.alias);
            }
            Run {
                alias: alias.clone(),
                status: text(run.get("status")),
                lineage: lineage(observed.lineage.get(alias).and_then(|l| l.get("lineage"))),
                execs,
            }
        })
        .collect()
}

fn execs(run: &str, v: Option<&Value>) -> Vec<Exec> {
    let Some(execs) = v.and_then(Value::as_object) else {
        return Vec::new();
    };
    let prefix = format!("{run}/");
    execs
        .iter()
        .map(|(alias, e)| Exec {
            label: alias.strip_prefix(&prefix).unwrap_or(alias).to_string(),
            alias: alias.clone(),
            parent: e.get("parent").and_then(Value::as_str).map(str::to_string),
            status: text(e.get("status")),
            reused_from: reused_from(e.get("reuse")),
            error: None,
            differs: false,
        })
        .collect()
}

/// The source of a hit; when the surfaces disagree, the first one that names
/// a source, so that the node is still marked (its status shows the rest).
fn reused_from(reuse: Option<&Value>) -> Option<String> {
    let reuse = reuse.filter(|r| r.is_object())?;
    if let Some(source) = reuse.get("source_execution") {
        return Some(text(Some(source)));
    }
    reuse.as_object()?.values().find_map(|r| {
        r.get("source_execution")
            .map(|s| format!("{} (read surfaces disagree)", text(Some(s))))
    })
}

fn lineage(v: Option<&Value>) -> Option<Lineage> {
    let v = v.filter(|l| l.is_object())?;
    let one = if v.get("kind").is_some() {
        v
    } else {
        // The read surfaces disagree: draw the first that has a kind.
        v.as_object()?.values().find(|l| l.get("kind").is_some())?
    };
    let detail = ["source_execution_id", "reuse", "scope"]
        .iter()
        .filter_map(|k| one.get(*k).filter(|x| !x.is_null()))
        .map(|x| text(Some(x)))
        .collect::<Vec<_>>()
        .join(" · ");
    Some(Lineage {
        kind: text(one.get("kind")),
        source_run: text(one.get("source_run_id")),
        detail,
    })
}

/// The hops of the headers view; an execution dispatched twice gives two rows.
pub(super) fn hops(observed: &Observed) -> Vec<Hop> {
    let Some(rows) = observed.headers.as_object() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (exec, row) in rows {
        let many = match row {
            Value::Array(list) => list.iter().collect(),
            one => vec![one],
        };
        for r in many {
            let fields = r
                .as_object()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), text(Some(v)))).collect())
                .unwrap_or_else(|| vec![("row".to_string(), text(Some(r)))]);
            out.push(Hop {
                exec: exec.clone(),
                fields,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_hit_names_its_source_and_a_restart_its_source_run() {
        let observed = Observed {
            provenance: json!({
                "run1": {"status": "failed", "executions": {
                    "run1/a.root": {"parent": null, "status": "failed", "reuse": null}}},
                "run2": {"status": "succeeded", "executions": {
                    "run2/a.root": {"parent": null, "status": "succeeded", "reuse": null},
                    "run2/a.plan": {"parent": "run2/a.root", "status": "succeeded",
                        "reuse": {"hit": true, "source_execution": "run1/a.plan", "source_run": "run1"}}}},
            }),
            lineage: json!({"run1": {"lineage": null}, "run2": {"lineage": {
                "kind": "restart", "source_run_id": "run1", "source_execution_id": "run1/a.plan",
                "reuse": "succeeded-before", "scope": "workflow"}}}),
            ..Observed::default()
        };
        let runs = runs(&observed);
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].lineage, None);
        let l = runs[1].lineage.clone().expect("run2 is a restart");
        assert_eq!(
            (l.kind.as_str(), l.source_run.as_str()),
            ("restart", "run1")
        );
        assert_eq!(l.detail, "run1/a.plan · succeeded-before · workflow");
        let plan = &runs[1].execs[1];
        assert_eq!(plan.label, "a.plan");
        assert_eq!(plan.parent.as_deref(), Some("run2/a.root"));
        assert_eq!(plan.reused_from.as_deref(), Some("run1/a.plan"));
        assert_eq!(runs[1].execs[0].reused_from, None);
    }

    #[test]
    fn disagreements_and_odd_shapes_read_as_text() {
        let observed = Observed {
            provenance: json!({"run1": {"status": {"dag": "failed", "run_list": "running"},
                "executions": {"run1/x": {"status": 7, "reuse": {
                    "dag": null, "dag_tree": {"hit": true, "source_execution": "run0/x"}}}}},
                "run2": "not an object"}),
            headers: json!({"run1/x": [{"run": "run1"}, 3]}),
            ..Observed::default()
        };
        let runs = runs(&observed);
        assert_eq!(runs[0].status, r#"{"dag":"failed","run_list":"running"}"#);
        assert_eq!(runs[0].execs[0].status, "7");
        assert_eq!(
            runs[0].execs[0].reused_from.as_deref(),
            Some("run0/x (read surfaces disagree)")
        );
        assert_eq!((runs[1].status.as_str(), runs[1].execs.len()), ("~", 0));
        let hops = hops(&observed);
        assert_eq!(hops.len(), 2);
        assert_eq!(hops[1].fields, vec![("row".to_string(), "3".to_string())]);
    }
}
