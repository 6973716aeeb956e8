//! YAML to JSON, keeping positions. The schema and the model work on
//! `serde_json::Value`; this module remembers where every value (and every
//! mapping key) was written, by JSON pointer, so that an error found later on
//! the JSON side can still name a line and a column.

use std::collections::HashMap;

use marked_yaml::types::{MarkedScalarNode, Node};
use marked_yaml::{LoaderOptions, Span};
use serde_json::{Map, Number, Value};

/// 1-based line and column.
pub type Pos = (usize, usize);

/// Where each JSON pointer's value, and each mapping key, starts.
#[derive(Debug, Default)]
pub struct Positions {
    values: HashMap<String, Pos>,
    keys: HashMap<String, Pos>,
}

impl Positions {
    /// The position of the value at `pointer`, or of its nearest ancestor.
    pub fn of(&self, pointer: &str) -> Pos {
        let mut p = pointer;
        loop {
            if let Some(pos) = self.values.get(p) {
                return *pos;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return (1, 1),
            }
        }
    }

    /// The position of the key that names `pointer`, else of its value.
    pub fn of_key(&self, pointer: &str) -> Pos {
        self.keys
            .get(pointer)
            .copied()
            .unwrap_or_else(|| self.of(pointer))
    }
}

/// A YAML syntax error with its position.
#[derive(Debug)]
pub struct SyntaxError {
    /// Where.
    pub pos: Pos,
    /// What.
    pub message: String,
}

/// Parses YAML text into JSON, recording positions. Duplicate keys are errors.
pub fn parse(text: &str) -> Result<(Value, Positions), SyntaxError> {
    let options = LoaderOptions::default().error_on_duplicate_keys(true);
    let node = marked_yaml::parse_yaml_with_options(0, text, options).map_err(|e| {
        let message = e.to_string();
        SyntaxError {
            pos: error_pos(&message),
            message: strip_position(&message),
        }
    })?;
    let mut positions = Positions::default();
    let value = convert(&node, String::new(), &mut positions);
    Ok((value, positions))
}

fn span_pos(span: &Span) -> Pos {
    span.start()
        .map(|m| (m.line(), m.column()))
        .unwrap_or((1, 1))
}

fn convert(node: &Node, pointer: String, positions: &mut Positions) -> Value {
    positions
        .values
        .insert(pointer.clone(), span_pos(node.span()));
    match node {
        Node::Scalar(s) => scalar(s),
        Node::Sequence(seq) => Value::Array(
            seq.iter()
                .enumerate()
                .map(|(i, n)| convert(n, format!("{pointer}/{i}"), positions))
                .collect(),
        ),
        Node::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map.iter() {
                let key = k.as_str().to_string();
                let child = format!("{pointer}/{}", escape(&key));
                positions.keys.insert(child.clone(), span_pos(k.span()));
                let value = convert(v, child, positions);
                out.insert(key, value);
            }
            Value::Object(out)
        }
    }
}

/// YAML 1.2 core-schema typing for plain scalars; quoted scalars stay strings.
fn scalar(s: &MarkedScalarNode) -> Value {
    let text = s.as_str();
    if !s.may_coerce() {
        return Value::String(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if looks_numeric(text) {
        if let Ok(i) = text.parse::<i64>() {
            return Value::Number(i.into());
        }
        if let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(n);
        }
    }
    Value::String(text.to_string())
}

fn looks_numeric(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    body.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
}

/// JSON pointer escaping of one segment.
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

// marked-yaml renders errors as "... at line L column C" (1-based).
fn error_pos(message: &str) -> Pos {
    let nums: Vec<usize> = message
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|t| t.parse().ok())
        .collect();
    match message.rfind("line") {
        Some(_) if nums.len() >= 2 => (nums[nums.len() - 2], nums[nums.len() - 1]),
        _ => (1, 1),
    }
}

fn strip_position(message: &str) -> String {
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_plain_scalars_and_keeps_quoted_strings() {
        let (v, _) = parse("a: 1\nb: '1'\nc: 1.5\nd: true\ne: ~\nf: x.y\ng: -0\n").expect("parses");
        assert_eq!(
            v,
            serde_json::json!({"a": 1, "b": "1", "c": 1.5, "d": true, "e": null, "f": "x.y", "g": 0})
        );
    }

    #[test]
    fn remembers_positions_of_values_and_keys() {
        let (_, p) = parse("steps:\n  - run: a.b\n    inptu: {}\n").expect("parses");
        assert_eq!(p.of("/steps/0"), (2, 5));
        assert_eq!(p.of_key("/steps/0/inptu"), (3, 5));
        assert_eq!(p.of("/steps/0/nothing/here"), (2, 5));
    }

    #[test]
    fn duplicate_keys_are_errors_with_a_position() {
        let e = parse("a: 1\na: 2\n").expect_err("duplicate");
        assert!(e.message.contains("uplicate"), "{}", e.message);
        assert_eq!(e.pos.0, 2);
    }
}
