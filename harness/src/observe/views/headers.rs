//! The headers view (contract §4.1): what every dispatch carried, by hop.

use serde_json::{Map, Value};

use super::ViewInputs;

const CONTRACT_HEADERS: [(&str, &str); 7] = [
    ("run", "x-run-id"),
    ("workflow", "x-workflow-id"),
    ("execution", "x-execution-id"),
    ("parent", "x-parent-execution-id"),
    ("replay_source", "x-agentfield-replay-source-run-id"),
    ("replay_before", "x-agentfield-replay-before-execution-id"),
    ("replay_mode", "x-agentfield-replay-mode"),
];

pub(super) fn view(i: &ViewInputs<'_>) -> Value {
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
