//! The headers view (contract §4.1): what every dispatch carried, by hop.

use serde_json::{json, Map, Value};

use super::ViewInputs;
use crate::observe::normative::{
    render, DISPATCH_BODY, DISPATCH_HEADERS, OPTIONAL_DISPATCH_HEADERS,
};

pub(super) fn view(i: &ViewInputs<'_>) -> Value {
    let al = i.aliases;
    let shown = |s, v: &str| render(i.tier, s, &Value::String(al.text(v))).unwrap_or(Value::Null);
    let mut rows: Vec<(String, Value)> = Vec::new();
    for d in &i.log.dispatches {
        let exec = d.header("x-execution-id").unwrap_or("absent");
        let key = al.get(exec).map_or_else(
            || format!("unobserved {}.{}", d.agent, d.reasoner),
            str::to_string,
        );
        let mut row = Map::new();
        for (name, header, strength) in DISPATCH_HEADERS {
            let v = d
                .header(header)
                .map_or_else(|| json!("absent"), |v| shown(*strength, v));
            row.insert(name.to_string(), v);
        }
        // Shown only when the dispatch carried them, so runs without a
        // session, actor or DID keep their rows unchanged (contract §4.1).
        for (name, header, strength) in OPTIONAL_DISPATCH_HEADERS {
            if let Some(v) = d.header(header) {
                row.insert(name.to_string(), shown(*strength, v));
            }
        }
        let body = render(i.tier, DISPATCH_BODY, &al.value(&d.body)).unwrap_or(Value::Null);
        row.insert("body".into(), body);
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
