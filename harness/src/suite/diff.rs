//! Says where a view differs from its golden: the first changed entry present
//! on both sides, with the path inside it. It survives shifts: when an extra
//! dispatch renumbers the lines, it still points at
//! `run2/research.child#2 › replay_source: -run1 +absent`. The line diff is
//! `snap_diff`'s.

use std::fmt;

use serde_json::Value;

/// Where a view first differs from its golden, as data.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ChangedEntry {
    /// The first top-level entry on both sides whose content differs.
    Changed {
        /// The entry's key (`run2/research.synth`).
        key: String,
        /// Every differing leaf inside it, in the golden's key order.
        leaves: Vec<Leaf>,
    },
    /// No entry on both sides differs: the keys only one side has.
    OnlyOneSide {
        /// Keys only the golden has.
        golden: Vec<String>,
        /// Keys only the new value has.
        now: Vec<String>,
    },
}

/// One differing leaf of an entry: its path, and its value on each side
/// (`None`: the key is missing on that side).
#[derive(Clone, Debug, PartialEq)]
pub struct Leaf {
    /// The keys from the entry down to the leaf; empty when the entry
    /// itself is the leaf.
    pub path: Vec<String>,
    /// The value in the golden.
    pub golden: Option<Value>,
    /// The value now.
    pub got: Option<Value>,
}

/// Leaves shown before `N more`, and keys shown per side.
const SHOWN_LEAVES: usize = 4;
const SHOWN_KEYS: usize = 3;

/// The first top-level entry on both sides whose content differs; else the
/// entries only one side has.
pub(super) fn first_changed_entry(old: &Value, new: &Value) -> Option<ChangedEntry> {
    let (Value::Object(o), Value::Object(n)) = (old, new) else {
        return None;
    };
    for (key, a) in o {
        if let Some(b) = n.get(key) {
            if a != b {
                let mut leaves = Vec::new();
                differing_leaves(&[], a, b, &mut leaves);
                let key = key.clone();
                return Some(ChangedEntry::Changed { key, leaves });
            }
        }
    }
    let only = |x: &serde_json::Map<String, Value>, y: &serde_json::Map<String, Value>| {
        x.keys()
            .filter(|k| !y.contains_key(*k))
            .cloned()
            .collect::<Vec<_>>()
    };
    let (golden, now) = (only(o, n), only(n, o));
    match (golden.is_empty(), now.is_empty()) {
        (true, true) => None,
        _ => Some(ChangedEntry::OnlyOneSide { golden, now }),
    }
}

fn differing_leaves(path: &[String], a: &Value, b: &Value, out: &mut Vec<Leaf>) {
    let at = |k: &str| {
        let mut p = path.to_vec();
        p.push(k.to_string());
        p
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                match y.get(k) {
                    Some(vb) if va == vb => {}
                    Some(vb) => differing_leaves(&at(k), va, vb, out),
                    None => out.push(Leaf {
                        path: at(k),
                        golden: Some(va.clone()),
                        got: None,
                    }),
                }
            }
            for (k, vb) in y.iter().filter(|(k, _)| !x.contains_key(*k)) {
                out.push(Leaf {
                    path: at(k),
                    golden: None,
                    got: Some(vb.clone()),
                });
            }
        }
        _ => out.push(Leaf {
            path: path.to_vec(),
            golden: Some(a.clone()),
            got: Some(b.clone()),
        }),
    }
}

/// `key › path: -golden +new` (at most four leaves, then `N more`), or
/// `only in the golden: [..]; only now: [..]` (at most three keys a side).
impl fmt::Display for ChangedEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChangedEntry::Changed { key, leaves } => {
                let mut shown: Vec<String> = leaves
                    .iter()
                    .take(SHOWN_LEAVES)
                    .map(Leaf::to_string)
                    .collect();
                let more = leaves.len().saturating_sub(SHOWN_LEAVES);
                if more > 0 {
                    shown.push(format!("{more} more"));
                }
                write!(f, "{key} › {}", shown.join("; "))
            }
            ChangedEntry::OnlyOneSide { golden, now } => {
                let keys = |k: &[String]| k[..k.len().min(SHOWN_KEYS)].join(", ");
                write!(
                    f,
                    "only in the golden: [{}]; only now: [{}]",
                    keys(golden),
                    keys(now)
                )
            }
        }
    }
}

