//! Replay at the execute boundary (contract §3): hits, boundary, match key,
//! earliest-wins, multiplicity and what a miss forwards.

use crate::kit::{Agent, Cp, Program, Reply};
use rstest::rstest;
use serde_json::{json, Value};

const SRC: &str = "run_src";

/// A source run seeded through real executes: a root, then children in order.
struct Source {
    cp: Cp,
    agent: Agent,
    root: String,
}

impl Source {
    async fn new() -> Self {
        let cp = Cp::start().await;
        let agent = Agent::start(&cp, "n1", &["root", "child", "other"]).await;
        let r = cp
            .execute(
                "n1.root",
                &[("X-Run-ID", SRC)],
                json!({"input": {"q": "why"}}),
            )
            .await;
        assert_eq!(r.status, 200, "seed root: {}", r.body);
        let root = r.str("execution_id");
        Self { cp, agent, root }
    }

    /// Runs a child in the source run and returns its execution id.
    async fn child(&self, target: &str, body: Value) -> String {
        let headers = [
            ("X-Run-ID", SRC),
            ("X-Parent-Execution-ID", self.root.as_str()),
        ];
        let r = self.cp.execute(target, &headers, body).await;
        assert_eq!(r.status, 200, "seed child: {}", r.body);
        r.str("execution_id")
    }

    /// A child call in a new run carrying the replay headers.
    async fn replay(
        &self,
        target: &str,
        mode: Option<&str>,
        before: Option<&str>,
        body: Value,
    ) -> Reply {
        let mut headers = vec![
            ("X-Run-ID", "run_new"),
            ("X-Parent-Execution-ID", "exec_new_parent"),
            ("X-AgentField-Replay-Source-Run-ID", SRC),
        ];
        if let Some(m) = mode {
            headers.push(("X-AgentField-Replay-Mode", m));
        }
        if let Some(b) = before {
            headers.push(("X-AgentField-Replay-Before-Execution-ID", b));
        }
        self.cp.execute(target, &headers, body).await
    }

    fn calls(&self, name: &str) -> usize {
        self.agent.hops_to(name).len()
    }
}

#[tokio::test]
async fn sync_hit_copies_source_result_without_calling_the_agent() {
    let s = Source::new().await;
    let src = s.child("n1.child", json!({"input": {"x": 1}})).await;
    let calls = s.calls("child");
    let r = s
        .replay("n1.child", None, None, json!({"input": {"x": 1}}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.header("x-agentfield-replay-hit").as_deref(),
        Some(src.as_str())
    );
    assert_eq!(r.body["status"], "succeeded");
    assert_eq!(r.body["result"], json!({"echo": {"x": 1}}));
    assert_eq!(r.body["duration_ms"], 0);
    assert_eq!(r.str("run_id"), "run_new");
    assert_eq!(s.calls("child"), calls, "a hit never calls the agent");
    let view =
        s.cp.get(&format!("/api/v1/executions/{}", r.str("execution_id")))
            .await
            .body;
    assert_eq!(view["status"], "succeeded");
    assert_eq!(
        view["status_reason"],
        format!("replayed_from_execution:{src}")
    );
    assert_eq!(view["duration_ms"], 0);
    assert_eq!(view["result"], json!({"echo": {"x": 1}}));
}

#[tokio::test]
async fn async_hit_answers_202_succeeded_with_hit_header() {
    let s = Source::new().await;
    let src = s.child("n1.child", json!({"input": {"x": 1}})).await;
    let headers = [
        ("X-Run-ID", "run_new"),
        ("X-Parent-Execution-ID", "exec_p"),
        ("X-AgentField-Replay-Source-Run-ID", SRC),
        ("X-AgentField-Replay-Mode", "all-succeeded"),
    ];
    let r =
        s.cp.execute_async("n1.child", &headers, json!({"input": {"x": 1}}))
            .await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.body["status"], "succeeded");
    assert_eq!(r.body["target"], "n1.child");
    assert_eq!(
        r.header("x-agentfield-replay-hit").as_deref(),
        Some(src.as_str())
    );
    assert_eq!(s.calls("child"), 1);
}

