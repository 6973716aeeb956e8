//! The responses view: every step's HTTP answer, cut to contract fields, each
//! at its strength (`observe::normative`); reads cut to what shows what was
//! persisted.

use serde_json::{json, Map, Value};

use super::{golden, lineage, ViewInputs};
use crate::observe::normative::{
    self, matches, render, Field, ANSWER, ANSWER_HEADER, CATEGORY_BY_TEXT, FAILED_RESULT,
    MEMORY_ENTRY, NODE_FILTERS, READ, RUN_SUMMARY, STATUS_VIEW, STORED_ERROR,
};

/// An object's fields from `table`, in its order; `lineage`, `golden` and
/// `status_counts` are built from their own tables, and `error_category` takes
/// the strength its error text gives it (a value versions differ on, §1.3).
fn fields(i: &ViewInputs<'_>, table: &[Field], m: &Map<String, Value>) -> Map<String, Value> {
    fields_of(i, table, m, false)
}

/// [`fields`]; `stored`: a 2xx answer, whose `error` is a stored one
/// ([`STORED_ERROR`]: a status report's answer is the status view).
fn fields_of(
    i: &ViewInputs<'_>,
    table: &[Field],
    m: &Map<String, Value>,
    stored: bool,
) -> Map<String, Value> {
    let obj = Value::Object(m.clone());
    let failed = m.get("status").and_then(Value::as_str) == Some("failed");
    let mut out = Map::new();
    for f in table {
        let Some(v) = m.get(f.name) else { continue };
        let shown = match f.name {
            "lineage" => Some(lineage(i, Some(v))),
            "golden" => Some(golden(i, Some(v))),
            "status_counts" => Some(positive_counts(v)),
            "filters" => Some(normative::object(i.tier, NODE_FILTERS, v, i.aliases)),
            "error_category" => category(i, f, &obj),
            "error" if stored => normative::field(i.tier, &STORED_ERROR, &obj, i.aliases),
            "result" if failed => normative::field(i.tier, &FAILED_RESULT, &obj, i.aliases),
            _ => normative::field(i.tier, f, &obj, i.aliases),
        };
        if let Some(v) = shown {
            out.insert(f.name.to_string(), v);
        }
    }
    out
}

/// `error_category` at its strength: one of the values versions differ on when
/// the error text is one of [`CATEGORY_BY_TEXT`]'s, else its own.
fn category(i: &ViewInputs<'_>, f: &Field, obj: &Value) -> Option<Value> {
    let v = i.aliases.value(obj.get(f.name)?);
    let text = obj.get("error").and_then(Value::as_str).unwrap_or_default();
    let strength = CATEGORY_BY_TEXT
        .iter()
        .find(|(pattern, _)| matches(pattern, text))
        .map_or_else(|| normative::strength(&f.rule, &v), |(_, s)| *s);
    render(i.tier, strength, &v)
}

/// A memory entry as a list shows it: where it lives and what it holds.
fn memory_entry(i: &ViewInputs<'_>, e: &Value) -> Value {
    match e {
        Value::Object(m) => Value::Object(fields(i, MEMORY_ENTRY, m)),
        other => normative::sorted(&i.aliases.value(other)),
    }
}

/// A run as a read shows it: enough to see whether it exists and what it
/// carries; the run list's root fields (§7.3) where the read has them.
fn run_summary(i: &ViewInputs<'_>, r: &Value) -> Value {
    let Value::Object(m) = r else {
        return normative::sorted(&i.aliases.value(r));
    };
    let mut out = fields(i, RUN_SUMMARY, m);
    // Always shown, null when absent: whether a run has them is what a read shows.
    for k in ["run_id", "status", "lineage", "golden", "status_counts"] {
        out.entry(k).or_insert(Value::Null);
    }
    let mut ordered = Map::new();
    for f in RUN_SUMMARY {
        if let Some(v) = out.remove(f.name) {
            ordered.insert(f.name.to_string(), v);
        }
    }
    Value::Object(ordered)
}

