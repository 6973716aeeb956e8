//! Control plane → agent (agent-protocol §3): build the request of contract
//! §4.1, send it, and record what came back on the execution row.

use std::time::Duration;

use chrono::Utc;
use serde_json::Value;

pub use super::agent_request::serverless_body;
use super::agent_request::{request_body, target_url};
use super::limits::{read_capped, ReadError};
use super::model::{millis_between, Execution};
use super::restart_wait::{self, Wait};
use super::state::AppState;
use super::status::Status;

/// `status_reason` of an execution whose agent answer exceeded the cap. Not a
/// v0.1.96 category (it reads answers whole, however large).
pub const AGENT_RESPONSE_TOO_LARGE: &str = "agent_response_too_large";

/// What the agent did with a dispatch.
#[derive(Debug)]
pub enum CallOutcome {
    /// Answered < 300 and not 202: the body is the result.
    Completed(Vec<u8>),
    /// Answered 202: the result comes later through the status callback.
    Accepted,
    /// Answered ≥ 300: a redirect (never followed) or an error.
    AgentError {
        /// The agent's status code.
        status: u16,
        /// The agent's body.
        body: Vec<u8>,
    },
    /// No answer within the agent timeout.
    Timeout(String),
    /// Could not connect (refused, reset, unknown host).
    Unreachable(String),
    /// Answered with a body larger than `Config::max_agent_response_bytes`.
    TooLarge(String),
}

/// How a failed dispatch ends up on the row and in a sync reply (§3.4).
#[derive(Debug)]
pub struct Failure {
    /// The category: the row's `status_reason` and the reply's `error_category`.
    pub category: &'static str,
    /// The row's `error_message` and the reply's `error`.
    pub message: String,
    /// Status of the sync reply.
    pub http_status: u16,
    /// The agent body when it is JSON (`error_details`).
    pub details: Option<Value>,
    /// Whether the agent answered at all (the reply then carries `status:"failed"`).
    pub answered: bool,
}

/// Sends the dispatch for `exec` and returns the agent's answer. Never holds
/// a lock. On the newest contract a dial failure on a restarting node is
/// waited out and sent again to where the node came back (`restart_wait`).
pub async fn call_agent(state: &AppState, exec: &Execution) -> CallOutcome {
    let mut node = match state.store.node(&exec.agent_node_id) {
        Ok(Some(n)) => n,
        Ok(None) => {
            return CallOutcome::Unreachable(format!("agent '{}' not found", exec.agent_node_id))
        }
        Err(e) => return CallOutcome::Unreachable(e.to_string()),
    };
    let mut deadline = None;
    let response = loop {
        let (url, body) = (target_url(&node, exec), request_body(&node, exec));
        let headers = dispatch_headers(exec);
        let sent = send(state, &url, &headers, body).await;
        let e = match sent {
            Ok(r) => break r,
            Err(e) if e.is_connect() && restart_wait::may_wait(state, &node) => e,
            Err(e) => {
                if deadline.is_some() {
                    restart_wait::stamp(state, &exec.execution_id, false);
                }
                return classify_transport(&e);
            }
        };
        let until = *deadline.get_or_insert_with(|| restart_wait::deadline(state));
        restart_wait::stamp(state, &exec.execution_id, true);
        match restart_wait::until_back(state, &node, until).await {
            Wait::Back(n) => node = *n,
            waited => {
                restart_wait::stamp(state, &exec.execution_id, false);
                if matches!(waited, Wait::GaveUp) {
                    restart_wait::demote(state, &node);
                }
                return classify_transport(&e);
            }
        }
        // A cancel while waiting wins over the second dispatch.
        if let Ok(Some(cur)) = state.store.execution(&exec.execution_id) {
            if cur.status == Status::Cancelled {
                return CallOutcome::Unreachable(
                    "execution cancelled while waiting for agent restart".to_owned(),
                );
            }
        }
    };
    if deadline.is_some() {
        restart_wait::stamp(state, &exec.execution_id, false);
    }
    let status = response.status().as_u16();
    let bytes = match read_capped(response, state.config.max_agent_response_bytes).await {
        Ok(b) => b,
        Err(ReadError::Transport(e)) => return classify_transport(&e),
        Err(e) => {
            return CallOutcome::TooLarge(format!(
                "agent answered {status} with a body too large: {e}"
            ))
        }
    };
    match status {
        202 => CallOutcome::Accepted,
        s if s < 300 => CallOutcome::Completed(bytes),
        s => CallOutcome::AgentError {
            status: s,
            body: bytes,
        },
    }
}