/// `path › to › leaf: -golden +new`; a missing side is `(missing)`, `null` is `~`.
impl fmt::Display for Leaf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = |v: &Option<Value>| v.as_ref().map_or_else(|| "(missing)".into(), scalar);
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path.join(" › "))?;
        }
        write!(f, "-{} +{}", side(&self.golden), side(&self.got))
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "~".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn leaf(path: &[&str], golden: Option<Value>, got: Option<Value>) -> Leaf {
        let path = path.iter().map(|k| k.to_string()).collect();
        Leaf { path, golden, got }
    }

    #[test]
    fn the_first_changed_entry_names_the_hop_and_the_header() {
        let golden = json!({"run2/a.child#2": {"run": "run2", "replay_source": "run1"}});
        let now = json!({"run2/a.child#1": {"run": "run2"},
            "run2/a.child#2": {"run": "run2", "replay_source": "absent"}});
        let entry = first_changed_entry(&golden, &now).expect("a change");
        assert_eq!(
            entry,
            ChangedEntry::Changed {
                key: "run2/a.child#2".into(),
                leaves: vec![leaf(
                    &["replay_source"],
                    Some(json!("run1")),
                    Some(json!("absent"))
                )],
            }
        );
        assert_eq!(
            entry.to_string(),
            "run2/a.child#2 › replay_source: -run1 +absent"
        );
        let entry = first_changed_entry(&json!({"a": 1}), &json!({"b": 1})).expect("a change");
        assert_eq!(
            entry,
            ChangedEntry::OnlyOneSide {
                golden: vec!["a".into()],
                now: vec!["b".into()]
            }
        );
        assert_eq!(entry.to_string(), "only in the golden: [a]; only now: [b]");
        let entry = first_changed_entry(
            &json!({"r": {"x": {"y": 1}}}),
            &json!({"r": {"x": {"y": 2}}}),
        )
        .expect("a change");
        assert_eq!(entry.to_string(), "r › x › y: -1 +2");
    }

    #[test]
    fn missing_keys_nulls_and_long_lists_render_as_before() {
        let golden = json!({"e": {"a": null, "b": 1, "c": 1, "d": 1, "f": 1, "g": 1}});
        let now = json!({"e": {"a": "x", "c": 2, "d": 2, "f": 2, "g": 2, "h": [1]}});
        let entry = first_changed_entry(&golden, &now).expect("a change");
        let ChangedEntry::Changed { leaves, .. } = &entry else {
            panic!("a changed entry: {entry:?}");
        };
        assert_eq!(leaves.len(), 7);
        assert_eq!(leaves[1], leaf(&["b"], Some(json!(1)), None));
        assert_eq!(leaves[6], leaf(&["h"], None, Some(json!([1]))));
        assert_eq!(
            entry.to_string(),
            "e › a: -~ +x; b: -1 +(missing); c: -1 +2; d: -1 +2; 3 more"
        );
        let many = |p: &str| {
            let m: serde_json::Map<String, Value> =
                (0..5).map(|i| (format!("{p}{i}"), json!(1))).collect();
            Value::Object(m)
        };
        let entry = first_changed_entry(&many("g"), &many("n")).expect("a change");
        assert_eq!(
            entry.to_string(),
            "only in the golden: [g0, g1, g2]; only now: [n0, n1, n2]"
        );
        assert_eq!(
            first_changed_entry(&json!({"a": 1}), &json!({"a": 1})),
            None
        );
    }
}
