//! Property tests (proptest) over untrusted input (issue 12): the canonical
//! JSON parser against serde_json, the scenario loader on mutated files, and
//! every route's request body. Case counts are fixed and small so that the
//! whole file stays well under 60 s of `cargo test` in a debug build; raise
//! `AFC_FUZZ_CASES` to search longer. A crash found here becomes a named
//! regression test at the end of the file.

use crate::kit::{Agent, Cp};
use afc::reference::canonical;
use proptest::prelude::*;
use proptest::test_runner::{Config as PtConfig, TestRunner};
use serde_json::{json, Value};

fn cases(default: u32) -> u32 {
    std::env::var("AFC_FUZZ_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default)
}

fn runner(default: u32) -> TestRunner {
    TestRunner::new(PtConfig {
        cases: cases(default),
        failure_persistence: None,
        ..PtConfig::default()
    })
}

/// Field names the routes read, so that random objects reach past "unknown field".
const KEYS: &[&str] = &[
    "input",
    "context",
    "status",
    "result",
    "error",
    "error_message",
    "execution_ids",
    "id",
    "base_url",
    "invocation_url",
    "reasoners",
    "skills",
    "mode",
    "name",
    "tags",
    "duration_ms",
    "completed_at",
    "execution_id",
    "workflow_id",
    "run_id",
    "parent_execution_id",
    "scope",
    "fork",
    "reuse",
    "lifecycle_status",
    "status_reason",
    "progress",
    "type",
    "x",
    "",
];

const ESCAPED: &[char] = &[
    '\t',
    '\n',
    '\r',
    '"',
    '\\',
    '/',
    '\u{8}',
    '\u{c}',
    '\u{1}',
    '<',
    '>',
    '&',
    '\u{2028}',
    'é',
    '\u{1F600}',
    'a',
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
        // Characters JSON must escape, or that Go escapes (HTML-safe, U+2028).
        prop::collection::vec(prop::sample::select(ESCAPED), 0..8)
            .prop_map(|c| Value::String(c.into_iter().collect())),
        prop::sample::select(KEYS).prop_map(|k| Value::String(k.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

/// A JSON text, then perhaps damaged (a byte replaced, dropped or inserted),
/// or an object repeating a key, which serde_json's maps cannot produce.
fn json_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => damaged_json(),
        1 => (json_value(), json_value())
            .prop_map(|(a, b)| format!(r#"{{"x":{a},"y":1,"x":{b}}}"#).into_bytes()),
    ]
}

fn damaged_json() -> impl Strategy<Value = Vec<u8>> {
    (json_value(), any::<u8>(), any::<usize>(), 0..4u8).prop_map(|(v, byte, at, how)| {
        let mut b = v.to_string().into_bytes();
        let at = if b.is_empty() { 0 } else { at % b.len() };
        match how {
            1 if !b.is_empty() => b[at] = byte,
            2 if !b.is_empty() => {
                b.remove(at);
            }
            3 => b.insert(at, byte),
            _ => {}
        }
        b
    })
}

/// Equal as JSON, numbers compared as doubles (the canonical parser reads
/// every number as Go's float64).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn canonical_parser_agrees_with_serde_json_where_both_accept() {
    let both = std::cell::Cell::new(0u32);
    runner(2_000)
        .run(&json_bytes(), |bytes| {
            let ours = canonical::parse(&bytes);
            let theirs = serde_json::from_slice::<Value>(&bytes);
            if let (Ok(o), Ok(t)) = (&ours, &theirs) {
                both.set(both.get() + 1);
                let o = canonical::to_json(o);
                prop_assert!(
                    same(&o, t),
                    "{:?}: canonical {o} vs serde_json {t}",
                    String::from_utf8_lossy(&bytes)
                );
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let both = both.get();
    assert!(
        both > 100,
        "only {both} inputs were accepted by both parsers"
    );
}

fn shipped_scenarios() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    afc::scenario::discover(&root)
        .expect("scenarios exist")
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("readable"))
        .collect()
}

#[test]
fn scenario_loader_answers_every_mutated_file() {
    let files = shipped_scenarios();
    let mutation = (
        prop::sample::select(files),
        prop::collection::vec(
            (
                any::<usize>(),
                0..4u8,
                "\\PC{0,3}|[-:{}\\[\\]&*!|>#\"' \n]{1,3}",
            ),
            1..6,
        ),
    );
    runner(150)
        .run(&mutation, |(text, edits)| {
            let mut t: Vec<char> = text.chars().collect();
            for (at, how, with) in edits {
                let at = at % (t.len() + 1);
                match how {
                    0 => t.splice(at..at, with.chars()).for_each(drop),
                    1 if at < t.len() => drop(t.remove(at)),
                    2 => {
                        // Duplicate a line: repeated keys, steps, documents.
                        let s: String = t.iter().collect();
                        let line = s[..s.char_indices().nth(at).map_or(s.len(), |(i, _)| i)]
                            .rfind('\n')
                            .map_or(0, |i| i + 1);
                        let end = s[line..].find('\n').map_or(s.len(), |i| line + i + 1);
                        let dup: Vec<char> = s[line..end].chars().collect();
                        let pos = s[..line].chars().count();
                        t.splice(pos..pos, dup).for_each(drop);
                    }
                    _ => t.truncate(at),
                }
            }
            let text: String = t.into_iter().collect();
            // Ok or a list of problems, each with a position; never a panic.
            if let Err(e) = afc::scenario::parse_str("fuzz.yaml", "fuzz", &text) {
                prop_assert!(!e.problems.is_empty());
                prop_assert!(e.problems.len() <= 101);
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

/// (method, path) of every route that reads a body; ids name real records.
fn routes(exec: &str, run: &str) -> Vec<(reqwest::Method, String)> {
    use reqwest::Method;
    vec![
        (Method::POST, "/api/v1/nodes/register".into()),
        (Method::POST, "/api/v1/nodes".into()),
        (Method::POST, "/api/v1/nodes/n1/heartbeat".into()),
        (Method::PATCH, "/api/v1/nodes/n1/status".into()),
        (Method::POST, "/api/v1/nodes/fz/shutdown".into()),
        (Method::POST, "/api/v1/execute/n1.echo".into()),
        (Method::POST, "/api/v1/execute/async/n1.echo".into()),
        (Method::POST, "/api/v1/executions/batch-status".into()),
        (Method::POST, format!("/api/v1/executions/{exec}/status")),
        (Method::POST, format!("/api/v1/executions/{exec}/logs")),
        (Method::POST, format!("/api/v1/executions/{exec}/restart")),
        (
            Method::POST,
            format!("/api/ui/v1/executions/{exec}/restart"),
        ),
        (Method::POST, "/api/v1/workflow/executions/events".into()),
        (
            Method::POST,
            format!("/api/ui/v2/workflow-runs/{run}/golden"),
        ),
    ]
}

#[test]
fn every_route_answers_any_body_with_json() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (cp, _agent, exec, run) = rt.block_on(async {
        let cp = Cp::start().await;
        let agent = Agent::start(&cp, "n1", &["echo"]).await;
        let r = cp
            .execute("n1.echo", &[("X-Run-ID", "fz_run")], json!({"input": {}}))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        (cp, agent, r.str("execution_id"), "fz_run".to_owned())
    });
    let routes = routes(&exec, &run);
    let strategy = (prop::sample::select(routes), json_bytes());
    runner(300)
        .run(&strategy, |((method, path), body)| {
            let (status, text) = rt.block_on(async {
                let r = cp
                    .client
                    .request(method.clone(), format!("{}{path}", cp.url))
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{method} {path}: no answer: {e}"));
                let status = r.status().as_u16();
                (status, r.bytes().await.expect("a body"))
            });
            let parsed = serde_json::from_slice::<Value>(&text);
            prop_assert!(
                parsed.is_ok(),
                "{method} {path} {:?}: {status} with a non-JSON body {:?}",
                String::from_utf8_lossy(&body),
                String::from_utf8_lossy(&text)
            );
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let health = rt.block_on(cp.get("/api/v1/health"));
    assert_eq!(health.status, 200);
}
