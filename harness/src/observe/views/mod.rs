//! The five views. Each takes only contract fields, aliases every id, and
//! shows where two read surfaces disagree instead of picking one, so a
//! disagreement is itself a diff.

mod headers;
mod lineage;
mod llm;
mod provenance;
mod responses;

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{Aliases, RunObs};
use crate::agents::Log;
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
    /// A GET or a batch status read: the view keeps only what shows what was
    /// persisted (`read_summary`).
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
        View::Provenance => provenance::view(i),
        View::Lineage => lineage::view(i),
        View::Headers => headers::view(i),
        View::Llm => llm::view(i),
        View::Responses => responses::view(i),
    }
}

/// One value, or each surface's value when they differ.
pub(super) fn agreed(values: Vec<(&str, Value)>) -> Value {
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

/// The field, or null.
pub(super) fn opt(v: Option<&Value>) -> Value {
    v.cloned().unwrap_or(Value::Null)
}

/// A run's backward lineage (§5.2): only its six keys, null when it has none.
/// A source run's forward pointer `restarted_as` (§5.3, V-latest) is left
/// out, so the goldens hold on every contract; a capability-gated scenario
/// asserts it with a request's `expect:`.
pub(super) fn backward_lineage(v: Option<&Value>) -> Value {
    const KEYS: [&str; 6] = [
        "kind",
        "source_run_id",
        "source_execution_id",
        "restarted_execution_id",
        "reuse",
        "scope",
    ];
    let Some(Value::Object(m)) = v else {
        return opt(v);
    };
    let kept: serde_json::Map<String, Value> = m
        .iter()
        .filter(|(k, _)| KEYS.contains(&k.as_str()))
        .map(|(k, x)| (k.clone(), x.clone()))
        .collect();
    if kept.is_empty() && m.contains_key("restarted_as") {
        Value::Null
    } else {
        Value::Object(kept)
    }
}

/// Golden metadata; the caller aliases it (an unnamed save is named after its run id).
pub(super) fn golden(v: Option<&Value>) -> Value {
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

/// `<rfc3339>` for a valid timestamp, so goldens hold on any clock.
pub(super) fn timestamp(v: Option<&Value>) -> Value {
    match v.and_then(Value::as_str) {
        Some(t) if chrono::DateTime::parse_from_rfc3339(t).is_ok() => json!("<rfc3339>"),
        Some(t) => json!(format!("not RFC3339: {t}")),
        None => Value::Null,
    }
}
