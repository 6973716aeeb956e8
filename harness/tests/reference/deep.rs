//! No read aborts the process, however deep a run's parent chain (issue 12):
//! any client can chain async executes, each naming the previous one as its
//! parent. The full DAG nests one level per execution; every other read is
//! flat. A recursive build overflowed the stack at 1,250 levels in a debug
//! build, so these chains are 3,000 and 10,000 deep and run in debug builds.

use crate::kit::Cp;
use afc::reference::limits::MAX_BATCH_IDS;
use serde_json::{json, Value};

/// Registers a node whose agent is unreachable: every dispatch fails at once,
/// which keeps a 10,000-execution chain cheap to build.
async fn unreachable_node(cp: &Cp) {
    let body = json!({
        "id": "deep",
        // Port 9 (discard) is closed on loopback: dispatches fail fast.
        "base_url": "http://127.0.0.1:9",
        "version": "1.0.0",
        "reasoners": [{"id": "step"}],
    });
    let r = cp.post("/api/v1/nodes/register", &[], body).await;
    assert_eq!(r.status, 201, "registration: {}", r.body);
}

/// A run whose executions form one chain, each the child of the previous.
async fn chain(cp: &Cp, run: &str, depth: usize) -> Vec<String> {
    let mut ids: Vec<String> = Vec::with_capacity(depth + 1);
    for _ in 0..=depth {
        let mut h = vec![("X-Run-ID", run)];
        if let Some(parent) = ids.last() {
            h.push(("X-Parent-Execution-ID", parent.as_str()));
        }
        let r = cp
            .execute_async("deep.step", &h, json!({"input": {}}))
            .await;
        assert_eq!(r.status, 202, "async execute: {}", r.body);
        ids.push(r.str("execution_id"));
    }
    ids
}

/// The deepest nesting of a JSON text, checked without recursion (serde_json
/// refuses more than 128 levels); `None` when brackets do not balance.
fn nesting(text: &[u8]) -> Option<usize> {
    let (mut stack, mut max, mut in_str, mut esc) = (Vec::new(), 0, false, false);
    for &b in text {
        if in_str {
            match (esc, b) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' | b'[' => {
                stack.push(b);
                max = max.max(stack.len());
            }
            b'}' => (stack.pop() == Some(b'{')).then_some(())?,
            b']' => (stack.pop() == Some(b'[')).then_some(())?,
            _ => {}
        }
    }
    (stack.is_empty() && !in_str).then_some(max)
}

async fn get_raw(cp: &Cp, path: &str) -> (u16, Vec<u8>) {
    let r = cp
        .client
        .get(format!("{}{path}", cp.url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = r.status().as_u16();
    let body = r
        .bytes()
        .await
        .unwrap_or_else(|e| panic!("GET {path} body: {e}"));
    (status, body.to_vec())
}

async fn every_read_answers(cp: &Cp, run: &str, ids: &[String]) {
    let depth = ids.len() - 1;
    // Full DAG: one object and one `children` array per level, plus the
    // envelope object and the deepest node's `notes` array.
    let (status, body) = get_raw(cp, &format!("/api/ui/v1/workflows/{run}/dag")).await;
    assert_eq!(status, 200, "full DAG of a {depth}-deep chain");
    assert_eq!(nesting(&body), Some(2 * depth + 3), "full DAG nesting");
    let text = String::from_utf8(body).expect("UTF-8 JSON");
    let tail = ids.last().expect("a chain has executions");
    assert!(
        text.contains(&format!("\"execution_id\":\"{tail}\"")),
        "deepest node present"
    );
    assert!(
        text.contains(&format!("\"max_depth\":{depth}")),
        "max_depth {depth}"
    );

    let light = cp
        .get(&format!("/api/ui/v1/workflows/{run}/dag?mode=lightweight"))
        .await;
    assert_eq!(light.status, 200);
    assert_eq!(light.body["max_depth"], json!(depth));
    assert_eq!(
        light.body["timeline"].as_array().map(Vec::len),
        Some(depth + 1)
    );

    let detail = cp.get(&format!("/api/ui/v2/workflow-runs/{run}")).await;
    assert_eq!(detail.status, 200);
    let rows = detail.body["executions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rows.len(), depth + 1);
    assert_eq!(rows[depth]["workflow_depth"], json!(depth));

    let list = cp
        .get(&format!("/api/ui/v2/workflow-runs?run_id={run}"))
        .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["runs"][0]["max_depth"], json!(depth));
    assert_eq!(list.body["runs"][0]["total_executions"], json!(depth + 1));

    // As many ids as one request may ask for, the deepest ones included.
    let asked = &ids[ids.len().saturating_sub(MAX_BATCH_IDS)..];
    let batch = cp
        .post(
            "/api/v1/executions/batch-status",
            &[],
            json!({"execution_ids": asked}),
        )
        .await;
    assert_eq!(batch.status, 200, "batch-status: {}", batch.body);
    assert_eq!(batch.body.as_object().map(|m| m.len()), Some(asked.len()));

    let one = cp.get(&format!("/api/v1/executions/{tail}")).await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body["execution_id"], Value::String(tail.clone()));
}

#[tokio::test]
async fn chains_of_3000_and_10000_answer_every_read() {
    let cp = Cp::start().await;
    unreachable_node(&cp).await;
    let (short, long) = tokio::join!(chain(&cp, "deep_3k", 3_000), chain(&cp, "deep_10k", 10_000));
    every_read_answers(&cp, "deep_3k", &short).await;
    every_read_answers(&cp, "deep_10k", &long).await;
    let health = cp.get("/api/v1/health").await;
    assert_eq!(health.status, 200, "the process is still up");
}

#[test]
fn nesting_counts_levels_and_ignores_brackets_in_strings() {
    assert_eq!(nesting(br#"{"a":[{"b":"[{"}]}"#), Some(3));
    assert_eq!(nesting(br#"{"a":"\"]"}"#), Some(1));
    assert_eq!(nesting(b"[}"), None);
    assert_eq!(nesting(b"[[]"), None);
}
