//! The dev-control-plane routes of issue 14 that the scenarios cannot show
//! with stable ids: the legacy direct invocation's success path (what the
//! agent receives, what the caller gets, that no execution is recorded), the
//! DID routes as DID-disabled v0.1.96 answers them, and memory reads after
//! rejected writes.

use crate::kit::{Agent, Cp, Program};
use rstest::rstest;
use serde_json::json;

#[tokio::test]
async fn legacy_invocation_dispatches_once_with_its_own_headers_and_records_nothing() {
    let cp = Cp::start().await;
    let agent = Agent::start(&cp, "n1", &["root"]).await;
    let headers = [
        ("X-Session-ID", "s1"),
        ("X-Actor-ID", "a1"),
        ("X-Parent-Execution-ID", "exec_parent"),
        ("X-Caller-DID", "did:key:caller"),
        ("X-Run-ID", "run_ignored"),
        ("X-AgentField-Replay-Source-Run-ID", "run_ignored"),
    ];
    let r = cp
        .post(
            "/api/v1/reasoners/n1.root",
            &headers,
            json!({"input": {"q": 1}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["result"], json!({"echo": {"q": 1}}));
    assert_eq!(r.body["node_id"], "n1");
    assert!(r.body["duration_ms"].is_i64() && r.body["timestamp"].is_string());
    let exec = r.header("x-execution-id").expect("X-Execution-ID");
    let workflow = r.header("x-workflow-id").expect("X-Workflow-ID");
    assert!(workflow.starts_with("wf_"), "{workflow}");
    assert_eq!(r.header("x-agent-node-id").as_deref(), Some("n1"));
    assert!(r
        .header("x-agentfield-request-id")
        .is_some_and(|v| v.starts_with("req_")));

    let hops = agent.hops_to("root");
    assert_eq!(hops.len(), 1, "one dispatch");
    let hop = &hops[0];
    assert_eq!(hop.h("x-execution-id"), Some(exec.as_str()));
    assert_eq!(hop.h("x-workflow-id"), Some(workflow.as_str()));
    assert_eq!(
        hop.h("x-run-id"),
        None,
        "a long-running agent gets no X-Run-ID"
    );
    assert_eq!(hop.h("x-session-id"), Some("s1"));
    assert_eq!(hop.h("x-actor-id"), Some("a1"));
    assert_eq!(hop.h("x-parent-execution-id"), Some("exec_parent"));
    assert_eq!(hop.h("x-caller-did"), Some("did:key:caller"));
    assert_eq!(hop.h("x-agentfield-replay-source-run-id"), None);
    assert_eq!(hop.body, json!({"q": 1}));
    // Nothing persisted: no execution, no run.
    assert_eq!(
        cp.get(&format!("/api/v1/executions/{exec}")).await.status,
        404
    );
    let runs = cp.get("/api/ui/v2/workflow-runs?session_id=s1").await;
    assert_eq!(runs.body["total_count"], 0, "{}", runs.body);
}

#[tokio::test]
async fn legacy_invocation_passes_any_json_reply_through_and_refuses_other_bodies() {
    let cp = Cp::start().await;
    let agent = Agent::start(&cp, "n1", &["root"]).await;
    agent.program("root", Program::Reply(500, r#"{"detail":"boom"}"#.into()));
    let r = cp
        .post("/api/v1/reasoners/n1.root", &[], json!({"input": {}}))
        .await;
    assert_eq!(
        (r.status, &r.body["result"]),
        (200, &json!({"detail": "boom"}))
    );
    agent.program("root", Program::Reply(200, "not json".into()));
    let r = cp
        .post("/api/v1/reasoners/n1.root", &[], json!({"input": {}}))
        .await;
    assert_eq!(
        (r.status, r.body.clone()),
        (500, json!({"error": "failed to parse agent response"}))
    );
    let r = cp
        .post(
            "/api/v1/skills/n1.skill_a",
            &[("X-Workflow-ID", "wf_mine")],
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("x-workflow-id").as_deref(), Some("wf_mine"));
    assert_eq!(agent.hops_to("skill_a")[0].kind, "skills");
}

#[tokio::test]
async fn legacy_invocation_of_a_serverless_reasoner_sends_the_envelope_and_a_run_id() {
    let cp = Cp::start().await;
    let agent = Agent::start(&cp, "n1", &["root"]).await;
    let reg = cp
        .post(
            "/api/v1/nodes/register",
            &[],
            json!({
                "id": "sl",
                "base_url": agent.base_url,
                "invocation_url": format!("{}/reasoners/root", agent.base_url),
                "deployment_type": "serverless",
                "reasoners": [{"id": "root"}],
                "skills": [],
            }),
        )
        .await;
    assert_eq!(reg.status, 201, "{}", reg.body);
    let r = cp
        .post(
            "/api/v1/reasoners/sl.root",
            &[("X-Session-ID", "s1")],
            json!({"input": {"q": 2}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let exec = r.header("x-execution-id").expect("X-Execution-ID");
    let workflow = r.header("x-workflow-id").expect("X-Workflow-ID");
    let hop = &agent.hops_to("root")[0];
    assert_eq!(hop.h("x-run-id"), Some(workflow.as_str()));
    assert_eq!(
        hop.body,
        json!({
            "path": "/execute/root",
            "target": "root",
            "reasoner": "root",
            "type": "reasoner",
            "input": {"q": 2},
            "execution_context": {
                "execution_id": exec,
                "run_id": workflow,
                "workflow_id": workflow,
                "session_id": "s1",
            },
        })
    );
}

#[tokio::test]
async fn legacy_invocation_of_an_unreachable_agent_is_503() {
    let cp = Cp::start().await;
    let agent = Agent::start(&cp, "n1", &["root"]).await;
    drop(agent);
    let r = cp
        .post("/api/v1/reasoners/n1.root", &[], json!({"input": {}}))
        .await;
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(
        r.str("error").starts_with("failed to call agent node: "),
        "{}",
        r.body
    );
}

#[rstest]
#[case("POST", "/api/v1/did/register")]
#[case("GET", "/api/v1/did/resolve/did:key:z6Mk")]
#[case("POST", "/api/v1/did/verify")]
#[case("GET", "/api/v1/did/workflow/wf_1/vc-chain")]
#[case("POST", "/api/v1/did/workflow/wf_1/vc")]
#[case("GET", "/api/v1/did/export/vcs")]
#[case("POST", "/api/v1/execution/vc")]
#[case("GET", "/api/v1/policies")]
#[case("GET", "/api/v1/revocations")]
#[case("GET", "/api/v1/admin/public-key")]
#[case("GET", "/api/v1/agents/n1/tag-vc")]
#[case("GET", "/.well-known/did.json")]
#[case("GET", "/agents/n1/did.json")]
#[tokio::test]
async fn did_routes_answer_as_did_disabled_v0_1_96(#[case] method: &str, #[case] path: &str) {
    let cp = Cp::start().await;
    let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let resp = cp
        .client
        .request(m, format!("{}{path}", cp.url))
        .json(&json!({}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status().as_u16(), 404);
    let body: serde_json::Value = resp.json().await.expect("JSON body");
    assert_eq!(
        body,
        json!({
            "error": "endpoint_not_found",
            "message": format!("{method} {path} does not exist"),
            "suggestions": null,
        })
    );
}

#[tokio::test]
async fn registered_dids_is_an_empty_list() {
    let cp = Cp::start().await;
    let r = cp.get("/api/v1/registered-dids").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        (&r.body["registered_dids"], &r.body["total"]),
        (&json!([]), &json!(0))
    );
}

#[tokio::test]
async fn rejected_memory_writes_store_nothing_in_any_scope() {
    let cp = Cp::start().await;
    let all = [
        ("X-Workflow-ID", "w"),
        ("X-Session-ID", "s"),
        ("X-Actor-ID", "a"),
    ];
    for (body, status) in [
        (json!({"key": "k"}), 400),
        (json!({"key": "", "data": 1}), 400),
        (json!({"key": "k", "data": null}), 400),
        (json!({"key": "k", "data": 1, "scope": "bogus"}), 500),
        (json!({"key": "k", "data": 1, "scope": 1}), 400),
    ] {
        let r = cp.post("/api/v1/memory/set", &all, body.clone()).await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
    }
    for scope in ["workflow", "session", "actor", "reasoner", "global"] {
        let mut req = cp
            .client
            .get(format!("{}/api/v1/memory/list?scope={scope}", cp.url));
        for (k, v) in all {
            req = req.header(k, v);
        }
        let resp = req.send().await.expect("request");
        assert_eq!(resp.status().as_u16(), 200, "{scope}");
        let body: serde_json::Value = resp.json().await.expect("JSON body");
        assert_eq!(body, json!([]), "{scope}");
    }
    let r = cp
        .post("/api/v1/memory/get", &all, json!({"key": "k"}))
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
}
