//! Read shapes shared by several routes: the execution status view (contract
//! §7.1), stored results as JSON, run metadata (lineage, golden) and the
//! DAG's reuse marker (§6).

use serde_json::{json, Map, Value};

use super::canonical;
use super::model::{insert_times, Execution, RunRecord};
use super::rules::REPLAYED_PREFIX;
use super::status::Status;

/// A stored result as JSON, re-encoded as Go would (decode, then marshal);
/// a body that is not JSON is returned as a string.
pub fn result_json(exec: &Execution) -> Option<Value> {
    let raw = exec.result_payload.as_ref()?;
    Some(match canonical::parse(raw) {
        Ok(v) => canonical::to_json(&v),
        Err(_) => Value::String(String::from_utf8_lossy(raw).into_owned()),
    })
}

/// `GET /api/v1/executions/{id}` (v0.1.96 `renderStatus`).
pub fn status_view(exec: &Execution) -> Value {
    let mut v = Map::new();
    v.insert("execution_id".into(), json!(exec.execution_id));
    v.insert("run_id".into(), json!(exec.run_id));
    v.insert("status".into(), json!(exec.status));
    if let Some(r) = &exec.status_reason {
        v.insert("status_reason".into(), json!(r));
    }
    // `result` is omitempty over a decoded `interface{}`, so JSON null vanishes;
    // a failed row's payload is also shown as `error_details`.
    if let Some(result) = result_json(exec).filter(|r| !r.is_null()) {
        if exec.status == Status::Failed {
            v.insert("error_details".into(), result.clone());
        }
        v.insert("result".into(), result);
    }
    if let Some(e) = &exec.error_message {
        v.insert("error".into(), json!(e));
    }
    insert_times(&mut v, exec);
    v.insert("webhook_registered".into(), json!(false));
    Value::Object(v)
}

/// Lineage as the read paths surface it: the six known keys, each omitempty,
/// and a source run's forward pointer (§5.2 `restarted_as`, V-latest only:
/// nothing writes it on v0.1.96's contract).
pub fn lineage(record: Option<&RunRecord>) -> Option<Value> {
    let raw = record?.metadata.get("lineage")?.as_object()?;
    let keys = [
        "kind",
        "source_run_id",
        "source_execution_id",
        "restarted_execution_id",
        "reuse",
        "scope",
    ];
    let mut out = pick_strings(raw, &keys);
    if let Some(Value::Object(p)) = raw.get("restarted_as") {
        out.insert(
            "restarted_as".into(),
            Value::Object(pick_strings(p, &["execution_id", "run_id", "at"])),
        );
    }
    Some(Value::Object(out))
}

/// A golden run's metadata (AgentField's `golden`, §5.4) as the read paths surface it.
pub fn golden_run(record: Option<&RunRecord>) -> Option<Value> {
    let raw = record?.metadata.get("golden")?.as_object()?;
    let mut out = pick_strings(raw, &["name", "saved_by", "saved_at"]);
    if let Some(tags) = raw
        .get("tags")
        .and_then(Value::as_array)
        .filter(|t| !t.is_empty())
    {
        out.insert("tags".into(), Value::Array(tags.clone()));
    }
    Some(Value::Object(out))
}

fn pick_strings(raw: &Map<String, Value>, keys: &[&str]) -> Map<String, Value> {
    keys.iter()
        .filter_map(|k| {
            let v = raw.get(*k)?.as_str().filter(|s| !s.is_empty())?;
            Some(((*k).to_owned(), json!(v)))
        })
        .collect()
}

/// Adds `lineage` and `golden` to a response object when present.
pub fn add_run_metadata(target: &mut Map<String, Value>, record: Option<&RunRecord>) {
    if let Some(l) = lineage(record) {
        target.insert("lineage".into(), l);
    }
    if let Some(g) = golden_run(record) {
        target.insert("golden".into(), g);
    }
    // V-ns: the `run` namespace (only the newest contract writes it).
    if let Some(m) = record.and_then(|r| r.metadata.get(super::run_metadata::NAMESPACE)) {
        target.insert("run_metadata".into(), m.clone());
    }
}

/// §6: the DAG `reuse` object, derived from `status_reason` alone; the
/// back-fill run comes from [`super::rules::backfill_source_run`]. v0.1.96
/// compares the stripped, trimmed remainder with the *untrimmed* reason, so a
/// reason with surrounding whitespace and no prefix still yields an object;
/// we keep that quirk because it is observable API behaviour.
pub fn reuse_info(status_reason: Option<&str>, backfill_run: Option<&str>) -> Option<Value> {
    let reason = status_reason?;
    let source = reason
        .strip_prefix(REPLAYED_PREFIX)
        .unwrap_or(reason)
        .trim();
    if source.is_empty() || source == reason {
        return None;
    }
    let mut v = json!({ "hit": true, "source_execution_id": source });
    if let Some(run) = backfill_run.filter(|r| !r.is_empty()) {
        v["source_run_id"] = json!(run);
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuse_comes_from_the_replay_prefix() {
        let r = reuse_info(Some("replayed_from_execution:exec_1"), Some("run_0"));
        assert_eq!(
            r,
            Some(json!({"hit":true,"source_execution_id":"exec_1","source_run_id":"run_0"}))
        );
        assert_eq!(reuse_info(Some("replayed_from_execution: "), None), None);
        assert_eq!(reuse_info(Some("agent_error"), None), None);
        assert_eq!(reuse_info(None, None), None);
    }

    #[test]
    fn reuse_keeps_the_v0_1_96_whitespace_quirk() {
        let r = reuse_info(Some(" agent_error"), None);
        assert_eq!(
            r,
            Some(json!({"hit":true,"source_execution_id":"agent_error"}))
        );
    }
}
