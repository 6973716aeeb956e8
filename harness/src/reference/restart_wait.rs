//! The newest contract's dispatch-side agent restart wait (V-latest; §8's
//! `awaiting_agent_restart`): a dial failure (no byte reached the agent, so a
//! second try cannot run anything twice) on a long-running node stamps the
//! row `status_reason: awaiting_agent_restart` (status stays `running`; the
//! orphan reap skips such a row), waits for the node to come back as another
//! process (a new non-empty `instance_id`, or a newer heartbeat), then
//! dispatches again to its current address and clears the stamp. The wait
//! is woken by registrations and heartbeats, never by a clock; its deadline
//! is [`Config::agent_restart_grace`](super::Config). When it passes, the
//! node is marked `inactive` (so the next caller is refused `node_unavailable`
//! at once) and the dial failure fails the row, as before.
//!
//! Upstream: `handlers/execute_agent_restart.go` (`dispatchAgentRequest`,
//! `retryAfterAgentRestart`, `agentCameBack`, `markAgentUnreachable`,
//! `setExecutionRestartReason`); asserted by
//! `TestDispatchAgentRequestWaitsOutARestart`,
//! `TestDispatchAgentRequestGivesUpAndDemotesTheNode`,
//! `TestDispatchAgentRequestDoesNotWaitForServerless`, `TestAgentCameBack`.

use tokio::time::Instant;

use super::contract::Feature;
use super::model::Node;
use super::state::AppState;
use super::status::Status;

/// The `status_reason` of a row held across an agent restart.
pub const AWAITING_AGENT_RESTART: &str = "awaiting_agent_restart";

/// How a wait ended.
#[derive(Debug)]
pub enum Wait {
    /// The node came back as another process: dispatch again to it.
    Back(Box<Node>),
    /// The node was declared down meanwhile, or is gone: fail now.
    Down,
    /// The grace passed.
    GaveUp,
}

/// Whether a dial failure on `node` may be waited out (`agentMayRestart`):
/// the newest contract, a positive grace, and a resident process.
pub fn may_wait(state: &AppState, node: &Node) -> bool {
    state.config.contract.serves(Feature::AgentRestartWait)
        && !state.config.agent_restart_grace.is_zero()
        && node.deployment_type != "serverless"
}

/// The deadline of a wait that starts now.
pub fn deadline(state: &AppState) -> Instant {
    Instant::now() + state.config.agent_restart_grace
}

/// Stamps (`hold`) or clears the row's reason; only a `running` row is
/// touched, and only our own stamp is cleared (`setExecutionRestartReason`).
pub fn stamp(state: &AppState, exec_id: &str, hold: bool) {
    let stamped = state.update_execution(exec_id, &mut |e| {
        if e.status != Status::Running {
            return Ok(());
        }
        if hold {
            e.status_reason = Some(AWAITING_AGENT_RESTART.to_owned());
        } else if e.status_reason.as_deref() == Some(AWAITING_AGENT_RESTART) {
            e.status_reason = None;
        }
        Ok(())
    });
    if let Err(e) = stamped {
        tracing::debug!(execution_id = exec_id, error = %e, "could not record the agent-restart hold");
    }
}

/// Whether `now` describes another live process than `seen` (`agentCameBack`).
fn came_back(now: &Node, seen: &Node) -> bool {
    (!now.instance_id.is_empty() && now.instance_id != seen.instance_id)
        || now.last_heartbeat > seen.last_heartbeat
}

/// Waits until the node `seen` describes comes back, is declared down, or
/// `deadline` passes; woken by each registration and heartbeat.
pub async fn until_back(state: &AppState, seen: &Node, deadline: Instant) -> Wait {
    let mut woken = state.node_changes.subscribe();
    loop {
        match state.store.node(&seen.id) {
            Ok(Some(n)) if came_back(&n, seen) => return Wait::Back(Box::new(n)),
            Ok(Some(n)) if n.health_status == "inactive" || n.lifecycle_status == "offline" => {
                return Wait::Down
            }
            Ok(Some(_)) | Err(_) => {}
            Ok(None) => return Wait::Down,
        }
        match tokio::time::timeout_at(deadline, woken.changed()).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Wait::Down,
            Err(_) => return Wait::GaveUp,
        }
    }
}

/// Marks a node that stayed unreachable for the whole grace `inactive`,
/// unless it showed a sign of life meanwhile (`markAgentUnreachable`).
pub fn demote(state: &AppState, seen: &Node) {
    let demoted = state.store.update_node(&seen.id, &mut |n| {
        if n.last_heartbeat == seen.last_heartbeat {
            n.health_status = "inactive".to_owned();
        }
    });
    if let Err(e) = demoted {
        tracing::debug!(node = %seen.id, error = %e, "could not demote an unreachable node");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_instance_or_a_newer_heartbeat_is_a_return() {
        let seen = Node {
            instance_id: "old".into(),
            ..Node::default()
        };
        let mut now = seen.clone();
        assert!(!came_back(&now, &seen), "the same process");
        now.instance_id = "new".into();
        assert!(came_back(&now, &seen));
        now.instance_id = String::new();
        assert!(!came_back(&now, &seen), "an empty instance is no signal");
        now.last_heartbeat = seen.last_heartbeat + chrono::Duration::seconds(1);
        assert!(came_back(&now, &seen), "a newer heartbeat is the fallback");
    }
}
