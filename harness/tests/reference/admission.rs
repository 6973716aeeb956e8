//! Per-agent concurrency admission as v0.1.96 runs it (contract §0.1, §1.3,
//! Appendix A.15): checked after the rows exist, so a rejection fails the row
//! already written and answers 429 without Retry-After; a replay hit is never
//! gated; a rejected restart writes no lineage. On the newest contract a
//! rejected restart writes nothing at all and says when to retry.

use std::time::Duration;

use crate::kit::{Agent, Cp, Program};
use afc::reference::contract::Contract;
use afc::reference::Config;
use serde_json::json;

const LIMIT_BODY: &str = "agent n1 has reached max concurrent executions (1)";

async fn saturated() -> (Cp, Agent, String) {
    saturated_on(Contract::V0_1_96).await
}

async fn saturated_on(contract: Contract) -> (Cp, Agent, String) {
    let cp = Cp::with_config(Config {
        max_concurrent_per_agent: 1,
        contract,
        ..Config::default()
    })
    .await;
    let agent = Agent::start(&cp, "n1", &["root", "child", "slow"]).await;
    // A source run with a succeeded child, seeded before the slot is taken.
    let root = cp
        .execute("n1.root", &[("X-Run-ID", "run_src")], json!({"input": {}}))
        .await;
    assert_eq!(root.status, 200, "seed root: {}", root.body);
    let parent = root.str("execution_id");
    let child = cp
        .execute(
            "n1.child",
            &[
                ("X-Run-ID", "run_src"),
                ("X-Parent-Execution-ID", parent.as_str()),
            ],
            json!({"input": {"k": 1}}),
        )
        .await;
    assert_eq!(child.status, 200, "seed child: {}", child.body);
    // The slot holder: the agent takes its time (a programmed fault), and the
    // slot is taken before the 202 is answered, so no race follows.
    agent.program("slow", Program::Slow(Duration::from_secs(3)));
    let held = cp.execute_async("n1.slow", &[], json!({"input": {}})).await;
    assert_eq!(held.status, 202, "slot holder: {}", held.body);
    (cp, agent, child.str("execution_id"))
}

#[tokio::test]
async fn concurrency_limit_answers_429_and_fails_the_row_it_already_wrote() {
    let (cp, _agent, _) = saturated().await;
    let r = cp
        .execute(
            "n1.root",
            &[("X-Run-ID", "run_rejected")],
            json!({"input": {}}),
        )
        .await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert_eq!(
        r.body,
        json!({"error": LIMIT_BODY, "error_category": "concurrency_limit"})
    );
    assert_eq!(
        r.header("retry-after"),
        None,
        "v0.1.96 sends no Retry-After"
    );
    let dag = cp
        .get("/api/ui/v1/workflows/run_rejected/dag?mode=lightweight")
        .await;
    assert_eq!(dag.status, 200, "the rejected row exists: {}", dag.body);
    let node = &dag.body["timeline"][0];
    assert_eq!(node["status"], "failed", "{node}");
    assert_eq!(node["status_reason"], "concurrency_limit", "{node}");
}

#[tokio::test]
async fn a_replay_hit_is_never_gated_by_the_concurrency_limit() {
    // Both contracts (V-latest: "replay hits are not gated by a saturated agent").
    for contract in [Contract::V0_1_96, Contract::Latest] {
        replay_hit_ungated(contract).await;
    }
}

async fn replay_hit_ungated(contract: Contract) {
    let (cp, _agent, source_child) = saturated_on(contract).await;
    let headers = [
        ("X-Run-ID", "run_new"),
        ("X-Parent-Execution-ID", "exec_new_parent"),
        ("X-AgentField-Replay-Source-Run-ID", "run_src"),
        ("X-AgentField-Replay-Mode", "all-succeeded"),
    ];
    let r = cp
        .execute_async("n1.child", &headers, json!({"input": {"k": 1}}))
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.body["status"], "succeeded", "{}", r.body);
    assert_eq!(
        r.header("x-agentfield-replay-hit").as_deref(),
        Some(source_child.as_str())
    );
    let miss = cp
        .execute_async("n1.child", &headers, json!({"input": {"k": 2}}))
        .await;
    assert_eq!(miss.status, 429, "a miss is gated: {}", miss.body);
}

