//! Read views and golden (contract §5.4, §6, §7).

use crate::kit::{Agent, Cp, Program};
use rstest::rstest;
use serde_json::{json, Value};
/// A run with a root and two children, all succeeded.
async fn run_with_children(cp: &Cp, run: &str) -> (String, Vec<String>) {
    let root = cp
        .execute("n1.root", &[("X-Run-ID", run)], json!({}))
        .await
        .str("execution_id");
    let mut kids = Vec::new();
    for i in 0..2 {
        let h = [("X-Run-ID", run), ("X-Parent-Execution-ID", root.as_str())];
        kids.push(
            cp.execute("n1.child", &h, json!({"input": {"i": i}}))
                .await
                .str("execution_id"),
        );
    }
    (root, kids)
}

#[rstest]
#[case::mode("?mode=lightweight")]
#[case::mode_upper("?mode=LightWeight")]
#[case::flag_true("?lightweight=TRUE")]
#[case::flag_one("?lightweight=1")]
#[tokio::test]
async fn lightweight_dag_has_timeline_without_tree_or_notes(#[case] query: &str) {
    let cp = Cp::start().await;
    let _agent = Agent::start(&cp, "n1", &["root", "child"]).await;
    let (root, kids) = run_with_children(&cp, "run_a").await;
    let r = cp
        .get(&format!("/api/ui/v1/workflows/run_a/dag{query}"))
        .await;
    assert_eq!(r.status, 200);
    let b = &r.body;
    assert_eq!(
        (
            b["mode"].clone(),
            b["total_nodes"].clone(),
            b["max_depth"].clone()
        ),
        (json!("lightweight"), json!(3), json!(1))
    );
    assert_eq!(b.get("dag"), None);
    assert_eq!(b["workflow_name"], "root");
    assert_eq!(b["workflow_status"], "succeeded");
    assert_eq!(b["unique_agent_node_ids"], json!(["n1"]));
    assert!(b["webhook_summary"].is_object());
    let ids: Vec<&str> = b["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["execution_id"].as_str())
        .collect();
    assert_eq!(ids, [root.as_str(), kids[0].as_str(), kids[1].as_str()]);
    for n in b["timeline"].as_array().into_iter().flatten() {
        for absent in ["workflow_id", "children", "notes", "notes_count", "reuse"] {
            assert_eq!(n.get(absent), None, "{absent} in {n}");
        }
    }
}

#[tokio::test]
async fn full_dag_nests_children_and_marks_leaves_and_timeline_with_null_children() {
    let cp = Cp::start().await;
    let _agent = Agent::start(&cp, "n1", &["root", "child"]).await;
    let (root, kids) = run_with_children(&cp, "run_a").await;
    let b = cp.get("/api/ui/v1/workflows/run_a/dag").await.body;
    assert_eq!(b["dag"]["execution_id"], root);
    assert_eq!(b["dag"]["workflow_id"], "run_a");
    assert_eq!(b["dag"]["children"][1]["execution_id"], kids[1]);
    assert_eq!(b["dag"]["children"][0]["children"], Value::Null);
    assert_eq!(b["dag"]["children"][0]["parent_execution_id"], root);
    assert_eq!(b["dag"]["children"][0]["workflow_depth"], 1);
    assert_eq!(b["dag"]["notes"], json!([]));
    assert_eq!(b["dag"]["notes_count"], 0);
    for n in b["timeline"].as_array().into_iter().flatten() {
        assert!(
            n.as_object()
                .is_some_and(|o| o.contains_key("children") && o["children"].is_null()),
            "{n}"
        );
    }
    assert_eq!(b.get("lineage"), None);
    assert_eq!(b.get("mode"), None);
}

#[tokio::test]
async fn dag_unknown_run_is_404_and_blank_is_400() {
    let cp = Cp::start().await;
    let r = cp.get("/api/ui/v1/workflows/run_none/dag").await;
    assert_eq!(
        (r.status, r.body),
        (404, json!({"error": "workflow not found"}))
    );
    let blank = cp.get("/api/ui/v1/workflows/%20/dag").await;
    assert_eq!(
        (blank.status, blank.body),
        (
            400,
            json!({"error": "workflowId or workflow_id is required"})
        )
    );
}

#[tokio::test]
async fn dag_reuse_follows_the_status_reason_whitespace_quirk_without_backfill() {
    let cp = Cp::start().await;
    let agent = Agent::start(&cp, "n1", &["root"]).await;
    agent.program(
        "root",
        Program::Callback(json!({"status": "failed", "status_reason": " agent_error"})),
    );
    let r = cp
        .execute("n1.root", &[("X-Run-ID", "run_q")], json!({}))
        .await;
    assert_eq!(r.status, 502);
    let b = cp
        .get("/api/ui/v1/workflows/run_q/dag?lightweight=1")
        .await
        .body;
    assert_eq!(
        b["timeline"][0]["reuse"],
        json!({"hit": true, "source_execution_id": "agent_error"})
    );
}

#[tokio::test]
async fn replay_hits_without_lineage_get_no_source_run_backfill() {
    let cp = Cp::start().await;
    let _agent = Agent::start(&cp, "n1", &["root", "child"]).await;
    let (_, kids) = run_with_children(&cp, "run_src").await;
    let h = [
        ("X-Run-ID", "run_b"),
        ("X-Parent-Execution-ID", "exec_p"),
        ("X-AgentField-Replay-Source-Run-ID", "run_src"),
    ];
    assert!(cp
        .execute("n1.child", &h, json!({"input": {"i": 0}}))
        .await
        .header("x-agentfield-replay-hit")
        .is_some());
    let b = cp.get("/api/ui/v1/workflows/run_b/dag").await.body;
    assert_eq!(
        b["timeline"][0]["reuse"],
        json!({"hit": true, "source_execution_id": kids[0]})
    );
}

#[tokio::test]
async fn run_list_pages_filters_and_carries_lineage() {
    let cp = Cp::start().await;
    let _agent = Agent::start(&cp, "n1", &["root", "child"]).await;
    for run in ["run_1", "run_2", "run_3"] {
        run_with_children(&cp, run).await;
    }
    let page = cp
        .get("/api/ui/v2/workflow-runs?page=2&page_size=2&sort_by=started&sort_order=asc")
        .await
        .body;
    assert_eq!(
        (
            page["total_count"].clone(),
            page["page"].clone(),
            page["page_size"].clone()
        ),
        (json!(3), json!(2), json!(2))
    );
    assert_eq!(page["has_more"], false);
    assert_eq!(page["runs"][0]["run_id"], "run_3");
    let one = cp.get("/api/ui/v2/workflow-runs?run_id=run_2").await.body;
    let row = &one["runs"][0];
    assert_eq!(one["total_count"], 1);
    assert_eq!(
        (row["status"].clone(), row["total_executions"].clone()),
        (json!("succeeded"), json!(3))
    );
    assert_eq!(
        (row["root_reasoner"].clone(), row["terminal"].clone()),
        (json!("root"), json!(true))
    );
    assert_eq!(row["workflow_id"], "run_2");
    let root = row["root_execution_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let restarted = cp
        .post(
            &format!("/api/v1/executions/{root}/restart"),
            &[],
            json!({}),
        )
        .await;
    assert_eq!(restarted.status, 202);
    let new_run = restarted.str("run_id");
    cp.wait_terminal(&restarted.str("execution_id")).await;
    let listed = cp
        .get(&format!("/api/ui/v2/workflow-runs?run_id={new_run}"))
        .await
        .body;
    assert_eq!(listed["runs"][0]["lineage"]["source_run_id"], "run_2");
    let clamped = cp.get("/api/ui/v2/workflow-runs?page_size=0").await.body;
    assert_eq!(clamped["page_size"], 1);
}

#[tokio::test]
async fn run_detail_shows_counts_and_executions() {
    let cp = Cp::start().await;
    let agent = Agent::start(&cp, "n1", &["root", "child"]).await;
    let (root, _) = run_with_children(&cp, "run_d").await;
    agent.program("child", Program::Reply(500, "x".into()));
    let h = [
        ("X-Run-ID", "run_d"),
        ("X-Parent-Execution-ID", root.as_str()),
    ];
    assert_eq!(cp.execute("n1.child", &h, json!({})).await.status, 502);
    let r = cp.get("/api/ui/v2/workflow-runs/run_d").await;
    assert_eq!(r.status, 200);
    let run = &r.body["run"];
    assert_eq!(
        (run["status"].clone(), run["total_steps"].clone()),
        (json!("failed"), json!(4))
    );
    assert_eq!(
        (run["completed_steps"].clone(), run["failed_steps"].clone()),
        (json!(3), json!(1))
    );
    assert_eq!(run["root_execution_id"], root);
    assert_eq!(r.body["executions"].as_array().map(Vec::len), Some(4));
    assert_eq!(r.body["executions"][1]["parent_execution_id"], root);
    let missing = cp.get("/api/ui/v2/workflow-runs/run_none").await;
    assert_eq!(
        (missing.status, missing.body),
        (404, json!({"error": "workflow run not found"}))
    );
}

#[tokio::test]
async fn golden_follows_the_status_table_and_keeps_lineage() {
    let cp = Cp::start().await;
    let agent = Agent::start(&cp, "n1", &["root", "child"]).await;
    let (root, _) = run_with_children(&cp, "run_g").await;
    let path = "/api/ui/v2/workflow-runs/run_g/golden";
    let empty = cp.post_raw(path, &[], "").await;
    assert_eq!(empty.status, 400);
    assert!(empty.str("error").starts_with("invalid request body"));
    assert_eq!(cp.post_raw(path, &[], "{").await.status, 400);
    let unknown = cp
        .post("/api/ui/v2/workflow-runs/run_none/golden", &[], json!({}))
        .await;
    assert_eq!(
        (unknown.status, unknown.body),
        (404, json!({"error": "workflow run not found"}))
    );

    let saved = cp.post(path, &[], json!({})).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(
        saved.body["golden"]["name"], "run_g",
        "name defaults to the run id"
    );
    assert_eq!(saved.body["golden"]["saved_by"], "user");
    let named = cp
        .post(
            path,
            &[],
            json!({"name": " best ", "tags": [" a", "b", "a ", ""]}),
        )
        .await;
    assert_eq!(named.body["golden"]["name"], "best");
    assert_eq!(named.body["golden"]["tags"], json!(["a", "b"]));
    assert_eq!(named.body["run_id"], "run_g");

    // Restart, then save the new run: lineage must survive the golden rewrite.
    let r = cp
        .post(
            &format!("/api/v1/executions/{root}/restart"),
            &[],
            json!({"reason": "why"}),
        )
        .await;
    let new_run = r.str("run_id");
    cp.wait_terminal(&r.str("execution_id")).await;
    let g = cp
        .post(
            &format!("/api/ui/v2/workflow-runs/{new_run}/golden"),
            &[],
            json!({"tags": ["x"]}),
        )
        .await;
    assert_eq!(g.status, 200, "{}", g.body);
    assert_eq!(g.body["lineage"]["source_run_id"], "run_g");
    let detail = cp
        .get(&format!("/api/ui/v2/workflow-runs/{new_run}"))
        .await
        .body;
    assert_eq!(detail["run"]["golden"]["tags"], json!(["x"]));
    assert_eq!(detail["run"]["lineage"]["kind"], "restart");

    agent.program("root", Program::Reply(500, "no".into()));
    assert_eq!(
        cp.execute("n1.root", &[("X-Run-ID", "run_bad")], json!({}))
            .await
            .status,
        502
    );
    let conflict = cp
        .post("/api/ui/v2/workflow-runs/run_bad/golden", &[], json!({}))
        .await;
    assert_eq!(
        (conflict.status, conflict.body),
        (
            409,
            json!({"error": "only succeeded runs can be saved as golden"})
        )
    );
}
