//! Restart and fork (contract §1–§2, §5): validation rows, the §2.2 header
//! plan, input/context resolution, kind, lineage and the end-to-end recovery.

use crate::kit::{Agent, Cp, Program};
use rstest::rstest;
use serde_json::{json, Value};

/// A two-row source run: a root and one child, seeded by real executes.
struct Seeded {
    cp: Cp,
    agent: Agent,
    run: String,
    root: String,
    child: String,
}

async fn seeded() -> Seeded {
    let cp = Cp::start().await;
    let agent = Agent::start(&cp, "n1", &["root", "child"]).await;
    let headers = [
        ("X-Run-ID", "run_src"),
        ("X-Session-ID", "sess"),
        ("X-Actor-ID", "actor"),
    ];
    let root = cp
        .execute(
            "n1.root",
            &headers,
            json!({"input": {"topic": "restart"}, "context": {"provider": "p"}}),
        )
        .await;
    assert_eq!(root.status, 200, "{}", root.body);
    let root_id = root.str("execution_id");
    let child_headers = [
        ("X-Run-ID", "run_src"),
        ("X-Parent-Execution-ID", root_id.as_str()),
    ];
    let child = cp
        .execute("n1.child", &child_headers, json!({"input": {"c": 1}}))
        .await;
    assert_eq!(child.status, 200, "{}", child.body);
    Seeded {
        run: "run_src".to_owned(),
        root: root_id,
        child: child.str("execution_id"),
        cp,
        agent,
    }
}

#[rstest]
#[case::invalid_json("{", 400, None)]
#[case::bad_scope(
    r#"{"scope":"node"}"#,
    400,
    Some("scope must be one of: workflow, execution")
)]
#[case::scope_is_case_sensitive(
    r#"{"scope":"Workflow"}"#,
    400,
    Some("scope must be one of: workflow, execution")
)]
#[case::bad_reuse(
    r#"{"reuse":"cached"}"#,
    400,
    Some("reuse must be one of: succeeded-before, all-succeeded, none")
)]
#[case::input_list(r#"{"input":[]}"#, 400, None)]
#[case::fork_string(r#"{"fork":"yes"}"#, 400, None)]
#[case::not_an_object("[]", 400, None)]
#[tokio::test]
async fn restart_rejects_bad_bodies_before_looking_up_the_source(
    #[case] body: &str,
    #[case] status: u16,
    #[case] exact: Option<&str>,
) {
    let cp = Cp::start().await;
    let r = cp
        .post_raw(
            "/api/v1/executions/exec_missing/restart",
            &[],
            body.to_owned(),
        )
        .await;
    assert_eq!(r.status, status, "{}", r.body);
    match exact {
        Some(msg) => assert_eq!(r.body, json!({ "error": msg })),
        None => assert!(
            r.str("error").starts_with("invalid request body: "),
            "{}",
            r.body
        ),
    }
}

#[tokio::test]
async fn restart_unknown_execution_is_404_and_blank_id_is_400() {
    let cp = Cp::start().await;
    let r = cp
        .post_raw("/api/v1/executions/exec_missing/restart", &[], "")
        .await;
    assert_eq!(
        (r.status, r.body),
        (404, json!({"error": "execution exec_missing not found"}))
    );
    let blank = cp
        .post_raw("/api/v1/executions/%20/restart", &[], "{}")
        .await;
    assert_eq!(
        (blank.status, blank.body),
        (400, json!({"error": "execution_id is required"}))
    );
}

#[tokio::test]
async fn restart_target_gone_is_400_target_not_found_and_creates_no_run() {
    let s = seeded().await;
    let body = json!({"id": "n1", "base_url": s.agent.base_url, "reasoners": [{"id": "child"}]});
    assert_eq!(
        s.cp.post("/api/v1/nodes/register", &[], body).await.status,
        201
    );
    let r =
        s.cp.post(
            &format!("/api/v1/executions/{}/restart", s.child),
            &[],
            json!({}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"error": "target 'root' not found on agent 'n1'", "error_category": "target_not_found"})
    );
    let runs = s.cp.get("/api/ui/v2/workflow-runs").await;
    assert_eq!(
        runs.body["total_count"], 1,
        "only the source run exists: {}",
        runs.body
    );
}

