//! Templates: JSON in which a string `$name` or `$name.path.to.field` is
//! replaced by that binding (or the part of it the path names). A reference
//! to nothing renders as `null`; the loader has already rejected unknown names.

use std::collections::BTreeMap;

use serde_json::Value;

/// Renders a template against the bindings.
pub fn render(t: &Value, bindings: &BTreeMap<String, Value>) -> Value {
    match t {
        Value::String(s) if s.starts_with('$') => lookup(&s[1..], bindings),
        Value::Array(items) => Value::Array(items.iter().map(|i| render(i, bindings)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), render(v, bindings)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn lookup(path: &str, bindings: &BTreeMap<String, Value>) -> Value {
    let mut parts = path.split('.');
    let Some(mut v) = parts.next().and_then(|name| bindings.get(name)) else {
        return Value::Null;
    };
    for part in parts {
        let next = match v {
            Value::Object(m) => m.get(part),
            Value::Array(a) => part.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        match next {
            Some(n) => v = n,
            None => return Value::Null,
        }
    }
    v.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_whole_bindings_and_paths() {
        let b: BTreeMap<String, Value> = [
            ("input".to_string(), json!({"q": "why", "n": [1, 2]})),
            ("plan".to_string(), json!({"steps": ["a"]})),
        ]
        .into();
        let t = json!({"q": "$input.q", "second": "$input.n.1", "plan": "$plan", "lit": "x", "gone": "$input.zz"});
        assert_eq!(
            render(&t, &b),
            json!({"q": "why", "second": 2, "plan": {"steps": ["a"]}, "lit": "x", "gone": null})
        );
    }
}
