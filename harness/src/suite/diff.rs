//! Says where a view differs from its golden, in two ways: the first differing
//! line of the rendering insta compares (with the entry it sits under, so a
//! changed header names its hop), and the first entry present on both sides
//! whose content differs, with the path inside it. The second survives shifts:
//! when an extra dispatch renumbers the lines, it still points at
//! `run2/research.child#2 › replay_source: -run1 +absent`.

use std::path::Path;

use serde_json::Value;

/// The first differing line, and the first changed entry when both sides parse.
pub(super) fn first_difference(golden: &Path, value: &Value) -> (String, Option<String>) {
    // The same YAML rendering that `assert_yaml_snapshot!` compares.
    let new = insta::_macro_support::serialize_value(
        value,
        insta::_macro_support::SerializationFormat::Yaml,
    );
    let old = match insta::Snapshot::from_file(golden) {
        Ok(s) => match s.contents().as_text() {
            Some(t) => t.to_string(),
            None => return (format!("{} is not a text snapshot", golden.display()), None),
        },
        Err(_) => return (format!("no golden {}", golden.display()), None),
    };
    let entry = crate::scenario::yaml::parse(&old)
        .ok()
        .and_then(|(old, _)| first_changed_entry(&old, value));
    (first_changed_line(&old, new.trim_end()), entry)
}

/// `line N: -old +new`, with `under <key>` when the line is inside a top-level entry.
pub(super) fn first_changed_line(old: &str, new: &str) -> String {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let same = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let line = |l: &str| l.trim().to_string();
    let under = match (old.get(same), new.get(same)) {
        (Some(a), _) | (None, Some(a)) if a.starts_with(' ') => new[..same]
            .iter()
            .rev()
            .find(|l| !l.starts_with(' ') && !l.is_empty())
            .map(|k| format!(" under {}", k.trim_end_matches(':').trim_matches('"')))
            .unwrap_or_default(),
        _ => String::new(),
    };
    let n = same + 1;
    match (old.get(same), new.get(same)) {
        (Some(a), Some(b)) => format!("line {n}{under}: -{} +{}", line(a), line(b)),
        (Some(a), None) => format!("line {n}{under}: -{}", line(a)),
        (None, Some(b)) => format!("line {n}{under}: +{}", line(b)),
        (None, None) => "same text, different metadata".to_string(),
    }
}

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
    fn first_changed_line_names_both_sides_and_the_entry() {
        assert_eq!(
            first_changed_line("a: 1\nb: 2\nc: 3", "a: 1\nb: 9\nc: 3"),
            "line 2: -b: 2 +b: 9"
        );
        assert_eq!(first_changed_line("a: 1", "a: 1\nb: 2"), "line 2: +b: 2");
        assert_eq!(first_changed_line("a: 1\nb: 2", "a: 1"), "line 2: -b: 2");
        assert_eq!(
            first_changed_line("\"h#1\":\n  x: 1\n  y: 2", "\"h#1\":\n  x: 1\n  y: 3"),
            "line 3 under h#1: -y: 2 +y: 3"
        );
    }

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
