//! Node surface, health, auth and isolation of the reference (agent-protocol
//! §1, §6.1).

use std::time::Duration;

use crate::kit::{Agent, Cp};
use afc::reference::contract::Contract;
use afc::reference::Config;
use rstest::rstest;
use serde_json::json;

#[tokio::test]
async fn health_answers_healthy_on_both_paths() {
    let cp = Cp::start().await;
    for path in ["/health", "/api/v1/health"] {
        let r = cp.get(path).await;
        assert_eq!(
            (r.status, r.body),
            (200, json!({"status": "healthy"})),
            "{path}"
        );
    }
}

#[tokio::test]
async fn api_key_gates_every_api_route_but_health() {
    let cp = Cp::with_config(Config {
        api_key: Some("k".into()),
        agent_timeout: Duration::from_secs(5),
        ..Config::default()
    })
    .await;
    assert_eq!(cp.get("/api/v1/health").await.status, 200);
    let denied = cp.get("/api/v1/executions/x").await;
    assert_eq!(denied.status, 401);
    assert_eq!(denied.body["error"], "unauthorized");
    assert!(denied
        .str("message")
        .starts_with("invalid or missing API key"));
    let send = |h: (&'static str, &'static str)| {
        cp.client
            .get(format!("{}/api/v1/executions/x", cp.url))
            .header(h.0, h.1)
            .send()
    };
    let by_key = send(("X-API-Key", "k")).await.expect("request");
    assert_eq!(by_key.status().as_u16(), 404);
    let by_bearer = send(("Authorization", "Bearer k")).await.expect("request");
    assert_eq!(by_bearer.status().as_u16(), 404);
    let wrong = send(("X-API-Key", "nope")).await.expect("request");
    assert_eq!(wrong.status().as_u16(), 401);
}

#[tokio::test]
async fn unknown_api_routes_and_wrong_methods_are_404_json() {
    let cp = Cp::start().await;
    let r = cp.get("/api/v1/nope").await;
    assert_eq!((r.status, r.body["error"].is_string()), (404, true));
    assert_eq!(cp.get("/api/v1/execute/n1.root").await.status, 404);
}

#[rstest]
#[case::missing_id(r#"{"base_url":"http://127.0.0.1:1"}"#, "Validation failed: ")]
#[case::empty_id(r#"{"id":""}"#, "Validation failed: ")]
#[case::bad_json("{", "Invalid JSON format: ")]
#[case::accepts_webhook_bool(
    r#"{"id":"n","reasoners":[{"id":"r","accepts_webhook":true}]}"#,
    "Invalid JSON format: "
)]
#[case::bad_scheme(r#"{"id":"n","base_url":"ftp://h"}"#, "Invalid callback URL: ")]
#[case::userinfo(r#"{"id":"n","base_url":"http://u:p@h"}"#, "Invalid callback URL: ")]
#[case::no_host(r#"{"id":"n","base_url":"http://"}"#, "Invalid callback URL: ")]
#[tokio::test]
async fn registration_validation_errors_are_400(#[case] body: &str, #[case] prefix: &str) {
    let cp = Cp::start().await;
    for path in ["/api/v1/nodes/register", "/api/v1/nodes"] {
        let r = cp.post_raw(path, &[], body.to_owned()).await;
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        assert!(r.str("error").starts_with(prefix), "{path}: {}", r.body);
    }
    assert_eq!(
        cp.get("/api/v1/nodes/n").await.status,
        404,
        "nothing stored"
    );
}

