//! Execute API of the reference (agent-protocol §2–§3): pre-dispatch errors,
//! dispatch headers, agent answers and their mapping, the status callback.

use std::time::Duration;

use crate::kit::{Agent, Cp, Program};
use afc::reference::Config;
use rstest::rstest;
use serde_json::{json, Value};
async fn setup() -> (Cp, Agent) {
    let cp = Cp::start().await;
    let agent = Agent::start(&cp, "n1", &["root", "child"]).await;
    (cp, agent)
}

#[rstest]
#[case::bad_json("n1.root", "{", 400, "invalid request body: ")]
#[case::empty_body("n1.root", "", 400, "invalid request body: EOF")]
#[case::non_object_input("n1.root", r#"{"input":[1]}"#, 400, "invalid request body: ")]
#[case::non_object_context(
    "n1.root",
    r#"{"input":{},"context":"x"}"#,
    400,
    "invalid request body: "
)]
#[case::bad_target_no_dot(
    "n1root",
    "{}",
    400,
    "invalid target: target must be in format 'node_id.reasoner_name'"
)]
#[case::bad_target_two_dots(
    "n1.a.b",
    "{}",
    400,
    "invalid target: target must be in format 'node_id.reasoner_name'"
)]
#[case::unknown_node("ghost.root", "{}", 400, "agent 'ghost' not found")]
#[case::unknown_target("n1.nope", "{}", 400, "target 'nope' not found on agent 'n1'")]
#[tokio::test]
async fn execute_pre_dispatch_errors_answer_documented_status_and_persist_nothing(
    #[case] target: &str,
    #[case] body: &str,
    #[case] status: u16,
    #[case] error_prefix: &str,
) {
    let (cp, agent) = setup().await;
    for path in [
        format!("/api/v1/execute/{target}"),
        format!("/api/v1/execute/async/{target}"),
    ] {
        let r = cp
            .post_raw(&path, &[("X-Run-ID", "run_probe")], body.to_owned())
            .await;
        assert_eq!(r.status, status, "{path}: {}", r.body);
        let err = r.body["error"].as_str().unwrap_or_default();
        assert!(
            err.starts_with(error_prefix),
            "{path}: error {err:?} should start with {error_prefix:?}"
        );
        // The newest contract (the default) categorises a gone agent or
        // target `target_not_found` (§1.3 step 9); v0.1.96 `internal_error`.
        let want = if error_prefix.contains(" not found") {
            "target_not_found"
        } else {
            "internal_error"
        };
        assert_eq!(r.body["error_category"], want, "{path}");
    }
    assert_eq!(
        cp.get("/api/ui/v1/workflows/run_probe/dag").await.status,
        404,
        "nothing persisted"
    );
    assert!(agent.hops().is_empty(), "agent must not be called");
}

#[tokio::test]
async fn execute_invalid_replay_mode_is_400_internal_error_and_leaves_no_row() {
    let (cp, agent) = setup().await;
    let headers = [
        ("X-Run-ID", "run_probe"),
        ("X-Parent-Execution-ID", "exec_parent"),
        ("X-AgentField-Replay-Source-Run-ID", "run_src"),
        ("X-AgentField-Replay-Mode", "Succeeded-Before"),
    ];
    let r = cp.execute("n1.child", &headers, json!({"input": {}})).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"error": "unsupported replay mode \"Succeeded-Before\"", "error_category": "internal_error"})
    );
    assert_eq!(
        cp.get("/api/ui/v1/workflows/run_probe/dag").await.status,
        404,
        "v0.1.96 orphans a running row; we do not"
    );
    assert!(agent.hops().is_empty());
}

#[tokio::test]
async fn execute_invalid_replay_mode_is_ignored_without_parent_or_source() {
    let (cp, _agent) = setup().await;
    let no_parent = [
        ("X-AgentField-Replay-Source-Run-ID", "run_src"),
        ("X-AgentField-Replay-Mode", "bogus"),
    ];
    assert_eq!(
        cp.execute("n1.child", &no_parent, json!({})).await.status,
        200
    );
    let no_source = [
        ("X-Parent-Execution-ID", "exec_p"),
        ("X-AgentField-Replay-Mode", "bogus"),
    ];
    assert_eq!(
        cp.execute("n1.child", &no_source, json!({})).await.status,
        200
    );
}

