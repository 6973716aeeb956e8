//! A JSON document as the perturbation edits it: objects as ordered key
//! lists (so order can be shuffled and duplicate keys survive), every scalar
//! kept as its raw text (so `1.0` stays `1.0` and a result keeps its spelling).
//!
//! serde_json's `RawValue` does the parsing; a hand-written tree would repeat
//! its validation. Each level is parsed once as raw text and again as its
//! children, so the cost is the size times the depth, which serde_json bounds
//! at 128 levels, and the caller bounds the size.

use std::fmt::Write as _;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// One JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// An object, its keys in document order, duplicates kept.
    Object(Vec<(String, Node)>),
    /// An array.
    Array(Vec<Node>),
    /// A string, number, bool or null, exactly as written.
    Leaf(String),
}

impl Node {
    /// Parses a JSON text; `None` when it is not JSON.
    pub fn parse(text: &str) -> Option<Node> {
        let raw: &RawValue = serde_json::from_str(text).ok()?;
        Self::from_raw(raw)
    }

    fn from_raw(raw: &RawValue) -> Option<Node> {
        let text = raw.get().trim();
        match text.as_bytes().first()? {
            b'{' => {
                let pairs: Pairs<'_> = serde_json::from_str(text).ok()?;
                let kids = pairs
                    .0
                    .into_iter()
                    .map(|(k, v)| Some((k, Self::from_raw(v)?)))
                    .collect::<Option<Vec<_>>>()?;
                Some(Node::Object(kids))
            }
            b'[' => {
                let items: Vec<&RawValue> = serde_json::from_str(text).ok()?;
                let kids = items
                    .into_iter()
                    .map(Self::from_raw)
                    .collect::<Option<Vec<_>>>()?;
                Some(Node::Array(kids))
            }
            _ => Some(Node::Leaf(text.to_owned())),
        }
    }

    /// A leaf holding `value` serialised.
    pub fn leaf(value: &serde_json::Value) -> Node {
        Node::parse(&value.to_string()).unwrap_or_else(|| Node::Leaf("null".to_owned()))
    }

    /// A string leaf.
    pub fn string(s: &str) -> Node {
        Node::Leaf(serde_json::Value::from(s).to_string())
    }

    /// The string this leaf holds, if it is a string.
    pub fn as_str(&self) -> Option<String> {
        match self {
            Node::Leaf(raw) if raw.starts_with('"') => serde_json::from_str(raw).ok(),
            _ => None,
        }
    }

    /// The last value of `key` (the one a JSON reader keeps), in an object.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(kids) => kids.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// As [`Node::get`], mutable.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match self {
            Node::Object(kids) => kids
                .iter_mut()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string value of `key`, in an object.
    pub fn str_of(&self, key: &str) -> Option<String> {
        self.get(key).and_then(Node::as_str)
    }

    /// Sets `key` (replacing its last value, else appending), in an object.
    pub fn set(&mut self, key: &str, value: Node) {
        if let Some(v) = self.get_mut(key) {
            *v = value;
        } else if let Node::Object(kids) = self {
            kids.push((key.to_owned(), value));
        }
    }

    /// Whether this is an object with a key twice (its order then matters:
    /// the last one wins, so it is never shuffled).
    pub fn has_duplicate_keys(&self) -> bool {
        match self {
            Node::Object(kids) => {
                let mut keys: Vec<&str> = kids.iter().map(|(k, _)| k.as_str()).collect();
                keys.sort_unstable();
                keys.windows(2).any(|w| w[0] == w[1])
            }
            _ => false,
        }
    }

    /// The text, with a space after every `:` and `,` (insignificant
    /// whitespace, which no JSON reader may depend on).
    pub fn write(&self, out: &mut String) {
        match self {
            Node::Leaf(raw) => out.push_str(raw),
            Node::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Node::Object(kids) => {
                out.push('{');
                for (i, (k, v)) in kids.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = write!(out, "{}: ", serde_json::Value::from(k.as_str()));
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// An object's members in order, duplicates kept, values raw.
struct Pairs<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Pairs<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Pairs<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Pairs<'a>, M::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, &'de RawValue>()? {
                    out.push((k, v));
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelling_duplicates_and_escapes_survive_a_round_trip() {
        let text = r#"{"a":1.0,"b":[1e0,-0,"x\u0041"],"a":{"c":null},"d":12345678901234567890123}"#;
        let node = Node::parse(text).expect("JSON");
        assert!(node.has_duplicate_keys());
        let mut out = String::new();
        node.write(&mut out);
        assert_eq!(
            out,
            r#"{"a": 1.0, "b": [1e0, -0, "x\u0041"], "a": {"c": null}, "d": 12345678901234567890123}"#
        );
        assert_eq!(
            node.get("a"),
            Some(&Node::Object(vec![("c".into(), Node::Leaf("null".into()))]))
        );
        assert_eq!(
            Node::parse("{\"k\": \"v\"}").and_then(|n| n.str_of("k")),
            Some("v".into())
        );
        assert_eq!(Node::parse("{nope"), None);
    }
}
