//! The newest contract's dispatch-side agent restart wait (§8
//! `awaiting_agent_restart`; upstream `handlers/execute_agent_restart.go`
//! `retryAfterAgentRestart`, `TestDispatchAgentRequestWaitsOutARestart`,
//! `TestDispatchAgentRequestGivesUpAndDemotesTheNode`).
//!
//! Not a scenario: the row shows `awaiting_agent_restart` only between the
//! failed dial and the re-registration, and no scenario step reads a row
//! until it holds something (a `request:` reads once), so a scenario could
//! not order the re-registration after the stamp without a clock. Here the
//! read is polled with a deadline, and the wait itself is woken by the
//! re-registration, never by a clock.

use std::time::Duration;

use afc::reference::contract::Contract;
use afc::reference::Config;
use serde_json::json;

use crate::kit::{eventually, Agent, Cp};

/// An address that refuses connections: bound, then closed.
fn dead_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = l.local_addr().expect("bound address");
    drop(l);
    format!("http://{addr}")
}

/// A control plane on `contract` with `grace`, and node n1 registered at a
/// dead address as instance i-1 (the agent mid-restart).
async fn with_dead_node(contract: Contract, grace: Duration) -> Cp {
    let cp = Cp::with_config(Config {
        contract,
        agent_restart_grace: grace,
        ..Config::default()
    })
    .await;
    let body = json!({
        "id": "n1", "base_url": dead_url(), "version": "1.0.0", "instance_id": "i-1",
        "reasoners": [{"id": "root"}], "skills": [],
    });
    let r = cp.post("/api/v1/nodes/register", &[], body).await;
    assert_eq!(r.status, 201, "registration: {}", r.body);
    cp
}

#[tokio::test]
async fn a_dial_failure_is_held_until_the_agent_re_registers_then_dispatched_again() {
    let cp = with_dead_node(Contract::Latest, Duration::from_secs(60)).await;
    let r = cp
        .execute_async("n1.root", &[], json!({"input": {"k": 1}}))
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let id = r.str("execution_id");
    eventually("the row to show awaiting_agent_restart", || {
        let (cp, id) = (&cp, &id);
        async move {
            let g = cp.get(&format!("/api/v1/executions/{id}")).await;
            let held = g.body["status"] == "running"
                && g.body["status_reason"] == "awaiting_agent_restart";
            if held {
                Ok(())
            } else {
                Err(g.body.to_string())
            }
        }
    })
    .await;
    // The agent comes back as another instance on another port; its
    // registration would reap i-1's active rows, but not the held one.
    let agent = Agent::start(&cp, "n1", &["root"]).await;
    let done = cp.wait_terminal(&id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert!(
        done["status_reason"].is_null(),
        "the hold is cleared: {done}"
    );
    let hop = agent.wait_hop(&id).await;
    assert_eq!(hop.h("x-execution-id"), Some(id.as_str()));
}

#[tokio::test]
async fn past_the_grace_the_dial_failure_fails_the_row_and_the_node_is_refused_next() {
    // A short grace is the deadline under test; the test waits on the row.
    let cp = with_dead_node(Contract::Latest, Duration::from_millis(200)).await;
    let r = cp.execute_async("n1.root", &[], json!({"input": {}})).await;
    assert_eq!(r.status, 202, "{}", r.body);
    let done = cp.wait_terminal(&r.str("execution_id")).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["status_reason"], "agent_unreachable", "{done}");
    let next = cp.execute_async("n1.root", &[], json!({"input": {}})).await;
    assert_eq!(
        next.status, 503,
        "the node was marked inactive: {}",
        next.body
    );
    assert_eq!(
        next.body["error_category"], "node_unavailable",
        "{}",
        next.body
    );
}

#[tokio::test]
async fn v0_1_96_fails_a_dial_failure_at_once() {
    let cp = with_dead_node(Contract::V0_1_96, Duration::from_secs(60)).await;
    let r = cp.execute_async("n1.root", &[], json!({"input": {}})).await;
    assert_eq!(r.status, 202, "{}", r.body);
    // Within the kit's deadline, far below the 60 s grace.
    let done = cp.wait_terminal(&r.str("execution_id")).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["status_reason"], "agent_unreachable", "{done}");
}