#[tokio::test]
async fn sync_execute_dispatches_input_only_with_contract_headers() {
    let (cp, agent) = setup().await;
    let headers = [
        ("x-run-id", "  run_given  "),
        ("X-Session-ID", "sess"),
        ("X-Actor-ID", "actor"),
        ("X-Execution-ID", "ignored"),
        ("X-Workflow-ID", "ignored"),
    ];
    let r = cp
        .execute(
            "n1.root",
            &headers,
            json!({"input": {"b": 1.0, "a": "x"}, "context": {"model": "m"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let exec = r.str("execution_id");
    assert_eq!(r.str("run_id"), "run_given");
    assert_eq!(r.body["status"], "succeeded");
    assert_eq!(r.body["result"], json!({"echo": {"a": "x", "b": 1}}));
    assert!(r.body["duration_ms"].is_number() && r.body["finished_at"].is_string());
    assert_eq!(r.header("x-execution-id").as_deref(), Some(exec.as_str()));
    assert_eq!(r.header("x-run-id").as_deref(), Some("run_given"));

    let hop = agent.wait_hop(&exec).await;
    assert_eq!(hop.kind, "reasoners");
    assert_eq!(
        hop.body,
        json!({"a": "x", "b": 1}),
        "context is never dispatched"
    );
    assert_eq!(hop.h("x-run-id"), Some("run_given"));
    assert_eq!(hop.h("x-workflow-id"), Some("run_given"));
    assert_eq!(hop.h("x-session-id"), Some("sess"));
    assert_eq!(hop.h("x-actor-id"), Some("actor"));
    assert_eq!(hop.h("content-type"), Some("application/json"));
    for absent in [
        "x-parent-execution-id",
        "x-agentfield-replay-source-run-id",
        "x-agentfield-replay-before-execution-id",
        "x-agentfield-replay-mode",
    ] {
        assert_eq!(
            hop.h(absent),
            None,
            "{absent} must be absent on a root dispatch"
        );
    }
    let id = exec.as_str();
    assert!(
        id.starts_with("exec_") && id.len() == "exec_20260101_000000_abcdefgh".len(),
        "{id}"
    );
}

#[tokio::test]
async fn sync_execute_to_skill_uses_skills_path() {
    let (cp, agent) = setup().await;
    let r = cp
        .execute("n1.skill_a", &[], json!({"input": {"k": 1}}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(agent.wait_hop(&r.str("execution_id")).await.kind, "skills");
}

#[rstest]
#[case::server_error(500, "boom", 502, "agent_error", None)]
#[case::client_error_json(422, r#"{"detail":"Missing required field: x"}"#, 422, "agent_error", Some(json!({"detail":"Missing required field: x"})))]
#[case::client_error_text(404, "not here", 404, "bad_response", None)]
#[case::request_timeout(408, "{}", 408, "agent_timeout", Some(json!({})))]
#[tokio::test]
async fn sync_execute_maps_agent_errors_and_fails_the_row(
    #[case] agent_status: u16,
    #[case] agent_body: &str,
    #[case] status: u16,
    #[case] category: &str,
    #[case] details: Option<Value>,
) {
    let (cp, agent) = setup().await;
    agent.program("root", Program::Reply(agent_status, agent_body.to_owned()));
    let r = cp.execute("n1.root", &[], json!({"input": {}})).await;
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.body["error_category"], category);
    assert_eq!(r.body["status"], "failed");
    assert_eq!(
        r.str("error"),
        format!("agent error ({agent_status}): {agent_body}")
    );
    assert_eq!(r.body.get("error_details").cloned(), details);
    // v0.1.96 answers an agent error without id headers; the dispatch names it.
    assert_eq!(r.header("x-execution-id"), None);
    let hop = agent.hops_to("root").pop().expect("root was dispatched");
    let exec = hop.h("x-execution-id").expect("dispatch header").to_owned();
    let view = cp.get(&format!("/api/v1/executions/{exec}")).await.body;
    assert_eq!(view["status"], "failed");
    assert_eq!(view["status_reason"], category);
}

#[tokio::test]
async fn agent_5xx_body_is_stored_and_shown_as_error_details() {
    let (cp, agent) = setup().await;
    agent.program("root", Program::Reply(503, r#"{"why":"down"}"#.to_owned()));
    let r = cp.execute("n1.root", &[], json!({})).await;
    assert_eq!(r.status, 502);
    let hop = agent.hops_to("root").pop().expect("root was dispatched");
    let exec = hop.h("x-execution-id").unwrap_or_default();
    let view = cp.get(&format!("/api/v1/executions/{exec}")).await.body;
    assert_eq!(view["error_details"], json!({"why": "down"}));
}

#[tokio::test]
async fn sync_execute_unreachable_agent_is_504_agent_unreachable() {
    let cp = Cp::start().await;
    let agent = Agent::start(&cp, "n1", &["root"]).await;
    // Re-register at a port nothing listens on.
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let dead_url = format!("http://{}", dead.local_addr().expect("addr"));
    drop(dead);
    let body = json!({"id": "n1", "base_url": dead_url, "reasoners": [{"id": "root"}]});
    assert_eq!(
        cp.post("/api/v1/nodes/register", &[], body).await.status,
        201
    );
    let r = cp.execute("n1.root", &[], json!({})).await;
    assert_eq!(r.status, 504, "{}", r.body);
    assert_eq!(r.body["error_category"], "agent_unreachable");
    drop(agent);
}

#[tokio::test]
async fn sync_execute_agent_timeout_is_504_agent_timeout() {
    let cp = Cp::with_config(Config {
        agent_timeout: Duration::from_millis(200),
        ..Config::default()
    })
    .await;
    let agent = Agent::start(&cp, "n1", &["root"]).await;
    agent.program("root", Program::Slow(Duration::from_secs(3)));
    let r = cp.execute("n1.root", &[], json!({})).await;
    assert_eq!(r.status, 504, "{}", r.body);
    assert_eq!(r.body["error_category"], "agent_timeout");
}

#[tokio::test]
async fn sync_execute_202_then_succeeded_callback_answers_200() {
    let (cp, agent) = setup().await;
    agent.program(
        "root",
        Program::Callback(json!({"status": "success", "result": {"v": 1}})),
    );
    let r = cp.execute("n1.root", &[], json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["result"], json!({"v": 1}));
}

#[tokio::test]
async fn sync_execute_202_then_failed_callback_answers_502() {
    let (cp, agent) = setup().await;
    agent.program(
        "root",
        Program::Callback(json!({"status": "error", "error": "kaboom", "result": {"d": 1}})),
    );
    let r = cp.execute("n1.root", &[], json!({})).await;
    assert_eq!(r.status, 502, "{}", r.body);
    assert_eq!(r.body["status"], "failed");
    assert_eq!(r.body["error_message"], "kaboom");
    assert_eq!(r.body["error_details"], json!({"d": 1}));
}

#[tokio::test]
async fn sync_execute_without_callback_times_out_with_400_and_row_stays_running() {
    let cp = Cp::with_config(Config {
        agent_timeout: Duration::from_millis(300),
        ..Config::default()
    })
    .await;
    let agent = Agent::start(&cp, "n1", &["root"]).await;
    agent.program("root", Program::Silent);
    let r = cp.execute("n1.root", &[], json!({})).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        r.body,
        json!({"error": "execution timeout after 300ms", "error_category": "internal_error"})
    );
    let hop = agent.hops_to("root").pop().expect("root was dispatched");
    let exec = hop.h("x-execution-id").expect("dispatch header").to_owned();
    assert_eq!(
        cp.get(&format!("/api/v1/executions/{exec}")).await.body["status"],
        "running"
    );
}

#[tokio::test]
async fn async_execute_answers_202_queued_and_completes_in_background() {
    let (cp, _agent) = setup().await;
    let r = cp
        .execute_async("n1.root", &[], json!({"input": {"q": 1}}))
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    for k in [
        "execution_id",
        "run_id",
        "workflow_id",
        "created_at",
        "enqueued_at",
    ] {
        assert!(r.body[k].is_string(), "{k} in {}", r.body);
    }
    assert_eq!(r.body["status"], "queued");
    assert_eq!(r.body["target"], "n1.root");
    assert_eq!(r.body["type"], "reasoner");
    assert_eq!(r.body["workflow_id"], r.body["run_id"]);
    assert_eq!(r.body["webhook_registered"], false);
    let view = cp.wait_terminal(&r.str("execution_id")).await;
    assert_eq!(view["status"], "succeeded");
    assert_eq!(view["result"], json!({"echo": {"q": 1}}));
}

#[tokio::test]
async fn nested_calls_three_deep_never_deadlock() {
    let (cp, agent) = setup().await;
    let agent2 = Agent::start(&cp, "n2", &["mid", "leaf"]).await;
    agent.program(
        "root",
        Program::Nested(vec![("n2.mid".into(), json!({"d": 1}))]),
    );
    agent2.program(
        "mid",
        Program::Nested(vec![
            ("n2.leaf".into(), json!({"d": 2})),
            ("n1.child".into(), json!({"d": 3})),
        ]),
    );
    let r = cp.execute("n1.root", &[], json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["result"]["children"][0]["children"][0],
        json!({"echo": {"d": 2}})
    );
    let mid = agent2.hops_to("mid").pop().expect("mid dispatched");
    let leaf = agent2.hops_to("leaf").pop().expect("leaf dispatched");
    assert_eq!(leaf.h("x-parent-execution-id"), mid.h("x-execution-id"));
    assert_eq!(leaf.h("x-run-id"), Some(r.str("run_id").as_str()));
}
