//! Stable names for generated ids. Runs are `run1`, `run2`... in the order the
//! scenario creates them. Executions are `run2/agent.reasoner`, with `#k` when
//! a run holds several executions of one reasoner, `k` ordered by depth, then
//! canonical input, then the parent's own ordering key: never by timing, so
//! parallel branches get the same alias on every implementation and every run.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

/// Id → alias, for every id seen.
#[derive(Clone, Debug, Default)]
pub struct Aliases {
    map: HashMap<String, String>,
    /// Longest ids first, so that replacing inside strings never splits one.
    ordered: Vec<(String, String)>,
}

impl Aliases {
    /// Records an alias (the first one given for an id wins).
    pub fn insert(&mut self, id: &str, alias: &str) {
        if id.is_empty() || self.map.contains_key(id) {
            return;
        }
        self.map.insert(id.to_string(), alias.to_string());
        self.ordered.push((id.to_string(), alias.to_string()));
        self.ordered
            .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    }

    /// The alias of an id, if known.
    pub fn get(&self, id: &str) -> Option<&str> {
        self.map.get(id).map(String::as_str)
    }

    /// The id of an alias, if known.
    pub fn id_of(&self, alias: &str) -> Option<&str> {
        self.map
            .iter()
            .find(|(_, a)| a.as_str() == alias)
            .map(|(id, _)| id.as_str())
    }

    /// A string with every known id inside it replaced by its alias.
    pub fn text(&self, s: &str) -> String {
        let mut out = s.to_string();
        for (id, alias) in &self.ordered {
            if out.contains(id.as_str()) {
                out = out.replace(id.as_str(), alias);
            }
        }
        out
    }

    /// A JSON value with every string aliased.
    pub fn value(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.value(x)).collect()),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, x)| (self.text(k), self.value(x)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// What aliasing needs to know about one execution.
#[derive(Clone, Debug)]
pub struct ExecNode {
    /// Execution id.
    pub id: String,
    /// `agent.reasoner` (scenario agent name).
    pub target: String,
    /// Parent execution id, if any.
    pub parent: Option<String>,
    /// Input, when known (null otherwise).
    pub input: Value,
}

/// Aliases for the executions of one run: `(id, alias)` in alias order.
pub fn exec_aliases(run_alias: &str, nodes: &[ExecNode]) -> Vec<(String, String)> {
    let by_id: HashMap<&str, &ExecNode> = nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let mut memo: HashMap<String, String> = HashMap::new();
    let mut groups: BTreeMap<&str, Vec<(String, usize)>> = BTreeMap::new();
    for (i, n) in nodes.iter().enumerate() {
        let key = order_key(&n.id, &by_id, &mut memo, 0);
        groups.entry(n.target.as_str()).or_default().push((key, i));
    }
    let mut out = Vec::new();
    for (target, mut members) in groups {
        members.sort();
        let numbered = members.len() > 1;
        for (k, (_, i)) in members.iter().enumerate() {
            let alias = if numbered {
                format!("{run_alias}/{target}#{}", k + 1)
            } else {
                format!("{run_alias}/{target}")
            };
            out.push((nodes[*i].id.clone(), alias));
        }
    }
    out
}

/// depth, canonical input, then the parent's key: a total order that needs no timing.
fn order_key(
    id: &str,
    by_id: &HashMap<&str, &ExecNode>,
    memo: &mut HashMap<String, String>,
    guard: usize,
) -> String {
    if let Some(k) = memo.get(id) {
        return k.clone();
    }
    let Some(node) = by_id.get(id) else {
        return String::new();
    };
    let parent_key = match &node.parent {
        Some(p) if by_id.contains_key(p.as_str()) && guard < 64 => {
            order_key(p, by_id, memo, guard + 1)
        }
        _ => String::new(),
    };
    let depth = parent_key
        .split('\u{1}')
        .next()
        .and_then(|d| d.parse::<usize>().ok())
        .map_or(0, |d| d + 1);
    let depth = if parent_key.is_empty() { 0 } else { depth };
    let key = format!("{depth:04}\u{1}{}\u{1}{parent_key}", canonical(&node.input));
    memo.insert(id.to_string(), key.clone());
    key
}

/// JSON with object keys sorted, for ordering and comparison.
pub fn canonical(v: &Value) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<_> = m.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sorted(&m[k])))
                        .collect(),
                )
            }
            Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(v).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(id: &str, target: &str, parent: Option<&str>, input: Value) -> ExecNode {
        ExecNode {
            id: id.into(),
            target: target.into(),
            parent: parent.map(str::to_string),
            input,
        }
    }

    #[test]
    fn siblings_are_numbered_by_input_not_by_arrival() {
        let a = vec![
            node("r", "n.root", None, json!({})),
            node("x", "n.assess", Some("r"), json!({"dim": "tech"})),
            node("y", "n.assess", Some("r"), json!({"dim": "product"})),
        ];
        let mut b = a.clone();
        b.swap(1, 2);
        let expect = vec![
            ("y".to_string(), "run1/n.assess#1".to_string()),
            ("x".to_string(), "run1/n.assess#2".to_string()),
            ("r".to_string(), "run1/n.root".to_string()),
        ];
        assert_eq!(exec_aliases("run1", &a), expect);
        assert_eq!(exec_aliases("run1", &b), expect);
    }

    #[test]
    fn replaces_ids_inside_strings() {
        let mut al = Aliases::default();
        al.insert("exec_1_abc", "run1/n.plan");
        al.insert("run_1_abc", "run1");
        assert_eq!(
            al.text("replayed_from_execution:exec_1_abc"),
            "replayed_from_execution:run1/n.plan"
        );
        assert_eq!(
            al.value(&json!({"k": ["run_1_abc"]})),
            json!({"k": ["run1"]})
        );
    }
}