#[tokio::test]
async fn node_endpoints_answer_as_documented() {
    let cp = Cp::start().await;
    let r = cp
        .post(
            "/api/v1/nodes",
            &[],
            json!({"id": "n9", "base_url": "http://127.0.0.1:9", "extra": 1}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(
        (r.body["success"].clone(), r.body["node_id"].clone()),
        (json!(true), json!("n9"))
    );
    assert_eq!(r.body["message"], "Node registered successfully");
    let node = cp.get("/api/v1/nodes/n9").await;
    assert_eq!(
        (node.status, node.body["lifecycle_status"].clone()),
        (200, json!("starting"))
    );
    assert_eq!(node.body["health_status"], "unknown");
    let listed = cp.get("/api/v1/nodes?group_id=n9").await.body["count"].clone();
    assert_eq!(listed, json!(0), "not yet heard from");
    let hb = cp
        .post_raw("/api/v1/nodes/n9/heartbeat", &[], "not json")
        .await;
    assert_eq!(
        (hb.status, hb.body["message"].clone()),
        (200, json!("heartbeat received"))
    );
    // Registered: `unknown` and left out of the default (active) list; a
    // heartbeat makes it `active` and listed, as v0.1.96's status manager does.
    let listed = cp.get("/api/v1/nodes?group_id=n9").await.body["count"].clone();
    assert_eq!(listed, json!(1), "a heartbeating node is active");
    assert_eq!(
        cp.get("/api/v1/nodes/n9").await.body["health_status"],
        "active"
    );
    let missing = cp
        .post("/api/v1/nodes/ghost/heartbeat", &[], json!({}))
        .await;
    assert_eq!(
        (missing.status, missing.body),
        (404, json!({"error": "node not found"}))
    );
    let patched = cp
        .client
        .patch(format!("{}/api/v1/nodes/n9/status", cp.url))
        .json(&json!({"phase": "ready"}))
        .send();
    let patched = patched.await.expect("patch");
    assert_eq!(patched.status().as_u16(), 200);
    let down = cp.post("/api/v1/nodes/n9/shutdown", &[], json!({})).await;
    assert_eq!(down.status, 202);
    assert_eq!(
        cp.get("/api/v1/nodes/n9").await.body["lifecycle_status"],
        "offline"
    );
}

/// The reap on an instance change: v0.1.96 names the new instance; the
/// newest names the old one and shows `instance_id` on the execution read
/// (upstream `TestRegisterNodeHandler_ReapsOrphansOnInstanceChange`,
/// `…_NoReapOnSameInstance`).
#[rstest]
#[case::v0_1_96(Contract::V0_1_96)]
#[case::latest(Contract::Latest)]
#[tokio::test]
async fn reregistering_with_a_new_instance_orphans_active_executions(#[case] contract: Contract) {
    let cp = Cp::on(contract).await;
    let agent = Agent::start(&cp, "n1", &["root"]).await;
    let exec = agent.held_root(&cp).await;
    let old = agent.instance_id.clone();
    let same = agent.register(&cp, &["root"], &[], &old).await;
    assert_eq!(same.status, 201);
    let view = cp.get(&format!("/api/v1/executions/{exec}")).await.body;
    assert_eq!(view["status"], "running");
    let latest = contract == Contract::Latest;
    let shown = latest.then(|| json!(old));
    assert_eq!(view.get("instance_id"), shown.as_ref(), "{view}");
    assert_eq!(
        agent
            .register(&cp, &["root"], &[], "new-instance")
            .await
            .status,
        201
    );
    let view = cp.get(&format!("/api/v1/executions/{exec}")).await.body;
    assert_eq!(view["status"], "failed");
    let reason = view["status_reason"].as_str().unwrap_or_default();
    let want = if latest {
        format!("agent_restart_orphaned: previous instance {old} is gone")
    } else {
        "agent_restart_orphaned: n1 re-registered with new instance new-instance".to_owned()
    };
    assert!(reason.starts_with(&want), "{reason}");
    assert_eq!(view["error"], reason);
}

/// Only the departed instance's rows (or rows with none) are reaped on the
/// newest contract (`MarkAgentInstanceExecutionsOrphaned`); v0.1.96 reaps
/// every active row of the node. A row made under instance `a` survives the
/// change `b` → `c` (reached through a legacy, instance-less registration,
/// which reaps nothing: `TestRegisterNodeHandler_NoReapOnLegacySDK`).
#[rstest]
#[case::v0_1_96(Contract::V0_1_96, "failed")]
#[case::latest(Contract::Latest, "running")]
#[tokio::test]
async fn only_the_departed_instance_is_reaped_on_the_newest(
    #[case] contract: Contract,
    #[case] after: &str,
) {
    let cp = Cp::on(contract).await;
    let agent = Agent::start(&cp, "n1", &["root"]).await;
    let exec = agent.held_root(&cp).await;
    for instance in ["", "b", "c"] {
        let r = agent.register(&cp, &["root"], &[], instance).await;
        assert_eq!(r.status, 201, "{instance:?}");
    }
    let view = cp.get(&format!("/api/v1/executions/{exec}")).await.body;
    assert_eq!(view["status"], after, "{view}");
}

#[tokio::test]
async fn two_control_planes_in_one_process_share_nothing() {
    let a = Cp::start().await;
    let b = Cp::start().await;
    let _agent = Agent::start(&a, "n1", &["root"]).await;
    assert_eq!(a.get("/api/v1/nodes/n1").await.status, 200);
    assert_eq!(b.get("/api/v1/nodes/n1").await.status, 404);
}
