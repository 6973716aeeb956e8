//! The responses view: every step's HTTP answer, cut to contract fields;
//! reads cut to what shows what was persisted.

use serde_json::{json, Map, Value};

use super::{golden, opt, timestamp, ViewInputs};
use crate::observe::Aliases;

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

/// The contract fixes the prefix of a bind error, not the decoder's wording,
/// except for an empty body, which it names: `EOF` (§1.2, §5.4).
/// Registration errors (agent-protocol §1.2) likewise fix only their prefix.
fn error_text(v: &Value) -> Value {
    const PREFIX: &str = "invalid request body: ";
    const REGISTRATION: [(&str, &str); 2] = [
        ("Invalid JSON format: ", "<decoder error>"),
        ("Invalid callback URL: ", "<reason>"),
    ];
    match v.as_str() {
        Some(e) if e.starts_with(PREFIX) && e != "invalid request body: EOF" => {
            json!(format!("{PREFIX}<decoder error>"))
        }
        Some(e) => REGISTRATION
            .iter()
            .find(|(p, _)| e.starts_with(p))
            .map_or_else(|| v.clone(), |(p, what)| json!(format!("{p}{what}"))),
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
    let mut v = json!({
        "run_id": al.value(&opt(r.get("run_id"))),
        "status": opt(r.get("status")),
        "lineage": al.value(&opt(r.get("lineage"))),
        "golden": golden(r.get("golden")),
        "status_counts": positive_counts(r.get("status_counts")),
    });
    // The run list's root fields (§7.3), where the read has them.
    for k in [
        "root_reasoner",
        "root_execution_status",
        "root_error_category",
        "root_error_message",
    ] {
        if let Some(x) = r.get(k) {
            v[k] = al.value(x);
        }
    }
    v
}

/// A run's `status_counts` without its zero entries: v0.1.96 lists every
/// status of the run list, zeros included; what counts is how many are in each.
fn positive_counts(v: Option<&Value>) -> Value {
    match v {
        Some(Value::Object(m)) => Value::Object(
            m.iter()
                .filter(|(_, n)| n.as_u64() != Some(0))
                .map(|(k, n)| (k.clone(), n.clone()))
                .collect(),
        ),
        other => opt(other),
    }
}

/// An execution's status view (§7.1) as a read shows it: what was persisted
/// for it, without its clock fields.
fn status_summary(v: &Value, al: &Aliases) -> Value {
    let Value::Object(m) = v else {
        return al.value(v);
    };
    let kept: Map<String, Value> = [
        "execution_id",
        "run_id",
        "status",
        "status_reason",
        "result",
        "error",
        "error_details",
        "webhook_registered",
    ]
    .iter()
    .filter_map(|k| m.get(*k).map(|v| (k.to_string(), al.value(v))))
    .collect();
    Value::Object(kept)
}

/// A batch-status answer (§7.1): id → status view, every id aliased.
fn is_batch(m: &Map<String, Value>) -> bool {
    !m.is_empty() && m.values().all(|v| v.get("execution_id").is_some())
}

/// A read (run list, run detail, DAG, execution status) cut down to what
/// shows what was persisted: runs (by alias), executions with their status,
/// lineage and golden. An execution no step created shows up under its raw id.
fn read_summary(body: &Value, al: &Aliases) -> Value {
    let Value::Object(m) = body else {
        // A memory list: each entry without its timestamps.
        if let Value::Array(list) = body {
            return Value::Array(list.iter().map(|e| memory_entry(e, al)).collect());
        }
        return al.value(body);
    };
    if m.contains_key("execution_id") {
        return status_summary(body, al);
    }
    if is_batch(m) {
        // By alias: the answer's order is the real ids' (Go sorts map keys).
        let views: std::collections::BTreeMap<String, Value> = m
            .iter()
            .map(|(id, v)| (al.text(id), status_summary(v, al)))
            .collect();
        return Value::Object(views.into_iter().collect());
    }
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

pub(super) fn view(i: &ViewInputs<'_>) -> Value {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::Aliases;

    #[test]
    fn bind_errors_hide_the_decoder_wording_but_not_eof() {
        let eof = json!("invalid request body: EOF");
        assert_eq!(error_text(&eof), eof);
        assert_eq!(
            error_text(&json!("invalid request body: unexpected end of JSON input")),
            json!("invalid request body: <decoder error>")
        );
        assert_eq!(
            error_text(&json!("Invalid callback URL: unsupported scheme")),
            json!("Invalid callback URL: <reason>")
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
        let counts = json!({"runs": [{"run_id": "run_x", "status_counts":
            {"failed": 0, "succeeded": 2}}]});
        assert_eq!(
            read_summary(&counts, &al)["runs"][0]["status_counts"],
            json!({"succeeded": 2})
        );
        assert_eq!(
            read_summary(&list, &al),
            json!({"total_count": 1, "runs": [{"run_id": "run1", "status": "succeeded",
                "lineage": null, "golden": null, "status_counts": null}]})
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