/// The headers of contract §4.1 for `exec`.
fn dispatch_headers(exec: &Execution) -> Vec<(&'static str, &str)> {
    let mut headers = vec![
        ("Content-Type", "application/json"),
        ("X-Run-ID", exec.run_id.as_str()),
        ("X-Execution-ID", exec.execution_id.as_str()),
        ("X-Workflow-ID", exec.run_id.as_str()),
    ];
    let optional = [
        ("X-Parent-Execution-ID", &exec.parent_execution_id),
        ("X-Session-ID", &exec.session_id),
        ("X-Actor-ID", &exec.actor_id),
        (
            "X-AgentField-Replay-Source-Run-ID",
            &exec.replay.source_run_id,
        ),
        (
            "X-AgentField-Replay-Before-Execution-ID",
            &exec.replay.before_execution_id,
        ),
        ("X-AgentField-Replay-Mode", &exec.replay.mode),
    ];
    for (name, value) in optional {
        if let Some(v) = value {
            headers.push((name, v.as_str()));
        }
    }
    headers
}

/// POSTs a dispatch, on a kept-alive connection when one is idle. Never
/// sent twice: a POST runs a reasoner, so an agent that drops the connection
/// after reading the request gets no second copy (hyper's pool itself only
/// resends a request it never wrote to a connection found closed). Redirects
/// are not followed (the clients' policy in `serve_on`): a 3xx is the answer.
pub async fn send(
    state: &AppState,
    url: &str,
    headers: &[(&str, &str)],
    body: String,
) -> Result<reqwest::Response, reqwest::Error> {
    let (headers, body) = state.perturb.outgoing(headers, body);
    let mut req = state.http.post(url).timeout(state.config.agent_timeout);
    for (name, value) in &headers {
        req = req.header(name, value);
    }
    req.body(body).send().await
}

fn classify_transport(e: &reqwest::Error) -> CallOutcome {
    let text = format!("{e}: {}", source_chain(e));
    if e.is_timeout() {
        CallOutcome::Timeout(format!(
            "agent call failed: {text} (context deadline exceeded)"
        ))
    } else {
        CallOutcome::Unreachable(format!("agent call failed: {text}"))
    }
}

fn source_chain(e: &dyn std::error::Error) -> String {
    let mut parts = Vec::new();
    let mut cur = e.source();
    while let Some(s) = cur {
        parts.push(s.to_string());
        cur = s.source();
    }
    parts.join(": ")
}

/// Maps a non-success outcome to its category, message and sync status.
pub fn failure_of(outcome: &CallOutcome) -> Option<Failure> {
    match outcome {
        CallOutcome::Completed(_) | CallOutcome::Accepted => None,
        CallOutcome::AgentError { status, body } => {
            let details = serde_json::from_slice::<Value>(body).ok();
            let category = match (*status, &details) {
                (300..=399, _) => "bad_response",
                (408, _) => "agent_timeout",
                (400..=499, None) => "bad_response",
                _ => "agent_error",
            };
            let shown = String::from_utf8_lossy(truncate(body, 1024)).into_owned();
            Some(Failure {
                category,
                message: format!("agent error ({status}): {shown}"),
                http_status: if *status >= 500 || *status < 400 {
                    502
                } else {
                    *status
                },
                details,
                answered: true,
            })
        }
        CallOutcome::Timeout(m) => Some(Failure {
            category: "agent_timeout",
            message: m.clone(),
            http_status: 504,
            details: None,
            answered: false,
        }),
        CallOutcome::TooLarge(m) => Some(Failure {
            category: AGENT_RESPONSE_TOO_LARGE,
            message: m.clone(),
            http_status: 502,
            details: None,
            answered: true,
        }),
        CallOutcome::Unreachable(m) => Some(Failure {
            category: "agent_unreachable",
            message: m.clone(),
            http_status: 504,
            details: None,
            answered: false,
        }),
    }
}

fn truncate(b: &[u8], max: usize) -> &[u8] {
    &b[..b.len().min(max)]
}

