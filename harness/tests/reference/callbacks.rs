//! Agent reports and execution reads (agent-protocol §3.3, §3.5, §5): the
//! status callback, workflow events, logs, GET and batch status.

use crate::kit::{Agent, Cp, Program};
use rstest::rstest;
use serde_json::{json, Value};

async fn setup() -> (Cp, Agent) {
    let cp = Cp::start().await;
    let agent = Agent::start(&cp, "n1", &["root", "child"]).await;
    (cp, agent)
}

#[rstest]
#[case::unknown_status(json!({"status": "bogus"}), 400, "unsupported status 'bogus'")]
#[case::missing_status(json!({"result": {}}), 400, "invalid request body: ")]
#[case::list_result(json!({"status": "succeeded", "result": [5, 5]}), 400, "invalid request body: ")]
#[case::string_result(json!({"status": "succeeded", "result": "x"}), 400, "invalid request body: ")]
#[case::fractional_duration(json!({"status": "succeeded", "duration_ms": 1.5}), 400, "invalid request body: ")]
#[case::bad_completed_at(json!({"status": "succeeded", "completed_at": "yesterday"}), 400, "invalid request body: ")]
#[tokio::test]
async fn status_callback_rejects_bad_reports(
    #[case] report: Value,
    #[case] status: u16,
    #[case] prefix: &str,
) {
    let (cp, agent) = setup().await;
    agent.program("root", Program::Silent);
    let exec = cp
        .execute_async("n1.root", &[], json!({}))
        .await
        .str("execution_id");
    let r = cp
        .post(&format!("/api/v1/executions/{exec}/status"), &[], report)
        .await;
    assert_eq!(r.status, status, "{}", r.body);
    assert!(r.str("error").starts_with(prefix), "{}", r.body);
}

#[tokio::test]
async fn status_callback_unknown_execution_is_500() {
    let (cp, _agent) = setup().await;
    let r = cp
        .post(
            "/api/v1/executions/exec_nope/status",
            &[],
            json!({"status": "succeeded"}),
        )
        .await;
    assert_eq!(r.status, 500);
    assert!(
        r.str("error").starts_with("failed to update execution: "),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn status_callback_guards_transitions_and_normalises_aliases() {
    let (cp, agent) = setup().await;
    let exec = agent.held_root(&cp).await;
    let path = format!("/api/v1/executions/{exec}/status");
    let r = cp
        .post(&path, &[], json!({"status": "awaiting_human"}))
        .await;
    assert_eq!(
        (r.status, r.body["status"].clone()),
        (200, json!("waiting"))
    );
    assert_eq!(
        cp.post(&path, &[], json!({"status": "succeeded"}))
            .await
            .status,
        500,
        "waiting -> succeeded is refused"
    );
    assert_eq!(
        cp.post(&path, &[], json!({"status": "in_progress"}))
            .await
            .status,
        200
    );
    let done = cp
        .post(
            &path,
            &[],
            json!({"status": "done", "result": {}, "status_reason": "r"}),
        )
        .await;
    assert_eq!(done.body["status"], "succeeded");
    assert_eq!(
        done.body.get("result"),
        None,
        "an empty result object is not stored"
    );
    assert_eq!(done.body["status_reason"], "r");
    assert_eq!(
        cp.post(&path, &[], json!({"status": "running"}))
            .await
            .status,
        500,
        "terminal -> running is refused"
    );
    assert_eq!(
        cp.post(&path, &[], json!({"status": "failed", "error": "late"}))
            .await
            .status,
        200,
        "terminal -> terminal is allowed"
    );
}

#[tokio::test]
async fn get_unknown_execution_is_404_and_batch_status_marks_not_found() {
    let (cp, _agent) = setup().await;
    let r = cp.get("/api/v1/executions/exec_missing").await;
    assert_eq!(
        (r.status, r.body.clone()),
        (404, json!({"error": "execution not found"}))
    );
    let exec = cp
        .execute("n1.root", &[], json!({}))
        .await
        .str("execution_id");
    let b = cp
        .post(
            "/api/v1/executions/batch-status",
            &[],
            json!({"execution_ids": [exec, "exec_missing"]}),
        )
        .await;
    assert_eq!(b.status, 200);
    assert_eq!(b.body[&exec]["status"], "succeeded");
    assert_eq!(b.body["exec_missing"]["status"], "not_found");
    assert_eq!(
        cp.post_raw("/api/v1/executions/batch-status", &[], "nope")
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn workflow_events_update_status_but_never_the_stored_input() {
    let (cp, agent) = setup().await;
    agent.program("child", Program::Silent);
    let src = [("X-Run-ID", "run_src"), ("X-Parent-Execution-ID", "exec_p")];
    let exec = cp
        .execute_async("n1.child", &src, json!({"input": {"x": 3}}))
        .await
        .str("execution_id");
    agent.wait_hop(&exec).await;
    let event = json!({"execution_id": exec, "status": "succeeded", "input_data": {"x": 3}, "result": {"y": 6}});
    assert_eq!(
        cp.post("/api/v1/workflow/executions/events", &[], event)
            .await
            .status,
        200
    );
    assert_eq!(cp.wait_terminal(&exec).await["result"], json!({"y": 6}));
    assert_eq!(
        cp.post(
            &format!("/api/v1/executions/{exec}/logs"),
            &[],
            json!({"m": 1})
        )
        .await
        .status,
        200
    );
    // Had the input been overwritten with bare kwargs, this child would miss.
    let replay = [
        ("X-Run-ID", "run_new"),
        ("X-Parent-Execution-ID", "exec_q"),
        ("X-AgentField-Replay-Source-Run-ID", "run_src"),
    ];
    let r = cp
        .execute("n1.child", &replay, json!({"input": {"x": 3}}))
        .await;
    assert_eq!(
        r.header("x-agentfield-replay-hit").as_deref(),
        Some(exec.as_str()),
        "{}",
        r.body
    );
}

/// §8 `agent_client_error:<4xx>`: the newest binds the callback's
/// `error_status_code` (a 4xx overrides the reported reason, a mistyped one
/// is a bind error); v0.1.96 has no such field, keeps the reported reason and
/// accepts any value (faults/agent_client_error holds the newest end to end).
#[tokio::test]
async fn error_status_code_is_bound_on_the_newest_contract_only() {
    use afc::reference::contract::Contract;
    for (contract, reason, mistyped) in [
        (Contract::Latest, "agent_client_error:422", 400),
        (Contract::V0_1_96, "custom", 200),
    ] {
        let cp = Cp::on(contract).await;
        let agent = Agent::start(&cp, "n1", &["root"]).await;
        let exec = agent.held_root(&cp).await;
        let path = format!("/api/v1/executions/{exec}/status");
        let bad = json!({"status": "running", "error_status_code": "422"});
        assert_eq!(
            cp.post(&path, &[], bad).await.status,
            mistyped,
            "{contract}"
        );
        let report =
            json!({"status": "failed", "status_reason": "custom", "error_status_code": 422});
        let r = cp.post(&path, &[], report).await;
        assert_eq!(r.status, 200, "{contract}: {}", r.body);
        let row = cp.get(&format!("/api/v1/executions/{exec}")).await;
        assert_eq!(
            row.body["status_reason"],
            json!(reason),
            "{contract}: {}",
            row.body
        );
    }
}
