//! Go-compatible JSON: what `json.Unmarshal` into `interface{}` followed by
//! `json.Marshal` produces in AgentField v0.1.96.
//!
//! The replay key (contract §3.4) is the canonical text of a stored payload, and
//! the Go control plane also stores request payloads and dispatch bodies in this
//! form, so one parser and one printer serve the key, the stored envelope and
//! the body sent to an agent. We parse by hand rather than through serde_json
//! because Go's rules differ from serde_json's where it matters: `-0` keeps its
//! sign, lone surrogate escapes and invalid UTF-8 become U+FFFD instead of an
//! error, and every number is an IEEE-754 double.

use std::collections::BTreeMap;

mod parser;
mod syntax_error;

pub use parser::parse;
pub use syntax_error::{Context, ParseError};

/// A JSON value as Go's `interface{}` holds it: numbers are doubles and objects
/// are maps, so key order and duplicate keys are already resolved.
#[derive(Clone, Debug, PartialEq)]
pub enum GoValue {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// Any number, as Go decodes it (float64).
    Number(f64),
    /// A string, with invalid UTF-8 already replaced by U+FFFD.
    String(String),
    /// An array; order is significant.
    Array(Vec<GoValue>),
    /// An object; `BTreeMap<String, _>` orders keys by bytes, as Go's encoder does.
    Object(BTreeMap<String, GoValue>),
}

/// The canonical text of `bytes`, or `None` when it is not JSON (a payload
/// that does not parse never matches anything, contract §3.4).
pub fn canonicalize(bytes: &[u8]) -> Option<String> {
    parse(bytes).ok().map(|v| to_string(&v))
}

/// Serialises like Go's `json.Marshal`: sorted keys, no whitespace, Go's
/// number format and Go's HTML-safe string escaping.
pub fn to_string(v: &GoValue) -> String {
    let mut out = String::new();
    write_value(&mut out, v);
    out
}

