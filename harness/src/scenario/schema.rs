//! Stage 2 of loading: the file against `fixtures/scenario.schema.json`, every
//! error collected and worded for whoever fixes the file.
//!
//! The schema is the one description of the format's shapes and vocabularies
//! (step kinds, op kinds, modes, views, reuse and scope values, …). jsonschema's
//! own messages are exact but written for schema authors, so the common
//! mistakes get ours: a value outside its vocabulary names the field, lists
//! what it may be and suggests the closest one; an unknown field or step kind
//! suggests the field the schema allows at that place.

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationError, ValidationErrorKind as K};
use jsonschema::JsonType;
use serde_json::Value;

use super::load::Problems;
use super::suggest::did_you_mean;
use super::yaml;

/// The schema every scenario file must satisfy.
const SCHEMA: &str = include_str!("../../../fixtures/scenario.schema.json");

/// The verbs a step is made of, in the order the messages list them.
pub(crate) const STEP_KINDS: [&str; 14] = [
    "run",
    "restart",
    "fork",
    "await",
    "golden",
    "request",
    "down",
    "up",
    "reregister",
    "follow",
    "set_llm",
    "release",
    "await_dispatch",
    "restart_control_plane",
];

/// The kinds of reasoner op.
pub(crate) const OP_KINDS: [&str; 7] =
    ["call", "parallel", "llm", "fail", "sleep", "wait", "return"];

fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::from_str(SCHEMA).expect("the bundled schema is JSON"))
}

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| jsonschema::validator_for(document()).expect("the bundled schema compiles"))
}

/// Every schema error of `value`, as problems at their places.
pub(crate) fn check(value: &Value, problems: &mut Problems<'_>) {
    for error in validator().iter_errors(value) {
        let pointer = error.instance_path().as_str().to_string();
        match error.kind() {
            K::AdditionalProperties { unexpected } => {
                let allowed = allowed_fields(error.schema_path().as_str());
                // With two kinds in one step or op, each kind's branch refuses the
                // other's verb: the "exactly one of" problem already says so.
                let doubled = kinds_at(&pointer)
                    .filter(|kinds| kinds_given(error.instance(), kinds).len() > 1);
                for key in unexpected {
                    if doubled.is_some_and(|kinds| kinds.contains(&key.as_str())) {
                        continue;
                    }
                    let child = format!("{pointer}/{}", yaml::escape(key));
                    problems.at_key(
                        &child,
                        format!(
                            "unknown field '{key}'{}{}",
                            did_you_mean(key, allowed.iter().copied()),
                            where_(&pointer)
                        ),
                    );
                }
            }
            K::OneOfNotValid { .. } | K::OneOfMultipleValid { .. } => {
                let (pointer, message) = one_of_message(&pointer, error.instance());
                problems.at_key(&pointer, message);
            }
            K::Enum { options } => {
                let known: Vec<String> = options
                    .as_array()
                    .map_or(&[][..], Vec::as_slice)
                    .iter()
                    .map(shown)
                    .collect();
                problems.at(&pointer, unknown_value(&pointer, error.instance(), &known));
            }
            // Only a word can be misspelt; `fail: 0` keeps jsonschema's wording.
            K::AnyOf { context } if error.instance().is_string() => match alternatives(context) {
                Some(known) => {
                    problems.at(&pointer, unknown_value(&pointer, error.instance(), &known))
                }
                None => problems.at(&pointer, format!("{error}{}", where_(&pointer))),
            },
            // `poll` without `expect`: name the field that needs it.
            K::Required { property }
                if error.schema_path().as_str().ends_with("/dependentRequired") =>
            {
                let needs = needed_by(error.schema_path().as_str(), property);
                let message = format!(
                    "'{needs}' needs '{}' beside it{}",
                    shown(property),
                    where_(&pointer)
                );
                problems.at(&pointer, message);
            }
            // `if`/`then` branches report their own errors; the wrapper adds nothing.
            K::FalseSchema => problems.at(&pointer, format!("not allowed{}", where_(&pointer))),
            _ => problems.at(&pointer, format!("{error}{}", where_(&pointer))),
        }
    }
}

fn where_(pointer: &str) -> String {
    if pointer.is_empty() {
        String::new()
    } else {
        format!(" (at {pointer})")
    }
}

