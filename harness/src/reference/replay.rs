//! Replay at an execute boundary (contract §3): decide whether a new child
//! execution can take a succeeded result from the source run instead of
//! calling its agent, and record the hit.
//!
//! The lookup is one index probe ([`Store::replay_candidates`]) plus, for
//! `succeeded-before`, one point read of the boundary execution: its cost does
//! not grow with the size of the source run. The rules it applies live in
//! [`super::rules`].

use axum::http::StatusCode;
use chrono::Utc;

use super::error::ApiError;
use super::model::{Execution, ReplayPlan};
use super::rules::{self, ReplayMode, REPLAYED_PREFIX};
use super::state::AppState;
use super::store::{ReplayKey, Store};

/// §3.1: the effective mode when replay applies at all (rules 1–2 hold), or
/// the 400 v0.1.96 gives for an unknown mode. Rules are checked in v0.1.96
/// order: parent, then Source, then mode (case-sensitive, default
/// `succeeded-before`).
pub fn effective_mode(
    parent: Option<&str>,
    plan: &ReplayPlan,
) -> Result<Option<ReplayMode>, ApiError> {
    if parent.is_none() || plan.source_run_id.is_none() {
        return Ok(None);
    }
    let Some(raw) = plan.mode.as_deref() else {
        return Ok(Some(ReplayMode::SucceededBefore));
    };
    match raw.parse() {
        Ok(ReplayMode::None) => Ok(None),
        Ok(mode) => Ok(Some(mode)),
        Err(()) => Err(ApiError::untyped(format!(
            "unsupported replay mode {raw:?}"
        ))),
    }
}

/// The source execution a new row replays, if any (§3.2–§3.5).
pub fn find_hit(store: &dyn Store, exec: &Execution) -> Result<Option<Execution>, ApiError> {
    let Some(mode) = effective_mode(exec.parent_execution_id.as_deref(), &exec.replay)? else {
        return Ok(None);
    };
    let (Some(source), Some(envelope)) =
        (exec.replay.source_run_id.as_ref(), exec.replay_key.as_ref())
    else {
        return Ok(None);
    };
    let query_error = |e| ApiError::untyped(format!("query replay source run: {e}"));
    let mut before_seq = None;
    if mode == ReplayMode::SucceededBefore {
        if let Some(before) = exec.replay.before_execution_id.as_deref() {
            match store.execution(before).map_err(query_error)? {
                // Strictly earlier in start order than the boundary execution.
                Some(b) if &b.run_id == source => before_seq = Some(b.start_seq),
                // A boundary outside the source run replays nothing (§3.3).
                _ => return Ok(None),
            }
        }
    }
    let key = ReplayKey {
        run_id: source.clone(),
        node_id: exec.node_id.clone(),
        reasoner_id: exec.reasoner_id.clone(),
        envelope: envelope.clone(),
    };
    let candidates = store.replay_candidates(&key).map_err(query_error)?;
    Ok(rules::earliest_before(candidates, before_seq))
}

/// Marks `exec_id` as a replay of `source` (§3.6): succeeded, a byte copy of
/// the source result, no error, zero duration.
pub fn complete_hit(
    state: &AppState,
    exec_id: &str,
    source: &Execution,
) -> Result<Execution, ApiError> {
    let now = Utc::now();
    state
        .update_execution(exec_id, &mut |e| {
            e.status = "succeeded".to_owned();
            e.status_reason = Some(format!("{REPLAYED_PREFIX}{}", source.execution_id));
            e.result_payload = source.result_payload.clone();
            e.error_message = None;
            e.completed_at = Some(now);
            e.duration_ms = Some(0);
            Ok(())
        })
        .map_err(|e| {
            ApiError::plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("failed to complete replay: {e}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(source: Option<&str>, mode: Option<&str>) -> ReplayPlan {
        ReplayPlan {
            source_run_id: source.map(str::to_owned),
            before_execution_id: None,
            mode: mode.map(str::to_owned),
        }
    }

    #[test]
    fn mode_is_checked_only_after_parent_and_source() {
        assert!(matches!(
            effective_mode(None, &plan(Some("r"), Some("bogus"))),
            Ok(None)
        ));
        assert!(matches!(
            effective_mode(Some("p"), &plan(None, Some("bogus"))),
            Ok(None)
        ));
        assert!(effective_mode(Some("p"), &plan(Some("r"), Some("bogus"))).is_err());
    }

    #[test]
    fn mode_defaults_and_is_case_sensitive() {
        let m = effective_mode(Some("p"), &plan(Some("r"), None));
        assert_eq!(m.ok().flatten(), Some(ReplayMode::SucceededBefore));
        assert!(matches!(
            effective_mode(Some("p"), &plan(Some("r"), Some("none"))),
            Ok(None)
        ));
        let err = effective_mode(Some("p"), &plan(Some("r"), Some("Succeeded-Before")));
        let Err(err) = err else {
            panic!("mixed case must be rejected")
        };
        assert_eq!(
            err.body["error"],
            "unsupported replay mode \"Succeeded-Before\""
        );
        assert_eq!(err.body["error_category"], "internal_error");
    }
}