#[tokio::test]
async fn succeeded_before_excludes_candidates_started_at_or_after_the_boundary() {
    let s = Source::new().await;
    let early = s.child("n1.child", json!({"input": {"x": "early"}})).await;
    let marker = s.child("n1.other", json!({"input": {}})).await;
    s.child("n1.child", json!({"input": {"x": "late"}})).await;

    let hit = s
        .replay(
            "n1.child",
            Some("succeeded-before"),
            Some(&marker),
            json!({"input": {"x": "early"}}),
        )
        .await;
    assert_eq!(
        hit.header("x-agentfield-replay-hit").as_deref(),
        Some(early.as_str())
    );
    let miss = s
        .replay(
            "n1.child",
            Some("succeeded-before"),
            Some(&marker),
            json!({"input": {"x": "late"}}),
        )
        .await;
    assert_eq!(
        (miss.status, miss.header("x-agentfield-replay-hit")),
        (200, None),
        "{}",
        miss.body
    );
    assert_eq!(miss.str("run_id"), "run_new");
    let own = s
        .replay(
            "n1.other",
            Some("succeeded-before"),
            Some(&marker),
            json!({"input": {}}),
        )
        .await;
    assert_eq!(
        own.header("x-agentfield-replay-hit"),
        None,
        "the boundary itself is not strictly before"
    );
    let all = s
        .replay(
            "n1.child",
            Some("all-succeeded"),
            Some(&marker),
            json!({"input": {"x": "late"}}),
        )
        .await;
    assert!(
        all.header("x-agentfield-replay-hit").is_some(),
        "all-succeeded ignores Before"
    );
    let no_before = s
        .replay("n1.child", None, None, json!({"input": {"x": "late"}}))
        .await;
    assert!(
        no_before.header("x-agentfield-replay-hit").is_some(),
        "no Before means no boundary"
    );
}