/// A value as the file would spell it: strings bare, anything else as JSON.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) if s.is_empty() => "\"\"".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The field a pointer names: its last segment that is not a list index.
fn field(pointer: &str) -> &str {
    pointer
        .rsplit('/')
        .find(|s| !s.is_empty() && !s.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or("value")
}

/// `unknown reuse 'succeded-before'; did you mean 'succeeded-before'? known: …`
fn unknown_value(pointer: &str, bad: &Value, known: &[String]) -> String {
    let hint = match bad {
        Value::String(s) => did_you_mean(s, known.iter().map(String::as_str)),
        _ => String::new(),
    };
    let bad = match bad {
        Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    };
    let noun = match field(pointer) {
        "expect" => "terminal status",
        "snapshot" => "view",
        "bugs" => "SDK bug",
        other => other,
    };
    let sep = if hint.is_empty() { ";" } else { "" };
    format!(
        "unknown {noun} {bad}{hint}{sep} known: {}{}",
        known.join(", "),
        where_(pointer)
    )
}

/// What an `anyOf` of spellings accepts, when some branch is a vocabulary
/// (`wait: true | false | dispatched`, `fail: always | once | … | N`).
fn alternatives(context: &[Vec<ValidationError<'static>>]) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut others = Vec::new();
    for branch in context {
        for e in branch {
            match e.kind() {
                K::Enum { options } => {
                    words.extend(options.as_array().into_iter().flatten().map(shown));
                }
                K::Constant { expected_value } => words.push(shown(expected_value)),
                K::Type {
                    kind: TypeKind::Single(JsonType::Boolean),
                } => others.extend(["true".to_string(), "false".to_string()]),
                K::Type {
                    kind: TypeKind::Single(JsonType::Integer),
                } => others.push("a number".to_string()),
                _ => {}
            }
        }
    }
    if words.is_empty() {
        return None;
    }
    words.extend(others);
    Some(words)
}

/// The field whose `dependentRequired` entry (at `schema_path`) lists `property`.
fn needed_by(schema_path: &str, property: &Value) -> String {
    document()
        .pointer(schema_path)
        .and_then(Value::as_object)
        .and_then(|deps| {
            deps.iter()
                .find(|(_, needed)| needed.as_array().is_some_and(|n| n.contains(property)))
        })
        .map_or_else(|| "a field".to_string(), |(k, _)| k.clone())
}

/// The fields the schema object holding `additionalProperties` allows.
fn allowed_fields(schema_path: &str) -> Vec<&'static str> {
    let parent = schema_path
        .strip_suffix("/additionalProperties")
        .unwrap_or(schema_path);
    document()
        .pointer(parent)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// A step or op that is not exactly one kind: which kind was meant, or which
/// two were given. Returns where to point and what to say.
fn one_of_message(pointer: &str, instance: &Value) -> (String, String) {
    let (noun, what, kinds): (&str, &str, &[&str]) = if pointer.starts_with("/steps/") {
        ("step", "a step", &STEP_KINDS)
    } else {
        ("op", "an op", &OP_KINDS)
    };
    let needs = format!("{what} needs exactly one of: {}", kinds.join(", "));
    let keys: Vec<&str> = instance
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let given = kinds_given(instance, kinds);
    if given.len() > 1 {
        return (
            pointer.to_string(),
            format!("{needs}; this one has {}", given.join(" and ")),
        );
    }
    if given.is_empty() {
        // The key that is no field of any kind is the misspelt kind.
        let fields = every_field();
        if let Some(bad) = keys.iter().find(|k| !fields.contains(**k)) {
            return (format!("{pointer}/{}", yaml::escape(bad)), {
                let hint = did_you_mean(bad, kinds.iter().copied());
                let sep = if hint.is_empty() { ";" } else { "" };
                format!("unknown {noun} kind '{bad}'{hint}{sep} {needs}")
            });
        }
    }
    (pointer.to_string(), needs)
}

/// The kinds an object at `pointer` must have one of: a step's, or a reasoner op's.
fn kinds_at(pointer: &str) -> Option<&'static [&'static str]> {
    let segments: Vec<&str> = pointer.split('/').collect();
    match segments.as_slice() {
        ["", "steps", _] => Some(&STEP_KINDS),
        ["", "agents", _, "reasoners", _, _] => Some(&OP_KINDS),
        _ => None,
    }
}

/// The kinds `instance` has, in the file's order.
fn kinds_given<'v>(instance: &'v Value, kinds: &[&str]) -> Vec<&'v str> {
    instance
        .as_object()
        .map(|o| {
            o.keys()
                .map(String::as_str)
                .filter(|k| kinds.contains(k))
                .collect()
        })
        .unwrap_or_default()
}

/// Every field name any object of the schema allows.
fn every_field() -> &'static std::collections::BTreeSet<String> {
    static FIELDS: OnceLock<std::collections::BTreeSet<String>> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let mut out = std::collections::BTreeSet::new();
        let mut stack = vec![document()];
        while let Some(v) = stack.pop() {
            match v {
                Value::Object(o) => {
                    if let Some(Value::Object(props)) = o.get("properties") {
                        out.extend(props.keys().cloned());
                    }
                    stack.extend(o.values());
                }
                Value::Array(a) => stack.extend(a),
                _ => {}
            }
        }
        out
    })
}