#[tokio::test]
async fn a_rejected_restart_answers_429_and_writes_no_lineage() {
    let (cp, _agent, source_child) = saturated().await;
    let r = cp
        .post(
            &format!("/api/v1/executions/{source_child}/restart"),
            &[],
            json!({}),
        )
        .await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert_eq!(
        r.body,
        json!({"error": LIMIT_BODY, "error_category": "concurrency_limit"})
    );
    let runs = cp.get("/api/ui/v2/workflow-runs?page_size=200").await;
    let with_lineage: Vec<_> = runs.body["runs"]
        .as_array()
        .map(|rs| rs.iter().filter(|r| !r["lineage"].is_null()).collect())
        .unwrap_or_default();
    assert!(
        with_lineage.is_empty(),
        "no run may carry lineage: {with_lineage:?}"
    );
    let failed_roots: Vec<_> = runs.body["runs"]
        .as_array()
        .map(|rs| rs.iter().filter(|r| r["status"] == "failed").collect())
        .unwrap_or_default();
    assert_eq!(
        failed_roots.len(),
        1,
        "the rejected restart's root is persisted, failed: {}",
        runs.body
    );
}

/// §1.3 step 9, §1.5 (V-adm; upstream `TestRestartHandler_ConcurrencyRejectionHasNoPersistence`,
/// handlers/execute_restart_test.go): the slot is taken before any row, so a refused restart
/// leaves neither a root nor lineage, and answers `retry_after` with a matching `Retry-After`.
#[tokio::test]
async fn a_rejected_restart_persists_nothing_on_the_newest_contract() {
    let (cp, _agent, source_child) = saturated_on(Contract::Latest).await;
    let before = cp.get("/api/ui/v2/workflow-runs?page_size=200").await;
    let r = cp
        .post(
            &format!("/api/v1/executions/{source_child}/restart"),
            &[],
            json!({}),
        )
        .await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert_eq!(
        r.body,
        json!({"error": LIMIT_BODY, "error_category": "concurrency_limit", "retry_after": 1})
    );
    assert_eq!(r.header("retry-after").as_deref(), Some("1"));
    let after = cp.get("/api/ui/v2/workflow-runs?page_size=200").await;
    let ids = |v: &serde_json::Value| -> Vec<String> {
        let mut ids: Vec<String> = v["runs"]
            .as_array()
            .map(|rs| rs.iter().map(|r| r["run_id"].to_string()).collect())
            .unwrap_or_default();
        ids.sort();
        ids
    };
    assert_eq!(
        ids(&after.body),
        ids(&before.body),
        "a refused restart writes no row"
    );
    assert_eq!(
        ids(&before.body).len(),
        2,
        "the source run and the slot holder's"
    );
}

/// §1.3 step 9 (V-adm; upstream `prepareExecutionForTargetWithAdmission`,
/// `TestExecuteHandler_ConcurrencyRejectionHasNoPersistence` and
/// `TestExecuteAsyncHandler_ConcurrencyRejectionHasNoPersistence`): on the
/// newest contract a sync or async execute refused for concurrency writes no
/// row and says when to retry (v0.1.96 fails the row it wrote: above).
#[tokio::test]
async fn a_refused_execute_persists_nothing_on_the_newest_contract() {
    let (cp, _agent, _) = saturated_on(Contract::Latest).await;
    for (run, sync) in [("run_refused_sync", true), ("run_refused_async", false)] {
        let headers = [("X-Run-ID", run)];
        let body = json!({"input": {}});
        let r = if sync {
            cp.execute("n1.root", &headers, body).await
        } else {
            cp.execute_async("n1.root", &headers, body).await
        };
        assert_eq!(r.status, 429, "{run}: {}", r.body);
        assert_eq!(
            r.body,
            json!({"error": LIMIT_BODY, "error_category": "concurrency_limit", "retry_after": 1}),
            "{run}"
        );
        assert_eq!(r.header("retry-after").as_deref(), Some("1"), "{run}");
        let dag = cp
            .get(&format!("/api/ui/v1/workflows/{run}/dag?mode=lightweight"))
            .await;
        assert_eq!(dag.status, 404, "{run}: no row was written: {}", dag.body);
    }
}