/// Records the outcome on the row: success stores the body byte-for-byte; an
/// agent 5xx also stores its body as the result (GET shows it as `error_details`).
/// A row already `cancelled` or `waiting` (by a callback that came first) is
/// left as it is, as v0.1.96's `completeExecution`/`failExecution` guard
/// does; any other status, terminal ones included, is overwritten, as there.
pub fn apply_outcome(state: &AppState, exec_id: &str, outcome: &CallOutcome) -> Option<Execution> {
    let now = Utc::now();
    let failure = failure_of(outcome);
    let result = state.update_execution(exec_id, &mut |e| {
        if matches!(e.status, Status::Cancelled | Status::Waiting) {
            return Ok(());
        }
        match (outcome, &failure) {
            (CallOutcome::Accepted, _) => return Ok(()),
            (CallOutcome::Completed(body), _) => {
                e.status = Status::Succeeded;
                e.result_payload = Some(body.clone());
                e.error_message = None;
            }
            (_, Some(f)) => {
                e.status = Status::Failed;
                e.status_reason = Some(f.category.to_owned());
                e.error_message = Some(f.message.clone());
                if let CallOutcome::AgentError { status, body } = outcome {
                    if *status >= 500 {
                        e.result_payload = Some(body.clone());
                    }
                }
            }
            (_, None) => return Ok(()),
        }
        e.completed_at = Some(now);
        e.duration_ms = Some(millis_between(e.started_at, now));
        Ok(())
    });
    match result {
        Ok(e) => Some(e),
        Err(err) => {
            tracing::warn!(execution_id = exec_id, error = %err, "could not record dispatch outcome");
            None
        }
    }
}

/// Dispatches in the background, as an async execute and a restart root do.
/// A task per execution (no fixed worker set) so nested calls can never
/// deadlock; the admission place (`pool`, newest contract) and the
/// per-agent slot are held until the agent's answer is recorded.
pub fn spawn_dispatch(
    state: super::state::Shared,
    exec: Execution,
    slot: Option<super::admission::Slot>,
    place: Option<super::pool::Reservation>,
) {
    tokio::spawn(async move {
        let outcome = call_agent(&state, &exec).await;
        // The place and the slot are free before the outcome shows: a client that saw the
        // row end may be admitted at once (upstream records the outcome on
        // another worker, so its order is unspecified; this one is testable).
        drop((place, slot));
        apply_outcome(&state, &exec.execution_id, &outcome);
    });
}

/// Waits until `exec_id` is succeeded or failed (a cancelled or timeout
/// callback does not end a sync wait in v0.1.96), or `timeout` passes.
pub async fn wait_for_completion(
    state: &AppState,
    exec_id: &str,
    timeout: Duration,
) -> Option<Execution> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut rx = state.completions.subscribe(exec_id);
    let outcome = loop {
        match state.store.execution(exec_id) {
            Ok(Some(e)) if e.status == Status::Succeeded || e.status == Status::Failed => {
                break Some(e)
            }
            Ok(Some(_)) => {}
            _ => break None,
        }
        match tokio::time::timeout_at(deadline, rx.changed()).await {
            Ok(Ok(())) => {}
            _ => break None,
        }
    };
    drop(rx);
    state.completions.release(exec_id);
    outcome
}

/// Go's `time.Duration.String` for whole-millisecond durations (`1m30s`, `2s`, `500ms`).
pub fn go_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let (h, m) = (ms / 3_600_000, (ms / 60_000) % 60);
    let secs = (ms % 60_000) as f64 / 1000.0;
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if h > 0 || m > 0 {
        out.push_str(&format!("{m}m"));
    }
    out.push_str(&format!("{secs}s"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_like_go() {
        assert_eq!(go_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(go_duration(Duration::from_secs(2)), "2s");
        assert_eq!(go_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(go_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(go_duration(Duration::from_secs(3600)), "1h0m0s");
        assert_eq!(go_duration(Duration::from_secs(1800)), "30m0s");
    }

    #[test]
    fn agent_errors_map_to_categories_and_statuses() {
        let f = |status, body: &str| {
            failure_of(&CallOutcome::AgentError {
                status,
                body: body.into(),
            })
        };
        let e = f(500, "oops").expect("failure");
        assert_eq!((e.category, e.http_status), ("agent_error", 502));
        assert_eq!(e.message, "agent error (500): oops");
        let e = f(422, r#"{"detail":"x"}"#).expect("failure");
        assert_eq!((e.category, e.http_status), ("agent_error", 422));
        assert!(e.details.is_some());
        assert_eq!(f(404, "nope").expect("failure").category, "bad_response");
        assert_eq!(f(408, "{}").expect("failure").category, "agent_timeout");
    }
}
