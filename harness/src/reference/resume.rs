//! Automatic resume of interrupted runs (V-latest, spec §8 and §10 item 20;
//! capability `resume_interrupted_runs`), read from upstream
//! `control-plane/internal/handlers/execute_resume_interrupted.go` @6248831c
//! and asserted there by `execute_resume_interrupted_test.go`.
//!
//! Off unless [`crate::reference::Config::resume_interrupted_runs`] is set
//! (upstream `AGENTFIELD_RESUME_INTERRUPTED_RUNS`, default off) and the
//! newest contract is served. An interrupted root (failed or cancelled with
//! `agent_restart_orphaned…`, `control_plane_shutdown` or
//! `agent_shutdown_cancelled`, no parent, no forward pointer yet) is handed
//! off as a restart with workflow scope, `all-succeeded`, `kind: resume` and
//! `resume_attempt` one past its run's; none once the run's attempt reaches
//! the maximum (1 by default), so a resumed run interrupted again is left
//! failed, while a manual restart in between (its lineage kind is not
//! `resume`) counts from zero again. Two triggers: the reap of an agent's
//! departed instance (`handOffInterruptedAgentExecutions`) and the control
//! plane's start (`ResumeInterruptedRunsOnStartup`). Upstream's delay before
//! a handoff (`…_DELAY`, 15 s) is not modelled: the handoff runs at once, as
//! with a zero delay, so no test waits on a clock.

use serde_json::Value;

use super::model::Execution;
use super::routes::restart::{self, Internal, RestartRequest};
use super::run_index::{RunFilter, RunQuery, RunSort};
use super::state::Shared;
use super::status::Status;
use crate::reference::contract::Feature;

/// Runs the startup scan looks at, most recent first (upstream: 25
/// candidates within an hour).
const STARTUP_LIMIT: usize = 25;

/// Whether `reason` marks an interruption a resume may follow
/// (`isInterruptedStatusReason`).
pub fn is_interrupted(reason: &str) -> bool {
    let r = reason.trim();
    r.starts_with("agent_restart_orphaned")
        || r == "control_plane_shutdown"
        || r == "agent_shutdown_cancelled"
}

/// Whether this reference resumes interrupted runs at all.
pub fn enabled(state: &Shared) -> bool {
    state.config.resume_interrupted_runs
        && state.config.contract.serves(Feature::ResumeInterruptedRuns)
}

/// The interruption reason of `e` when it may be handed off
/// (`interruptedRunHandoffReason`; `TestHandOffInterruptedRunGuardsReasonRootPointerAndAttemptBound`).
fn handoff_reason(e: &Execution) -> Option<String> {
    let reason = e.status_reason.as_deref().unwrap_or_default().trim();
    let done = matches!(e.status, Status::Failed | Status::Cancelled);
    let root = e.parent_execution_id.as_deref().is_none_or(str::is_empty);
    (done && root && e.restarted_as.is_none() && is_interrupted(reason)).then(|| reason.to_owned())
}

/// The run's `resume_attempt` when its lineage kind is `resume`, else 0
/// (`resumeAttemptForRun`).
fn attempt_of(state: &Shared, run_id: &str) -> u32 {
    let record = state.store.run_record(run_id).ok().flatten();
    let lineage = record.as_ref().and_then(|r| r.metadata.get("lineage"));
    match lineage {
        Some(l) if l.get("kind").and_then(Value::as_str) == Some("resume") => l
            .get("resume_attempt")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0),
        _ => 0,
    }
}

/// Hands the interrupted root `id` off to a resume, reading it fresh; the
/// new root's id, or `None` when a guard holds it back
/// (`handOffClaimedInterruptedRun`; `TestHandOffInterruptedRunCreatesFollowableWorkflowRestart`).
pub fn hand_off(state: &Shared, id: &str) -> Option<String> {
    if !enabled(state) {
        return None;
    }
    let e = state.store.execution(id).ok().flatten()?;
    let reason = handoff_reason(&e)?;
    let attempt = attempt_of(state, &e.run_id);
    if attempt >= state.config.resume_max_attempts {
        return None;
    }
    let req = RestartRequest {
        scope: "workflow".into(),
        reuse: "all-succeeded".into(),
        reason: format!("auto-resume after {reason}"),
        ..RestartRequest::default()
    };
    let internal = Internal {
        kind: Some("resume"),
        resume_attempt: Some(attempt + 1),
    };
    match restart::start(state, id, &req, internal) {
        Ok((_, root)) => Some(root.execution_id),
        Err(e) => {
            tracing::warn!(execution_id = id, status = %e.status, "could not resume an interrupted run");
            None
        }
    }
}

/// At start: hands off the interrupted roots of the most recent runs
/// (`ResumeInterruptedRunsOnStartup`).
pub fn on_startup(state: &Shared) {
    if !enabled(state) {
        return;
    }
    let query = RunQuery {
        sort: RunSort::UpdatedAt,
        asc: false,
        filter: RunFilter::default(),
        offset: 0,
        limit: STARTUP_LIMIT,
    };
    let Ok(page) = state.store.list_runs(&query) else {
        return;
    };
    for run_id in page.run_ids {
        if let Ok(Some(root)) = state.store.workflow_root(&run_id) {
            hand_off(state, &root.execution_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_three_interruptions_are_resumable() {
        for r in [
            "agent_restart_orphaned: previous instance a-1 is gone",
            " control_plane_shutdown ",
            "agent_shutdown_cancelled",
        ] {
            assert!(is_interrupted(r), "{r}");
        }
        for r in [
            "agent_error",
            "",
            "control_plane_shutdown: more",
            "cancelled",
        ] {
            assert!(!is_interrupted(r), "{r}");
        }
    }
}