/// Converts to a `serde_json::Value` for response bodies, keeping Go's key order.
pub fn to_json(v: &GoValue) -> serde_json::Value {
    match v {
        GoValue::Null => serde_json::Value::Null,
        GoValue::Bool(b) => serde_json::Value::Bool(*b),
        GoValue::Number(n) => number_to_json(*n),
        GoValue::String(s) => serde_json::Value::String(s.clone()),
        GoValue::Array(a) => serde_json::Value::Array(a.iter().map(to_json).collect()),
        GoValue::Object(o) => {
            serde_json::Value::Object(o.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// Whole doubles within ±2^53 print as integers, as Go prints them.
fn number_to_json(n: f64) -> serde_json::Value {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if n.fract() == 0.0 && n.abs() <= EXACT && !(n == 0.0 && n.is_sign_negative()) {
        // The guard above makes the cast exact.
        return serde_json::Value::from(n as i64);
    }
    serde_json::Number::from_f64(n)
        .map(serde_json::Value::Number)
        .unwrap_or(serde_json::Value::Null)
}

/// Go's float64 encoding: shortest round-trip digits, plain decimal unless the
/// magnitude is below 1e-6 or at least 1e21, and `e+NN` / `e-N` exponents.
pub fn format_number(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format!("{f:e}");
        match s.split_once('e') {
            Some((mant, exp)) if !exp.starts_with('-') => format!("{mant}e+{exp}"),
            _ => s,
        }
    } else {
        format!("{f}")
    }
}

fn write_value(out: &mut String, v: &GoValue) {
    match v {
        GoValue::Null => out.push_str("null"),
        GoValue::Bool(true) => out.push_str("true"),
        GoValue::Bool(false) => out.push_str("false"),
        GoValue::Number(n) => out.push_str(&format_number(*n)),
        GoValue::String(s) => write_string(out, s),
        GoValue::Array(a) => {
            out.push('[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        GoValue::Object(o) => {
            out.push('{');
            for (i, (k, item)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' | '\u{0}'..='\u{1f}' => {
                let n = c as u32;
                out.push_str("\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(HEX[((n >> shift) & 0xf) as usize] as char);
                }
            }
            other => out.push(other),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        canonicalize(s.as_bytes()).unwrap_or_else(|| format!("<invalid: {s}>"))
    }

    #[test]
    fn keys_are_sorted_by_bytes_and_whitespace_dropped() {
        assert_eq!(
            canon(r#" { "b" : 1 , "a" : [ 1 , 2 ] , "B": null } "#),
            r#"{"B":null,"a":[1,2],"b":1}"#
        );
        assert_eq!(canon(r#"{"é":1,"z":2,"a":3}"#), r#"{"a":3,"z":2,"é":1}"#);
    }

    #[test]
    fn integer_and_float_spellings_of_one_number_are_equal() {
        for s in ["1", "1.0", "1e0", "1E0", "10e-1", "0.1e1", "1.000"] {
            assert_eq!(canon(s), "1", "{s}");
        }
    }

    #[test]
    fn numbers_use_go_float_format() {
        let cases = [
            ("1e21", "1e+21"),
            ("1e20", "100000000000000000000"),
            ("123456789012345678901", "123456789012345680000"),
            ("0.000001", "0.000001"),
            ("1e-7", "1e-7"),
            ("0.0000001", "1e-7"),
            ("1.5e-10", "1.5e-10"),
            ("-2.5e22", "-2.5e+22"),
            ("3.14", "3.14"),
            ("0.1", "0.1"),
            ("-0", "-0"),
            ("-0.0", "-0"),
            ("0", "0"),
            ("9007199254740993", "9007199254740992"),
            ("1.7976931348623157e308", "1.7976931348623157e+308"),
            ("5e-324", "5e-324"),
        ];
        for (input, want) in cases {
            assert_eq!(canon(input), want, "{input}");
        }
    }

    #[test]
    fn negative_zero_differs_from_zero() {
        assert_ne!(canon(r#"{"x":-0}"#), canon(r#"{"x":0}"#));
    }

    #[test]
    fn duplicate_keys_keep_the_last_value() {
        assert_eq!(canon(r#"{"a":1,"a":2}"#), r#"{"a":2}"#);
        assert_eq!(
            canon(r#"{"a":{"x":1},"b":0,"a":[3]}"#),
            r#"{"a":[3],"b":0}"#
        );
    }

    #[test]
    fn escapes_are_normalised() {
        assert_eq!(canon(r#""\u0041\/b""#), r#""A/b""#);
        assert_eq!(canon(r#""<a>&""#), r#""\u003ca\u003e\u0026""#);
        assert_eq!(canon(r#""\u003c""#), canon(r#""<""#));
        assert_eq!(canon(r#""\b\f\n\r\t\u0001""#), r#""\b\f\n\r\t\u0001""#);
        assert_eq!(canon("\"\u{2028}\""), r#""\u2028""#);
        assert_eq!(canon(r#""\ud83d\ude00""#), "\"\u{1F600}\"");
        assert_eq!(canon(r#""é""#), canon(r#""\u00e9""#));
    }

    #[test]
    fn lone_surrogates_and_invalid_utf8_become_replacement_characters() {
        assert_eq!(canon(r#""\ud800""#), "\"\u{FFFD}\"");
        assert_eq!(canon(r#""\ud800\u0041""#), "\"\u{FFFD}A\"");
        assert_eq!(
            canonicalize(b"\"a\xffb\""),
            Some("\"a\u{FFFD}b\"".to_owned())
        );
    }

    #[test]
    fn types_are_kept() {
        assert_ne!(canon(r#"{"a":1}"#), canon(r#"{"a":"1"}"#));
        assert_ne!(canon(r#"{"a":null}"#), canon(r#"{}"#));
        assert_ne!(canon("[1,2]"), canon("[2,1]"));
        assert_eq!(canon("[true,false,null]"), "[true,false,null]");
    }

    #[test]
    fn invalid_json_is_rejected() {
        for s in [
            "",
            "{",
            "{\"a\":}",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "+1",
            "1e",
            "tru",
            "{a:1}",
            "\"a",
            "1 2",
            "1e400",
            "-",
            "\"\t\"",
            "'a'",
            "NaN",
        ] {
            assert_eq!(canonicalize(s.as_bytes()), None, "{s:?}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let deep = "[".repeat(100_000);
        assert_eq!(parse(deep.as_bytes()), Err(ParseError::TooDeep));
        let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse(ok.as_bytes()).is_ok());
    }

    #[test]
    fn to_json_prints_whole_numbers_as_integers() {
        let v = parse(br#"{"a":1.0,"b":2.5,"c":-0,"d":1e300}"#).expect("valid");
        let j = to_json(&v);
        assert_eq!(j["a"], serde_json::json!(1));
        assert_eq!(j["b"], serde_json::json!(2.5));
        assert!(j["c"]
            .as_f64()
            .is_some_and(|f| f == 0.0 && f.is_sign_negative()));
        assert_eq!(j["d"], serde_json::json!(1e300));
    }
}
