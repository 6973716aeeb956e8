//! The full DAG's nested `dag` tree, written straight to JSON text without
//! recursion. A run's parent chain is as deep as its clients make it (any
//! client can chain async executes), so neither building the tree nor
//! serialising or dropping it may use the call stack per level: a nested
//! `serde_json::Value` does all three recursively and aborted the process at
//! a depth of 1,250 in a debug build. Here every level costs one heap frame.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::model::Execution;

/// Children per parent execution id, in start order.
pub type Kids<'a> = HashMap<&'a str, Vec<&'a Execution>>;

/// One open node: its flat fields, how far they are written, and its children.
struct Frame<'a> {
    entries: Vec<(String, Value)>,
    next_entry: usize,
    kids: Vec<&'a Execution>,
    next_kid: usize,
    in_children: bool,
}

/// Writes the subtree under `root` as one JSON object. `fields` gives a
/// node's flat fields; its `children` entry is replaced by the node's
/// children when it has any (and kept, `null` in v0.1.96, when it has none).
/// A node reached twice (impossible with server-made ids, but cheap to rule
/// out) is written once, so a cycle cannot make the walk endless.
pub fn write_tree<'a>(
    out: &mut Vec<u8>,
    root: &'a Execution,
    kids: &Kids<'a>,
    fields: &dyn Fn(&Execution) -> Map<String, Value>,
) -> serde_json::Result<()> {
    let mut seen: HashSet<&str> = HashSet::new();
    let open = |e: &'a Execution, seen: &mut HashSet<&'a str>| {
        seen.insert(e.execution_id.as_str());
        let kids: Vec<&Execution> = kids
            .get(e.execution_id.as_str())
            .map(|c| {
                c.iter()
                    .copied()
                    .filter(|k| !seen.contains(k.execution_id.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        Frame {
            entries: fields(e).into_iter().collect(),
            next_entry: 0,
            kids,
            next_kid: 0,
            in_children: false,
        }
    };
    out.push(b'{');
    let mut stack = vec![open(root, &mut seen)];
    while let Some(top) = stack.last_mut() {
        if top.in_children {
            match top.kids.get(top.next_kid).copied() {
                Some(child) => {
                    if top.next_kid > 0 {
                        out.push(b',');
                    }
                    top.next_kid += 1;
                    if seen.contains(child.execution_id.as_str()) {
                        out.extend_from_slice(b"null");
                        continue;
                    }
                    let frame = open(child, &mut seen);
                    out.push(b'{');
                    stack.push(frame);
                }
                None => {
                    out.push(b']');
                    top.in_children = false;
                }
            }
            continue;
        }
        let Some((key, value)) = top.entries.get(top.next_entry) else {
            out.push(b'}');
            stack.pop();
            continue;
        };
        if top.next_entry > 0 {
            out.push(b',');
        }
        top.next_entry += 1;
        serde_json::to_writer(&mut *out, key)?;
        out.push(b':');
        if key == "children" && !top.kids.is_empty() {
            out.push(b'[');
            top.in_children = true;
        } else {
            serde_json::to_writer(&mut *out, value)?;
        }
    }
    Ok(())
}

/// Writes `object` as JSON, putting the text `write_at` produces as the value
/// of `key` (whose own value in `object` is a placeholder).
pub fn write_object_with(
    object: &Map<String, Value>,
    key: &str,
    write_at: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>,
) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(4096);
    let mut write_at = Some(write_at);
    out.push(b'{');
    for (i, (k, v)) in object.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, k)?;
        out.push(b':');
        match (k == key, write_at.take()) {
            (true, Some(f)) => f(&mut out)?,
            (_, rest) => {
                write_at = rest;
                serde_json::to_writer(&mut out, v)?;
            }
        }
    }
    out.push(b'}');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn exec(id: &str, parent: Option<&str>) -> Execution {
        Execution {
            parent_execution_id: parent.map(str::to_owned),
            ..Execution::running(
                id.to_owned(),
                "run".to_owned(),
                "n".to_owned(),
                "r".to_owned(),
                "{}".to_owned(),
            )
        }
    }

    fn fields(e: &Execution) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("id".into(), json!(e.execution_id));
        m.insert("children".into(), Value::Null);
        m.insert("after".into(), json!(1));
        m
    }

    fn render(execs: &[Execution]) -> String {
        let mut kids: Kids<'_> = HashMap::new();
        for e in execs {
            if let Some(p) = &e.parent_execution_id {
                kids.entry(p.as_str()).or_default().push(e);
            }
        }
        let mut out = Vec::new();
        write_tree(&mut out, &execs[0], &kids, &fields).expect("writes to a Vec");
        String::from_utf8(out).expect("JSON is UTF-8")
    }

    #[test]
    fn children_replace_the_placeholder_in_field_order_and_leaves_keep_null() {
        let execs = [
            exec("a", None),
            exec("b", Some("a")),
            exec("c", Some("a")),
            exec("d", Some("b")),
        ];
        let text = render(&execs);
        let v: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(
            v,
            json!({"id":"a","children":[
                {"id":"b","children":[{"id":"d","children":null,"after":1}],"after":1},
                {"id":"c","children":null,"after":1}],"after":1})
        );
        assert!(
            text.starts_with(r#"{"id":"a","children":[{"id":"b""#),
            "{text}"
        );
    }

    #[test]
    fn a_chain_deeper_than_any_stack_is_written() {
        let mut execs = vec![exec("e0", None)];
        for i in 1..=100_000 {
            execs.push(exec(&format!("e{i}"), Some(&format!("e{}", i - 1))));
        }
        let text = render(&execs);
        assert_eq!(text.matches("{\"id\"").count(), 100_001);
        assert_eq!(text.bytes().filter(|b| *b == b'[').count(), 100_000);
        let tail = format!("null,\"after\":1}}{}", "],\"after\":1}".repeat(100_000));
        assert!(text.ends_with(&tail), "every level closes in order");
    }

    #[test]
    fn a_cycle_is_written_once() {
        let execs = [exec("a", None), exec("b", Some("a")), exec("a", Some("b"))];
        let text = render(&execs);
        let v: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(v["children"][0]["id"], "b");
        assert_eq!(v["children"][0]["children"], Value::Null);
    }

    #[test]
    fn object_with_puts_the_text_at_its_key() {
        let mut m = Map::new();
        m.insert("x".into(), json!(1));
        m.insert("dag".into(), Value::Null);
        m.insert("y".into(), json!([2]));
        let out = write_object_with(&m, "dag", |o| {
            o.extend_from_slice(b"{\"deep\":true}");
            Ok(())
        })
        .expect("writes to a Vec");
        assert_eq!(out, br#"{"x":1,"dag":{"deep":true},"y":[2]}"#);
    }
}
