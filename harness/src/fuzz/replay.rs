//! The replay rules of the contract (§3), written from
//! `restart-replay-contract.md`, over the model's executions. Time is a
//! partial order here: an execution's `hb` set holds the executions whose
//! rows were certainly created before its own (causality through calls and
//! steps). Where the contract decides by `started_at` and causality does not
//! order two rows (parallel branches), the answer is `Open`: the spec leaves
//! the order to the clock, and the model does not guess.

use std::collections::BTreeSet;

use serde_json::Value;

use super::model::{Exec, Status};

/// The replay trio as a request carries it (already trimmed; `None` = absent).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Source run (model run index).
    pub source: Option<usize>,
    /// Before execution (model execution index).
    pub before: Option<usize>,
    /// Mode as sent.
    pub mode: Option<String>,
}

/// What `findReplayHit` must answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Normal dispatch.
    Miss,
    /// A hit on exactly this execution.
    Hit(usize),
    /// A hit on one of these executions: unordered candidates tie for earliest (§3.5).
    HitOneOf(Vec<usize>),
    /// §3.7: 400 `unsupported replay mode`.
    Error,
    /// Hit or miss depends on an order the contract leaves to the clock.
    Open(String),
}

/// §3.4: the canonical form of a payload, as Go's `encoding/json` round trip
/// gives it: keys sorted, no whitespace, every number a float64 in shortest form.
pub fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&m[k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if f.fract() == 0.0 && f.abs() < 1e21 {
                format!("{f:.0}")
            } else {
                format!("{f}")
            }
        }
        other => other.to_string(),
    }
}

/// §3.4: the stored envelope: `input` (`{}` when null), `context` only when it has a key.
pub fn envelope(input: &Value, context: Option<&Value>) -> String {
    let mut m = serde_json::Map::new();
    let input = if input.is_null() {
        Value::Object(serde_json::Map::new())
    } else {
        input.clone()
    };
    m.insert("input".into(), input);
    if let Some(c) = context.filter(|c| c.as_object().is_some_and(|o| !o.is_empty())) {
        m.insert("context".into(), c.clone());
    }
    canonical(&Value::Object(m))
}

/// True when `a`'s row was certainly created before `b`'s.
pub fn before(execs: &[Exec], a: usize, b: usize) -> bool {
    execs[b].hb.contains(&a)
}

/// §3.1–§3.5 for a new execution `new` with a parent, under `plan`.
pub fn lookup(execs: &[Exec], new: usize, plan: &Plan) -> Lookup {
    let x = &execs[new];
    // §3.1: parent, then Source, then mode.
    if x.parent.is_none() {
        return Lookup::Miss;
    }
    let Some(source) = plan.source else {
        return Lookup::Miss;
    };
    let mode = match plan.mode.as_deref() {
        None | Some("") => "succeeded-before",
        Some(m) => m,
    };
    match mode {
        "none" => return Lookup::Miss,
        "succeeded-before" | "all-succeeded" => {}
        _ => return Lookup::Error,
    }
    // §3.2: the source run's rows (the new row itself is `running`, never a candidate).
    let cands: Vec<usize> = (0..execs.len())
        .filter(|&i| i != new && execs[i].run == source)
        .collect();
    // §3.3: the boundary applies to succeeded-before with a Before header.
    let boundary = match (mode, plan.before) {
        ("succeeded-before", Some(b)) => {
            if execs[b].run != source {
                return Lookup::Miss;
            }
            Some(b)
        }
        _ => None,
    };
    let mut sure = Vec::new();
    let mut maybe = Vec::new();
    for c in cands {
        if !same_key(execs, c, new) {
            continue;
        }
        // A row still running when the lookup ran is no candidate; one that
        // only the clock orders against the lookup (a parallel branch) is open.
        if !x.done.contains(&c) {
            if ancestor(execs, c, new) || before(execs, new, c) {
                continue;
            }
            return Lookup::Open(
                "a matching row in a parallel branch may or may not have finished (§3.4 rule 1)"
                    .to_string(),
            );
        }
        match boundary {
            None => sure.push(c),
            Some(b) if before(execs, c, b) => sure.push(c),
            Some(b) if c == b || before(execs, b, c) => {}
            Some(_) => maybe.push(c),
        }
    }
    earliest(execs, &sure, &maybe)
}

/// §3.4 rules 1, 2 and 4 (every stored result is non-empty here): a
/// succeeded row of the same node and reasoner with the same canonical envelope.
fn same_key(execs: &[Exec], c: usize, x: usize) -> bool {
    let (e, x) = (&execs[c], &execs[x]);
    e.status == Status::Succeeded
        && e.agent == x.agent
        && e.reasoner == x.reasoner
        && envelope(&e.input, e.context.as_ref()) == envelope(&x.input, x.context.as_ref())
}

fn ancestor(execs: &[Exec], a: usize, x: usize) -> bool {
    let mut cur = execs[x].parent;
    while let Some(p) = cur {
        if p == a {
            return true;
        }
        cur = execs[p].parent;
    }
    false
}

/// After the whole case: a lookup that a row created later in model order,
/// but concurrently in fact (a parallel branch), could have matched.
pub fn raced(execs: &[Exec]) -> Option<String> {
    for (x, e) in execs.iter().enumerate() {
        let Some(plan) = &e.looked_up else { continue };
        let Some(source) = plan.source else { continue };
        if plan.mode.as_deref() == Some("none") {
            continue;
        }
        let concurrent = (x + 1..execs.len()).any(|c| {
            execs[c].run == source
                && !before(execs, x, c)
                && !ancestor(execs, x, c)
                && same_key(execs, c, x)
        });
        if concurrent {
            return Some(
                "a lookup races a matching row created in a parallel branch (§3.4 rule 1)".into(),
            );
        }
    }
    None
}

/// §3.5: the earliest-started qualifying candidate wins.
fn earliest(execs: &[Exec], sure: &[usize], maybe: &[usize]) -> Lookup {
    let all: BTreeSet<usize> = sure.iter().chain(maybe).copied().collect();
    if all.is_empty() {
        return Lookup::Miss;
    }
    // Candidates nothing else in the set certainly precedes.
    let minimal: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&c| !all.iter().any(|&o| o != c && before(execs, o, c)))
        .collect();
    if minimal.iter().any(|m| maybe.contains(m)) {
        return Lookup::Open(
            "a candidate's order against the Before execution is left to the clock (§3.3)"
                .to_string(),
        );
    }
    if sure.is_empty() {
        return Lookup::Miss;
    }
    match minimal.as_slice() {
        [one] => Lookup::Hit(*one),
        many => Lookup::HitOneOf(many.to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_equal_spellings() {
        assert_eq!(
            canonical(&json!({"b": 1.0, "a": [1e0]})),
            r#"{"a":[1],"b":1}"#
        );
        assert_ne!(canonical(&json!({"a": 1})), canonical(&json!({"a": "1"})));
        assert_eq!(canonical(&json!(0.5)), "0.5");
    }

    #[test]
    fn empty_context_is_no_context_and_null_input_is_empty() {
        assert_eq!(
            envelope(&json!({"q": 1}), Some(&json!({}))),
            r#"{"input":{"q":1}}"#
        );
        assert_eq!(envelope(&Value::Null, None), r#"{"input":{}}"#);
        assert_ne!(
            envelope(&json!({"q": 1}), Some(&json!({"t": 1}))),
            envelope(&json!({"q": 1}), None)
        );
    }
}