#[rstest]
#[case::before_not_in_source_run(Some("exec_elsewhere"), "succeeded-before", true)]
#[case::mode_none(None, "none", true)]
#[tokio::test]
async fn replay_misses_when_boundary_unknown_or_mode_none(
    #[case] before: Option<&str>,
    #[case] mode: &str,
    #[case] expect_miss: bool,
) {
    let s = Source::new().await;
    s.child("n1.child", json!({"input": {"x": 1}})).await;
    let r = s
        .replay("n1.child", Some(mode), before, json!({"input": {"x": 1}}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("x-agentfield-replay-hit").is_none(),
        expect_miss,
        "{}",
        r.body
    );
    assert_eq!(s.calls("child"), 2);
}

#[tokio::test]
async fn before_from_another_run_is_a_miss_even_if_it_exists() {
    let s = Source::new().await;
    s.child("n1.child", json!({"input": {"x": 1}})).await;
    let elsewhere =
        s.cp.execute("n1.other", &[("X-Run-ID", "run_other")], json!({}))
            .await
            .str("execution_id");
    let r = s
        .replay(
            "n1.child",
            Some("succeeded-before"),
            Some(&elsewhere),
            json!({"input": {"x": 1}}),
        )
        .await;
    assert_eq!(r.header("x-agentfield-replay-hit"), None);
}

#[tokio::test]
async fn root_calls_without_parent_never_replay() {
    let s = Source::new().await;
    s.child("n1.child", json!({"input": {"x": 1}})).await;
    let headers = [
        ("X-Run-ID", "run_new"),
        ("X-AgentField-Replay-Source-Run-ID", SRC),
    ];
    let r =
        s.cp.execute("n1.child", &headers, json!({"input": {"x": 1}}))
            .await;
    assert_eq!(r.header("x-agentfield-replay-hit"), None);
}

#[rstest]
#[case::key_order_and_whitespace(
    r#"{"input":{"a":1,"b":[1,2]}}"#,
    r#"{ "input" : { "b" : [ 1 , 2 ] , "a" : 1 } }"#,
    true
)]
#[case::int_vs_float(r#"{"input":{"n":1}}"#, r#"{"input":{"n":1.0}}"#, true)]
#[case::exponent(r#"{"input":{"n":100}}"#, r#"{"input":{"n":1e2}}"#, true)]
#[case::escapes(r#"{"input":{"s":"<a>"}}"#, r#"{"input":{"s":"\u003ca\u003e"}}"#, true)]
#[case::duplicate_key_last_wins(r#"{"input":{"k":2}}"#, r#"{"input":{"k":1,"k":2}}"#, true)]
#[case::null_input_is_empty(r#"{"input":{}}"#, r#"{"input":null}"#, true)]
#[case::empty_context_is_absent(r#"{"input":{}}"#, r#"{"input":{},"context":{}}"#, true)]
#[case::unknown_fields_ignored(r#"{"input":{}}"#, r#"{"input":{},"run_metadata":{"x":1}}"#, true)]
#[case::string_vs_number(r#"{"input":{"n":1}}"#, r#"{"input":{"n":"1"}}"#, false)]
#[case::negative_zero(r#"{"input":{"n":0}}"#, r#"{"input":{"n":-0}}"#, false)]
#[case::array_order(r#"{"input":{"l":[1,2]}}"#, r#"{"input":{"l":[2,1]}}"#, false)]
#[case::differing_context(
    r#"{"input":{},"context":{"m":"a"}}"#,
    r#"{"input":{},"context":{"m":"b"}}"#,
    false
)]
#[case::context_vs_none(r#"{"input":{},"context":{"m":"a"}}"#, r#"{"input":{}}"#, false)]
#[tokio::test]
async fn match_key_is_the_canonical_input_and_context_envelope(
    #[case] source_body: &str,
    #[case] new_body: &str,
    #[case] hit: bool,
) {
    let s = Source::new().await;
    let headers = [
        ("X-Run-ID", SRC),
        ("X-Parent-Execution-ID", s.root.as_str()),
    ];
    let seeded =
        s.cp.post_raw("/api/v1/execute/n1.child", &headers, source_body.to_owned())
            .await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    let replay_headers = [
        ("X-Run-ID", "run_new"),
        ("X-Parent-Execution-ID", "exec_p"),
        ("X-AgentField-Replay-Source-Run-ID", SRC),
    ];
    let r =
        s.cp.post_raw(
            "/api/v1/execute/n1.child",
            &replay_headers,
            new_body.to_owned(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.header("x-agentfield-replay-hit").is_some(),
        hit,
        "{source_body} vs {new_body}"
    );
}

#[tokio::test]
async fn match_key_requires_same_node_and_reasoner() {
    let s = Source::new().await;
    s.child("n1.child", json!({"input": {"x": 1}})).await;
    let r = s
        .replay("n1.other", None, None, json!({"input": {"x": 1}}))
        .await;
    assert_eq!(r.header("x-agentfield-replay-hit"), None);
}

#[tokio::test]
async fn earliest_matching_source_wins_and_every_identical_call_gets_it() {
    let s = Source::new().await;
    let first = s.child("n1.child", json!({"input": {"x": 1}})).await;
    let second = s.child("n1.child", json!({"input": {"x": 1}})).await;
    assert_ne!(first, second);
    for _ in 0..3 {
        let r = s
            .replay(
                "n1.child",
                Some("all-succeeded"),
                None,
                json!({"input": {"x": 1}}),
            )
            .await;
        assert_eq!(
            r.header("x-agentfield-replay-hit").as_deref(),
            Some(first.as_str())
        );
    }
    assert_eq!(
        s.calls("child"),
        2,
        "three identical calls, zero dispatches"
    );
}

#[tokio::test]
async fn failed_source_rows_and_empty_callback_results_are_not_reusable() {
    let s = Source::new().await;
    s.agent.program("child", Program::Reply(500, "boom".into()));
    let headers = [
        ("X-Run-ID", SRC),
        ("X-Parent-Execution-ID", s.root.as_str()),
    ];
    assert_eq!(
        s.cp.execute("n1.child", &headers, json!({"input": {"x": 1}}))
            .await
            .status,
        502
    );
    s.agent.program(
        "child",
        Program::Callback(json!({"status": "succeeded", "result": {}})),
    );
    assert_eq!(
        s.cp.execute("n1.child", &headers, json!({"input": {"x": 1}}))
            .await
            .status,
        200
    );
    s.agent.program("child", Program::Echo);
    let r = s
        .replay("n1.child", None, None, json!({"input": {"x": 1}}))
        .await;
    assert_eq!(r.header("x-agentfield-replay-hit"), None, "{}", r.body);
}

#[tokio::test]
async fn a_stored_json_null_result_is_reusable_and_omitted_from_the_sync_body() {
    let s = Source::new().await;
    s.agent.program("child", Program::Reply(200, "null".into()));
    let src = s.child("n1.child", json!({"input": {"x": 1}})).await;
    let r = s
        .replay("n1.child", None, None, json!({"input": {"x": 1}}))
        .await;
    assert_eq!(
        r.header("x-agentfield-replay-hit").as_deref(),
        Some(src.as_str())
    );
    assert_eq!(r.body.get("result"), None, "result is omitempty in v0.1.96");
}

#[tokio::test]
async fn a_replayed_row_can_itself_be_a_replay_source() {
    let s = Source::new().await;
    s.child("n1.child", json!({"input": {"x": 1}})).await;
    let copy = s
        .replay("n1.child", None, None, json!({"input": {"x": 1}}))
        .await
        .str("execution_id");
    let headers = [
        ("X-Run-ID", "run_third"),
        ("X-Parent-Execution-ID", "exec_p"),
        ("X-AgentField-Replay-Source-Run-ID", "run_new"),
    ];
    let r =
        s.cp.execute("n1.child", &headers, json!({"input": {"x": 1}}))
            .await;
    assert_eq!(
        r.header("x-agentfield-replay-hit").as_deref(),
        Some(copy.as_str())
    );
}

#[tokio::test]
async fn a_miss_dispatches_and_forwards_the_trio_as_received() {
    let s = Source::new().await;
    let r = s
        .replay(
            "n1.child",
            None,
            Some("  exec_b  "),
            json!({"input": {"fresh": true}}),
        )
        .await;
    assert_eq!(r.status, 200);
    let hop = s.agent.wait_hop(&r.str("execution_id")).await;
    assert_eq!(hop.h("x-agentfield-replay-source-run-id"), Some(SRC));
    assert_eq!(
        hop.h("x-agentfield-replay-before-execution-id"),
        Some("exec_b"),
        "trimmed"
    );
    assert_eq!(
        hop.h("x-agentfield-replay-mode"),
        None,
        "an absent mode is forwarded absent"
    );
    assert_eq!(hop.h("x-parent-execution-id"), Some("exec_new_parent"));
}

#[tokio::test]
async fn replay_target_must_still_be_registered() {
    let s = Source::new().await;
    s.child("n1.child", json!({"input": {"x": 1}})).await;
    let body = json!({"id": "n1", "base_url": s.agent.base_url, "reasoners": [{"id": "root"}]});
    assert_eq!(
        s.cp.post("/api/v1/nodes/register", &[], body).await.status,
        201
    );
    let r = s
        .replay("n1.child", None, None, json!({"input": {"x": 1}}))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"error": "target 'child' not found on agent 'n1'", "error_category": "target_not_found"})
    );
}