#[rstest]
#[case::workflow_succeeded_before(
    "workflow",
    "succeeded-before",
    true,
    true,
    "succeeded-before",
    true
)]
#[case::workflow_all_succeeded("workflow", "all-succeeded", true, true, "all-succeeded", true)]
#[case::workflow_none("workflow", "none", false, false, "none", false)]
#[case::execution_succeeded_before(
    "execution",
    "succeeded-before",
    true,
    false,
    "all-succeeded",
    false
)]
#[case::execution_all_succeeded("execution", "all-succeeded", true, true, "all-succeeded", true)]
#[case::execution_none("execution", "none", false, false, "none", false)]
#[tokio::test]
async fn restart_sends_the_header_plan_of_the_scope_and_reuse_table(
    #[case] scope: &str,
    #[case] reuse: &str,
    #[case] source_header: bool,
    #[case] before_header: bool,
    #[case] mode: &str,
    #[case] before_in_response: bool,
) {
    let s = seeded().await;
    let r =
        s.cp.post(
            &format!("/api/v1/executions/{}/restart", s.child),
            &[],
            json!({"scope": scope, "reuse": reuse}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let (new_exec, new_run) = (r.str("execution_id"), r.str("run_id"));
    assert_eq!(
        r.header("x-execution-id").as_deref(),
        Some(new_exec.as_str())
    );
    assert_eq!(r.header("x-run-id").as_deref(), Some(new_run.as_str()));
    assert_ne!(new_run, s.run);
    assert_eq!(r.body["workflow_id"], new_run);
    assert_eq!(r.body["status"], "queued");
    assert_eq!(r.body["replay_mode"], mode);
    assert_eq!(r.body["scope"], scope);
    assert_eq!(r.body["kind"], "restart");
    assert_eq!(r.body["source_execution_id"], s.child);
    assert_eq!(r.body["source_run_id"], s.run);
    assert_eq!(r.body["created_at"], r.body["enqueued_at"]);
    let restarted = if scope == "workflow" {
        &s.root
    } else {
        &s.child
    };
    assert_eq!(&r.str("restarted_execution_id"), restarted);
    let expected_target = if scope == "workflow" {
        "n1.root"
    } else {
        "n1.child"
    };
    assert_eq!(r.body["target"], expected_target);
    assert_eq!(
        r.body.get("replay_before_execution_id").cloned(),
        before_in_response.then(|| json!(s.child)),
        "{}",
        r.body
    );

    let hop = s.agent.wait_hop(&new_exec).await;
    assert_eq!(format!("n1.{}", hop.name), expected_target);
    assert_eq!(hop.h("x-run-id"), Some(new_run.as_str()));
    assert_eq!(hop.h("x-workflow-id"), Some(new_run.as_str()));
    assert_eq!(
        hop.h("x-parent-execution-id"),
        None,
        "a restarted root has no parent"
    );
    assert_eq!(
        hop.h("x-agentfield-replay-source-run-id"),
        source_header.then_some(s.run.as_str())
    );
    assert_eq!(
        hop.h("x-agentfield-replay-before-execution-id"),
        before_header.then_some(s.child.as_str())
    );
    assert_eq!(hop.h("x-agentfield-replay-mode"), Some(mode));

    let dag =
        s.cp.get(&format!(
            "/api/ui/v1/workflows/{new_run}/dag?mode=lightweight"
        ))
        .await
        .body;
    let lineage = json!({
        "kind": "restart",
        "source_run_id": s.run,
        "source_execution_id": s.child,
        "restarted_execution_id": restarted,
        "reuse": reuse,
        "scope": scope,
    });
    assert_eq!(
        dag["lineage"], lineage,
        "lineage records the requested reuse"
    );
}

#[tokio::test]
async fn restart_dispatches_stored_input_never_context_and_copies_session_and_actor() {
    let s = seeded().await;
    let r =
        s.cp.post_raw(&format!("/api/v1/executions/{}/restart", s.child), &[], "")
            .await;
    assert_eq!(r.status, 202, "empty body is accepted: {}", r.body);
    let hop = s.agent.wait_hop(&r.str("execution_id")).await;
    assert_eq!(hop.body, json!({"topic": "restart"}));
    assert_eq!(hop.h("x-session-id"), Some("sess"));
    assert_eq!(hop.h("x-actor-id"), Some("actor"));
    assert_eq!(
        s.cp.wait_terminal(&r.str("execution_id")).await["status"],
        "succeeded"
    );
}

#[tokio::test]
async fn restart_input_override_replaces_input_wholesale() {
    let s = seeded().await;
    let body = json!({"input": {"question": "Try again"}, "context": {"model": "x"}});
    let r =
        s.cp.post(
            &format!("/api/ui/v1/executions/{}/restart", s.root),
            &[],
            body,
        )
        .await;
    assert_eq!(r.status, 202, "the UI mirror behaves the same: {}", r.body);
    assert_eq!(r.body["kind"], "fork");
    let hop = s.agent.wait_hop(&r.str("execution_id")).await;
    assert_eq!(
        hop.body,
        json!({"question": "Try again"}),
        "no merge, no context"
    );
}

#[rstest]
#[case::empty(json!({}), "restart")]
#[case::null_input(json!({"input": null, "context": null}), "restart")]
#[case::empty_input(json!({"input": {}}), "fork")]
#[case::empty_context(json!({"context": {}}), "fork")]
#[case::fork_flag(json!({"fork": true}), "fork")]
#[case::new_input(json!({"input": {"a": 1}}), "fork")]
#[tokio::test]
async fn restart_kind_is_fork_for_flag_or_any_non_null_override(
    #[case] body: Value,
    #[case] kind: &str,
) {
    let s = seeded().await;
    let r =
        s.cp.post(
            &format!("/api/v1/executions/{}/restart", s.child),
            &[],
            body,
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.body["kind"], kind);
    let dag =
        s.cp.get(&format!("/api/ui/v1/workflows/{}/dag", r.str("run_id")))
            .await
            .body;
    assert_eq!(dag["lineage"]["kind"], kind);
}

#[tokio::test]
async fn restart_against_unreachable_agent_is_accepted_and_fails_later() {
    let s = seeded().await;
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", dead.local_addr().expect("addr"));
    drop(dead);
    let body = json!({"id": "n1", "base_url": url, "reasoners": [{"id": "root"}, {"id": "child"}]});
    assert_eq!(
        s.cp.post("/api/v1/nodes/register", &[], body).await.status,
        201
    );
    let r =
        s.cp.post(
            &format!("/api/v1/executions/{}/restart", s.child),
            &[],
            json!({"reuse": "none"}),
        )
        .await;
    assert_eq!(r.status, 202, "no health gate in v0.1.96: {}", r.body);
    let view = s.cp.wait_terminal(&r.str("execution_id")).await;
    assert_eq!(
        (view["status"].clone(), view["status_reason"].clone()),
        (json!("failed"), json!("agent_unreachable"))
    );
}

/// The upstream E2E graph (contract §9) without an LLM: synth fails unless it
/// was dispatched with a replay Source header.
#[tokio::test]
async fn restart_from_failed_child_reuses_what_started_before_it_and_reruns_the_rest() {
    let cp = Cp::start().await;
    let agent = Agent::start(&cp, "n1", &["root", "plan", "assess", "synth", "verify"]).await;
    agent.program(
        "root",
        Program::Nested(vec![
            ("n1.plan".into(), json!({"question": "q"})),
            ("n1.assess".into(), json!({"dimension": "technical"})),
            ("n1.assess".into(), json!({"dimension": "product"})),
            ("n1.synth".into(), json!({"s": 1})),
            ("n1.verify".into(), json!({"v": 1})),
        ]),
    );
    agent.program("synth", Program::FailWithoutReplay);
    let started = cp
        .execute_async("n1.root", &[], json!({"input": {"scenario_id": "s1"}}))
        .await;
    let source_run = started.str("run_id");
    assert_eq!(
        cp.wait_terminal(&started.str("execution_id")).await["status"],
        "failed"
    );
    let counts = |name: &str| agent.hops_to(name).len();
    assert_eq!(
        [
            counts("root"),
            counts("plan"),
            counts("assess"),
            counts("synth"),
            counts("verify")
        ],
        [1, 1, 2, 1, 0]
    );

    let dag = cp
        .get(&format!(
            "/api/ui/v1/workflows/{source_run}/dag?lightweight=1"
        ))
        .await
        .body;
    let timeline = dag["timeline"].as_array().cloned().unwrap_or_default();
    let failed_synth = timeline
        .iter()
        .find(|n| n["reasoner_id"] == "synth" && n["status"] == "failed")
        .and_then(|n| n["execution_id"].as_str())
        .expect("a failed synth node in the source DAG")
        .to_owned();

    let body = json!({"reuse": "succeeded-before", "reason": "functional restart replay test"});
    let r = cp
        .post(
            &format!("/api/v1/executions/{failed_synth}/restart"),
            &[],
            body,
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.body["replay_mode"], "succeeded-before");
    let new_run = r.str("run_id");
    let view = cp.wait_terminal(&r.str("execution_id")).await;
    assert_eq!(view["status"], "succeeded", "{view}");
    assert_eq!(
        view["result"]["children"][3]["replay_source_run_id"],
        source_run
    );
    assert_eq!(
        [
            counts("root"),
            counts("plan"),
            counts("assess"),
            counts("synth"),
            counts("verify")
        ],
        [2, 1, 2, 2, 1]
    );

    let dag = cp
        .get(&format!("/api/ui/v1/workflows/{new_run}/dag?lightweight=1"))
        .await
        .body;
    let nodes = dag["timeline"].as_array().cloned().unwrap_or_default();
    let reused: Vec<&Value> = nodes.iter().filter(|n| n.get("reuse").is_some()).collect();
    assert_eq!(
        reused.len(),
        3,
        "plan and both assess calls are replayed: {dag}"
    );
    for n in &reused {
        assert_eq!(n["reuse"]["hit"], true);
        assert_eq!(
            n["reuse"]["source_run_id"], source_run,
            "back-filled from lineage"
        );
        assert!(n["reuse"]["source_execution_id"].is_string());
    }
    for name in ["root", "synth", "verify"] {
        let node = nodes
            .iter()
            .find(|n| n["reasoner_id"] == name)
            .expect("node present");
        assert_eq!(node.get("reuse"), None, "{name} ran fresh");
        assert_eq!(node["status"], "succeeded");
    }
    assert_eq!(dag["lineage"]["source_execution_id"], failed_synth);
    assert_eq!(
        dag["lineage"].get("reason"),
        None,
        "reason is never surfaced"
    );
}

#[tokio::test]
async fn restart_from_the_root_with_succeeded_before_reuses_nothing() {
    let cp = Cp::start().await;
    let agent = Agent::start(&cp, "n1", &["root", "plan"]).await;
    agent.program(
        "root",
        Program::Nested(vec![("n1.plan".into(), json!({"q": 1}))]),
    );
    let first = cp.execute("n1.root", &[], json!({})).await;
    let r = cp
        .post(
            &format!("/api/v1/executions/{}/restart", first.str("execution_id")),
            &[],
            json!({}),
        )
        .await;
    assert_eq!(
        cp.wait_terminal(&r.str("execution_id")).await["status"],
        "succeeded"
    );
    assert_eq!(
        agent.hops_to("plan").len(),
        2,
        "every child started after the root"
    );
}
