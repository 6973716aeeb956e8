//! Stored execution payloads: the `{"input":…,"context"?:…}` envelope the Go
//! control plane writes, and its decoder (`DecodeStoredExecutionPayload`).

use std::collections::BTreeMap;

use super::canonical::{self, GoValue};

/// A JSON object as Go's `map[string]interface{}`.
pub type GoMap = BTreeMap<String, GoValue>;

/// The canonical envelope text: `input` always, `context` only with ≥1 key
/// (contract §3.4), which is also the replay key.
pub fn envelope(input: &GoMap, context: Option<&GoMap>) -> String {
    let mut env = GoMap::new();
    env.insert("input".to_owned(), GoValue::Object(input.clone()));
    if let Some(ctx) = context.filter(|c| !c.is_empty()) {
        env.insert("context".to_owned(), GoValue::Object(ctx.clone()));
    }
    canonical::to_string(&GoValue::Object(env))
}

/// Splits a stored payload into input and context (contract §2.3): the
/// envelope is used when its `input` or `context` is an object; any other
/// object is taken whole as the input (a legacy payload).
pub fn decode_stored(payload: &str) -> (GoMap, Option<GoMap>) {
    let Ok(GoValue::Object(obj)) = canonical::parse(payload.as_bytes()) else {
        return (GoMap::new(), None);
    };
    let as_map = |v: Option<&GoValue>| match v {
        Some(GoValue::Object(m)) => Some(m.clone()),
        _ => None,
    };
    let input = as_map(obj.get("input"));
    let context = as_map(obj.get("context"));
    if input.is_none() && context.is_none() {
        return (obj, None);
    }
    (input.unwrap_or_default(), context)
}

/// The canonical text of the input object alone: the body a long-running agent receives.
pub fn input_body(payload: &str) -> String {
    canonical::to_string(&GoValue::Object(decode_stored(payload).0))
}

/// Go's name for a JSON value's type, as `json: cannot unmarshal <type> …` prints it.
pub fn go_type_name(v: &GoValue) -> &'static str {
    match v {
        GoValue::Null => "null",
        GoValue::Bool(_) => "bool",
        GoValue::Number(_) => "number",
        GoValue::String(_) => "string",
        GoValue::Array(_) => "array",
        GoValue::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(s: &str) -> GoMap {
        match canonical::parse(s.as_bytes()) {
            Ok(GoValue::Object(m)) => m,
            other => panic!("test literal is not an object: {other:?}"),
        }
    }

    #[test]
    fn envelope_drops_empty_context_and_sorts_keys() {
        assert_eq!(
            envelope(&obj(r#"{"b":1,"a":2}"#), Some(&GoMap::new())),
            r#"{"input":{"a":2,"b":1}}"#
        );
        assert_eq!(
            envelope(&GoMap::new(), Some(&obj(r#"{"m":"x"}"#))),
            r#"{"context":{"m":"x"},"input":{}}"#
        );
    }

    #[test]
    fn envelope_text_is_already_canonical() {
        let env = envelope(
            &obj(r#"{"z":1e21,"a":"<&>","m":[1.0,-0]}"#),
            Some(&obj(r#"{"k":0.1}"#)),
        );
        assert_eq!(canonical::canonicalize(env.as_bytes()), Some(env));
    }

    #[test]
    fn decoder_accepts_envelopes_and_legacy_objects() {
        assert_eq!(
            decode_stored(r#"{"input":{"a":1}}"#),
            (obj(r#"{"a":1}"#), None)
        );
        assert_eq!(
            decode_stored(r#"{"input":{"a":1},"context":{"c":2}}"#),
            (obj(r#"{"a":1}"#), Some(obj(r#"{"c":2}"#)))
        );
        assert_eq!(decode_stored(r#"{"x":3}"#), (obj(r#"{"x":3}"#), None));
        assert_eq!(
            decode_stored(r#"{"input":"text"}"#),
            (obj(r#"{"input":"text"}"#), None)
        );
        assert_eq!(decode_stored("[1]"), (GoMap::new(), None));
    }
}
