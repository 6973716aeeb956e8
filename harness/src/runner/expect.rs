//! A request step's `expect:`: what its answer must hold beyond the status,
//! for a rule no view shows (a capability-gated scenario asserts it here, so
//! the shared goldens stay the same on every contract).
//!
//! The expected object is a subset of the answer's body: every key it names
//! must be there with an equal value, recursively through objects; `null`
//! means absent (or null); the string `<present>` means any non-null value
//! (a clock field such as `at`); `<contains:A|B>` means a string holding
//! every `|`-separated fragment (an id inside a reason). Its `headers` key names response headers
//! instead (case-insensitive), with the same `null` and `<present>` forms.

use serde_json::Value;

use crate::client::Response;

/// Any value but null.
pub const PRESENT: &str = "<present>";

/// A string holding each `|`-separated fragment after this prefix, up to `>`.
pub const CONTAINS: &str = "<contains:";

/// Whether `pattern` is a `<contains:…>` form that `saw` satisfies.
fn contains_all(pattern: &str, saw: &Value) -> bool {
    let (Some(frags), Value::String(s)) = (
        pattern
            .strip_prefix(CONTAINS)
            .and_then(|p| p.strip_suffix('>')),
        saw,
    ) else {
        return false;
    };
    frags.split('|').all(|f| s.contains(f))
}

/// Each way `r` differs from `want`, as `path: expected …, saw …`.
pub fn mismatches(want: &Value, r: &Response) -> Vec<String> {
    let mut out = Vec::new();
    let Value::Object(want) = want else {
        return vec![format!("expect must be an object, is {want}")];
    };
    for (k, w) in want {
        if k == "headers" {
            let Value::Object(hs) = w else {
                out.push(format!("headers: expected an object, is {w}"));
                continue;
            };
            for (name, w) in hs {
                let saw = r.header(&name.to_ascii_lowercase()).map(Value::String);
                compare(&format!("header {name}"), w, saw.as_ref(), &mut out);
            }
        } else {
            compare(k, w, r.body.get(k), &mut out);
        }
    }
    out
}

fn compare(path: &str, want: &Value, saw: Option<&Value>, out: &mut Vec<String>) {
    let shown = |v: Option<&Value>| v.map_or("nothing".to_owned(), Value::to_string);
    match (want, saw) {
        (Value::Null, None | Some(Value::Null)) => {}
        (Value::String(p), Some(s)) if p == PRESENT && !s.is_null() => {}
        (Value::String(p), Some(s)) if contains_all(p, s) => {}
        (Value::Object(w), Some(Value::Object(s))) => {
            for (k, wv) in w {
                compare(&format!("{path}.{k}"), wv, s.get(k), out);
            }
        }
        (w, Some(s)) if w == s => {}
        (w, s) => out.push(format!("{path}: expected {w}, saw {}", shown(s))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(body: Value) -> Response {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("retry-after", "1".parse().expect("header"));
        Response {
            status: 200,
            headers,
            body,
        }
    }

    #[test]
    fn a_subset_holds_and_each_difference_is_named() {
        let r = answer(json!({"a": {"b": 1, "c": 2}, "at": "2026-01-01T00:00:00Z"}));
        let ok =
            json!({"a": {"b": 1}, "at": PRESENT, "gone": null, "headers": {"Retry-After": "1"}});
        assert!(mismatches(&ok, &r).is_empty());
        let bad = json!({"a": {"b": 2}, "gone": PRESENT, "at": null, "headers": {"X-No": PRESENT}});
        assert_eq!(
            mismatches(&bad, &r),
            vec![
                "a.b: expected 2, saw 1".to_owned(),
                "gone: expected \"<present>\", saw nothing".to_owned(),
                "at: expected null, saw \"2026-01-01T00:00:00Z\"".to_owned(),
                "header X-No: expected \"<present>\", saw nothing".to_owned(),
            ]
        );
    }

    #[test]
    fn contains_wants_every_fragment_of_a_string() {
        let r = answer(json!({"reason": "orphaned: previous instance a-1 is gone", "n": 1}));
        assert!(mismatches(&json!({"reason": "<contains:orphaned|a-1>"}), &r).is_empty());
        assert_eq!(
            mismatches(&json!({"reason": "<contains:orphaned|a-2>"}), &r).len(),
            1
        );
        assert_eq!(mismatches(&json!({"n": "<contains:1>"}), &r).len(), 1);
    }
}
