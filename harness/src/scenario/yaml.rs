//! YAML to JSON, keeping positions. The schema and the model work on
//! `serde_json::Value`; this module remembers where every value (and every
//! mapping key) was written, by JSON pointer, so that an error found later on
//! the JSON side can still name a line and a column.

use std::collections::HashMap;

use marked_yaml::types::Node;
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
    let chars: Vec<char> = text.chars().collect();
    let value = convert(&node, String::new(), &mut positions, &chars);
    Ok((value, positions))
}

fn span_pos(span: &Span) -> Pos {
    span.start()
        .map(|m| (m.line(), m.column()))
        .unwrap_or((1, 1))
}

fn convert(node: &Node, pointer: String, positions: &mut Positions, src: &[char]) -> Value {
    positions
        .values
        .insert(pointer.clone(), span_pos(node.span()));
    match node {
        // marked-yaml 0.8 marks quoted scalars as coercible too; the source says whether it was quoted.
        Node::Scalar(s) if quoted_at(s.span(), src) => Value::String(s.as_str().to_string()),
        Node::Scalar(s) => scalar(s.as_str()),
        Node::Sequence(seq) => Value::Array(
            seq.iter()
                .enumerate()
                .map(|(i, n)| convert(n, format!("{pointer}/{i}"), positions, src))
                .collect(),
        ),
        Node::Mapping(map) => {
            // A mapping's span starts at its first value; its first key is where a reader looks.
            if let Some((k, _)) = map.iter().next() {
                positions.values.insert(pointer.clone(), span_pos(k.span()));
            }
            let mut out = Map::new();
            for (k, v) in map.iter() {
                let key = k.as_str().to_string();
                let child = format!("{pointer}/{}", escape(&key));
                positions.keys.insert(child.clone(), span_pos(k.span()));
                let value = convert(v, child, positions, src);
                out.insert(key, value);
            }
            Value::Object(out)
        }
    }
}

fn quoted_at(span: &Span, src: &[char]) -> bool {
    span.start()
        .and_then(|m| src.get(m.character()))
        .is_some_and(|c| matches!(c, '"' | '\''))
}

/// YAML 1.2 core-schema typing for plain scalars; quoted scalars stay strings.
fn scalar(text: &str) -> Value {
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

// marked-yaml renders positions as `L:C`: a scan error leads with one, a
// duplicate key names the first and then the second occurrence.
fn positions_in(message: &str) -> Vec<Pos> {
    let mut out = Vec::new();
    for token in message.split(|c: char| !(c.is_ascii_digit() || c == ':')) {
        let mut parts = token.trim_matches(':').splitn(2, ':');
        if let (Some(l), Some(c)) = (parts.next(), parts.next()) {
            if let (Ok(l), Ok(c)) = (l.parse(), c.parse()) {
                out.push((l, c));
            }
        }
    }
    out
}

fn error_pos(message: &str) -> Pos {
    let found = positions_in(message);
    let pick = if message.starts_with("Duplicate key") {
        found.last()
    } else {
        found.first()
    };
    pick.copied().unwrap_or((1, 1))
}

fn strip_position(message: &str) -> String {
    match message.split_once(": ") {
        Some((head, rest))
            if positions_in(head).len() == 1
                && head.chars().all(|c| c.is_ascii_digit() || c == ':') =>
        {
            rest.to_string()
        }
        _ => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_plain_scalars_and_keeps_quoted_strings() {
        let (v, _) = parse("a: 1\nb: '1'\nc: 1.5\nd: true\ne: ~\nf: x.y\ng: -0\nh: \"\"\ni:\n")
            .expect("parses");
        assert_eq!(
            v,
            serde_json::json!({"a": 1, "b": "1", "c": 1.5, "d": true, "e": null, "f": "x.y", "g": 0, "h": "", "i": null})
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