/// A run's `status_counts` without its zero entries, keys sorted: v0.1.96
/// lists every status of the run list, zeros included; what counts is how
/// many are in each.
fn positive_counts(v: &Value) -> Value {
    match v {
        Value::Object(m) => normative::sorted(&Value::Object(
            m.iter()
                .filter(|(_, n)| n.as_u64() != Some(0))
                .map(|(k, n)| (k.clone(), n.clone()))
                .collect(),
        )),
        other => other.clone(),
    }
}

/// An execution's status view (§7.1) as a read shows it: what was persisted
/// for it, without its clock fields.
fn status_summary(i: &ViewInputs<'_>, v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(fields(i, STATUS_VIEW, m)),
        other => normative::sorted(&i.aliases.value(other)),
    }
}

/// A batch-status answer (§7.1): id → status view, every id aliased.
fn is_batch(m: &Map<String, Value>) -> bool {
    !m.is_empty() && m.values().all(|v| v.get("execution_id").is_some())
}

/// A read (run list, run detail, DAG, execution status) cut down to what
/// shows what was persisted: runs (by alias), executions with their status,
/// lineage and golden. An execution no step created shows up under its raw id.
fn read_summary(i: &ViewInputs<'_>, body: &Value) -> Value {
    let al = i.aliases;
    let Value::Object(m) = body else {
        // A memory list: each entry without its timestamps.
        if let Value::Array(list) = body {
            return Value::Array(list.iter().map(|e| memory_entry(i, e)).collect());
        }
        return normative::sorted(&al.value(body));
    };
    if m.contains_key("execution_id") {
        return status_summary(i, body);
    }
    if is_batch(m) {
        // By alias: the answer's order is the real ids' (Go sorts map keys).
        let views: std::collections::BTreeMap<String, Value> = m
            .iter()
            .map(|(id, v)| (al.text(id), status_summary(i, v)))
            .collect();
        return Value::Object(views.into_iter().collect());
    }
    let mut out = fields(i, READ, m);
    if let Some(runs) = m.get("runs").and_then(Value::as_array) {
        // By alias: which runs exist matters here, not the list's order (ties
        // on second-precision timestamps leave it open).
        let mut runs: Vec<Value> = runs.iter().map(|r| run_summary(i, r)).collect();
        runs.sort_by_key(|r| r["run_id"].as_str().unwrap_or_default().to_string());
        out.insert("runs".into(), Value::Array(runs));
    }
    if let Some(run) = m.get("run") {
        out.insert("run".into(), run_summary(i, run));
    }
    if m.contains_key("timeline") {
        out.insert("lineage".into(), lineage(i, m.get("lineage")));
        out.insert("golden".into(), golden(i, m.get("golden")));
    }
    let rows = m.get("executions").or_else(|| m.get("timeline"));
    if let Some(rows) = rows.and_then(Value::as_array) {
        let mut execs: Vec<(String, Value)> = rows
            .iter()
            .map(|e| {
                let id = e.get("execution_id").and_then(Value::as_str).unwrap_or("");
                (al.text(id), i.field(&normative::STATUS, Some(e)))
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

pub(super) fn view(i: &ViewInputs<'_>) -> Value {
    let al = i.aliases;
    let list: Vec<Value> = i
        .responses
        .iter()
        .map(|r| {
            let body = match &r.body {
                v if r.read => read_summary(i, v),
                Value::Object(m) => Value::Object(fields_of(i, ANSWER, m, r.status < 300)),
                other => normative::sorted(&al.value(other)),
            };
            let headers: Map<String, Value> = r
                .headers
                .iter()
                .filter_map(|(k, v)| {
                    let v = render(i.tier, ANSWER_HEADER, &json!(al.text(v)))?;
                    Some((k.clone(), v))
                })
                .collect();
            json!({"step": r.label, "status": r.status, "headers": headers, "body": body})
        })
        .collect();
    Value::Array(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::Aliases;

    fn inputs<'a>(al: &'a Aliases, log: &'a crate::agents::Log) -> ViewInputs<'a> {
        ViewInputs {
            runs: &[],
            aliases: al,
            log,
            llm: &[],
            responses: &[],
            tier: crate::observe::Tier::Contract,
        }
    }

    #[test]
    fn bind_errors_show_the_contract_prefix_and_validator_texts_their_strength() {
        let (al, log) = (Aliases::default(), crate::agents::Log::default());
        let i = inputs(&al, &log);
        let m = |v: Value| v.as_object().cloned().expect("object");
        assert_eq!(
            fields(
                &i,
                ANSWER,
                &m(json!({"error": "invalid request body: EOF", "code": 400}))
            ),
            m(json!({"error": "<prefix \"invalid request body: \">", "code": 400}))
        );
        let validator = json!({"error": "Key: 'X.Y' Error:Field validation", "details": "EOF"});
        assert_eq!(
            fields(&i, ANSWER, &m(validator)),
            m(json!({"error": "<non-empty>", "details": "<present>"}))
        );
        let gone = json!({"error": "agent 'x' not found", "error_category": "internal_error"});
        assert_eq!(
            fields(&i, ANSWER, &m(gone))["error_category"],
            json!("<one of internal_error (V639) | target_not_found (V-latest)>")
        );
        let callback = json!({"error": "Invalid callback URL: unsupported scheme"});
        assert_eq!(
            fields(&i, ANSWER, &m(callback))["error"],
            json!("<prefix \"Invalid callback URL: \">")
        );
    }

    /// `status_counts` without its zero entries and `filters` with the node
    /// list's filters only, whatever else a target puts in them (the reference
    /// writes no zero count and no other filter, so only a unit test sees it).
    #[test]
    fn counts_drop_zeros_and_filters_keep_their_table() {
        let (al, log) = (Aliases::default(), crate::agents::Log::default());
        let i = inputs(&al, &log);
        let m = |v: Value| v.as_object().cloned().expect("object");
        let counts = m(json!({"status_counts": {"running": 0, "succeeded": 2}}));
        assert_eq!(
            Value::Object(fields(&i, RUN_SUMMARY, &counts)),
            json!({"status_counts": {"succeeded": 2}})
        );
        let list = m(json!({"count": 1, "filters": {"group_id": "g", "page": 2}}));
        assert_eq!(
            Value::Object(fields(&i, ANSWER, &list)),
            json!({"count": 1, "filters": {"group_id": "g"}})
        );
    }

    #[test]
    fn a_read_keeps_runs_executions_lineage_and_golden_only() {
        let mut al = Aliases::default();
        al.insert("run_x", "run1");
        al.insert("exec_r", "run1/n.root");
        let log = crate::agents::Log::default();
        let i = inputs(&al, &log);
        let list = json!({"runs": [{"run_id": "run_x", "status": "succeeded",
            "total_executions": 1, "started_at": "2026-01-01T00:00:00Z"}],
            "total_count": 1, "page": 1});
        let counts = json!({"runs": [{"run_id": "run_x", "status_counts":
            {"failed": 0, "succeeded": 2}}]});
        assert_eq!(
            read_summary(&i, &counts)["runs"][0]["status_counts"],
            json!({"succeeded": 2})
        );
        assert_eq!(
            read_summary(&i, &list),
            json!({"total_count": 1, "runs": [{"run_id": "run1", "status": "succeeded",
                "lineage": null, "golden": null, "status_counts": null}]})
        );
        let dag = json!({"root_workflow_id": "run_x", "workflow_status": "running",
            "total_nodes": 2, "timeline": [
                {"execution_id": "exec_zz", "status": "running"},
                {"execution_id": "exec_r", "status": "succeeded"}]});
        assert_eq!(
            read_summary(&i, &dag),
            json!({"root_workflow_id": "run1", "workflow_status": "running", "total_nodes": 2,
                "lineage": null, "golden": null,
                "executions": {"exec_zz": "running", "run1/n.root": "succeeded"}})
        );
        assert_eq!(
            read_summary(&i, &json!({"error": "workflow run not found"})),
            json!({"error": "workflow run not found"})
        );
    }
}
