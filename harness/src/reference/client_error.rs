//! An agent's client error reported by status callback (spec §8
//! `agent_client_error:<4xx>`, V-latest; upstream `handleStatusUpdate` and
//! `httpStatusForFailedExecution`, issue #862, asserted by
//! `TestUpdateExecutionStatusHandler_ErrorStatusCode` and
//! `TestHttpStatusForFailedExecution`). Only where the contract serves
//! [`Feature::AgentClientError`]; v0.1.96 binds no `error_status_code` and
//! answers every failed 202 agent 502.
//!
//! An agent that answers a 4xx inline is not this rule: the sync lane still
//! categorises it `agent_error` / `bad_response` / `agent_timeout`
//! (`classifyCallError`, unchanged on the newest).

use axum::http::StatusCode;

use crate::reference::contract::{Contract, Feature};
use crate::reference::model::Execution;

/// The prefix of a client error's status reason.
pub const PREFIX: &str = "agent_client_error:";

/// The row's status reason after a callback that reported `reported` and
/// `code` (`error_status_code`): a 4xx overrides the reported reason; a 5xx
/// fills an absent one with `agent_error`; anything else keeps it.
pub fn reason(reported: Option<String>, code: Option<i64>) -> Option<String> {
    match code {
        Some(c) if (400..500).contains(&c) => Some(format!("{PREFIX}{c}")),
        Some(c) if c >= 500 && reported.is_none() => Some("agent_error".to_owned()),
        _ => reported,
    }
}

/// The status a sync caller gets for `exec`, failed by callback after its
/// agent answered 202: v0.1.96 always 502; the newest maps the row.
pub fn sync_status(contract: Contract, exec: &Execution) -> StatusCode {
    if !contract.serves(Feature::AgentClientError) {
        return StatusCode::BAD_GATEWAY;
    }
    let code = exec
        .status_reason
        .as_deref()
        .and_then(status_of_reason)
        .or_else(|| exec.error_message.as_deref().and_then(status_of_message))
        .unwrap_or(502);
    StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY)
}

/// A reason's status: an encoded client error, or a known category's.
fn status_of_reason(reason: &str) -> Option<u16> {
    if let Some(code) = reason.strip_prefix(PREFIX).and_then(client_code) {
        return Some(code);
    }
    match reason {
        "agent_timeout" => Some(504),
        "agent_unreachable" => Some(502),
        "target_not_found" => Some(404),
        "node_unavailable" => Some(503),
        "concurrency_limit" => Some(429),
        _ => None,
    }
}

/// The 4xx of a sync-lane message `agent error (NNN): …`.
fn status_of_message(message: &str) -> Option<u16> {
    let rest = message.strip_prefix("agent error (")?;
    client_code(&rest[..rest.find("):")?])
}

fn client_code(text: &str) -> Option<u16> {
    text.parse::<u16>().ok().filter(|c| (400..500).contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_4xx_overrides_the_reason_and_a_5xx_fills_only_an_absent_one() {
        let r = |s: &str| Some(s.to_owned());
        assert_eq!(reason(r("x"), Some(422)), r("agent_client_error:422"));
        assert_eq!(reason(None, Some(503)), r("agent_error"));
        assert_eq!(reason(r("x"), Some(503)), r("x"));
        assert_eq!(reason(r("x"), Some(302)), r("x"));
        assert_eq!(reason(None, None), None);
    }

    #[test]
    fn reasons_and_messages_map_to_statuses() {
        assert_eq!(status_of_reason("agent_client_error:400"), Some(400));
        assert_eq!(status_of_reason("agent_client_error:500"), None);
        assert_eq!(status_of_reason("agent_timeout"), Some(504));
        assert_eq!(status_of_reason("agent_error"), None);
        assert_eq!(status_of_message("agent error (409): no"), Some(409));
        assert_eq!(status_of_message("agent error (503): no"), None);
        assert_eq!(status_of_message("agent error (4"), None);
    }
}
