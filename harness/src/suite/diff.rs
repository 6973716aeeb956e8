//! Says where a view differs from its golden: the first changed entry present
//! on both sides, with the path inside it. It survives shifts: when an extra
//! dispatch renumbers the lines, it still points at
//! `run2/research.child#2 › replay_source: -run1 +absent`. The line diff is
//! `snap_diff`'s.

use serde_json::Value;

/// The first top-level entry on both sides whose content differs, as
/// `key › path: -golden +new`; else the entries only one side has.
pub(super) fn first_changed_entry(old: &Value, new: &Value) -> Option<String> {
    let (Value::Object(o), Value::Object(n)) = (old, new) else {
        return None;
    };
    for (key, a) in o {
        if let Some(b) = n.get(key) {
            if a != b {
                return Some(format!("{key} › {}", path_difference(a, b)));
            }
        }
    }
    let only = |x: &serde_json::Map<String, Value>, y: &serde_json::Map<String, Value>| {
        x.keys()
            .filter(|k| !y.contains_key(*k))
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
    };
    let (gone, added) = (only(o, n), only(n, o));
    match (gone.is_empty(), added.is_empty()) {
        (true, true) => None,
        _ => Some(format!(
            "only in the golden: [{}]; only now: [{}]",
            gone.join(", "),
            added.join(", ")
        )),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "~".to_string(),
        other => other.to_string(),
    }
}

/// Every differing leaf of an entry, `path: -golden +new`, at most four.
fn path_difference(a: &Value, b: &Value) -> String {
    let mut out = Vec::new();
    leaves("", a, b, &mut out);
    let more = out.len().saturating_sub(4);
    out.truncate(4);
    if more > 0 {
        out.push(format!("{more} more"));
    }
    out.join("; ")
}

fn leaves(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    let at = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path} › {k}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                match y.get(k) {
                    Some(vb) if va == vb => {}
                    Some(vb) => leaves(&at(k), va, vb, out),
                    None => out.push(format!("{}: -{} +(missing)", at(k), scalar(va))),
                }
            }
            for (k, vb) in y.iter().filter(|(k, _)| !x.contains_key(*k)) {
                out.push(format!("{}: -(missing) +{}", at(k), scalar(vb)));
            }
        }
        _ if path.is_empty() => out.push(format!("-{} +{}", scalar(a), scalar(b))),
        _ => out.push(format!("{path}: -{} +{}", scalar(a), scalar(b))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_changed_entry_names_the_hop_and_the_header() {
        let golden = json!({"run2/a.child#2": {"run": "run2", "replay_source": "run1"}});
        let now = json!({"run2/a.child#1": {"run": "run2"},
            "run2/a.child#2": {"run": "run2", "replay_source": "absent"}});
        assert_eq!(
            first_changed_entry(&golden, &now).as_deref(),
            Some("run2/a.child#2 › replay_source: -run1 +absent")
        );
        assert_eq!(
            first_changed_entry(&json!({"a": 1}), &json!({"b": 1})).as_deref(),
            Some("only in the golden: [a]; only now: [b]")
        );
        assert_eq!(
            first_changed_entry(
                &json!({"r": {"x": {"y": 1}}}),
                &json!({"r": {"x": {"y": 2}}})
            )
            .as_deref(),
            Some("r › x › y: -1 +2")
        );
    }
}
